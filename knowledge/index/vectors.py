"""VectorIndex: exact inner-product search over normalised vectors, FAISS behind it.

Inner product on unit vectors is cosine similarity. Notes give hundreds to a few thousand
rows, so a flat (exact) index is both simplest and fast enough; ids are row positions.
"""

import os
from pathlib import Path

import numpy as np


class VectorIndex:
    def __init__(self, dim: int) -> None:
        import faiss  # late: keep `import knowledge` light

        self.dim = dim
        self.index: faiss.Index = faiss.IndexFlatIP(dim)

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int) -> "VectorIndex":
        index = cls(dim)
        index.add(vectors)
        return index

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    def search(self, queries: np.ndarray, limit: int) -> list[list[tuple[int, float]]]:
        """Per query, up to `limit` (row, cosine) pairs, best first."""
        if not self.count or not len(queries):
            return [[] for _ in range(len(queries))]
        scores, rows = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), limit)
        return [
            [(int(r), float(s)) for r, s in zip(row_ids, row_scores, strict=True) if r >= 0]
            for row_ids, row_scores in zip(rows, scores, strict=True)
        ]

    def vectors(self, rows: list[int] | None = None) -> np.ndarray:
        """Stored vectors back (all, or the given rows), e.g. to reuse them in a rebuild."""
        if not self.count:
            return np.zeros((0, self.dim), dtype=np.float32)
        everything = self.index.reconstruct_n(0, self.count)
        return everything if rows is None else everything[rows]

    def save(self, path: Path) -> None:
        import faiss

        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self.index, str(tmp))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        import faiss

        loaded = faiss.read_index(str(path))
        index = cls(loaded.d)
        index.index = loaded
        return index
