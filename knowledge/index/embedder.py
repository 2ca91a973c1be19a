"""Embedders: texts in, L2-normalised float32 rows out. One real, one fake, same protocol.

`kind` picks the model's prompt: "query" for questions and answers being searched with,
"document" for notes, "sts" for comparing two texts of the same sort. Models without named
prompts ignore it. `encode_tokens` also returns, from the same pass, each text's own tokens
(the prompt and special tokens left out) as rows of two unit halves, two layers' states: the
grader matches words in context.
"""

import hashlib
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from knowledge.index import cpu_path, packing

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Kind = Literal["query", "document", "sts"]
# torch and llama.cpp each bring their own OpenMP runtime: running both at once in one process
# was seen to kill it outright. Every model computation in the app holds this lock.
COMPUTE_LOCK = threading.RLock()
_PROMPTS = {"query": "query", "document": "document", "sts": "STS"}
_COPY_MARKER = ".ready"
# token rows carry a second layer this far in: matching words there lifts held-out agreement
# beside the last layer's (README, "Grading"); layer 18 of EmbeddingGemma's 24
DEPTH = 0.75


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray: ...

    def encode_tokens(self, texts: list[str], kind: Kind) -> tuple[np.ndarray, list[np.ndarray]]: ...


class SentenceEmbedder:
    """A sentence-transformers model from a local folder (never a hub)."""

    def __init__(self, path: Path, name: str, dtype: str = "auto", batch_size: int = 16) -> None:
        self.path = cpu_path.pick(dtype)  # bfloat16, float32, or float32 with int8 first layers
        self.model = _load_bf16(path) if self.path == "bfloat16" else _load(path, None)
        if self.path == "int8" and not cpu_path.quantize_first_layers(self.model):
            self.path = "float32"
        self.name = name
        self.dim = int(self.model.get_embedding_dimension() or 0)
        self.batch_size = batch_size

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        return self._run(texts, kind, tokens=False)[0]

    def encode_tokens(self, texts: list[str], kind: Kind) -> tuple[np.ndarray, list[np.ndarray]]:
        return self._run(texts, kind, tokens=True)

    def _run(self, texts: list[str], kind: Kind, tokens: bool) -> tuple[np.ndarray, list[np.ndarray]]:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        states: list[np.ndarray] = [np.zeros((0, 0), np.float32)] * len(texts)
        if not texts:
            return vectors, states
        prompt = _PROMPTS[kind]
        name = prompt if prompt in self.model.prompts else None
        # sentence-transformers batches by characters; by tokens, nothing is padded for long:
        # 11% fewer tokens on the seeds' mixed Chinese and English points. Texts that fit one
        # batch (an answer's clauses, mostly) make the same batch in any order: not tokenized twice.
        order = np.arange(len(texts))
        if len(texts) > self.batch_size:
            ids = [len(i) for i in self.model.tokenizer(texts, truncation=True)["input_ids"]]
            order = np.argsort(ids, kind="stable")
        with COMPUTE_LOCK:
            for start in range(0, len(texts), self.batch_size):
                rows = order[start : start + self.batch_size]
                batch = [texts[i] for i in rows]
                if not tokens:
                    vectors[rows] = self.model.encode(
                        batch,
                        prompt_name=name,
                        batch_size=self.batch_size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                    )
                    continue
                vectors[rows], rows_of = self._with_tokens(batch, name)
                for i, own in zip(rows, rows_of, strict=True):
                    states[i] = own
        return vectors, states

    def _with_tokens(self, batch: list[str], name: str | None) -> tuple[np.ndarray, list[np.ndarray]]:
        """One batch's vectors, as encode() gives them up to rounding, and each text's token
        rows: the last layer's states and those DEPTH of the way in, each unit length, side by side."""
        import torch

        transformer: Any = self.model[0].model  # torch types a submodule's attributes loosely
        config = transformer.config
        layer = round(DEPTH * config.num_hidden_layers)
        features = self.model.preprocess(batch, prompt=self.model.prompts[name] if name else None)
        mask = features["attention_mask"].bool()
        lengths = mask.sum(1).tolist()
        with torch.inference_mode():
            if packing.packable(self.model, sum(lengths)):
                embedded, last, middle = packing.forward(self.model, features, layer)
            else:
                before, config.output_hidden_states = config.output_hidden_states, True  # under COMPUTE_LOCK
                try:
                    out = self.model(features)
                finally:
                    config.output_hidden_states = before
                embedded = out["sentence_embedding"]
                last, middle = out["token_embeddings"][mask], out["all_layer_embeddings"][layer][mask]
        # normalised in the model's dtype, as encode() does
        vectors = torch.nn.functional.normalize(embedded, p=2, dim=1).float().numpy()
        skip, specials = self._prompt_ids(name), set(self.model.tokenizer.all_special_ids)
        ids = features["input_ids"][mask].split(lengths)
        rows = []
        for text_ids, lasts, mids in zip(ids, last.split(lengths), middle.split(lengths), strict=True):
            own = _own(text_ids.tolist(), skip, specials)
            halves = (lasts[own].float().numpy(), mids[own].float().numpy())
            rows.append(np.hstack([unit_rows(h) for h in halves]))
        return vectors, rows

    def _prompt_ids(self, name: str | None) -> list[int]:
        """The leading special token(s) and the prompt's tokens: a text's own tokens follow."""
        tokenizer = self.model.tokenizer
        ids = list(tokenizer(self.model.prompts[name] if name else "")["input_ids"])
        closes = len(ids) > 1 and ids[-1] in tokenizer.all_special_ids  # an eos / [SEP]
        return ids[:-1] if closes else ids


def _own(ids: list[int], start: list[int], specials: set[int]) -> slice:
    """Where a text's own tokens are: after the special token(s) and prompt, before the closing
    one. A prompt's last piece (a space) can merge with the text's first word, so the prompt
    ends where the ids differ."""
    skip = 0
    while skip < min(len(ids), len(start)) and ids[skip] == start[skip]:
        skip += 1
    return slice(skip, len(ids) - 1 if ids and ids[-1] in specials else len(ids))


def unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms == 0, 1.0, norms)).astype(np.float32)


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
                out[row, _hash(gram) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0  # an empty text still gets a unit vector
        return out

    def encode_tokens(self, texts: list[str], kind: Kind) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each word (each Chinese character) one-hot, in both halves of its row: the same token
        matches itself only, in either "layer"."""
        vectors = self.encode(texts, kind)
        tokens = []
        for text in texts:
            pieces = re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", text.lower())
            rows = np.zeros((len(pieces), 2 * self.dim), dtype=np.float32)
            for i, piece in enumerate(pieces):
                rows[i, [_hash(piece) % self.dim, self.dim + _hash(piece) % self.dim]] = 1.0
            tokens.append(rows)
        return vectors, tokens


def _hash(piece: str) -> int:
    return int.from_bytes(hashlib.blake2b(piece.encode(), digest_size=4).digest(), "little")


def _grams(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text)
    cjk = re.findall(r"[\u4e00-\u9fff]", text)
    return words + [a + b for a, b in zip(cjk, cjk[1:], strict=False)] + cjk
