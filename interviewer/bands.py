"""Score bands: what a 0-10 grade is called, and how the schedule rates it, in one place.

The page colours a score by its band, the report and the exports name it, and the schedule
rates a review from it (schedule.rating), so a score reads the same everywhere:

    score    band        FSRS rating
    < 5      needs work  Again  most key points missing: see it again soon
    5 - 6.9  fair        Hard   a pass with gaps: a short interval
    7 - 8.9  strong      Good   a normal interval
    >= 9     excellent   Easy   every point, clearly: a long interval
"""

from typing import NamedTuple

from fsrs import Rating


class Band(NamedTuple):
    floor: float  # the lowest score in the band
    name: str
    rating: Rating


BANDS = (
    Band(9.0, "excellent", Rating.Easy),
    Band(7.0, "strong", Rating.Good),
    Band(5.0, "fair", Rating.Hard),
    Band(0.0, "needs work", Rating.Again),
)
STRONG = BANDS[1].floor  # the report calls a topic strong from here
PASS = BANDS[2].floor  # below it a topic needs work


def band(score: float) -> Band:
    return next(b for b in BANDS if score >= b.floor)


def css(score: float | None) -> str:
    """The page's class for a score: the band's name as one word ("none": no score)."""
    return "none" if score is None else band(score).name.replace(" ", "-")


def scored(score: float | None) -> str:
    """ "6.5/10 (fair)", or "no score": how the report and the exports write a score."""
    return "no score" if score is None else f"{score:g}/10 ({band(score).name})"
