"""Every table, made by the one ordered list in storage/migrations.py as the database opens, on a
SQLite file and on PostgreSQL: the schema a new database gets, pinned, and a database the earlier
code made (each module migrating its own tables, built here by hand) brought to it without loss."""

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from interviewer.llm.text_cache import Kept, TextCache
from interviewer.storage.database import Database, Migration, connect
from interviewer.storage.history import History
from interviewer.storage.migrations import MIGRATIONS, m001_sessions, m002_cards
from interviewer.storage.session import LOCAL, Session, SessionOptions, Turn

Opener = Callable[[Sequence[Migration]], Database]
T, N = "TEXT", "INTEGER"
SCHEMA = {  # table -> (column, type, position in the primary key or 0), in order
    "_migrations": [("name", T, 1)],
    "sessions": [("id", T, 1), ("created", T, 0), ("notes", T, 0), ("body", T, 0), ("username", T, 0)],
    "point_results": [
        ("session_id", T, 1),
        ("item_id", T, 2),
        ("topic", T, 0),
        ("point", T, 3),
        ("status", T, 0),
        ("at", T, 4),
        ("username", T, 0),
    ],
    "reviews": [
        ("username", T, 1),
        ("notes", T, 2),
        ("item_id", T, 3),
        ("session_id", T, 4),
        ("rating", N, 0),
        ("at", T, 0),
        ("duration_ms", N, 0),
    ],
    "cards": [("username", T, 1), ("notes", T, 2), ("item_id", T, 3), ("card", T, 0), ("due", T, 0)],
    "course_notes": [
        ("name", T, 1),
        ("embedder", T, 2),
        ("digest", T, 0),
        ("questions", N, 0),
        ("published", T, 0),
    ],
    "course_files": [("digest", T, 1), ("file", T, 2), ("data", "BYTEA", 0)],
    "logins": [("token", T, 1), ("username", T, 0), ("created", T, 0)],
    "followups": [("key", T, 1), ("text", T, 0), ("from_llm", N, 0), ("rejected", T, 0)],
    "written": [("key", T, 1), ("text", T, 0), ("from_llm", N, 0), ("rejected", T, 0)],
}
NAMES = [
    "m001_sessions",
    "m002_cards",
    "m003_users",
    "c001_course_notes",
    "l001_logins",
    "f001_followups",
    "w001_written",
]


def columns(db: Database, table: str) -> list[tuple[str, str, int]]:
    """(name, type, position in the primary key or 0) per column, in order, read from the database."""
    if db.dialect == "sqlite":
        rows = db.rows(f"SELECT name, type, pk FROM pragma_table_info('{table}') ORDER BY cid")
        return [(n, {"INT": N}.get(t, t), pk) for n, t, pk in rows]
    rows = db.rows(
        "SELECT c.column_name, upper(c.data_type), coalesce(k.ordinal_position, 0) "
        "FROM information_schema.columns c LEFT JOIN (information_schema.key_column_usage k "
        "JOIN information_schema.table_constraints p ON p.constraint_name = k.constraint_name "
        "AND p.constraint_type = 'PRIMARY KEY') ON k.table_name = c.table_name "
        "AND k.column_name = c.column_name WHERE c.table_name = ? ORDER BY c.ordinal_position",
        (table,),
    )
    return [(n, {"CHARACTER VARYING": T}.get(t, t), pk) for n, t, pk in rows]


