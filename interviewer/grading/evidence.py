"""Does an answer state anything? Its match to the points against what saying nothing reaches.

An on-topic answer that states nothing ("这个问题很重要，要看具体情况") sits near the rubric's
points just because it shares the question's words and field. So the answer is compared with a
null: the question itself and a few sentences that say nothing about it, in the question's
language (NULLS), matched against the same points in two ways:

    points   each point's best clause over its nearest null text (unit vectors)
    tokens   the share of the points' own words (not the question's, features.py) the answer
             matches in context, over the share the empty sentences match

An answer ahead of the null by neither margin has stated none of the points, in any words:
every point is missed and scoring.py keeps it in the bottom band. The margins are the
embedder's (its calibration's `margins`): where the bluffs of tests/fixtures/bluffs.jsonl fall
and few graded answers do (docs/benchmarks.md); an embedder without them judges nothing here.

    point "除以 √d_k 把点积方差拉回 1 附近", nearest null the question itself (0.49)
    "这个问题很经典，面试必问"        point 0.48 (-0.01)  tokens 0.24 vs 0.22 (+0.02) -> nothing stated
    "维度越高点积方差越大，要缩放回来"  point 0.80 (+0.31)  tokens 0.49 vs 0.22 (+0.27) -> stated
"""

import re

import numpy as np

from interviewer.grading.features import token_matches

_CJK = re.compile(r"[\u4e00-\u9fff]")
# sentences that answer nothing, whatever the question: praise, hedging, filler
NULLS = {
    "zh": (
        "这个问题很重要，在很多场景下都会用到。",
        "具体要看实际情况，需要根据数据和任务来权衡。",
        "这是一个很经典的问题，面试中经常被问到。",
    ),
    "en": (
        "This is an important question that comes up in many situations.",
        "It depends on the situation; you have to weigh the trade-offs for your data and task.",
        "This is a classic question that is asked in many interviews.",
    ),
}


def null_texts(question: str) -> list[str]:
    """The language's empty sentences, and the question followed by one of them (an answer that
    restates the question and pads it); the question itself is a null too (lead())."""
    fillers = NULLS["zh" if _CJK.search(question) else "en"]
    return [*fillers, f"{question} {fillers[-1]}"]


def nearest_null(points: np.ndarray, nulls: np.ndarray) -> np.ndarray:
    """Per point (unit rows), the similarity of the null text closest to it."""
    if not len(points) or not len(nulls):
        return np.zeros(len(points))
    return np.clip(points @ nulls.T, -1.0, 1.0).max(axis=1)


def lead(
    sim: np.ndarray,
    points: np.ndarray,
    question: np.ndarray,
    nulls: tuple[np.ndarray, np.ndarray],
    answer_recall: float,
    in_context: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[float, float]:
    """How far ahead of saying nothing an answer matches the points: (the best clause over the
    point's nearest null, the question or an empty sentence, for its best point; the share of
    the points' words it matches over the empty sentences' share). sim: points x clauses;
    question: its vector; nulls: null_texts()' vectors and token rows; in_context:
    features.features' (points, answer, question) token rows."""
    null_vectors, empty = nulls
    every_null = np.vstack([question[None, :], null_vectors])
    ahead = sim.max(axis=1) - nearest_null(points, every_null) if len(sim) else np.ones(1)
    point_tokens, _, question_tokens = in_context
    return float(ahead.max()), answer_recall - token_matches(point_tokens, empty, question_tokens)[0]


def states(ahead: tuple[float, float] | None, margins: tuple[float, float] | None, listing: bool) -> bool:
    """Whether an answer states something: not a list of terms alone (listing.py), and `ahead` of
    the null by either margin (margins or ahead None: nothing to judge the margins by)."""
    if listing:
        return False
    if margins is None or ahead is None:
        return True
    return ahead[0] >= margins[0] or ahead[1] >= margins[1]
