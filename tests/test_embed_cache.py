"""The eval's embedding cache: what it has seen is never embedded again, tokens included."""

from pathlib import Path

import numpy as np

from knowledge.index.embed_cache import CachedEmbedder
from knowledge.index.embedder import FakeEmbedder


def test_vectors_and_tokens_come_back_from_disk_without_embedding_again(tmp_path: Path) -> None:
    inner = FakeEmbedder()
    texts = ["Dropout zeroes activations.", "自注意力", "Dropout zeroes activations."]
    vectors, tokens = CachedEmbedder(inner, tmp_path / "e.sqlite").encode_tokens(texts, "sts")
    assert inner.calls == [texts[:2]]  # each text once
    again = CachedEmbedder(inner, tmp_path / "e.sqlite")  # a later run, the same file
    vectors2, tokens2 = again.encode_tokens(texts, "sts")
    assert len(inner.calls) == 1
    assert np.array_equal(vectors, vectors2) and np.array_equal(vectors, inner.encode(texts, "sts"))
    expected = inner.encode_tokens(texts, "sts")[1]
    assert [t.shape for t in tokens2] == [t.shape for t in expected] == [(3, 512), (4, 512), (3, 512)]
    assert all(np.allclose(a, b, atol=1e-3) for a, b in zip(tokens2, expected, strict=True))  # float16 kept
    assert np.array_equal(again.encode(texts[:1], "sts"), vectors[:1])  # encode() reads the same rows
