"""The real sentence-transformers path, on the tiny English model a pip package ships."""

from pathlib import Path

import numpy as np
import pytest

import app
from interviewer.settings import Settings
from knowledge.ingest import index_dir, ingest
from knowledge.kb import POINT_KIND
from tests.conftest import BUNDLED


@pytest.fixture(scope="module")
def minilm() -> app.Embedder:
    return app.make_embedder(app.TEST_EMBEDDER, Settings(), progress=False)


def test_encodes_normalised_rows(minilm: app.Embedder) -> None:
    vectors = minilm.encode(["What is dropout?", "Dropout zeroes activations."], "query")
    assert vectors.shape == (2, minilm.dim) == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors, minilm.encode(["What is dropout?", "Dropout zeroes activations."], "query"))


def test_real_index_finds_the_right_english_note(minilm: app.Embedder, data_dir: Path) -> None:
    notes = BUNDLED / "ml_fundamentals.md"
    kb, summary = ingest(notes, minilm, index_dir(data_dir, notes, minilm.name))
    assert summary.items >= 10
    query = minilm.encode(["How do I stop my model from memorising the training set?"], POINT_KIND)[0]
    top = kb.item(kb.search_points(query, limit=3)[0].item_id)
    assert "overfitting" in top.question.lower()
