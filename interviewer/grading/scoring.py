"""The score a person sees: the grader's calibrated score with every cap applied, here alone.

grade() is the one way an answer becomes a score: the interview, `app.py grade`, `eval` and
`bench` all call it (eval through finish(), on signals it computed once). The caps, in order:

    off-topic    no closer to the question or its points than off-topic text    -> at most 1
    elsewhere    another question of the notes fits the answer clearly better    -> at most 1
    verdict      a true/false question answered with the opposite verdict         -> at most 2
    supported    at most what the points shown beside it support: 2 + 8 x coverage

    points ["softmax 归一化", "对 V 加权求和"], one covered, one missed, raw 7.4
    -> supported caps it at 2 + 8 x 1/2 = 6.0
"""

from collections.abc import Callable

import numpy as np

from interviewer.grading.calibration import Calibration
from interviewer.grading.grader import Grade, Grader, PointResult, Rubric, Signals
from interviewer.grading.guards import MAX_ANSWER_CHARS
from knowledge.kb import KnowledgeBase

UNRELATED_CAP = 1.0
VERDICT_CAP = 2.0  # the explanation may be sound, but the answer to the question is wrong
ELSEWHERE_MARGIN = 0.1  # how much better another question must match before we call it off-topic
# answer vector -> (best similarity to another question's points, that question), or None
Elsewhere = Callable[[np.ndarray], tuple[float, str] | None]


def grade(
    grader: Grader,
    question: str,
    rubric: Rubric,
    answer: str,
    elsewhere: Elsewhere | None = None,
) -> Grade:
    """An answer's grade against a rubric, as the interview shows it."""
    if not rubric.points and answer.strip():
        nothing = "Your notes have nothing on this question, so it can't be scored."
        return Grade(score=None, rubric_from=rubric.origin, points=[], reason=nothing)
    return finish(grader, grader.signals(question, rubric, answer), rubric, elsewhere)


def finish(
    grader: Grader,
    s: Signals,
    rubric: Rubric,
    elsewhere: Elsewhere | None = None,
    cal: Calibration | None = None,
) -> Grade:
    """Signals -> the capped grade; cal overrides the shipped calibration (eval's folds)."""
    cal = cal or grader.cal
    points = grader.points(rubric, s, cal)
    if s.guard:
        return Grade(score=0.0, raw=0.0, reason=s.guard, rubric_from=rubric.origin, points=points)
    raw = grader.raw(s, cal)
    score: float = raw
    reason: str | None = None
    if s.topicality <= cal.unrelated:
        score, reason = min(score, UNRELATED_CAP), "The answer is not about this question."
    elif elsewhere is not None and score > UNRELATED_CAP:
        score, reason = _elsewhere(score, s, points, cal, elsewhere)
    if reason is None and s.verdict == "contradicts" and score > VERDICT_CAP:
        score, reason = VERDICT_CAP, "The verdict (true / false) is the opposite of your notes'."
    if reason is None and s.truncated:
        reason = f"Only the first {MAX_ANSWER_CHARS:,} characters were graded."
    score, why = supported(score, points)
    reason = reason or why
    return Grade(
        score=round(score, 1), raw=round(raw, 1), reason=reason, rubric_from=rubric.origin, points=points
    )


def supported(score: float, points: list[PointResult]) -> tuple[float, str | None]:
    """Caps a score at what the points shown beside it support: 2 + 8 x coverage.

    The calibrated score follows human graders, who give 5-7 to a fluent answer in the right
    field that names none of the expected points. Beside a list of points all marked missed,
    such a score reads as invented; in an interview the points are the promise.
    """
    if not points:
        return score, None
    coverage = sum({"covered": 1.0, "partly": 0.5}.get(p.status, 0.0) for p in points)
    cap = round(2 + 8 * coverage / len(points), 1)
    if score <= cap:
        return score, None
    return cap, "Capped by the points covered: name more of them to score higher."


def _elsewhere(
    score: float, s: Signals, points: list[PointResult], cal: Calibration, elsewhere: Elsewhere
) -> tuple[float, str | None]:
    """Caps an answer that plainly belongs to another question.

    Human graders (and so the calibration) give partial credit to weak answers in the right
    field; an answer about LoRA to a question about CNNs is not that. With other questions at
    hand we can tell: another question's points match the answer far better than this one's.
    """
    own = max((p.similarity for p in points), default=0.0)
    if own >= cal.covered:
        return score, None
    found = elsewhere(s.answer_vector)
    if found is None or found[0] < own + ELSEWHERE_MARGIN:
        return score, None
    return min(score, UNRELATED_CAP), f"The answer fits another question in your notes better: {found[1]}"


def other_questions(kb: KnowledgeBase, item_id: str) -> Elsewhere:
    """The notes' other questions, searched through the point index."""

    def search(vector: np.ndarray) -> tuple[float, str] | None:
        hits = [h for h in kb.search_points(vector, limit=5) if h.item_id != item_id]
        return (hits[0].score, kb.item(hits[0].item_id).question) if hits else None

    return search
