"""A score needs evidence: a point counts only where the answer comes closer to it than saying
nothing does; a list of terms to a why-question states nothing; eval reads graders' labels."""

from pathlib import Path

import numpy as np
import pytest

from evaluation.label_bands import five_way, report, three_way
from interviewer.grading.evidence import lead, nearest_null, null_texts, states
from interviewer.grading.listing import lists_terms
from interviewer.llm.followup import substance
from interviewer.practice import bands

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_nulls_are_in_the_question_s_language_and_include_it() -> None:
    zh, en = null_texts("为什么要除以 √d_k？"), null_texts("What does dropout do?")
    assert all("。" in t for t in zh) and not any("。" in t for t in en)
    # the question said back and padded
    assert zh[-1].startswith("为什么要除以 √d_k？") and en[-1].startswith("What does dropout do?")


def test_an_answer_states_something_when_ahead_of_the_null_by_either_margin() -> None:
    points = np.array([[1.0, 0.0], [0.0, 1.0]])
    nulls = np.array([[0.6, 0.8], [0.8, 0.6]])  # unit rows
    assert nearest_null(points, nulls) == pytest.approx([0.8, 0.8])
    assert len(nearest_null(points, np.zeros((0, 2)))) == 2
    # token rows in two halves (last layer, deeper in), as features.token_matches reads them:
    # the empty sentences match none of the point's words
    point_tokens, empty = np.array([[1.0, 0.0, 1.0, 0.0]]), np.array([[0.0, 1.0, 0.0, 1.0]])
    context = (point_tokens, np.zeros((0, 4)), np.zeros((0, 4)))
    sim = np.array([[0.95, 0.1], [0.7, 0.2]])  # points x clauses
    question = np.array([0.6, 0.8])  # the question is a null too
    ahead = lead(sim, points, question, (nulls[1:], empty), 0.3, context)
    assert ahead == pytest.approx((0.15, 0.3))
    assert states(ahead, (0.1, 0.5), False) and states(ahead, (0.2, 0.2), False)
    assert not states(ahead, (0.2, 0.5), False)
    assert states(ahead, None, False) and states(None, (0.2, 0.5), False)  # nothing to judge by: stated
    assert not states(ahead, None, True)  # a list of terms states nothing, whatever the margins


@pytest.mark.parametrize(
    "answer, question, listed",
    [
        ("缩放点积、softmax、维度 d_k、梯度、数值稳定性。", "为什么注意力分数要除以 √d_k？", True),
        (
            "Momentum, adaptive learning rate, bias correction, epsilon.",
            "How does the Adam optimizer work?",
            True,
        ),
        # a claim in the list: graded as any answer
        (
            "It keeps a running mean of the gradients, a second moment, and a bias correction.",
            "How does Adam work?",
            False,
        ),
        # the question asks which ones: naming them is the answer
        ("分区、订单分割、订单分批、分类。", "决定分拣策略的主要因素有哪几个？", False),
        (
            "Elaboration, construction, and transition.",
            "What are the main phases of the unified process?",
            False,
        ),
        ("计件、检斤、检尺求积。", "数量检验分为什么形式？", False),  # 分为 + 什么, not 为什么
        ("Dropout zeroes units.", "How does dropout work?", False),
    ],
)
def test_a_list_of_terms_states_nothing_only_where_the_question_asks_why_or_how(
    answer: str, question: str, listed: bool
) -> None:
    assert lists_terms(answer, question) is listed


def test_a_grade_with_no_point_covered_never_wears_a_good_band_s_colour() -> None:
    assert bands.css(8.0) == "strong" and bands.css(8.0, covered=1) == "strong"
    assert bands.css(8.0, covered=0) == "fair" and bands.css(9.5, covered=0) == "fair"
    assert bands.css(1.0, covered=0) == "needs-work" and bands.css(None, covered=0) == "none"


def test_the_follow_up_to_an_answer_that_stated_nothing_asks_for_substance() -> None:
    zh = substance("BERT 和 GPT 的主要区别是什么？", "zh")
    en = substance("How does dropout work?", "en")
    assert "BERT 和 GPT 的主要区别是什么" in zh and "具体" in zh
    assert "How does dropout work" in en and "specific" in en and "else" not in en


def test_labels_map_bands_and_deciders_to_beetle_s_classes() -> None:
    assert five_way(8.0, None) == "correct" and five_way(5.0, "unsupported") == "partially_correct_incomplete"
    assert five_way(0.0, "guard") == "non_domain"
    assert five_way(1.5, "no_evidence") == five_way(1.0, "off_topic") == "irrelevant"
    assert five_way(2.0, "verdict") == five_way(3.0, None) == "contradictory"
    assert three_way("irrelevant") == three_way("contradictory") == "incorrect"
    labels = ["correct", "correct", "non_domain", "irrelevant", "contradictory"]
    scores = np.array([9.0, 8.0, 0.0, 1.5, 3.0])
    out = report(labels, scores, [None, None, "guard", "no_evidence", None])
    assert out["per_label"] == {
        "correct": {"mean": 8.5, "n": 2},
        "contradictory": {"mean": 3.0, "n": 1},
        "irrelevant": {"mean": 1.5, "n": 1},
        "non_domain": {"mean": 0.0, "n": 1},
    }
    assert out["macro_f1_5way"] == 1.0 and out["macro_f1_3way"] == 1.0
