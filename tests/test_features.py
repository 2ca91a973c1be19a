"""The token signals: words in context matched one by one, counted by what the question leaves open."""

import numpy as np

from interviewer.grading.features import NAMES, token_matches
from knowledge.index.embedder import FakeEmbedder


def tokens(text: str) -> np.ndarray:
    return FakeEmbedder().encode_tokens([text], "sts")[1][0]


def test_an_answer_with_every_new_reference_word_has_full_recall() -> None:
    reference, question = tokens("dropout zeroes activations"), tokens("what does dropout do")
    recall, precision, f1, deep = token_matches(reference, tokens("it zeroes activations"), question)
    assert recall > 0.99 and deep > 0.99  # "dropout" is the question's word: it counts for ~nothing
    assert 0.6 < precision < 0.7 and recall > f1 > precision  # "it" matches nothing of the reference


def test_repeating_the_question_word_earns_no_recall() -> None:
    reference, question = tokens("dropout zeroes activations"), tokens("what does dropout do")
    recall, _, _, deep = token_matches(reference, tokens("dropout dropout"), question)
    assert recall < 0.01 and deep < 0.01


def test_nothing_to_match_gives_zeros() -> None:
    empty = np.zeros((0, 512), np.float32)
    assert token_matches(empty, tokens("anything"), tokens("q")) == [0.0] * 4
    assert token_matches(tokens("a point"), empty, tokens("q")) == [0.0] * 4


def test_without_a_question_every_token_counts() -> None:
    empty = np.zeros((0, 512), np.float32)
    recall, precision, _, deep = token_matches(tokens("softmax 归一化"), tokens("softmax"), empty)
    assert recall == deep == 1 / 4 and precision == 1.0  # "softmax", "归", "一", "化": one of four
    assert NAMES[-4:] == ["token_recall", "token_precision", "token_f1", "deep_token_recall"]


def test_each_layer_is_matched_in_its_own_half() -> None:
    reference, answer = tokens("dropout"), tokens("dropout")
    answer[:, 256:] = 0.0
    answer[0, 256 + 7] = 1.0  # the deeper layer sees another word
    recall, _, _, deep = token_matches(reference, answer, np.zeros((0, 512), np.float32))
    assert recall == 1.0 and deep == 0.0
