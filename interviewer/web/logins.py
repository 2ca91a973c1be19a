"""Logins every replica honours: Gradio's own login form, its tokens kept in the database.

Gradio keeps each login's token in its process's memory, under a cookie named with a random id
per process, so a replica that died would take its candidates' logins with it and the other
replica would answer their next request with "not authenticated". share() gives the app a
token table in the database (the history's) and a cookie name every replica of that database
agrees on, so the next request, on whichever replica, is the same person's. A login lasts
DAYS days; logging out ends it on every replica.
"""

import hashlib
from collections.abc import Iterator, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from interviewer.storage.database import Database

DAYS = 14


class Tokens(MutableMapping[str, str]):
    """token -> user name, as Gradio's App.tokens dict is used, over the logins table."""

    def __init__(self, db: Database) -> None:
        self.db = db  # the table: interviewer/storage/migrations.py's l001_logins

    def __getitem__(self, token: str) -> str:
        since = (datetime.now(UTC) - timedelta(days=DAYS)).isoformat()
        rows = self.db.rows("SELECT username FROM logins WHERE token = ? AND created > ?", (token, since))
        if not rows:
            raise KeyError(token)
        return str(rows[0][0])

    def __setitem__(self, token: str, user: str) -> None:
        now = datetime.now(UTC).isoformat()
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO logins (token, username, created) VALUES (?, ?, ?)", (token, user, now))

    def __delitem__(self, token: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM logins WHERE token = ?", (token,))

    def __iter__(self) -> Iterator[str]:
        return iter([str(r[0]) for r in self.db.rows("SELECT token FROM logins")])

    def __len__(self) -> int:
        return int(self.db.rows("SELECT count(*) FROM logins")[0][0])


def share(app: Any, db: Database) -> None:
    """Gradio's `app` (Blocks.server_app, after launch) keeps its logins in `db`, under a cookie
    named after the database, the same on every replica of it (and only of it)."""
    app.tokens = Tokens(db)
    # the name is sent to every browser: made from where the database is, never its password
    where = urlsplit(db.where)
    host = parse_qs(where.query).get("host", [""])[0]
    name = f"{where.scheme}:{where.hostname}:{where.port}:{where.path}:{host}"
    app.cookie_id = hashlib.sha256(name.encode()).hexdigest()[:16]
