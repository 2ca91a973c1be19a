"""Your own standard, from your appeals: a small monotone map on top of the shared calibration.

An appeal is a pair (the grader's score, your grade) on one notes set. From MIN_APPEALS such
pairs on, the grader's scores on that set pass through a line fitted to them: the mean
difference sets the level (within MAX_SHIFT), and the pairs' spread the slope, pulled toward 1
while the pairs are few (SLOPE_PRIOR pairs' worth of "1") and kept within [MIN_SLOPE, MAX_SLOPE],
so a better answer never scores lower; the result stays on 0-10. Refitted from all the pairs
whenever one comes. These choices held up best with each graded file held out in turn and ten
of its answers played as appeals (`eval --leave-one-file-out --adapt 10 --variants`). A map the
appeals themselves don't support (checked by leaving each out of its own fit) is not applied.

    pairs (4, 6) (5, 7) (6, 8) (3, 5) (7, 9): you grade 2 higher, so 5.0 is shown as 7.0
"""

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

MIN_APPEALS = 5
SLOPE_PRIOR = 10.0  # pairs' worth of "the shared calibration's spread is yours"
MIN_SLOPE, MAX_SLOPE = 0.5, 2.0
MAX_SHIFT = 5.0  # on 0-10, at the pairs' centre


class Adjustment(BaseModel):
    appeals: int  # how many pairs it was fitted on
    centre: float  # the pairs' mean grader's score
    shift: float  # added at the centre
    slope: float  # around the centre

    def apply(self, score: float) -> float:
        return float(np.clip(score + self.shift + (self.slope - 1) * (score - self.centre), 0.0, 10.0))


def fit(pairs: Sequence[tuple[float, float]], slope_prior: float = SLOPE_PRIOR) -> Adjustment | None:
    """The map for (grader's score, your grade) pairs on 0-10; None (the shared standard) under
    MIN_APPEALS, or where the map would not have predicted your appeals better than the shared
    standard: each pair left out of a fit on the others, the map's error against none at all.
    So appeals that scatter around the grader's scores, with no standard of their own, change nothing.

        pairs (4, 6) (5, 7) (6, 8) (3, 5) (7, 9): every one left out is predicted within 0.1 -> a map
        pairs (4, 6) (5, 3) (6, 8) (3, 1) (7, 9): off by 2 either way -> None
    """
    if len(pairs) < MIN_APPEALS or not _predicts(list(pairs), slope_prior):
        return None
    return _line(pairs, slope_prior)


def _predicts(pairs: list[tuple[float, float]], slope_prior: float) -> bool:
    """Whether a map fitted without each pair predicts it better, over all, than no map."""
    mapped = shared = 0.0
    for i, (grader, person) in enumerate(pairs):
        mapped += (_line(pairs[:i] + pairs[i + 1 :], slope_prior).apply(grader) - person) ** 2
        shared += (grader - person) ** 2
    return mapped < shared


def _line(pairs: Sequence[tuple[float, float]], slope_prior: float) -> Adjustment:
    grader, person = np.array(pairs, dtype=float).T
    n, centre = len(pairs), float(grader.mean())
    shift = float(np.clip(person.mean() - centre, -MAX_SHIFT, MAX_SHIFT))
    spread, slope = float(np.var(grader)), 1.0
    if spread > 1e-6:
        fitted = float(np.mean((grader - centre) * (person - person.mean())) / spread)
        slope = float(np.clip(1 + n / (n + slope_prior) * (fitted - 1), MIN_SLOPE, MAX_SLOPE))
    return Adjustment(appeals=n, centre=round(centre, 4), shift=round(shift, 4), slope=round(slope, 4))
