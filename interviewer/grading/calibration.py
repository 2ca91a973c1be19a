"""The few numbers that turn grading features into a 0-1 score, per embedder, as data.

A ridge regression over standardised features and their pairwise products (coverage counts
for more when the answer also uses the reference's own words, and so on), then a monotone
(isotonic) map onto the human scale, averaged with boosted trees on the raw features
(trees.py); plus the similarity thresholds that name a point covered / partly / missed and an
answer off-topic. Fitted by `python app.py calibrate FILE` (see fit()), saved as
interviewer/grading/calibrations/<embedder>.json, loaded by the grader; prediction needs only
numpy. The whole-answer cosine baseline that eval compares with is calibrated the same way but
for the trees (ridge + isotonic on its one signal) and saved beside it (baseline).
A file whose feature names are not the code's is refused, never used out of order.
"""

from pathlib import Path

import numpy as np
from pydantic import BaseModel

from interviewer.grading import trees
from interviewer.grading.features import NAMES

FOLDER = Path(__file__).parent / "calibrations"


class Calibration(BaseModel):
    embedder: str
    features: list[str]
    mean: list[float]  # standardises the features
    scale: list[float]
    mean2: list[float]  # standardises the features and their pairwise products
    scale2: list[float]
    coef: list[float]
    intercept: float
    iso_x: list[float]  # isotonic map: linear output -> 0..1, piecewise linear
    iso_y: list[float]
    forest: trees.Forest | None = None  # half of every score, where fitted
    covered: float  # a point whose best clause is at least this similar is covered
    partly: float  # ... at least this, partly covered
    unrelated: float  # an answer whose best match to any point is below this is off-topic
    baseline: "Calibration | None" = None  # the cosine baseline, fitted the same way on the same rows
    fitted_on: str = ""
    n: int = 0

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Rows of features -> scores in [0, 1]."""
        z = (np.atleast_2d(x) - np.asarray(self.mean)) / np.asarray(self.scale)
        z2 = (expand(z) - np.asarray(self.mean2)) / np.asarray(self.scale2)
        linear = z2 @ np.asarray(self.coef) + self.intercept
        smooth = np.clip(np.interp(linear, self.iso_x, self.iso_y), 0.0, 1.0)
        if self.forest is None:
            return smooth
        return (smooth + np.clip(self.forest.predict(x), 0.0, 1.0)) / 2

    def save(self, folder: Path = FOLDER) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.embedder}.json"
        path.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")
        return path


def expand(z: np.ndarray) -> np.ndarray:
    """Features and all their pairwise products: [z1, z2, z3] -> [z1, z2, z3, z1z2, z1z3, z2z3]."""
    i, j = np.triu_indices(z.shape[1], 1)
    return np.hstack([z, z[:, i] * z[:, j]])


def placeholder(embedder: str) -> Calibration:
    """A calibration that scores everything 0: only for computing signals before a first fit."""
    return Calibration(
        embedder=embedder,
        features=[],
        mean=[],
        scale=[],
        mean2=[],
        scale2=[],
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
    if cal.features != NAMES:
        raise ValueError(
            f"{path} was fitted on other grading features than this code computes; refit it with "
            "`python app.py calibrate FILE.jsonl`"
        )
    return cal


def fit(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    embedder: str,
    thresholds: tuple[float, float, float],
    fitted_on: str = "",
    alpha: float = 300.0,
    boosted: bool = True,
) -> Calibration:
    """Fit on feature rows x and human scores y scaled to [0, 1]; `boosted=False` leaves out the
    trees (one signal, like the cosine baseline's, gains nothing from them over isotonic)."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import Ridge

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    wide = expand((x - mean) / scale)
    mean2, scale2 = wide.mean(axis=0), wide.std(axis=0)
    scale2[scale2 == 0] = 1.0
    z2 = (wide - mean2) / scale2
    ridge = Ridge(alpha=alpha).fit(z2, y)
    linear = ridge.predict(z2)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(linear, y)
    covered, partly, unrelated = thresholds
    return Calibration(
        embedder=embedder,
        features=names,
        mean=mean.tolist(),
        scale=scale.tolist(),
        mean2=mean2.tolist(),
        scale2=scale2.tolist(),
        coef=ridge.coef_.tolist(),
        intercept=float(ridge.intercept_),
        iso_x=iso.X_thresholds_.tolist(),
        iso_y=iso.y_thresholds_.tolist(),
        forest=trees.fit(x, y) if boosted else None,
        covered=covered,
        partly=partly,
        unrelated=unrelated,
        fitted_on=fitted_on,
        n=len(y),
    )
