"""How the grader agrees with the person's own appeals, from the history: Pearson r, mean difference, count.

An appeal is the person's grade for an answer the grader scored; each makes one (grader, person)
pair. Reads saved sessions only: no notes, no models. Grading itself lives in grading/.
"""

from statistics import StatisticsError, correlation, mean

from pydantic import BaseModel

from interviewer.session import Session


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
                out.append((t.grade.score, t.appeal.score))
    return out


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
