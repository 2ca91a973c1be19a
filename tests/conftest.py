"""Shared fixtures: the seed notes beside the project, a throwaway data folder, a model cache.

Tests write only under pytest's temp folders and MODEL_CACHE, a gitignored folder inside the
project, where a real model a test needs is assembled once per checkout.
"""

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from devtools import postgres
from interviewer.storage.database import Database, connect
from knowledge.index.embedder import FakeEmbedder, Kind
from tests import leftovers

os.environ["HF_HUB_OFFLINE"] = "1"  # tests never reach a model hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EVAL = SHARED / "eval"
BUNDLED = ROOT / "knowledge" / "notes"
MODEL_CACHE = ROOT / ".cache" / "test-models"
SPAWN = multiprocessing.get_context("spawn")  # how the app starts its indexing process
# how long a test waits for something a fake or a thread will surely do before calling it hung:
# a guard against a deadlock, never a measure of speed (nothing is asserted about how long it took)
HANG = 300.0


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """After the whole run, nothing it started is still running: no nginx (master or worker),
    PostgreSQL, llama.cpp server or indexing worker (CI's own PostgreSQL was running before)."""
    before = set(leftovers.running())
    yield
    left = leftovers.left_behind(before)
    assert not left, f"the tests left these running: {left}"


class HeldEmbedder(FakeEmbedder):
    """Holds each batch with a text containing `only` until `go` is set, as a slow CPU would;
    `started` says one is being held."""

    def __init__(self, go: threading.Event, only: str = "", timeout: float = 60) -> None:
        super().__init__()
        self.go, self.only, self.timeout = go, only, timeout
        self.started = threading.Event()

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        if any(self.only in t for t in texts):
            self.started.set()
            assert self.go.wait(self.timeout)
        return super().encode(texts, kind)


class ProcessHeldEmbedder(FakeEmbedder):
    """HeldEmbedder for the indexing process: `go` and `started` are events of SPAWN, handed
    to the worker as it is spawned (a functools.partial of this class is its make_embedder).
    Never set `go` once a process waiting on it was killed: set() then waits for it forever."""

    def __init__(self, go: Any, started: Any, only: str) -> None:
        super().__init__()
        self.go, self.started, self.only = go, started, only

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        if any(self.only in t for t in texts):
            self.started.set()
            assert self.go.wait(HANG)
        return super().encode(texts, kind)


def big_folder(path: Path, files: int = 10, questions: int = 30) -> Path:
    """files x questions questions of two points each ("point one of 9-29"): with 10 files,
    600 points, so several partial indexes; file 09's points are the last embedded."""
    path.mkdir()
    for f in range(files):
        ids = [f"{f}-{q}" for q in range(questions)]
        text = "".join(f"## Question {n}?\n- point one of {n}\n- point two of {n}\n" for n in ids)
        (path / f"{f:02d}.md").write_text(text, encoding="utf-8")
    return path


def wait_blocked(thread: threading.Thread, function: str, timeout: float = HANG) -> None:
    """Returns once `thread` is waiting (Condition.wait) inside `function`: what it does next
    then depends on the test alone, so the test can say it has not happened yet. The timeout
    bounds a broken test, not the machine's speed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(thread.ident or -1)
        names = []
        while frame is not None:
            names.append(frame.f_code.co_name)
            frame = frame.f_back
        if names[:1] == ["wait"] and function in names:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"{thread.name} never waited in {function}")


def shared(path: Path) -> Path:
    """A folder of ../shared: a skip on a developer's machine without it, a failure in CI,
    where a missing folder means a broken path, not a reason to test less."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI runs with ../shared beside the project")
        pytest.skip(f"{path} not found (../shared is not beside this checkout)")
    return path


@pytest.fixture
def seeds() -> Path:
    return shared(SEEDS)


@pytest.fixture
def eval_dir() -> Path:
    return shared(EVAL)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes its indexes under its own tmp folder, never the user's."""
    folder = tmp_path / "data"
    monkeypatch.setenv("COACH_DATA_DIR", str(folder))
    monkeypatch.setenv("COACH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COACH_LLM", "fake")  # tests that need a real LLM load one themselves
    return folder


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Server]:
    """PostgreSQL for the whole run: .ci/run's, or one started here (devtools/postgres.py). Where
    none can be had, its tests skip saying why; in CI, where it must be there, they fail."""
    try:
        server = postgres.start()
    except RuntimeError as e:
        if os.environ.get("CI"):
            pytest.fail(f"{e}: CI runs the PostgreSQL tests")
        pytest.skip(f"PostgreSQL tests skipped: {e}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: postgres.Server) -> str:
    """A fresh, empty database of its own for one test."""
    return postgres_server.database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on both backends: a SQLite file, and a fresh PostgreSQL database."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    db = connect(url, tmp_path / "data" / "history.sqlite")
    yield db
    db.close()
