"""The grader's design choices, each measured with every graded file held out in turn.

    python app.py eval A.jsonl B.jsonl C.jsonl --leave-one-file-out --variants [--adapt K] [--json]

Each file is scored by a calibration fitted on the other files, less its twin questions
(splits.py), as `eval --leave-one-file-out` does; per variant and file: Pearson and RMSE of the
raw score (the model), of the interview score (the caps), and with --adapt K the interview
RMSE after K appeals (the personal map, mean over 5 draws). The README's "what was tried"
figures come from here. Model variants are fitted here with scikit-learn; "shipped" is the
app's own calibration.fit, caps and adapt.fit.
"""

import re
from collections.abc import Callable
from functools import partial

import numpy as np

from evaluation import replay
from evaluation.evaluate import Prepared, fit_calibration, predict, prepare
from evaluation.metrics import metrics
from evaluation.rows import EvalRow
from evaluation.splits import file_out
from interviewer.grading import adapt, calibration, scoring
from interviewer.grading.features import NAMES
from interviewer.grading.grader import Grader

Learner = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]
EVERY = list(NAMES)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def run(files: list[tuple[list[EvalRow], float]], names: list[str], grader: Grader, appeals: int) -> dict:
    p = prepare(files, grader)
    splits = [file_out(p.files, p.units, k) for k in range(len(files))]
    scales = [scale for _, scale in files]
    out: dict[str, dict] = {"raw": {}, "interview": {}, "adapted": {}}
    for label, columns, learner in _models():
        raw = np.full(len(p.y), np.nan)
        for train, test in splits:
            keep = [int(i) for i in train if not p.signals[i].guard]
            model = learner(_rows(p, keep, columns), p.y[keep])
            raw[test] = model(_rows(p, list(test), columns))
        raw[[i for i, s in enumerate(p.signals) if s.guard]] = 0.0  # a guard decides: 0, as in the app
        out["raw"][label] = _figures(p, raw, names, scales)
    shipped = predict(p, grader, splits)
    out["interview"]["shipped caps"] = _figures(p, shipped["interview"], names, scales)
    out["interview"]["before: points cap 2 + 8 x coverage, elsewhere margin 0.1"] = _figures(
        p, _caps_before(p, grader, splits), names, scales
    )
    out["interview"]["+ a gate on the closest point (vague answers lower)"] = _figures(
        p, _gated(p, shipped["interview"], splits), names, scales
    )
    if appeals:
        maps: dict[str, Callable[[list[tuple[float, float]]], adapt.Adjustment | None]] = {
            "shipped map": adapt.fit,
            "level only (slope 1)": _level_only,
            "slope prior 3 pairs": partial(adapt.fit, slope_prior=3.0),
            "slope prior 30 pairs": partial(adapt.fit, slope_prior=30.0),
        }
        for label, fit in maps.items():
            out["adapted"][label] = {}
            for k, name in enumerate(names):
                idx = np.flatnonzero(p.files == k)
                r = replay.report(p, idx, shipped, scales[k], appeals, 5, fit)
                after, before = r["graders"]["interview"], r["unadapted"]["interview"]  # type: ignore[index]
                out["adapted"][label][name] = {"rmse": after["rmse"], "unadapted_rmse": before["rmse"]}
    return out


def _models() -> list[tuple[str, list[str], Learner]]:
    signals, half = calibration.SIGNALS, _shipped(calibration.ISOTONIC_SHARE)
    return [
        ("shipped: 3 signals, weights >= 0, half isotonic", signals, half),
        ("+ the question's language as a signal", [*signals, "language"], half),
        ("isotonic map alone", signals, _shipped(1.0)),
        ("the ridge's sum alone", signals, _shipped(0.0)),
        ("all 20 signals, weights >= 0", EVERY, half),
        ("before: 20 signals + language, products, ridge + isotonic, trees", [*EVERY, "language"], _before),
    ]


