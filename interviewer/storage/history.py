"""Interview history: every session, its point results, and the schedule's reviews and cards.

Kept in the database the settings name (database.py: a SQLite file in the data folder, or
PostgreSQL for a class). Sessions are saved whole after every turn, in one transaction, so a
crash, a closed tab or a replica dying loses nothing already answered. Every row carries its
user, and a History is one user's view: it reads and writes that user's rows only, so nobody
sees, resumes or exports another person's interview (local use is the one user LOCAL). Point
results feed "review weak topics"; reviews and cards keep the spaced-repetition schedule
(schedule.py) per notes set. Its tables are made and changed by migrations.py, applied when the
database is opened.
"""

from pathlib import Path
from typing import NamedTuple

from interviewer.storage.database import Database, SQLite
from interviewer.storage.session import LOCAL, Session, Turn


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


class NotYours(Exception):
    """A session id that is not the user's own: said exactly as one that does not exist."""


class History:
    def __init__(self, where: Path | Database, user: str = LOCAL) -> None:
        """`where`: a SQLite file, or an open database (database.connect); `user`: whose view."""
        self.db = where if isinstance(where, Database) else SQLite(where)
        self.user = user

    @property
    def recovered_from(self) -> Path | None:
        """Where a damaged history file was moved, if one was (SQLite only)."""
        return self.db.recovered_from

    def of(self, user: str) -> "History":
        """Another user's view of the same database (no new connection)."""
        view = object.__new__(History)
        view.db, view.user = self.db, user
        return view

    def save(self, session: Session) -> None:
        if session.user != self.user:
            raise NotYours(f"session {session.id!r} is not {self.user!r}'s")
        rows = [
            (session.id, self.user, t.item_id, t.topic, p.text, p.status, _at(t))
            for t in session.turns
            if t.grade
            for p in t.grade.points
        ]
        body = session.model_dump_json()
        with self.db.transaction() as tx:
            # an id already taken by another user is never overwritten: the update's WHERE says so
            saved = tx.execute(
                "INSERT INTO sessions (id, username, created, notes, body) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET created = excluded.created, notes = excluded.notes, "
                "body = excluded.body WHERE sessions.username = excluded.username",
                (session.id, self.user, session.created.isoformat(), session.notes, body),
            )
            if saved.rowcount != 1:
                raise NotYours(f"session {session.id!r} is not {self.user!r}'s")
            tx.executemany(
                "INSERT INTO point_results (session_id, username, item_id, topic, point, status, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows,
            )

    def load(self, session_id: str) -> Session:
        """The user's session; KeyError, with the same words, for one that is absent or not theirs."""
        row = self.db.rows("SELECT body FROM sessions WHERE id = ? AND username = ?", (session_id, self.user))
        if not row:
            raise KeyError(f"no session {session_id!r}")
        return _session(row[0][0], self.user)

    def sessions(self) -> list[Session]:
        """The user's sessions, newest first."""
        rows = self.db.rows(
            "SELECT body FROM sessions WHERE username = ? ORDER BY created DESC", (self.user,)
        )
        return [_session(r[0], self.user) for r in rows]

    def weakness(self) -> dict[str, float]:
        """Per item: the share of its points missed, recent results counting double."""
        rows = self.db.rows(
            "SELECT item_id, status, at FROM point_results WHERE username = ? ORDER BY at", (self.user,)
        )
        share = {"missed": 1.0, "partly": 0.5}  # of a point's weight that counts as missed
        missed: dict[str, float] = {}
        total: dict[str, float] = {}
        for n, (item, status, _) in enumerate(rows):
            weight = 2.0 if n >= len(rows) - 50 else 1.0
            missed[item] = missed.get(item, 0.0) + weight * share.get(status, 0.0)
            total[item] = total.get(item, 0.0) + weight
        return {item: missed[item] / total[item] for item in total}

    def save_reviews(self, notes: str, rows: list[Review]) -> None:
        with self.db.transaction() as tx:
            tx.executemany(
                "INSERT INTO reviews (username, notes, item_id, session_id, rating, at, duration_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username, notes, item_id, session_id) DO UPDATE "
                "SET rating = excluded.rating, at = excluded.at, duration_ms = excluded.duration_ms",
                [(self.user, notes, *r) for r in rows],
            )

    def reviews(self, notes: str, item_id: str) -> list[Review]:
        """An item's reviews in one notes set, oldest first."""
        rows = self.db.rows(
            "SELECT item_id, session_id, rating, at, duration_ms FROM reviews "
            "WHERE username = ? AND notes = ? AND item_id = ? ORDER BY at",
            (self.user, notes, item_id),
        )
        return [Review(*r) for r in rows]

    def save_cards(self, notes: str, cards: dict[str, StoredCard]) -> None:
        with self.db.transaction() as tx:
            tx.executemany(
                "INSERT INTO cards (username, notes, item_id, card, due) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (username, notes, item_id) DO UPDATE "
                "SET card = excluded.card, due = excluded.due",
                [(self.user, notes, item, c.card, c.due) for item, c in cards.items()],
            )

    def cards(self, notes: str) -> dict[str, str]:
        """item id -> the card as JSON, for every question of a notes set reviewed at least once."""
        rows = self.db.rows(
            "SELECT item_id, card FROM cards WHERE username = ? AND notes = ?", (self.user, notes)
        )
        return dict(rows)

    def close(self) -> None:
        self.db.close()


def _at(turn: Turn) -> str:
    return (turn.answered_at or turn.asked_at).isoformat()


def _session(body: str, user: str) -> Session:
    # sessions saved before users had none in their body: the row's user is theirs
    return Session.model_validate_json(body).model_copy(update={"user": user})
