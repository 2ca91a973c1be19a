"""How the grader agrees with the person's own appeals, from the history: Pearson r, mean difference,
count; and the map those appeals fit on one notes set (grading/adapt.py).

An appeal is the person's grade for an answer the grader scored; each makes one (grader, person)
pair, the grader's score as it was before any earlier appeals adjusted it. Reads saved sessions
only: no notes, no models. Grading itself lives in grading/.
"""

from statistics import StatisticsError, correlation, mean

from pydantic import BaseModel

from interviewer.grading import adapt
from interviewer.storage.history import History
from interviewer.storage.session import Session


class AppealAgreement(BaseModel):
    count: int
    pearson: float | None  # None with fewer than two pairs, or when either side never varies
    mean_difference: float | None  # the person's grade minus the grader's: > 0, the grader is harsher
    pairs: list[tuple[float, float]]  # (grader, person), oldest session first


def pairs(sessions: list[Session]) -> list[tuple[float, float]]:
    out = []
    for s in sorted(sessions, key=lambda s: s.created):
        for t in s.turns:
            if t.appeal is not None and t.grade is not None and t.grade.score is not None:
                graded = t.grade.score if t.grade.unadjusted is None else t.grade.unadjusted
                out.append((graded, t.appeal.score))
    return out


def standard(sessions: list[Session], notes: str) -> adapt.Adjustment | None:
    """The person's own standard on one notes set: None until they have appealed MIN_APPEALS grades."""
    return adapt.fit(pairs([s for s in sessions if s.notes == notes]))


class Standards:
    """The standard each answer is graded to: the appeals of the interview under way, live, and
    of its user's earlier ones on its notes, read from the history once, at its first answer
    (the history is not read again per answer)."""

    KEPT = 16  # interviews whose earlier sessions are kept at hand: a few open tabs

    def __init__(self, history: History) -> None:
        self.history = history
        self._earlier: dict[str, list[Session]] = {}

    def of(self, session: Session) -> adapt.Adjustment | None:
        """None when the session turned adjusting off, or too few appeals were made."""
        if not session.options.adjust:
            return None
        if session.id not in self._earlier:
            if len(self._earlier) >= self.KEPT:
                self._earlier.pop(next(iter(self._earlier)))
            theirs = self.history.of(session.user).sessions()  # the person's own, never another's
            self._earlier[session.id] = [s for s in theirs if s.notes == session.notes and s.id != session.id]
        return standard([*self._earlier[session.id], session], session.notes)


def agreement(sessions: list[Session]) -> AppealAgreement:
    found = pairs(sessions)
    grader, person = [g for g, _ in found], [p for _, p in found]
    try:
        r: float | None = round(correlation(grader, person), 3)
    except StatisticsError:  # under two pairs, or a constant side: no correlation to report
        r = None
    diff = round(mean(p - g for g, p in found), 2) if found else None
    return AppealAgreement(count=len(found), pearson=r, mean_difference=diff, pairs=found)


def describe(result: AppealAgreement) -> str:
    if not result.count:
        return "No appeals in the history yet: appeal a grade on the page, then run this again."
    r = "n/a" if result.pearson is None else f"{result.pearson}"
    return (
        f"appeals: {result.count}  pearson {r}  mean difference (yours - grader's) "
        f"{result.mean_difference:+g}"
    )
