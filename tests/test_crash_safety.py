"""Crash safety for real: kill -9 mid-interview and mid-ingest, damaged index and history files.

Each test would fail without the protection it names: saving the session after every turn,
writing the index manifest last and atomically, checksums on the index files, and the
history's quick_check on open.
"""

import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client

from interviewer.storage.history import History
from interviewer.storage.session import Session, SessionOptions
from interviewer.web import layout
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import index_dir, ingest
from knowledge.index.knowledge_base import open_kb
from knowledge.index.on_disk import CorruptIndex
from tests.conftest import HANG

ROOT = Path(__file__).resolve().parent.parent
NOTES = Path(__file__).parent / "fixtures" / "notes"
ANSWERS = [
    "Dropout randomly zeroes activations during training, which reduces co-adaptation.",
    "Batch normalization normalizes activations with the mini-batch mean and variance.",
]
OPTIM = "## What is weight decay?\n- It adds an L2 penalty on the weights\n"
OPTIM_CHANGED = OPTIM + "\n## What does momentum do?\n- It averages past gradients to smooth updates\n"
FIXTURE_QUESTIONS = {
    "What does dropout do?",
    "Why use batch normalization?",
    "How is softmax computed stably?",
}
OLD_QUESTIONS = FIXTURE_QUESTIONS | {"What is weight decay?"}
NEW_QUESTIONS = OLD_QUESTIONS | {"What does momentum do?"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def wait_until_up(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Until the server answers; HANG guards against one that never will, not a slow start."""
    deadline = time.monotonic() + HANG
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited ({proc.returncode}) before answering:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"the server did not answer within {HANG:.0f} s:\n{tail(log)}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=HANG)


def status(out: tuple[object, ...], *names: str) -> str:
    """The status line among an event's API outputs, which come in the order `names` gives."""
    return str(dict(zip(names, out, strict=True))["status"])


# 1. kill -9 the server mid-interview: every answered turn is in the history and exports


def test_kill_9_mid_interview_keeps_every_answered_turn(tmp_path: Path, data_dir: Path) -> None:
    env = {**os.environ, "COACH_EMBEDDER": "fake", "COACH_LLM": "fake"}
    port, log = free_port(), tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}/"
    cmd = [sys.executable, "app.py", "--data-dir", str(data_dir), "--llm", "fake", "--port", str(port)]
    with open(log, "wb") as out:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(server, url, log)
        client = Client(url, verbose=False, download_files=False)
        summary, _ = client.submit(
            "A folder on this computer", str(NOTES), None, api_name="/load_notes"
        ).result(timeout=HANG)
        assert "**3 questions**" in summary
        out = client.submit([], 3, 0, "auto", False, api_name="/start").result(timeout=HANG)
        assert status(out, "session", *layout.PAGE, "job_view").startswith("Question 1 of 3")
        sid = out[0]  # the interview's id: each call names it
        for n, answer in enumerate(ANSWERS, 2):
            out = client.submit(sid, answer, api_name="/answer").result(timeout=HANG)
            # graded, and the next one asked
            assert status(out, "answer", *layout.PAGE).startswith(f"Question {n} of 3")
        os.kill(server.pid, signal.SIGKILL)  # no shutdown hook, no flush: what is on disk is all
        assert server.wait(timeout=HANG) == -signal.SIGKILL
    finally:
        stop(server)

    store = History(data_dir / "history.sqlite")
    assert store.recovered_from is None  # the WAL a kill leaves behind is a healthy database
    sessions = store.sessions()
    store.db.close()
    assert len(sessions) == 1, "the interview was not in the history after the kill"
    session = sessions[0]
    answered = [t for t in session.turns if t.answer is not None]
    assert [t.answer for t in answered] == ANSWERS and all(t.grade for t in answered)
    assert not session.finished and session.current is not None  # killed with question 3 waiting

    export = subprocess.run(
        [sys.executable, "app.py", "--data-dir", str(data_dir), "export", session.id, "--format", "md"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert export.returncode == 0, export.stderr[-3000:]
    assert f"# Interview {session.id}" in export.stdout
    for answer in ANSWERS:
        assert answer in export.stdout
    assert "*(no answer)*" in export.stdout  # the third question, asked but not answered


# 2. kill -9 during an ingest: the previous index stays loadable, never a mix of the two

KILL_SCRIPT = r"""
import os, sys, threading
from pathlib import Path
from knowledge.index import ingest, on_disk
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.vectors import VectorIndex

notes, folder, stage = sys.argv[1:4]

def stop_here():
    print(stage, flush=True)  # the test reads this line, then kills us
    threading.Event().wait()  # until then, however long that takes

if stage == "embedding":
    FakeEmbedder.encode = lambda self, texts, kind: stop_here()
elif stage == "payload written":
    write_atomic = on_disk.write_atomic
    def patched(path, data):
        write_atomic(path, data)
        if path.name.startswith("kb-"):
            stop_here()
    on_disk.write_atomic = patched
elif stage == "vectors written":
    save = VectorIndex.save
    def patched(self, path):
        save(self, path)
        if path.name.startswith("points-"):
            stop_here()
    VectorIndex.save = patched
elif stage == "manifest written, not renamed":
    replace = os.replace
    def patched(src, dst, *args, **kwargs):
        if Path(dst).name == "manifest.json":
            stop_here()
        return replace(src, dst, *args, **kwargs)
    os.replace = patched
ingest.ingest(Path(notes), FakeEmbedder(), Path(folder))
print("ingest finished: the kill point was never reached")
"""


def questions(folder: Path) -> set[str]:
    return {i.question for i in open_kb(folder, FakeEmbedder()).items}


def notes_copy(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    (notes / "optim.md").write_text(OPTIM, encoding="utf-8")
    return notes


@pytest.mark.parametrize(
    "stage", ["embedding", "payload written", "vectors written", "manifest written, not renamed"]
)
def test_kill_9_during_ingest_leaves_the_old_index(tmp_path: Path, data_dir: Path, stage: str) -> None:
    notes = notes_copy(tmp_path)
    folder = index_dir(data_dir, notes, "fake")
    ingest(notes, FakeEmbedder(), folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (notes / "optim.md").write_text(OPTIM_CHANGED, encoding="utf-8")

    log = tmp_path / "ingest.log"
    args = [sys.executable, "-c", KILL_SCRIPT, str(notes), str(folder), stage]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=out)
    try:
        assert proc.stdout is not None
        # woken by the child's line (or its exit), however slow its imports and ingest are
        assert select.select([proc.stdout], [], [], HANG)[0], f"the ingest hung before {stage!r}"
        said = proc.stdout.readline().decode().strip()
        assert said == stage, f"the ingest ended before the kill point ({said!r}):\n{tail(log)}"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=HANG) == -signal.SIGKILL
    finally:
        stop(proc)

    after = {p.name for p in folder.iterdir()}
    assert (folder / "manifest.json").read_bytes() == before["manifest.json"]
    if stage != "embedding":  # the new generation was partly on disk when it died
        assert after - set(before), after
    for name, data in before.items():
        assert (folder / name).read_bytes() == data, f"{name} of the old index was touched"
    assert questions(folder) == OLD_QUESTIONS  # the old index, whole: not a mix, not an error

    kb, summary = ingest(notes, FakeEmbedder(), folder)  # the next ingest finishes the job
    assert (summary.reused_files, summary.embedded_files) == (1, 1)  # the old vectors were trusted
    assert {i.question for i in kb.items} == questions(folder) == NEW_QUESTIONS
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {p.name for p in folder.iterdir()} == {"manifest.json", *manifest["data"]}  # no leftovers


# 3. damaged files are detected, never silently used


def damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncate":
        del data[len(data) // 2 :]
    elif path.name == "manifest.json":  # one hex digit of a data file's checksum
        at = data.index(b'"data"')
        at = data.index(b'": "', at) + 4
        data[at] = ord("0") if data[at] != ord("0") else ord("1")
    elif path.suffix == ".json":  # a letter in a question: still valid JSON, still parses
        at = data.index(b"dropout") + 1
        data[at] ^= 0x20
    else:  # the lowest bit of the last stored vector value: FAISS reads it fine
        data[-4] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncate", "flip"])
@pytest.mark.parametrize("target", ["manifest", "kb", "points"])
def test_damaged_index_file_is_detected_and_rebuilt(
    tmp_path: Path, data_dir: Path, target: str, how: str
) -> None:
    notes = notes_copy(tmp_path)
    folder = index_dir(data_dir, notes, "fake")
    ingest(notes, FakeEmbedder(), folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    name = (
        "manifest.json" if target == "manifest" else next(n for n in manifest["data"] if n.startswith(target))
    )
    damage(folder / name, how)

    with pytest.raises(CorruptIndex):
        open_kb(folder, FakeEmbedder())
    kb, summary = ingest(notes, FakeEmbedder(), folder)
    assert (summary.reused_files, summary.embedded_files) == (0, 2)  # nothing of it was trusted
    assert {i.question for i in kb.items} == questions(folder) == OLD_QUESTIONS
    fresh, _ = ingest(notes, FakeEmbedder(), tmp_path / "fresh")
    rebuilt = open_kb(folder, FakeEmbedder())
    assert np.array_equal(rebuilt.point_index.vectors(), fresh.point_index.vectors())


def history_with_sessions(path: Path) -> None:
    store = History(path)
    for n in range(20):  # several pages: a damaged page can lie where opening never looks
        plan = [f"item-{n}-{k}" for k in range(60)]
        store.save(
            Session(id=f"s{n:02d}", notes="/notes", embedder="fake", options=SessionOptions(), plan=plan)
        )
    store.db.rows("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    store.db.close()


@pytest.mark.parametrize(
    "how", ["truncated", "header overwritten", "last page overwritten", "page header flipped"]
)
def test_damaged_history_is_moved_aside_never_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    path = tmp_path / "data" / "history.sqlite"
    history_with_sessions(path)
    data = path.read_bytes()
    page = 4096
    assert len(data) >= 4 * page
    bad = {
        "truncated": data[: len(data) // 2],
        "header overwritten": b"this is not a database, sorry!!!" * 4 + data[128:],
        # the old History opened this one without a word, then failed mid-interview
        "last page overwritten": data[:-page] + b"\xa5" * page,
        # opens, reads, and only quick_check's report says "free space corruption"
        "page header flipped": data[: -page + 1] + bytes([data[-page + 1] ^ 0xFF]) + data[-page + 2 :],
    }[how]
    path.write_bytes(bad)

    with caplog.at_level(logging.WARNING, logger="interviewer.storage.database"):
        store = History(path)
    moved = store.recovered_from
    assert moved is not None and moved.name.startswith("history.sqlite.corrupt-")
    assert moved.read_bytes() == bad  # kept as it was, for recovery
    assert "damaged" in caplog.text and str(moved) in caplog.text  # the person is told where it went
    assert store.sessions() == []  # a fresh history, not the damaged one
    store.save(Session(id="new", notes="/notes", embedder="fake", options=SessionOptions()))
    store.db.close()
    again = History(path)
    assert again.recovered_from is None and [s.id for s in again.sessions()] == ["new"]


def test_an_unopenable_history_is_an_error_not_damage(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.mkdir()  # can't open: says nothing about the file, so nothing is moved aside
    with pytest.raises(Exception, match="unable to open"):
        History(path)
    assert path.is_dir() and not list(tmp_path.glob("*.corrupt-*"))
