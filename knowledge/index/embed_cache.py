"""An Embedder wrapper that remembers vectors on disk, keyed by model, prompt kind and text.

For long evaluation runs: a re-run embeds nothing it has seen. Never used for grading in the
app, where a batch must be embedded together to give the same vectors every time. Token rows
are kept as float16, half the disk for cosines that move in the fourth decimal.
"""

import hashlib
import sqlite3
from pathlib import Path

import numpy as np

from knowledge.index.embedder import Embedder, Kind


class CachedEmbedder:
    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        self.db.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, width INT, rows BLOB)")

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        keys = [self._key(t, kind) for t in texts]
        found = dict(self._lookup(list(set(keys))))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        if missing:
            keyed = [self._key(t, kind) for t in missing]
            with self.db:
                found.update(self._save_vectors(keyed, self.inner.encode(missing, kind)))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def encode_tokens(self, texts: list[str], kind: Kind) -> tuple[np.ndarray, list[np.ndarray]]:
        keys = [self._key(t, kind) for t in texts]
        found = dict(self._lookup_tokens(list(set(keys))))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        if missing:
            vectors, tokens = self.inner.encode_tokens(missing, kind)
            keyed = [self._key(t, kind) for t in missing]
            halves = [t.astype(np.float16) for t in tokens]
            with self.db:
                self._save_vectors(keyed, vectors)
                self.db.executemany(
                    "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?)",
                    [(k, t.shape[1], t.tobytes()) for k, t in zip(keyed, halves, strict=True)],
                )
            found.update((k, t.astype(np.float32)) for k, t in zip(keyed, halves, strict=True))
        return self.encode(texts, kind), [found[k] for k in keys]

    def _save_vectors(self, keys: list[str], vectors: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Within the caller's transaction; returns what was stored, as a lookup would."""
        rows = [(k, v.astype(np.float32)) for k, v in zip(keys, vectors, strict=True)]
        blobs = [(k, v.tobytes()) for k, v in rows]
        self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", blobs)
        return rows

    def _lookup(self, keys: list[str]) -> list[tuple[str, np.ndarray]]:
        rows = self._select("SELECT key, vector FROM vectors", keys)
        return [(key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows]

    def _lookup_tokens(self, keys: list[str]) -> list[tuple[str, np.ndarray]]:
        rows = self._select("SELECT key, width, rows FROM tokens", keys)
        return [
            (key, np.frombuffer(blob, dtype=np.float16).reshape(-1, width).astype(np.float32))
            for key, width, blob in rows
        ]

    def _select(self, query: str, keys: list[str]) -> list[tuple]:
        out = []
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            out += self.db.execute(f"{query} WHERE key IN ({marks})", part).fetchall()
        return out

    def _key(self, text: str, kind: Kind) -> str:
        return hashlib.sha256(f"{self.name}\x1f{kind}\x1f{text}".encode()).hexdigest()
