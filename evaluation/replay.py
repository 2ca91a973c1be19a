"""`eval --adapt K`: a person's appeals played on a graded file, as the app would take them.

Per draw (seeded): K questions of the file picked at random (a question with its twins, as
splits.py joins them), one answer of each; its human grade is the "appeal" for our grade of it.
The map adapt.py fits on those K pairs adjusts the grades of every answer to the file's other
questions, and only those are scored, so no appealed question is reported. Each grader is
adjusted by its own pairs; the same rows unadjusted are reported beside (`unadapted`), with
the mean predictor's RMSE on them. Mean and sd over the draws. `best_line`: the RMSE of the
least-squares line from each grader's scores to the human grades of the scored rows, fitted on
those very rows: the most any map of level and slope (adapt.py's kind) could reach, however
many appeals it had. `best_monotone`: the same for the best non-decreasing map of any shape
(isotonic, fitted on the scored rows), the bound for every map that keeps a better answer
scored at least as high.
"""

from collections.abc import Callable

import numpy as np
from sklearn.isotonic import IsotonicRegression

from evaluation.evaluate import GRADERS, Prepared
from evaluation.metrics import mean_sd, metrics, rmse
from interviewer.grading import adapt, scoring


def report(
    p: Prepared,
    idx: np.ndarray,
    predicted: dict[str, np.ndarray],
    scale: float,
    appeals: int,
    draws: int,
    fit: Callable[[list[tuple[float, float]]], adapt.Adjustment | None] = adapt.fit,
) -> dict[str, object]:
    """Figures for one file's rows idx, on its scale; predicted: evaluate.predict's 0-1 arrays;
    fit: the map the appeals fit (adapt.fit, or a variant of it)."""
    units = np.array([p.units[i] for i in idx])
    order = list(dict.fromkeys(units))
    if appeals >= len(order):
        raise ValueError(f"--adapt {appeals}: the file has only {len(order)} questions to draw from")
    adapted: dict[str, list] = {g: [] for g in GRADERS}
    plain: dict[str, list] = {g: [] for g in GRADERS}
    best: dict[str, list[float]] = {g: [] for g in GRADERS}
    monotone: dict[str, list[float]] = {g: [] for g in GRADERS}
    scored_rows = []
    for draw in range(draws):
        rng = np.random.default_rng(draw)
        picked = [order[n] for n in rng.permutation(len(order))[:appeals]]
        played = idx[[int(rng.choice(np.flatnonzero(units == u))) for u in picked]]
        scored = idx[~np.isin(units, picked)]
        scored_rows.append(len(scored))
        human, groups = p.y[scored] * scale, [p.groups[i] for i in scored]
        for g in GRADERS:
            if np.isnan(predicted[g][idx]).any():
                continue
            pairs = [(predicted[g][i] * 10, p.y[i] * 10) for i in played]
            fitted = fit(pairs)
            ceiling = predicted["ceiling"] if g == "interview" else np.full(len(p.y), 10.0)
            moved = [scoring.adjusted(predicted[g][i] * 10, ceiling[i], fitted) / 10 for i in scored]
            adapted[g].append(metrics(human, np.array(moved) * scale, scale, 0.0, groups))
            plain[g].append(metrics(human, predicted[g][scored] * scale, scale, 0.0, groups))
            slope, level = np.polyfit(predicted[g][scored], human, 1)
            best[g].append(rmse(human, level + slope * predicted[g][scored]))
            iso = IsotonicRegression().fit(predicted[g][scored], human)
            monotone[g].append(rmse(human, iso.predict(predicted[g][scored])))
    return {
        "appeals": appeals,
        "draws": draws,
        "scored": float(np.mean(scored_rows)),  # rows per draw: those of the questions not appealed
        "graders": {g: _figures(runs) for g, runs in adapted.items()},
        "unadapted": {g: _figures(runs) for g, runs in plain.items()},
        "best_line": {g: round(float(np.mean(rmse)), 4) for g, rmse in best.items() if rmse},
        "best_monotone": {g: round(float(np.mean(rmse)), 4) for g, rmse in monotone.items() if rmse},
    }


def _figures(runs: list) -> dict[str, float | None] | None:
    if not runs:
        return None
    out = mean_sd(runs)
    return {k: v for k, v in out.items() if not k.startswith("sec_per_answer")}
