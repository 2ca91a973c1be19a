"""Where the history and the caches live: a SQLite file (the default) or PostgreSQL.

The SQL is written once, in what both accept (`?` placeholders, INSERT ... ON CONFLICT); the
placeholder is the one difference, and it is translated here. Opening one applies the named
migrations (migrations.py) not applied yet, in order, recorded in _migrations; on PostgreSQL
under a lock, so replicas starting together never both apply one. A damaged SQLite file is
never used: it is moved aside (<name>.corrupt-<time>) and a fresh one started, with a warning.
"""

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

from interviewer.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)
# SQLite's result codes for "this file is damaged" and "this is not a database at all"; others
# (locked, busy, read-only, can't open) say nothing about the file and are raised as they are
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
POOL_SIZE = 8  # connections per process to PostgreSQL: a page event holds one for milliseconds
Params = Sequence[Any]


class Cursor(Protocol):
    """What a statement gives back, on both backends."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Tx(Protocol):
    """One transaction: statements with `?` placeholders."""

    def execute(self, sql: str, params: Params = (), /) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Params], /) -> object: ...


Migration = Callable[[Tx], None]


class DatabaseUnavailable(Exception):
    """COACH_DATABASE_URL can't be used; str(e) says why (never with its password)."""


class DamagedDatabase(sqlite3.DatabaseError):
    """quick_check found a SQLite file damaged; str(e) says what it saw."""


class Database:
    """A backend: transactions, and reads in one statement."""

    dialect: Literal["sqlite", "postgresql"]
    where: str  # the file or the URL: which database this is
    recovered_from: Path | None = None  # where a damaged SQLite file was moved, if one was

    def transaction(self) -> Any:  # a context manager giving a Tx
        raise NotImplementedError

    def rows(self, sql: str, params: Params = ()) -> list[Any]:
        with self.transaction() as tx:
            return tx.execute(sql, params).fetchall()

    def migrate(self, migrations: Sequence[Migration]) -> None:
        """Applies the migrations not applied yet, in order, all in one transaction."""
        with self.transaction() as tx:
            self._lock_schema(tx)
            tx.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in tx.execute("SELECT name FROM _migrations").fetchall()}
            for fn in migrations:
                if fn.__name__ not in done:
                    fn(tx)
                    tx.execute("INSERT INTO _migrations (name) VALUES (?)", (fn.__name__,))

    def _lock_schema(self, tx: Tx) -> None:
        pass

    def close(self) -> None:
        raise NotImplementedError


class SQLite(Database):
    dialect = "sqlite"

    def __init__(self, path: Path | None, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        """A file (checked, moved aside if damaged), or None: in memory, for a throwaway run."""
        # one connection shared by every browser tab's thread: sqlite3 lets threads share it but
        # not interleave transactions on it ("cannot commit - no transaction is active" under load)
        self._lock = threading.Lock()
        self.path = path
        self.where = str(path.resolve()) if path else ":memory:"
        self.db = self._open(path) if path else _connect(":memory:")
        self.migrate(migrations)

    def _open(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Why check on open: SQLite reads only the pages a query touches, so a truncated or
        # overwritten file can open fine and then fail, or return garbage, in the middle of an
        # interview. quick_check reads every page once (milliseconds for a history). A damaged
        # file is kept for recovery under another name, never silently used or overwritten.
        try:
            return _checked(path)
        except sqlite3.DatabaseError as e:
            if not _damaged(e):
                raise
            self.recovered_from = _move_aside(path)
            log.warning(
                "The database %s is damaged (%s). It was moved to %s and a new, empty one was started.",
                path,
                e,
                self.recovered_from,
            )
            return _checked(path)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")  # the write lock now: another process waits, never fails
            try:
                yield self.db  # its execute and executemany take `?` placeholders as they are
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def rows(self, sql: str, params: Params = ()) -> list[Any]:
        with self._lock:  # a read needs no write lock
            return self.db.execute(sql, params).fetchall()

    def close(self) -> None:
        self.db.close()


class Postgres(Database):
    dialect = "postgresql"

    def __init__(self, url: str, size: int = POOL_SIZE, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        import psycopg  # late: SQLite users never load it
        from psycopg_pool import ConnectionPool

        self.url = self.where = url
        try:  # a wrong URL or a server that is down fails here, at start, with its reason
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as e:
            raise DatabaseUnavailable(f"can't reach PostgreSQL at {_shown(url)}: {e}".strip()) from e
        self.pool = ConnectionPool(url, min_size=1, max_size=size, open=True, name="coach")
        try:
            self.migrate(migrations)
        except BaseException:  # the pool's threads with it
            self.pool.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self.pool.connection() as conn, conn.transaction():
            yield _PgTx(conn)

    def _lock_schema(self, tx: Tx) -> None:
        # one migrating replica at a time; held to the end of the transaction
        tx.execute("SELECT pg_advisory_xact_lock(?)", (0x636F616368,))  # "coach"

    def close(self) -> None:
        self.pool.close()


class _PgTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        cursor: Cursor = self.conn.execute(_placeholders(sql), params)
        return cursor

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(_placeholders(sql), rows)


def connect(url: str | None, path: Path | None, migrations: Sequence[Migration] = MIGRATIONS) -> Database:
    """PostgreSQL at `url` (postgresql://...) when one is set, else the SQLite file `path`, with
    `migrations` applied: all of them but in a test, which may build an old database by hand."""
    if not url:
        return SQLite(path, migrations)
    if not url.startswith(("postgresql://", "postgres://")):
        raise DatabaseUnavailable(f"COACH_DATABASE_URL must be a postgresql:// URL, not {_shown(url)}")
    return Postgres(url, migrations=migrations)


def _shown(url: str) -> str:
    """A URL as it may be printed: its password left out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    where = f"{parts.username}@{host}" if parts.username else host
    return urlunsplit(parts._replace(netloc=where + (f":{parts.port}" if parts.port else "")))


def _placeholders(sql: str) -> str:
    # our SQL holds no literal ? or %, so this is exact; psycopg's own placeholder is %s
    return sql.replace("?", "%s")


def _connect(where: str | Path) -> sqlite3.Connection:
    # autocommit: transactions are ours (BEGIN IMMEDIATE above), so DDL in a migration is in one too
    return sqlite3.connect(where, check_same_thread=False, isolation_level=None)


def _checked(path: Path) -> sqlite3.Connection:
    db = _connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        db.execute("PRAGMA busy_timeout=30000")  # another process writing: wait for it, don't fail
        problems = [str(row[0]) for row in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise DamagedDatabase(" ".join(problems[:3]).replace("\n", " "))
    except BaseException:
        db.close()
        raise
    return db


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


def _damaged(e: sqlite3.DatabaseError) -> bool:
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF  # the primary result code
    return isinstance(e, DamagedDatabase) or code in _DAMAGED
