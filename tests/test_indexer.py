"""Indexing in a process of its own (knowledge/index/background.py), for real: spawned children, signals.

The embedders here cross into the worker pickled, so they are module-level classes; the held
one (conftest.ProcessHeldEmbedder) waits on multiprocessing events made for spawned children.
"""

import functools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interviewer.llm.chat import FakeChat
from interviewer.storage.session import SessionOptions
from interviewer.web import handlers
from interviewer.web.workspace import Coach
from knowledge.index.background import Worker
from knowledge.index.embedder import FakeEmbedder, Kind
from knowledge.index.index_worker import NICE, IndexingError
from knowledge.index.ingest import ingest
from knowledge.index.knowledge_base import KnowledgeBase
from tests.conftest import HANG, ROOT, SPAWN, ProcessHeldEmbedder, big_folder


class BrokenEmbedder(FakeEmbedder):
    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        if any("broken" in t for t in texts):
            raise RuntimeError("the embedder broke")
        return super().encode(texts, kind)


def unloadable() -> FakeEmbedder:
    from knowledge.weights.assembly import ModelAssemblyError

    raise ModelAssemblyError("embeddinggemma-300m: part 3 failed its sha256 check; delete it and retry")


@pytest.fixture
def worker() -> Any:
    made: list[Worker] = []

    def make(embedder: Any = FakeEmbedder, idle: float = 60) -> Worker:
        made.append(Worker(embedder, idle))
        return made[-1]

    yield make
    for w in made:
        w.close()


def test_the_worker_indexes_at_the_lowest_priority_with_progress_and_partial_indexes(
    tmp_path: Path, worker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = big_folder(tmp_path / "big")
    w = worker()
    partial: list[KnowledgeBase] = []
    kb, summary = w.index(notes, tmp_path / "index", FakeEmbedder(), partial.append, progress=True)
    assert w.proc is not None and w.proc.pid != os.getpid()
    assert os.getpriority(os.PRIO_PROCESS, w.proc.pid) == NICE
    assert summary.items == len(kb.items) == 300 and kb.point_index.count == 600
    # after each group but the last: the first of 32 points, then of 256
    assert [len(p.items) for p in partial] == [16, 144, 272]
    first = partial[0]
    assert first.items == kb.items[:16]  # the notes' first questions, with their own vectors
    assert np.array_equal(first.point_vectors(first.items[5].id), kb.point_vectors(kb.items[5].id))
    bar = capsys.readouterr().err  # mirrored here, where the page tracks tqdm bars
    assert "embedding notes: 100%" in bar and "600/600" in bar
    fresh, _ = ingest(notes, FakeEmbedder(), tmp_path / "in-process")
    assert np.array_equal(kb.point_index.vectors(), fresh.point_index.vectors())


@pytest.mark.slow
def test_the_worker_gives_the_vectors_in_process_ingest_gives(
    tmp_path: Path, worker: Any, seeds: Path
) -> None:
    """A real model in a real child: the same bits as ingest() here, so grading is unchanged."""
    import app
    from interviewer.settings import Settings

    minilm = functools.partial(app.make_embedder, app.TEST_EMBEDDER, Settings(), False)
    here = minilm()
    kb, _ = worker(minilm).index(seeds, tmp_path / "worker", here)
    fresh, _ = ingest(seeds, here, tmp_path / "in-process")
    assert kb.items == fresh.items
    assert np.array_equal(kb.point_index.vectors(), fresh.point_index.vectors())


def test_a_folder_with_nothing_to_embed_starts_no_process(tmp_path: Path, worker: Any) -> None:
    notes = big_folder(tmp_path / "big", files=2)
    ingest(notes, FakeEmbedder(), tmp_path / "index")
    (notes / "01.md").unlink()  # a removed file: its items dropped, nothing embedded
    w = worker()
    kb, summary = w.index(notes, tmp_path / "index", FakeEmbedder())
    assert w.proc is None and summary.items == 30 and summary.reused_files == 1
    (notes / "00.md").write_text("## A new question?\n- a new point\n", encoding="utf-8")
    kb, summary = w.index(notes, tmp_path / "index", FakeEmbedder())
    assert w.proc is not None and summary.items == 1 and summary.embedded_files == 1


def test_a_worker_killed_mid_folder_is_a_clear_error_and_the_next_load_starts_another(
    tmp_path: Path, worker: Any
) -> None:
    notes = big_folder(tmp_path / "big")
    ingest(notes, FakeEmbedder(), tmp_path / "index")
    before = (tmp_path / "index" / "manifest.json").read_bytes()
    (notes / "09.md").write_text("## Changed?\n- point one of 9-x\n", encoding="utf-8")
    go, started = SPAWN.Event(), SPAWN.Event()
    w = worker(functools.partial(ProcessHeldEmbedder, go, started, " of 9-"))
    failed: list[Exception] = []

    def load() -> None:
        try:
            w.index(notes, tmp_path / "index", FakeEmbedder())
        except Exception as e:
            failed.append(e)

    loading = threading.Thread(target=load)
    loading.start()
    assert started.wait(HANG)  # the worker is embedding the changed file
    assert w.proc is not None
    first = w.proc.pid
    os.kill(first, signal.SIGKILL)
    loading.join(HANG)
    assert isinstance(failed[0], IndexingError)
    assert "the indexing process stopped while indexing (killed by signal 9)" in str(failed[0])
    assert (tmp_path / "index" / "manifest.json").read_bytes() == before  # the old index, untouched
    w.make_embedder = FakeEmbedder  # not `go`: setting an event a killed process waits on hangs
    kb, summary = w.index(notes, tmp_path / "index", FakeEmbedder())
    assert w.proc is not None and w.proc.pid != first and summary.embedded_files == 1
    assert [i.question for i in kb.items if i.source == "09.md"] == ["Changed?"]


def test_errors_in_the_worker_are_raised_here_and_the_worker_goes_on(tmp_path: Path, worker: Any) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "a.md").write_text("## Q?\n- this point is broken\n", encoding="utf-8")
    w = worker(BrokenEmbedder)
    with pytest.raises(RuntimeError, match="the embedder broke"):
        w.index(broken, tmp_path / "index-a", FakeEmbedder())
    assert w.proc is not None
    pid = w.proc.pid
    kb, _ = w.index(big_folder(tmp_path / "fine", files=1), tmp_path / "index-b", FakeEmbedder())
    assert len(kb.items) == 30 and w.proc.pid == pid  # the same worker, still up

    def refuse(kb: KnowledgeBase) -> None:
        raise ValueError("no engine on this one")

    with pytest.raises(ValueError, match="no engine on this one"):  # the app's own failure, mid-folder
        w.index(big_folder(tmp_path / "big"), tmp_path / "index-e", FakeEmbedder(), refuse)
    kb, summary = w.index(big_folder(tmp_path / "after", files=1), tmp_path / "index-f", FakeEmbedder())
    assert summary.items == len(kb.items) == 30 and w.proc.pid == pid  # its own summary, not the last one's
    with pytest.raises(IndexingError, match="loaded fake \\(256\\), not fake \\(64\\)"):
        w.index(big_folder(tmp_path / "other", files=1), tmp_path / "index-c", FakeEmbedder(dim=64))
    from knowledge.weights.assembly import ModelAssemblyError

    with pytest.raises(ModelAssemblyError, match="failed its sha256 check"):
        worker(unloadable).index(broken, tmp_path / "index-d", FakeEmbedder())


