"""The score a person sees: the grader's calibrated score with every cap applied, here alone.

grade() is the one way an answer becomes a score: the interview, `app.py grade`, `eval` and
`bench` all call it (eval through finish(), on signals it computed once). The caps, in order:

    off-topic    no closer to the question or its points than off-topic text    -> at most 1
    elsewhere    no point covered, and another question of the notes matches it
                 clearly better (by the calibration's learnt margin)             -> at most 1
    no evidence  no point is matched better than the question itself and empty
                 sentences match it (evidence.py): praise, hedging, the question
                 said back, in any words; or only a list of terms to a question
                 that asks why or how (listing.py)                               -> at most 1.5
    verdict      a true/false question answered with the opposite verdict         -> at most 2
    unsupported  every point shown beside the score is missed                    -> at most 7

Then, where the person has appealed enough grades on these notes, their own standard
(adapt.py) moves the score, under the same caps. Each cap was measured with every graded file
held out in turn (`eval --leave-one-file-out`): together they cost at most 0.02 r (README).

    points ["softmax 归一化", "对 V 加权求和"], both missed, raw 7.4 -> unsupported: 7.0
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from interviewer.grading.adapt import Adjustment
from interviewer.grading.calibration import Calibration
from interviewer.grading.evidence import states
from interviewer.grading.grader import Decider, Grade, Grader, PointResult, Rubric, Signals
from interviewer.grading.guards import MAX_ANSWER_CHARS
from knowledge.index.knowledge_base import KnowledgeBase

UNRELATED_CAP = 1.0
VERDICT_CAP = 2.0  # the explanation may be sound, but the answer to the question is wrong
UNSUPPORTED_CAP = 7.0  # above it, at least one point shown is covered or partly covered
NO_EVIDENCE_CAP = 1.5  # the bottom band: on topic, but nothing stated
NO_EVIDENCE = "The answer states none of the points: it says nothing that the question itself doesn't."
LISTING = "The answer lists terms without saying anything about them."
ELSEWHERE = "The answer fits another question in your notes better: "
# answer vector -> (best similarity to another question's points, that question), or None
Elsewhere = Callable[[np.ndarray], tuple[float, str] | None]


def grade(
    grader: Grader,
    question: str,
    rubric: Rubric,
    answer: str,
    elsewhere: Elsewhere | None = None,
    adjust: Adjustment | None = None,
) -> Grade:
    """An answer's grade against a rubric, as the interview shows it."""
    if not rubric.points and answer.strip():
        nothing = "Your notes have nothing on this question, so it can't be scored."
        return Grade(score=None, rubric_from=rubric.origin, points=[], reason=nothing)
    return finish(grader, grader.signals(question, rubric, answer), rubric, elsewhere, adjust=adjust)


def finish(
    grader: Grader,
    s: Signals,
    rubric: Rubric,
    elsewhere: Elsewhere | None = None,
    cal: Calibration | None = None,
    adjust: Adjustment | None = None,
) -> Grade:
    """Signals -> the capped grade; cal overrides the shipped calibration (eval's splits);
    adjust is the person's own standard for these notes (adapt.py), applied under the caps."""
    cal = cal or grader.cal
    points = grader.points(rubric, s, cal)
    if s.guard:
        return Grade(
            score=0.0, raw=0.0, reason=s.guard, decided_by="guard", rubric_from=rubric.origin, points=points
        )
    raw = grader.raw(s, cal)
    top, reason, cap = ceiling(s, points, cal, raw, elsewhere)
    score = min(raw, top)
    wanted = raw if adjust is None else adjust.apply(score)
    if reason is None and wanted > top:
        reason = "None of your notes' points is matched clearly: name one to score higher."
    if reason is None and s.truncated:
        reason = f"Only the first {MAX_ANSWER_CHARS:,} characters were graded."
    return Grade(
        score=round(adjusted(score, top, adjust), 1),
        raw=round(raw, 1),
        unadjusted=None if adjust is None else round(score, 1),
        appeals=0 if adjust is None else adjust.appeals,
        reason=reason,
        # the unsupported cap only decides where it lowers the score; the others judge the answer
        decided_by=cap if cap != "unsupported" or wanted > top else None,
        rubric_from=rubric.origin,
        points=points,
    )


def adjusted(score: float, top: float, adjust: Adjustment | None) -> float:
    """A capped score through the person's own map (None: theirs is the shared standard), under
    the same ceiling."""
    return score if adjust is None else min(adjust.apply(score), top)


class Cap(NamedTuple):
    top: float  # the most the answer may score
    reason: str | None  # what the person is told (None: no judgement of the answer)
    name: Decider | None  # which cap (None: none)


def ceiling(
    s: Signals, points: list[PointResult], cal: Calibration, raw: float, elsewhere: Elsewhere | None = None
) -> Cap:
    """The most an answer may score, and why (the unsupported cap says why only where it lowers
    the score, finish())."""
    if s.topicality <= cal.unrelated:
        return Cap(UNRELATED_CAP, "The answer is not about this question.", "off_topic")
    if elsewhere is not None and raw > UNRELATED_CAP and (found := _elsewhere(s, points, cal, elsewhere)):
        return Cap(UNRELATED_CAP, f"{ELSEWHERE}{found}", "elsewhere")
    if not states(s.ahead, cal.margins, s.listing):
        return Cap(NO_EVIDENCE_CAP, LISTING if s.listing else NO_EVIDENCE, "no_evidence")
    if s.verdict == "contradicts" and raw > VERDICT_CAP:
        return Cap(VERDICT_CAP, "The verdict (true / false) is the opposite of your notes'.", "verdict")
    if points and all(p.status == "missed" for p in points):
        return Cap(UNSUPPORTED_CAP, None, "unsupported")
    return Cap(10.0, None, None)


def _elsewhere(s: Signals, points: list[PointResult], cal: Calibration, elsewhere: Elsewhere) -> str | None:
    """The other question an answer plainly belongs to, if any.

    Human graders (and so the calibration) give partial credit to weak answers in the right
    field; an answer about LoRA to a question about CNNs is not that. With other questions at
    hand we can tell: none of this question's points is covered, and another question's points
    match the answer better by more than real answers ever showed (cal.elsewhere, learnt).
    """
    own = max((p.similarity for p in points), default=0.0)
    if own >= cal.covered:
        return None
    found = elsewhere(s.answer_vector)
    return found[1] if found is not None and found[0] >= own + cal.elsewhere else None


def other_questions(kb: KnowledgeBase, item_id: str) -> Elsewhere:
    """The notes' other questions, searched through the point index."""

    def search(vector: np.ndarray) -> tuple[float, str] | None:
        hits = [h for h in kb.search_points(vector, limit=5) if h.item_id != item_id]
        return (hits[0].score, kb.item(hits[0].item_id).question) if hits else None

    return search
