"""Interview history in SQLite (stdlib sqlite3), in the data folder.

Sessions are saved whole after every turn, in one transaction, so a crash or a closed tab
loses nothing already answered. Point results feed "review weak topics". Migrations are named
functions applied once, in order, and never edited once released.
"""

import sqlite3
from collections.abc import Callable
from pathlib import Path

from interviewer.session import Session

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_sessions(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, created TEXT, notes TEXT, body TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE point_results (session_id TEXT, item_id TEXT, topic TEXT, point TEXT, "
        "status TEXT, at TEXT, PRIMARY KEY (session_id, item_id, point, at))"
    )


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        self._migrate()

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY)")
        done = {row[0] for row in self.db.execute("SELECT name FROM _migrations")}
        for fn in MIGRATIONS:
            if fn.__name__ not in done:
                with self.db:
                    fn(self.db)
                    self.db.execute("INSERT INTO _migrations VALUES (?)", (fn.__name__,))

    def save(self, session: Session) -> None:
        rows = [
            (session.id, t.item_id, t.topic, p.text, p.status, (t.answered_at or t.asked_at).isoformat())
            for t in session.turns
            if t.grade
            for p in t.grade.points
        ]
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)",
                (session.id, session.created.isoformat(), session.notes, session.model_dump_json()),
            )
            self.db.executemany("INSERT OR IGNORE INTO point_results VALUES (?, ?, ?, ?, ?, ?)", rows)

    def load(self, session_id: str) -> Session:
        row = self.db.execute("SELECT body FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"no session {session_id!r}")
        return Session.model_validate_json(row[0])

    def sessions(self) -> list[Session]:
        rows = self.db.execute("SELECT body FROM sessions ORDER BY created DESC").fetchall()
        return [Session.model_validate_json(r[0]) for r in rows]

    def weakness(self) -> dict[str, float]:
        """Per item: the share of its points missed, recent results counting double."""
        rows = self.db.execute("SELECT item_id, status, at FROM point_results ORDER BY at").fetchall()
        totals: dict[str, list[float]] = {}
        for n, (item, status, _) in enumerate(rows):
            weight = 2.0 if n >= len(rows) - 50 else 1.0
            t = totals.setdefault(item, [0.0, 0.0])
            t[0] += weight * (status == "missed") + 0.5 * weight * (status == "partly")
            t[1] += weight
        return {item: missed / total for item, (missed, total) in totals.items() if total}