def _shipped(share: float) -> Learner:
    def learn(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        names = [f"s{k}" for k in range(x.shape[1])]
        cal = calibration.fit(x, y, names, "variant", (1.0, 1.0, 0.0, 1.0))
        return cal.model_copy(update={"share": share}).predict

    return learn


def _before(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The previous shipped model: ridge over the signals and their pairwise products, an
    isotonic map, averaged with 100 boosted trees of depth 3."""
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import Ridge

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0

    def wide(rows: np.ndarray) -> np.ndarray:
        z = (rows - mean) / scale
        i, j = np.triu_indices(z.shape[1], 1)
        return np.hstack([z, z[:, i] * z[:, j]])

    w = wide(x)
    m2, s2 = w.mean(axis=0), w.std(axis=0)
    s2[s2 == 0] = 1.0
    ridge = Ridge(alpha=300.0).fit((w - m2) / s2, y)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(ridge.predict((w - m2) / s2), y)
    trees = GradientBoostingRegressor(
        n_estimators=100, learning_rate=0.1, max_depth=3, min_samples_leaf=20, random_state=0
    ).fit(x, y)

    def predict(rows: np.ndarray) -> np.ndarray:
        smooth = iso.predict(ridge.predict((wide(rows) - m2) / s2))
        return (smooth + np.clip(trees.predict(rows), 0.0, 1.0)) / 2

    return predict


def _rows(p: Prepared, idx: list[int], columns: list[str]) -> np.ndarray:
    def value(i: int, name: str) -> float:
        if name == "language":  # 1 for a question in Chinese: what the old `chinese` signal was
            question = p.rows[i].question
            return float(len(_CJK.findall(question)) > 0.3 * max(len(question.strip()), 1))
        return float(p.signals[i].features[NAMES.index(name)]) if not p.signals[i].guard else 0.0

    return np.array([[value(i, name) for name in columns] for i in idx], dtype=float).reshape(len(idx), -1)


def _caps_before(p: Prepared, grader: Grader, splits: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The interview score under the previous caps: every point's share of 2 + 8 x coverage, and
    another question's answer called at a fixed margin of 0.1."""
    out = np.zeros(len(p.y))
    for train, test in splits:
        cal = fit_calibration(p, train, grader.embedder.name, "variant").model_copy(update={"elsewhere": 0.1})
        for i in test:
            s, rubric = p.signals[i], p.rubrics[p.groups[i]]
            grade = scoring.finish(grader, s, rubric, p.others(i), cal)
            coverage = sum({"covered": 1.0, "partly": 0.5}.get(pt.status, 0.0) for pt in grade.points)
            cap = 2 + 8 * coverage / len(grade.points) if grade.points else 10.0
            out[i] = min(grade.score or 0.0, cap) / 10
    return out


def _gated(p: Prepared, interview: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The interview score scaled down as the answer's closest point falls from where 95% of
    the training answers are to where half the answers paired with another question are: what
    would take a vague answer ("I would have to look it up") toward 0."""
    nearest = np.array([float(s.sim.max()) if s.sim.size and not s.guard else 0.0 for s in p.signals])
    out = interview.copy()
    for train, test in splits:
        rows = set(train.tolist())
        off = [float(s.sim.max()) for i, _, s in p.negatives if i in rows and not s.guard and s.sim.size]
        real = [nearest[i] for i in train if not p.signals[i].guard]
        low, high = float(np.median(off)), float(np.quantile(real, 0.05))
        out[test] *= np.clip((nearest[test] - low) / max(high - low, 1e-6), 0.0, 1.0)
    return out


def _level_only(pairs: list[tuple[float, float]]) -> adapt.Adjustment | None:
    fitted = adapt.fit(pairs)
    return None if fitted is None else fitted.model_copy(update={"slope": 1.0})


def _figures(p: Prepared, predicted: np.ndarray, names: list[str], scales: list[float]) -> dict:
    out = {}
    for k, name in enumerate(names):
        idx = np.flatnonzero(p.files == k)
        m = metrics(p.y[idx] * scales[k], predicted[idx] * scales[k], scales[k], 0.0)
        out[name] = {"pearson": m["pearson"], "rmse": m["rmse"]}
    return out


def table(result: dict) -> str:
    """The figures as Markdown tables, one per part."""
    lines = []
    for part, rows in result.items():
        if not rows:
            continue
        files = list(next(iter(rows.values())))
        lines += [f"\n{part}", "| variant | " + " | ".join(files) + " |", "|---" * (len(files) + 1) + "|"]
        for label, per_file in rows.items():
            cells = [" / ".join(f"{v:.3f}" for v in f.values() if v is not None) for f in per_file.values()]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
