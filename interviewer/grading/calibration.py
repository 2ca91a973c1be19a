"""The few numbers that turn grading signals into a 0-1 score, per embedder, as data.

The score is made of SIGNALS alone: how close each rubric point's best clause is (best_mean),
and how much of the points' words the answer matches in context, in the embedder's last layer
and one three quarters in (token_recall, deep_token_recall). A ridge regression whose weights
may not be negative (covering more of the points never lowers a score) adds them up; a
monotone map then puts the sum on the human scale: half an isotonic fit, half the sum itself,
so the shape one set of graders gives the scale is only half followed by every other. Both
choices are the ones that held up with each graded file held out in turn (README, "Grading";
`eval --leave-one-file-out --variants`). Plus the similarity thresholds that name a point
covered / partly / missed, an answer off-topic, or another question's answer.

Fitted by `python app.py calibrate FILE...` (see fit()), saved as
interviewer/grading/calibrations/<embedder>.json, loaded by the grader; prediction needs only
numpy. The whole-answer cosine baseline that eval compares with is calibrated the same way on
its one signal and saved beside it (baseline). A file naming signals the code does not compute
is refused, never used out of order.
"""

from pathlib import Path

import numpy as np
from pydantic import BaseModel

from interviewer.grading.features import NAMES

FOLDER = Path(__file__).parent / "calibrations"
SIGNALS = ["best_mean", "token_recall", "deep_token_recall"]
ISOTONIC_SHARE = 0.5  # of the map onto the human scale; the rest is the ridge's sum as it is
ALPHA = 300.0


class Calibration(BaseModel):
    embedder: str
    features: list[str]  # the signals it reads, by name (features.NAMES)
    mean: list[float]  # standardises them
    scale: list[float]
    coef: list[float]  # >= 0
    intercept: float
    iso_x: list[float]  # isotonic map: the ridge's sum -> 0..1, piecewise linear
    iso_y: list[float]
    share: float = ISOTONIC_SHARE  # of the isotonic map in the map onto the scale
    covered: float  # a point whose best clause is at least this similar is covered
    partly: float  # ... at least this, partly covered
    unrelated: float  # an answer whose best match to any point is below this is off-topic
    # an answer whose points are not covered, and which another question's points match by this
    # much more, answers that other question (scoring.py)
    elsewhere: float = 1.0
    # (point, token): how far ahead of saying nothing an answer must match to state a point
    # (evidence.py); None: this embedder judges no answer empty
    margins: tuple[float, float] | None = None
    baseline: "Calibration | None" = None  # the cosine baseline, fitted the same way on the same rows
    fitted_on: str = ""
    n: int = 0

    def columns(self) -> list[int]:
        """Where its signals are in a row of features.NAMES."""
        return [NAMES.index(name) for name in self.features]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Rows of its own signals (columns() of a full row) -> scores in [0, 1]."""
        z = (np.atleast_2d(x) - np.asarray(self.mean)) / np.asarray(self.scale)
        linear = z @ np.asarray(self.coef) + self.intercept
        mapped = self.share * np.interp(linear, self.iso_x, self.iso_y) + (1 - self.share) * linear
        return np.clip(mapped, 0.0, 1.0)

    def save(self, folder: Path = FOLDER) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.embedder}.json"
        path.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")
        return path


def placeholder(embedder: str) -> Calibration:
    """A calibration that scores everything 0: only for computing signals before a first fit."""
    return Calibration(
        embedder=embedder,
        features=[],
        mean=[],
        scale=[],
        coef=[],
        intercept=0.0,
        iso_x=[0.0, 1.0],
        iso_y=[0.0, 0.0],
        covered=1.0,
        partly=1.0,
        unrelated=0.0,
    )


def load(embedder: str, folder: Path = FOLDER) -> Calibration:
    path = folder / f"{embedder}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.json")))
        raise FileNotFoundError(f"no grader calibration for embedder {embedder!r} (have: {known})")
    cal = Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    if not set(cal.features) <= set(NAMES):
        raise ValueError(
            f"{path} was fitted on grading signals this code does not compute; refit it with "
            "`python app.py calibrate FILE.jsonl`"
        )
    return cal


def fit(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    embedder: str,
    thresholds: tuple[float, float, float, float],
    fitted_on: str = "",
) -> Calibration:
    """Fit on rows x of the named signals and human scores y scaled to [0, 1]; thresholds:
    (covered, partly, unrelated, elsewhere)."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import Ridge

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    ridge = Ridge(alpha=ALPHA, positive=True, solver="lbfgs").fit(z, y)
    linear = ridge.predict(z)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(linear, y)
    covered, partly, unrelated, elsewhere = thresholds
    return Calibration(
        embedder=embedder,
        features=names,
        mean=mean.tolist(),
        scale=scale.tolist(),
        coef=ridge.coef_.tolist(),
        intercept=float(ridge.intercept_),
        iso_x=iso.X_thresholds_.tolist(),
        iso_y=iso.y_thresholds_.tolist(),
        covered=covered,
        partly=partly,
        unrelated=unrelated,
        elsewhere=elsewhere,
        fitted_on=fitted_on,
        n=len(y),
    )
