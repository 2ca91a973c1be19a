"""Chat backends. Each is one class with one method: stream(messages, max_tokens, stop).

The bundled GGUF runs in a process of its own behind llama.cpp's server (llama_server.py), which
this module reaches as any other server:
OpenAICompatChat streams from any OpenAI-compatible server (llama.cpp server, vLLM, Ollama);
FakeChat replays scripted replies, for tests and demos.
Failures surface as ChatError with a message a person can act on; callers fall back.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class ChatError(Exception):
    """The model could not answer; str(e) says why, in words for the user."""


class ModelUnavailable(Exception):
    """A chat model that can't be had here (not assembled, unknown backend); str(e) says why."""


class ChatBackend(Protocol):
    name: str

    def stream(
        self,
        messages: list[Message],
        max_tokens: int = 128,
        stop: list[str] | None = None,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> Iterator[str]:
        """Yield the reply in pieces as the model produces them: greedy at temperature 0, else
        sampled with `seed`, so the same call gives the same reply."""
        ...


def reply(
    backend: ChatBackend,
    messages: list[Message],
    max_tokens: int = 128,
    stop: list[str] | None = None,
    temperature: float = 0.0,
    seed: int = 0,
) -> str:
    return "".join(backend.stream(messages, max_tokens, stop, temperature, seed))


class OpenAICompatChat:
    def __init__(self, base_url: str, model: str, timeout: float = 30.0, api_key: str = "not-needed") -> None:
        self.name = f"openai:{model}"
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout  # per read: a server that stalls this long mid-stream is given up on
        self.api_key = api_key

    def stream(
        self,
        messages: list[Message],
        max_tokens: int = 128,
        stop: list[str] | None = None,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "seed": seed,
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
        self.sampling: list[tuple[float, int]] = []  # (temperature, seed) of each of them

    def enqueue(self, *replies: str) -> None:
        self.replies.extend(replies)

    def stream(
        self,
        messages: list[Message],
        max_tokens: int = 128,
        stop: list[str] | None = None,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> Iterator[str]:
        self.history.append(list(messages))
        self.sampling.append((temperature, seed))
        if self.fail:
            raise self.fail
        text = self.replies.pop(0) if self.replies else self.DEFAULT
        for s in stop or []:
            text = text.split(s)[0]
        words = text.split(" ")[:max_tokens]  # a "token" is a word here
        text = " ".join(words)
        for start in range(0, len(text), 4):
            yield text[start : start + 4]