def test_an_idle_worker_exits_and_the_next_folder_starts_another(tmp_path: Path, worker: Any) -> None:
    w = worker(idle=0.1)
    w.index(big_folder(tmp_path / "a", files=1), tmp_path / "index-a", FakeEmbedder())
    proc = w.proc
    assert proc is not None
    assert wait([proc.sentinel], HANG) and w.proc is None  # the idle timer stopped it
    kb, _ = w.index(big_folder(tmp_path / "b", files=1), tmp_path / "index-b", FakeEmbedder())
    assert len(kb.items) == 30 and w.proc is not None and w.proc.pid != proc.pid


def test_the_worker_does_not_outlive_a_killed_app(tmp_path: Path) -> None:
    """kill -9 of the app skips atexit: the worker must notice on its own and exit."""
    notes = big_folder(tmp_path / "big", files=1)
    app_code = (
        "import sys, time; from pathlib import Path; from knowledge.index.embedder import FakeEmbedder;"
        "from knowledge.index.background import Worker\n"
        "if __name__ == '__main__':\n"
        "    w = Worker(FakeEmbedder)\n"
        f"    w.index(Path({str(notes)!r}), Path({str(tmp_path / 'index')!r}), FakeEmbedder())\n"
        "    print(w.proc.pid, flush=True); time.sleep(600)\n"
    )
    script = tmp_path / "app_like.py"
    script.write_text(app_code, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, cwd=ROOT, env=_env())
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert Path(f"/proc/{child}").exists()
    parent.kill()  # SIGKILL: no atexit, no close()
    parent.wait(timeout=30)
    deadline = time.monotonic() + HANG  # a liveness bound, not a speed: the watchdog looks every second
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
        time.sleep(0.2)
    state = Path(f"/proc/{child}/stat").read_text().split()[2] if Path(f"/proc/{child}").exists() else "gone"
    assert state in {"gone", "Z"}  # exited (a zombie until init reaps it)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_start_on_a_folder_the_worker_is_indexing_begins_on_its_first_questions(
    tmp_path: Path, data_dir: Path
) -> None:
    """The Coach through the real process path: Start waits for the first partial index from
    the worker, says so, and the interview carries on once the rest is in."""
    notes = big_folder(tmp_path / "big")
    go, started = SPAWN.Event(), SPAWN.Event()
    indexer = Worker(functools.partial(ProcessHeldEmbedder, go, started, " of 9-"))
    coach = Coach(data_dir, FakeEmbedder, FakeChat, indexer=indexer)
    try:
        root = str(notes.resolve())
        session, page = handlers.start(coach, root, SessionOptions(questions=3, follow_ups=0, seed=1))
        assert re.search("Indexing big: starting on the first (16|144|272) questions…", page.status)
        assert started.wait(HANG) and coach.indexing(root)  # the last file is held: still indexing
        assert all(coach.engine(root).kb.item(i).source != "09.md" for i in session.plan)
        go.set()
        assert coach.load(notes).summary.items == 300  # joins the load under way
        assert not coach.is_partial(coach.engine(root)) and len(coach.engine(root).kb.items) == 300
        handlers.skip(coach, session)
        assert session.turns[-1].question.startswith("Question ")
    finally:
        go.set()
        indexer.close()
