"""Interview history in SQLite (stdlib sqlite3), in the data folder.

Sessions are saved whole after every turn, in one transaction, so a crash or a closed tab
loses nothing already answered. Point results feed "review weak topics"; reviews and cards keep
the spaced-repetition schedule (schedule.py) per notes set. Migrations are named functions
applied once, in order, and never edited once released. A damaged file is never used:
it is moved aside (history.sqlite.corrupt-<time>) and a fresh history started, with a warning.
"""

import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from interviewer.session import Session

log = logging.getLogger(__name__)
# SQLite's result codes for "this file is damaged" and "this is not a database at all"; others
# (locked, busy, read-only, can't open) say nothing about the file and are raised as they are
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}

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


@migration
def m002_cards(db: sqlite3.Connection) -> None:
    # one review per question per session: saving a session again, or an appeal, replaces it;
    # a card is what replaying its reviews gives, kept so "what is due" needs no replay
    db.execute(
        "CREATE TABLE reviews (notes TEXT, item_id TEXT, session_id TEXT, rating INTEGER NOT NULL, "
        "at TEXT NOT NULL, duration_ms INTEGER, PRIMARY KEY (notes, item_id, session_id))"
    )
    db.execute(
        "CREATE TABLE cards (notes TEXT, item_id TEXT, card TEXT NOT NULL, due TEXT NOT NULL, "
        "PRIMARY KEY (notes, item_id))"
    )


class Review(NamedTuple):
    """One question reviewed in one session: a row of the reviews table (without its notes)."""

    item_id: str
    session_id: str
    rating: int  # FSRS's Rating, 1 (Again) to 4 (Easy)
    at: str  # when, ISO 8601 in UTC
    duration_ms: int | None  # the time taken to answer; None for a skip


class StoredCard(NamedTuple):
    card: str  # FSRS's Card as JSON
    due: str  # its due time, ISO 8601, kept apart so "what is due" needs no parsing


class DamagedHistory(sqlite3.DatabaseError):
    """quick_check found the history file damaged; str(e) says what it saw."""


class History:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # one connection shared by every browser tab's thread: sqlite3 lets threads share it but
        # not interleave transactions on it ("cannot commit - no transaction is active" under load)
        self._lock = threading.Lock()
        self.recovered_from: Path | None = None  # where a damaged history was moved, if one was
        # Why check on open: SQLite reads only the pages a query touches, so a truncated or
        # overwritten file can open fine and then fail, or return garbage, in the middle of an
        # interview. quick_check reads every page once (milliseconds for a history). A damaged
        # file is kept for recovery under another name, never silently used or overwritten.
        try:
            self.db = _open(path)
        except sqlite3.DatabaseError as e:
            if not _damaged(e):
                raise
            self.recovered_from = _move_aside(path)
            log.warning(
                "The interview history %s is damaged (%s). It was moved to %s and a new, empty "
                "history was started.",
                path,
                e,
                self.recovered_from,
            )
            self.db = _open(path)

    def save(self, session: Session) -> None:
        rows = [
            (session.id, t.item_id, t.topic, p.text, p.status, (t.answered_at or t.asked_at).isoformat())
            for t in session.turns
            if t.grade
            for p in t.grade.points
        ]
        with self._lock, self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)",
                (session.id, session.created.isoformat(), session.notes, session.model_dump_json()),
            )
            self.db.executemany("INSERT OR IGNORE INTO point_results VALUES (?, ?, ?, ?, ?, ?)", rows)

    def load(self, session_id: str) -> Session:
        with self._lock:
            row = self.db.execute("SELECT body FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"no session {session_id!r}")
        return Session.model_validate_json(row[0])

    def sessions(self) -> list[Session]:
        with self._lock:
            rows = self.db.execute("SELECT body FROM sessions ORDER BY created DESC").fetchall()
        return [Session.model_validate_json(r[0]) for r in rows]

    def weakness(self) -> dict[str, float]:
        """Per item: the share of its points missed, recent results counting double."""
        with self._lock:
            rows = self.db.execute("SELECT item_id, status, at FROM point_results ORDER BY at").fetchall()
        share = {"missed": 1.0, "partly": 0.5}  # of a point's weight that counts as missed
        missed: dict[str, float] = {}
        total: dict[str, float] = {}
        for n, (item, status, _) in enumerate(rows):
            weight = 2.0 if n >= len(rows) - 50 else 1.0
            missed[item] = missed.get(item, 0.0) + weight * share.get(status, 0.0)
            total[item] = total.get(item, 0.0) + weight
        return {item: missed[item] / total[item] for item in total}

    def save_reviews(self, notes: str, rows: list[Review]) -> None:
        with self._lock, self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?, ?, ?)", [(notes, *r) for r in rows]
            )

    def reviews(self, notes: str, item_id: str) -> list[Review]:
        """An item's reviews in one notes set, oldest first."""
        with self._lock:
            rows = self.db.execute(
                "SELECT item_id, session_id, rating, at, duration_ms FROM reviews "
                "WHERE notes = ? AND item_id = ? ORDER BY at",
                (notes, item_id),
            ).fetchall()
        return [Review(*r) for r in rows]

    def save_cards(self, notes: str, cards: dict[str, StoredCard]) -> None:
        with self._lock, self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?)",
                [(notes, item, c.card, c.due) for item, c in cards.items()],
            )

    def cards(self, notes: str) -> dict[str, str]:
        """item id -> the card as JSON, for every question of a notes set reviewed at least once."""
        with self._lock:
            rows = self.db.execute("SELECT item_id, card FROM cards WHERE notes = ?", (notes,)).fetchall()
        return dict(rows)


def _move_aside(path: Path) -> Path:
    """Renames a damaged database and its WAL files to <name>.corrupt-<UTC time>, kept together."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.replace(target)
    for suffix in ("-wal", "-shm"):  # SQLite's own naming, so the pair still opens together
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    return target


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        problems = [str(row[0]) for row in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise DamagedHistory(" ".join(problems[:3]).replace("\n", " "))
        _migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    for fn in MIGRATIONS:
        if fn.__name__ not in done:
            with db:
                fn(db)
                db.execute("INSERT INTO _migrations VALUES (?)", (fn.__name__,))


def _damaged(e: sqlite3.DatabaseError) -> bool:
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF  # the primary result code
    return isinstance(e, DamagedHistory) or code in _DAMAGED
