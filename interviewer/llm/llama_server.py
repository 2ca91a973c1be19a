"""The bundled GGUF, served by llama.cpp's own OpenAI-compatible server in a process of its own.

Why a process: torch (the embedder) and llama.cpp each bring an OpenMP runtime, and running
both at once in one process killed it. Apart, no lock couples grading to generation, and the
server runs at the lowest CPU priority (NICE = 19), so a grade takes the CPU first. Talking to it
is the same path a remote vLLM, llama.cpp server or Ollama takes (OpenAICompatChat); this class
only starts the server, restarts it when it has died, and stops it with the app.
"""

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from interviewer.llm.chat import ChatError, Message, OpenAICompatChat

NICE = 19  # the lowest: a grade takes the CPU from a draft being written at once
# llama.cpp's server, run as its own __main__, plus a watchdog: when the app is gone (even killed
# with SIGKILL, which skips atexit) the server's parent changes and it exits instead of keeping
# ~2 GB for nobody
SERVER = """
import os, runpy, sys, threading, time
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
sys.argv[0] = "llama_cpp.server"
runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
"""
START_TIMEOUT = 120.0  # seconds for the server to load the model and answer


class LocalServerChat:
    def __init__(self, model_path: Path, n_ctx: int = 2048, timeout: float = 30.0) -> None:
        self.name = f"llama-cpp:{model_path.name}"
        self.path = model_path
        self.n_ctx = n_ctx
        self.timeout = timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0  # times the server was found dead and started again
        self._client: OpenAICompatChat | None = None
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None
        atexit.register(self.close)

    def warm(self) -> threading.Thread:
        """Start the server in the background, so the first follow-up never waits for it."""
        if self._warming is None or not self._warming.is_alive():
            self._warming = threading.Thread(target=self._quiet_start, daemon=True, name="llm-start")
            self._warming.start()
        return self._warming

    def stream(
        self,
        messages: list[Message],
        max_tokens: int = 128,
        stop: list[str] | None = None,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> Iterator[str]:
        client = self._ensure()
        try:
            yield from client.stream(messages, max_tokens, stop, temperature, seed)
        except ChatError as e:
            if self.proc is not None and self.proc.poll() is not None:
                raise ChatError(
                    f"the local model stopped (exit {self.proc.returncode}); it restarts for the next one"
                ) from e
            raise

    def close(self) -> None:
        with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()

    def _quiet_start(self) -> None:
        try:
            self._ensure()
        except ChatError:
            pass  # the next stream() starts it again and reports why it can't

    def _ensure(self) -> OpenAICompatChat:
        with self._lock:
            if self.proc is not None and self.proc.poll() is None and self._client is not None:
                return self._client
            if self.proc is not None:
                self.restarts += 1
            if not self.path.is_file():
                raise ChatError(f"the local model {self.path.name} failed to load (no such file)")
            port = _free_port()
            log = tempfile.TemporaryFile()
            command = [sys.executable, "-c", SERVER, "--model", str(self.path)]
            command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(self.n_ctx)]
            # read, not mapped: llama.cpp repacks most weights for the CPU into memory of its own,
            # and a mapped file stays resident beside that copy (1.8 GB against 1.2 GB for the 1.5B)
            command += ["--use_mmap", "false"]
            self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
            try:
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, NICE)
            except OSError:
                pass  # priority is a nicety; the server still works without it
            base = f"http://127.0.0.1:{port}/v1"
            _wait_ready(self.proc, base, log, self.path.name)
            self._client = OpenAICompatChat(base, self.path.stem, timeout=self.timeout)
            return self._client


def _wait_ready(proc: subprocess.Popen[bytes], base: str, log: object, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ChatError(f"the local model {name} failed to load (exit {proc.returncode}: {_tail(log)})")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise ChatError(f"the local model {name} failed to load in {START_TIMEOUT:.0f} s")


def _tail(log: object) -> str:
    """The last line the server wrote: usually why it stopped."""
    try:
        log.seek(0)  # type: ignore[attr-defined]
        lines = log.read().decode("utf-8", "replace").strip().splitlines()  # type: ignore[attr-defined]
    except (OSError, ValueError):
        return "no output"
    return lines[-1][:200] if lines else "no output"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
