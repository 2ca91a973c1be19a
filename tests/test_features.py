"""The token signals: words in context matched one by one, counted by what the question leaves open."""

import numpy as np

from interviewer.grading.features import NAMES, token_matches
from knowledge.embedder import FakeEmbedder


def tokens(text: str) -> np.ndarray:
    return FakeEmbedder().encode_tokens([text], "sts")[1][0]


def test_an_answer_with_every_new_reference_word_has_full_recall() -> None:
    reference, question = tokens("dropout zeroes activations"), tokens("what does dropout do")
    recall, precision, f1 = token_matches(reference, tokens("it zeroes activations"), question)
    assert recall > 0.99  # "dropout" is the question's word: it counts for (almost) nothing
    assert 0.6 < precision < 0.7 and recall > f1 > precision  # "it" matches nothing of the reference


def test_repeating_the_question_word_earns_no_recall() -> None:
    reference, question = tokens("dropout zeroes activations"), tokens("what does dropout do")
    recall, _, _ = token_matches(reference, tokens("dropout dropout"), question)
    assert recall < 0.01


def test_nothing_to_match_gives_zeros() -> None:
    empty = np.zeros((0, 256), np.float32)
    assert token_matches(empty, tokens("anything"), tokens("q")) == [0.0, 0.0, 0.0]
    assert token_matches(tokens("a point"), empty, tokens("q")) == [0.0, 0.0, 0.0]


def test_without_a_question_every_token_counts() -> None:
    empty = np.zeros((0, 256), np.float32)
    recall, precision, _ = token_matches(tokens("softmax 归一化"), tokens("softmax"), empty)
    assert recall == 1 / 4 and precision == 1.0  # "softmax", "归", "一", "化": one of four
    assert NAMES[-3:] == ["token_recall", "token_precision", "token_f1"]
