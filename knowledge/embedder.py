"""Embedders: texts in, L2-normalised float32 rows out. One real, one fake, same protocol.

`kind` picks the model's prompt: "query" for questions and answers being searched with,
"document" for notes, "sts" for comparing two texts of the same sort. Models without named
prompts ignore it.
"""

import hashlib
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Kind = Literal["query", "document", "sts"]
# torch and llama.cpp each bring their own OpenMP runtime: running both at once in one process
# was seen to kill it outright. Every model computation in the app holds this lock.
COMPUTE_LOCK = threading.RLock()
_PROMPTS = {"query": "query", "document": "document", "sts": "STS"}
_COPY_MARKER = ".ready"


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray: ...


class SentenceEmbedder:
    """A sentence-transformers model from a local folder (never a hub)."""

    def __init__(self, path: Path, name: str, dtype: str = "auto", batch_size: int = 16) -> None:
        import torch

        torch_dtype = _pick_dtype(dtype)
        self.model = _load_bf16(path) if torch_dtype is torch.bfloat16 else _load(path, torch_dtype)
        self.name = name
        self.dim = int(self.model.get_embedding_dimension() or 0)
        self.batch_size = batch_size

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt = _PROMPTS[kind]
        name = prompt if prompt in self.model.prompts else None
        # sentence-transformers batches by characters; by tokens, nothing is padded for long:
        # 11% fewer tokens on the seeds' mixed Chinese and English points. Texts that fit one
        # batch (an answer's clauses, mostly) make the same batch in any order: not tokenized twice.
        order = np.arange(len(texts))
        if len(texts) > self.batch_size:
            tokens = [len(ids) for ids in self.model.tokenizer(texts, truncation=True)["input_ids"]]
            order = np.argsort(tokens, kind="stable")
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        with COMPUTE_LOCK:
            for start in range(0, len(texts), self.batch_size):
                rows = order[start : start + self.batch_size]
                vectors[rows] = self.model.encode(
                    [texts[i] for i in rows],
                    prompt_name=name,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                )
        return vectors


def _load(path: Path, torch_dtype: object | None) -> "SentenceTransformer":
    from sentence_transformers import SentenceTransformer

    kwargs = {"torch_dtype": torch_dtype} if torch_dtype else None
    return SentenceTransformer(str(path), device="cpu", local_files_only=True, model_kwargs=kwargs)


def _load_bf16(path: Path) -> "SentenceTransformer":
    """Casting float32 weights as they load peaks at both copies at once (2.2 GB for
    EmbeddingGemma), so the first load saves the cast weights beside the originals and later
    loads read those (1.0 GB): the same bits either way."""
    import torch

    copy = path.with_name(path.name + ".bfloat16")
    if (copy / _COPY_MARKER).is_file():
        return _load(copy, torch.bfloat16)
    model = _load(path, torch.bfloat16)
    shutil.rmtree(copy, ignore_errors=True)  # a copy without its marker is not one
    try:
        staging = Path(tempfile.mkdtemp(prefix=".bfloat16-", dir=path.parent))
    except OSError:
        return model  # a read-only cache: load slowly again next time
    try:
        model.save(str(staging))
        (staging / _COPY_MARKER).write_text(f"bfloat16 copy of {path}\n", encoding="utf-8")
        os.replace(staging, copy)  # whole or absent, even if the process dies here
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # a full disk: load slowly again next time
    return model


def _pick_dtype(dtype: str) -> object | None:
    """bfloat16 is ~2.8x faster on CPUs with native bf16 and gives the same rankings here."""
    import torch

    if dtype == "float32":
        return torch.float32
    if dtype == "bfloat16":
        return torch.bfloat16
    if dtype != "auto":
        raise ValueError(f"embed dtype must be auto, float32 or bfloat16, not {dtype!r}")
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    return torch.bfloat16 if re.search(r"\bavx512_bf16\b|\bamx_bf16\b", flags) else None


class FakeEmbedder:
    """Deterministic bag of hashed character n-grams: texts sharing words end up close.

    Good enough to test retrieval plumbing; knows nothing of meaning.
    """

    def __init__(self, dim: int = 256) -> None:
        self.name = "fake"
        self.dim = dim
        self.calls: list[list[str]] = []  # every batch encoded, so tests can count work

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in _grams(text.lower()):
                h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0  # an empty text still gets a unit vector
        return out


def _grams(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text)
    cjk = re.findall(r"[\u4e00-\u9fff]", text)
    return words + [a + b for a, b in zip(cjk, cjk[1:], strict=False)] + cjk