def schema(db: Database) -> dict[str, list[tuple[str, str, int]]]:
    if db.dialect == "sqlite":
        names = [r[0] for r in db.rows("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    else:
        names = [
            r[0] for r in db.rows("SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1")
        ]
    return {table: columns(db, table) for table in names}


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the same database again and again, with the migrations given: a file, or a fresh
    PostgreSQL database."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    opened: list[Database] = []

    def open_(migrations: Sequence[Migration] = MIGRATIONS) -> Database:
        opened.append(connect(url, tmp_path / "data" / "history.sqlite", migrations))
        return opened[-1]

    yield open_
    for db in opened:
        db.close()


def test_a_new_database_gets_every_table_pinned(database: Database) -> None:
    assert schema(database) == SCHEMA
    assert [r[0] for r in database.rows("SELECT name FROM _migrations")] == NAMES
    assert [m.__name__ for m in MIGRATIONS] == NAMES  # only ever appended to


def session(sid: str, answers: int) -> Session:
    s = Session(id=sid, user=LOCAL, notes="/notes", embedder="fake", options=SessionOptions())
    s.turns = [Turn(item_id=f"i{k}", question=f"q{k}", answer=f"a{k}") for k in range(answers)]
    return s


def test_a_history_from_before_users_is_the_local_users(opener: Opener) -> None:
    old = opener([m001_sessions, m002_cards])  # the history as the release before users left it
    with old.transaction() as tx:
        body = session("old", 1).model_dump_json()
        tx.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", ("old", "2024-01-01", "/notes", body))
        tx.execute("INSERT INTO cards VALUES (?, ?, ?, ?)", ("/notes", "i0", "{}", "2024-01-02"))
        tx.execute(
            "INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?)", ("/notes", "i0", "old", 3, "2024-01-01", 5)
        )
    old.close()
    local = History(opener(MIGRATIONS))
    assert [s.id for s in local.sessions()] == ["old"] and local.load("old").user == LOCAL
    assert local.cards("/notes") == {"i0": "{}"} and local.reviews("/notes", "i0")[0].rating == 3
    someone = local.of("ann")
    assert (
        someone.sessions() == [] and someone.cards("/notes") == {} and someone.reviews("/notes", "i0") == []
    )
    again = opener(MIGRATIONS)  # opening again applies nothing twice
    assert [r[0] for r in again.rows("SELECT name FROM _migrations")] == NAMES


# The tables as each module made them before migrations were in one place (history.py,
# courses.py, web/logins.py, followup_drafts.py, question_writer.py), in the order they opened
# them; logins never, as in a coach run without logins. Copied here, not called: what was released.
OLD = [
    (
        "m001_sessions",
        "CREATE TABLE sessions (id TEXT PRIMARY KEY, created TEXT, notes TEXT, body TEXT NOT NULL)",
    ),
    (
        "m001_sessions",
        "CREATE TABLE point_results (session_id TEXT, item_id TEXT, topic TEXT, point TEXT, "
        "status TEXT, at TEXT, PRIMARY KEY (session_id, item_id, point, at))",
    ),
    (
        "m002_cards",
        "CREATE TABLE reviews (notes TEXT, item_id TEXT, session_id TEXT, rating INTEGER NOT NULL, "
        "at TEXT NOT NULL, duration_ms INTEGER, PRIMARY KEY (notes, item_id, session_id))",
    ),
    (
        "m002_cards",
        "CREATE TABLE cards (notes TEXT, item_id TEXT, card TEXT NOT NULL, due TEXT NOT NULL, "
        "PRIMARY KEY (notes, item_id))",
    ),
    (
        "c001_course_notes",
        "CREATE TABLE course_notes (name TEXT NOT NULL, embedder TEXT NOT NULL, digest TEXT NOT NULL, "
        "questions INTEGER NOT NULL, published TEXT NOT NULL, PRIMARY KEY (name, embedder))",
    ),
    (
        "c001_course_notes",
        "CREATE TABLE course_files (digest TEXT NOT NULL, file TEXT NOT NULL, data BYTEA NOT NULL, "
        "PRIMARY KEY (digest, file))",
    ),
    (
        "f001_followups",
        "CREATE TABLE followups (key TEXT PRIMARY KEY, text TEXT, from_llm INT, rejected TEXT)",
    ),
    ("w001_written", "CREATE TABLE written (key TEXT PRIMARY KEY, text TEXT, from_llm INT, rejected TEXT)"),
]
ROWS = {
    "sessions": ("s1", "2024-01-01", "/notes", session("s1", 0).model_dump_json()),
    "point_results": ("s1", "i0", "t", "p", "missed", "2024-01-01"),
    "reviews": ("/notes", "i0", "s1", 3, "2024-01-01", 5),
    "cards": ("/notes", "i0", "{}", "2024-01-02"),
    "course_notes": ("ml101", "fake", "d1", 3, "2024-01-01"),
    "course_files": ("d1", "manifest.json", b"{}"),
    "followups": ("k1", "Why?", 1, None),
    "written": ("k2", "What is it?", 0, "too long"),
}


def test_a_database_the_earlier_code_made_migrates_without_loss(opener: Opener) -> None:
    old = opener([])  # no migrations: the tables are made below, as the earlier code made them
    with old.transaction() as tx:
        # _migrations is there already: migrate([]) made it, as each module's migrate did
        for _, sql in OLD:
            tx.execute(sql)
        for name in dict.fromkeys(name for name, _ in OLD):
            tx.execute("INSERT INTO _migrations (name) VALUES (?)", (name,))
        for table, row in ROWS.items():
            tx.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    old.close()
    new = opener(MIGRATIONS)
    assert schema(new) == SCHEMA
    assert sorted(r[0] for r in new.rows("SELECT name FROM _migrations")) == sorted(NAMES)
    users = {"sessions": (LOCAL,), "point_results": (LOCAL,), "reviews": (LOCAL,), "cards": (LOCAL,)}
    for table, row in ROWS.items():
        stored = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
            for r in new.rows(f"SELECT * FROM {table}")
        ]
        if table in ("reviews", "cards"):  # m003 put the user first
            assert stored == [users[table] + row], table
        else:
            assert stored == [row + users.get(table, ())], table
    assert [s.id for s in History(new).sessions()] == ["s1"]


@pytest.mark.parametrize("table", ["followups", "written"])
def test_an_llm_text_file_from_before_migrations_is_read_as_it_is(table: str, tmp_path: Path) -> None:
    path = tmp_path / f"{table}.sqlite"  # a cache file of its own, as a SQLite history keeps them
    with sqlite3.connect(path) as db:  # the table as the code made it before it had migrations
        db.execute(f"CREATE TABLE {table} (key TEXT PRIMARY KEY, text TEXT, from_llm INT, rejected TEXT)")
        db.execute(f"INSERT INTO {table} VALUES ('k', 'Why?', 1, NULL)")
    texts = TextCache(table, path)  # type: ignore[arg-type]
    assert texts.get("k") == Kept("Why?", True, None) and "k" in texts and texts.get("other") is None
    texts.put("k", "the template", False, "too long")
    assert TextCache(table, path).get("k") == Kept("the template", False, "too long")  # type: ignore[arg-type]
