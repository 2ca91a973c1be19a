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

from interviewer.messages import Lang, say


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
NAMES = {  # each band's name in messages.toml
    "excellent": "band_excellent",
    "strong": "band_strong",
    "fair": "band_fair",
    "needs work": "band_needs_work",
}
STRONG = BANDS[1].floor  # the report calls a topic strong from here
PASS = BANDS[2].floor  # below it a topic needs work


def band(score: float) -> Band:
    return next(b for b in BANDS if score >= b.floor)


def css(score: float | None, covered: int | None = None) -> str:
    """The page's class for a score: the band's name as one word ("none": no score). A grade
    that covers none of its points (covered 0) never wears a good band's colour, whatever its
    number: the colour is what a glance reads."""
    if score is None:
        return "none"
    if covered == 0:
        score = min(score, STRONG - 0.1)
    return band(score).name.replace(" ", "-")


def named(score: float, lang: Lang = "en") -> str:
    """The band's name as the language says it: "fair" / "及格"."""
    return say(lang, NAMES[band(score).name])


def score_text(score: float | None, lang: Lang = "en") -> str:
    """ "6.5/10" / "6.5 分", or "no score" / "未评分": a score alone."""
    return say(lang, "no_score") if score is None else say(lang, "score", score=score)


def scored(score: float | None, lang: Lang = "en") -> str:
    """ "6.5/10 (fair)" / "6.5 分（及格）", or "no score": how the report and the exports write a score."""
    if score is None:
        return say(lang, "no_score")
    return say(lang, "score_band", score=score_text(score, lang), band=named(score, lang))
