"""What the LLM wrote, kept by key: follow-ups (followup_drafts.py) and questions (question_writer.py).

One layout for both: key -> (text, from_llm, rejected), the text being the model's own or the
template it fell back to, with why. Each kind keeps its own table (followups, written; made by
storage/migrations.py), so the rows kept before they shared this class are read as they are. The
key is the caller's: a hash of everything the text depends on, so a stale row is never found.
"""

from pathlib import Path
from typing import Literal, NamedTuple

from interviewer.storage.database import Database, SQLite

Table = Literal["followups", "written"]  # the only tables it reads: their names go into the SQL


class Kept(NamedTuple):
    text: str
    from_llm: bool
    rejected: str | None  # why the model's text was not used, if it was not


class TextCache:
    def __init__(self, table: Table, where: Path | Database | None = None) -> None:
        """`where`: a SQLite file of its own (a cache: safe to delete), the history's database,
        or None (in memory)."""
        if table not in ("followups", "written"):
            raise ValueError(f"no LLM-text table {table!r}")
        self.table = table
        self.db = where if isinstance(where, Database) else SQLite(where)

    def get(self, key: str) -> Kept | None:
        rows = self.db.rows(f"SELECT text, from_llm, rejected FROM {self.table} WHERE key = ?", (key,))
        return Kept(rows[0][0], bool(rows[0][1]), rows[0][2]) if rows else None

    def __contains__(self, key: str) -> bool:
        return bool(self.db.rows(f"SELECT 1 FROM {self.table} WHERE key = ?", (key,)))

    def put(self, key: str, text: str, from_llm: bool, rejected: str | None) -> None:
        with self.db.transaction() as tx:
            tx.execute(
                f"INSERT INTO {self.table} (key, text, from_llm, rejected) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET text = excluded.text, from_llm = excluded.from_llm, "
                "rejected = excluded.rejected",
                (key, text, int(from_llm), rejected),
            )
