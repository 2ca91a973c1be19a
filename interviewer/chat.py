"""Chat backends. Each is one class with one method: stream(messages, max_tokens, stop).

LlamaCppChat runs a GGUF in this process (llama-cpp-python, loaded on first use, or early in a
background thread by warm());
OpenAICompatChat streams from any OpenAI-compatible server (llama.cpp server, vLLM, Ollama);
FakeChat replays scripted replies, for tests and demos.
Failures surface as ChatError with a message a person can act on; callers fall back.
"""

import json
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from knowledge.embedder import COMPUTE_LOCK

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class ChatError(Exception):
    """The model could not answer; str(e) says why, in words for the user."""


class ModelUnavailable(Exception):
    """A chat model that can't be had here (not assembled, unknown backend); str(e) says why."""


class ChatBackend(Protocol):
    name: str

    def stream(
        self, messages: list[Message], max_tokens: int = 128, stop: list[str] | None = None
    ) -> Iterator[str]:
        """Yield the reply in pieces as the model produces them."""
        ...


def reply(
    backend: ChatBackend, messages: list[Message], max_tokens: int = 128, stop: list[str] | None = None
) -> str:
    return "".join(backend.stream(messages, max_tokens, stop))


class LlamaCppChat:
    def __init__(self, model_path: Path, n_ctx: int = 2048, n_threads: int | None = None) -> None:
        self.name = f"llama-cpp:{model_path.name}"
        self.path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 2
        self._llm: object | None = None
        self._lock = threading.Lock()
        self._error: ChatError | None = None
        self._warming: threading.Thread | None = None

    def warm(self) -> threading.Thread:
        """Start loading in the background, so the first question never waits for the model."""
        if self._warming is None:
            self._warming = threading.Thread(target=self._quiet_load, daemon=True, name="llama-load")
            self._warming.start()
        return self._warming

    def _quiet_load(self) -> None:
        try:
            self._load()
        except ChatError:
            pass  # kept in self._error; the first stream() reports it

    def _load(self) -> object:
        with self._lock, COMPUTE_LOCK:
            if self._llm is None and self._error is None:
                try:
                    from llama_cpp import Llama

                    self._llm = Llama(
                        model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False
                    )
                except (ImportError, OSError, ValueError, RuntimeError) as e:
                    self._error = ChatError(f"the local model {self.path.name} failed to load ({e})")
            if self._error:
                raise self._error
            return self._llm

    def stream(
        self, messages: list[Message], max_tokens: int = 128, stop: list[str] | None = None
    ) -> Iterator[str]:
        llm = self._load()
        with COMPUTE_LOCK:
            # temperature 0: the same prompt gives the same question, so interviews are repeatable
            chunks = llm.create_chat_completion(  # type: ignore[attr-defined]
                messages=messages, max_tokens=max_tokens, stop=stop or [], temperature=0.0, stream=True
            )
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece


class OpenAICompatChat:
    def __init__(self, base_url: str, model: str, timeout: float = 30.0, api_key: str = "not-needed") -> None:
        self.name = f"openai:{model}"
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout  # per read: a server that stalls this long mid-stream is given up on
        self.api_key = api_key

    def stream(
        self, messages: list[Message], max_tokens: int = 128, stop: list[str] | None = None
    ) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
        }
        if stop:
            body["stop"] = stop
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                for raw in response:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    piece = json.loads(data)["choices"][0].get("delta", {}).get("content")
                    if piece:
                        yield piece
        except TimeoutError as e:
            raise ChatError(f"the LLM server at {self.url} stopped answering for {self.timeout:.0f} s") from e
        except urllib.error.HTTPError as e:
            raise ChatError(f"the LLM server at {self.url} answered HTTP {e.code}") from e
        except (urllib.error.URLError, ConnectionError) as e:
            raise ChatError(f"can't reach the LLM server at {self.url} ({getattr(e, 'reason', e)})") from e
        except (ValueError, KeyError, IndexError) as e:
            raise ChatError(f"the LLM server at {self.url} sent something that is not a chat stream") from e
        raise ChatError(f"the LLM server at {self.url} dropped the stream before it finished")


class FakeChat:
    """Replies from a script, one per call, streamed a few characters at a time."""

    DEFAULT = "Could you say more about that?"

    def __init__(self, replies: list[str] | None = None, fail: ChatError | None = None) -> None:
        self.name = "fake"
        self.replies = list(replies or [])
        self.fail = fail
        self.history: list[list[Message]] = []  # every conversation it was asked to continue

    def enqueue(self, *replies: str) -> None:
        self.replies.extend(replies)

    def stream(
        self, messages: list[Message], max_tokens: int = 128, stop: list[str] | None = None
    ) -> Iterator[str]:
        self.history.append(list(messages))
        if self.fail:
            raise self.fail
        text = self.replies.pop(0) if self.replies else self.DEFAULT
        for s in stop or []:
            text = text.split(s)[0]
        words = text.split(" ")[:max_tokens]  # a "token" is a word here
        text = " ".join(words)
        for start in range(0, len(text), 4):
            yield text[start : start + 4]
