"""Every change to the database's tables, in one ordered list: named functions applied once.

The database applies the ones not applied yet when it is opened (database.py records each name
in _migrations), the same on SQLite and PostgreSQL; the modules that use the tables (history.py,
courses.py, the LLM-text caches, the page's logins) only read and write them. A released
migration is never edited: a change to a table is a new function at the end of the list. The
names are those the tables were made under when each module migrated its own, so a database
from then goes on where it left off, whichever order its tables were made in.
"""

from typing import TYPE_CHECKING

from interviewer.storage.session import LOCAL

if TYPE_CHECKING:  # database.py imports this list; the transaction's type is all we need of it
    from interviewer.storage.database import Tx


def m001_sessions(db: "Tx") -> None:
    db.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, created TEXT, notes TEXT, body TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE point_results (session_id TEXT, item_id TEXT, topic TEXT, point TEXT, "
        "status TEXT, at TEXT, PRIMARY KEY (session_id, item_id, point, at))"
    )


def m002_cards(db: "Tx") -> None:
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


def m003_users(db: "Tx") -> None:
    # every row carries its user; what was there before users belongs to the local one. Two
    # people practising the same course notes have their own cards: the user joins the keys
    for table in ("sessions", "point_results"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN username TEXT NOT NULL DEFAULT '{LOCAL}'")
    db.execute("CREATE INDEX sessions_by_user ON sessions (username, created)")
    db.execute("CREATE INDEX point_results_by_user ON point_results (username, at)")
    db.execute(
        "CREATE TABLE reviews_ (username TEXT NOT NULL, notes TEXT NOT NULL, item_id TEXT NOT NULL, "
        "session_id TEXT NOT NULL, rating INTEGER NOT NULL, at TEXT NOT NULL, duration_ms INTEGER, "
        "PRIMARY KEY (username, notes, item_id, session_id))"
    )
    db.execute(
        f"INSERT INTO reviews_ SELECT '{LOCAL}', notes, item_id, session_id, rating, at, duration_ms "
        "FROM reviews"
    )
    db.execute(
        "CREATE TABLE cards_ (username TEXT NOT NULL, notes TEXT NOT NULL, item_id TEXT NOT NULL, "
        "card TEXT NOT NULL, due TEXT NOT NULL, PRIMARY KEY (username, notes, item_id))"
    )
    db.execute(f"INSERT INTO cards_ SELECT '{LOCAL}', notes, item_id, card, due FROM cards")
    for table in ("reviews", "cards"):
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE {table}_ RENAME TO {table}")


def c001_course_notes(db: "Tx") -> None:
    # BYTEA: PostgreSQL's bytes; SQLite keeps bytes as given whatever a column's declared type
    db.execute(
        "CREATE TABLE course_notes (name TEXT NOT NULL, embedder TEXT NOT NULL, digest TEXT NOT NULL, "
        "questions INTEGER NOT NULL, published TEXT NOT NULL, PRIMARY KEY (name, embedder))"
    )
    db.execute(
        "CREATE TABLE course_files (digest TEXT NOT NULL, file TEXT NOT NULL, data BYTEA NOT NULL, "
        "PRIMARY KEY (digest, file))"
    )


def l001_logins(db: "Tx") -> None:
    db.execute("CREATE TABLE logins (token TEXT PRIMARY KEY, username TEXT NOT NULL, created TEXT NOT NULL)")


def f001_followups(db: "Tx") -> None:
    # IF NOT EXISTS: files written before migrations made the table themselves. Not per user: a
    # row is found only by its key, a hash of the question and point it is for, so only someone
    # practising that very question gets it, and a class drafts each follow-up once, not per person
    db.execute(
        "CREATE TABLE IF NOT EXISTS followups (key TEXT PRIMARY KEY, text TEXT, from_llm INT, rejected TEXT)"
    )


def w001_written(db: "Tx") -> None:
    # IF NOT EXISTS: files written before migrations made the table themselves. Not per user,
    # like the follow-ups: keyed by the section's content, so found only by whoever has it
    db.execute(
        "CREATE TABLE IF NOT EXISTS written (key TEXT PRIMARY KEY, text TEXT, from_llm INT, rejected TEXT)"
    )


# in the order a new database gets them; only ever appended to
MIGRATIONS = [
    m001_sessions,
    m002_cards,
    m003_users,
    c001_course_notes,
    l001_logins,
    f001_followups,
    w001_written,
]
