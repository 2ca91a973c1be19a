"""Boosted regression trees as plain arrays: fitted with scikit-learn, predicted with numpy.

The ridge in calibration.py adds up smooth effects of the features and their products; trees
also catch thresholds and plateaus (a point counts once it is clearly matched, not more the
better it matches). Averaging the two lifted held-out agreement on both graded files
(README, "Grading"). Every tree is padded to the same number of nodes, so all of them are
walked at once.
"""

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

if TYPE_CHECKING:
    from sklearn.ensemble import GradientBoostingRegressor

# fixed before fitting: shallow trees, many leaves' worth of answers each, 100 small steps
DEPTH = 3
TREES = 100
RATE = 0.1
LEAF = 20


class Forest(BaseModel):
    base: float  # the mean score the trees start from
    feature: list[list[int]]  # per tree, per node: the feature split on; -1 at a leaf
    threshold: list[list[float]]  # a row goes left when its feature is <= this
    left: list[list[int]]
    right: list[list[int]]
    value: list[list[float]]  # at a leaf: what the tree adds, learning rate included

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Rows of features -> the trees' sum, unclipped."""
        # sklearn compares features as float32 against float64 thresholds: the same here
        x = np.atleast_2d(x).astype(np.float32).astype(np.float64)
        feature, threshold = np.asarray(self.feature), np.asarray(self.threshold)
        left, right, value = np.asarray(self.left), np.asarray(self.right), np.asarray(self.value)
        tree = np.arange(feature.shape[0])[None, :]
        node = np.zeros((x.shape[0], feature.shape[0]), dtype=int)
        for _ in range(DEPTH):
            f = feature[tree, node]
            goes_left = x[np.arange(x.shape[0])[:, None], np.maximum(f, 0)] <= threshold[tree, node]
            step = np.where(goes_left, left[tree, node], right[tree, node])
            node = np.where(f < 0, node, step)
        return self.base + value[tree, node].sum(axis=1)


def regressor() -> "GradientBoostingRegressor":
    """scikit-learn's model with the settings above, unfitted."""
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(
        n_estimators=TREES, learning_rate=RATE, max_depth=DEPTH, min_samples_leaf=LEAF, random_state=0
    )


def fit(x: np.ndarray, y: np.ndarray) -> Forest:
    model = regressor().fit(x, y)
    trees = [estimator.tree_ for estimator in model.estimators_[:, 0]]
    width = max(t.node_count for t in trees)

    def padded(rows: list[np.ndarray], fill: float) -> list[Any]:
        return [np.pad(r, (0, width - len(r)), constant_values=fill).tolist() for r in rows]

    is_leaf = [t.children_left < 0 for t in trees]
    return Forest(
        base=float(model.init_.constant_.ravel()[0]),
        feature=padded([np.where(leaf, -1, t.feature) for t, leaf in zip(trees, is_leaf, strict=True)], -1),
        threshold=padded([t.threshold for t in trees], 0.0),
        left=padded([t.children_left for t in trees], -1),
        right=padded([t.children_right for t in trees], -1),
        value=padded([t.value[:, 0, 0] * RATE for t in trees], 0.0),
    )
