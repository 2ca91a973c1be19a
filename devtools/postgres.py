"""A throwaway PostgreSQL for the tests and the load test, or the one .ci/run started.

COACH_TEST_DATABASE_URL (set by .ci/run) names a server whose user may create databases;
without it, Debian's PostgreSQL is started here: initdb in a temporary folder, owned by the
`postgres` user when we run as root (PostgreSQL refuses root), listening on a unix socket in
that folder only, and stopped when done. Each test (or load test) gets a database of its own.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

URL_VAR = "COACH_TEST_DATABASE_URL"
WAIT = 300  # seconds pg_ctl waits for the server to start or stop: a hang guard, not a speed bound


@dataclass
class Server:
    url: str  # of its maintenance database, postgres
    folder: Path | None = None  # ours to stop and delete; None: .ci/run's

    def database(self) -> str:
        """A new, empty database's URL."""
        import psycopg

        name = f"coach_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def stop(self) -> None:
        """Returns once the server and every process of it are gone, then deletes its folder."""
        if self.folder is None:
            return
        _stop(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server:
    """The server to test against; RuntimeError, saying why, where none can be had."""
    if os.environ.get(URL_VAR):
        return Server(os.environ[URL_VAR])
    initdb = _binary("initdb")
    folder = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        _as_postgres([initdb, "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync"])
        options = f"-k {folder} -h '' -F -c max_connections=200"  # a socket only; no fsync: it is thrown away
        log = folder / "log"
        pg_ctl = [_binary("pg_ctl"), "-D", str(folder / "data"), "-o", options, "-l", str(log)]
        _as_postgres([*pg_ctl, "-w", "-t", str(WAIT), "start"])
    except (OSError, subprocess.SubprocessError) as e:
        # pg_ctl gave up waiting (its default was 60 s, and a timeout here was not caught), with
        # the server perhaps still starting: stopped before its folder goes, else it runs on, unseen
        if (folder / "data" / "postmaster.pid").exists():
            try:
                _stop(folder)
            except (OSError, subprocess.SubprocessError):
                pass
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL ({e})") from e
    return Server(f"postgresql://postgres@/postgres?host={folder}", folder)


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian: apt-get install postgresql)")
    return found[-1]


def _stop(folder: Path) -> None:
    """pg_ctl stop waits (-w) until the postmaster is gone, and the postmaster exits only after
    every backend of it has."""
    pg_ctl = [_binary("pg_ctl"), "-D", str(folder / "data"), "-m", "immediate"]
    _as_postgres([*pg_ctl, "-w", "-t", str(WAIT), "stop"])


def _as_postgres(cmd: list[str]) -> None:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=WAIT + 60)
