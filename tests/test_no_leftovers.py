"""Each kind of process the app or its tests start is gone once stopped: nginx (its worker too,
which outlived a SIGKILL to its master), PostgreSQL, the llama.cpp server and the indexing
worker. The session-wide check in conftest.py also looks after every test that starts one."""

import http.server
import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools import cluster, postgres
from tests import leftovers


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def upstream() -> Iterator[int]:
    """The port of a page for nginx to stand in front of; skips where nginx is not installed."""
    try:
        cluster.nginx_binary()
    except RuntimeError as e:
        pytest.skip(str(e))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_nginx_master_and_worker_are_gone_after_stop(tmp_path: Path, upstream: int) -> None:
    before = set(leftovers.running())
    url, nginx = cluster.front(tmp_path / "nginx", [upstream])
    started = {pid for pid, cmd in leftovers.running().items() if pid not in before and "nginx" in cmd}
    assert len(started) >= 2, "a master and its worker"
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    cluster.stop_nginx(nginx)
    assert leftovers.left_behind(before) == {}
    assert not listening(port)


def test_a_throwaway_postgresql_is_gone_after_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(postgres.URL_VAR, raising=False)  # one of its own, not CI's
    before = set(leftovers.running())
    try:
        server = postgres.start()
    except RuntimeError as e:
        pytest.skip(str(e))
    assert any("postgres" in cmd for pid, cmd in leftovers.running().items() if pid not in before)
    server.stop()
    assert leftovers.left_behind(before) == {}


def test_the_llm_server_is_gone_after_close() -> None:
    from interviewer.llm.llama_server import LocalServerChat
    from tests.test_chat import smollm_path

    before = set(leftovers.running())
    chat = LocalServerChat(smollm_path(), n_ctx=256)
    chat.warm().join()
    assert any("llama_cpp.server" in cmd for pid, cmd in leftovers.running().items() if pid not in before)
    chat.close()
    assert leftovers.left_behind(before) == {}


def test_nginx_whose_master_died_leaves_no_worker(tmp_path: Path, upstream: int) -> None:
    """The master gone without stopping its worker (as under SIGKILL): stop_nginx still stops
    the worker, which else would listen on the port for good."""
    before = set(leftovers.running())
    url, nginx = cluster.front(tmp_path / "nginx", [upstream])
    os.kill(nginx.pid, signal.SIGKILL)  # left unreaped: stop_nginx reaps it
    cluster.stop_nginx(nginx)
    assert leftovers.left_behind(before) == {}
    assert not listening(int(url.rstrip("/").rsplit(":", 1)[1]))


def test_the_indexing_worker_is_gone_after_close(tmp_path: Path) -> None:
    from knowledge.index.background import Worker
    from knowledge.index.embedder import FakeEmbedder
    from tests.conftest import big_folder

    before = set(leftovers.running())
    worker = Worker(FakeEmbedder)
    kb, _ = worker.index(big_folder(tmp_path / "notes", files=1), tmp_path / "index", FakeEmbedder())
    assert len(kb.items) == 30 and worker.proc is not None
    pid = worker.proc.pid
    assert pid in {p for p in leftovers.running() if p not in before}
    worker.close()
    assert leftovers.left_behind(before) == {}
