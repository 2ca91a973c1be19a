"""Agreement between predicted and human scores: scipy's and scikit-learn's figures, and two of ours.

within_pearson: the mean, over questions with at least 3 varied answers, of Pearson inside each
question: whether answers to one question are put in the right order, whatever its level.
rmse_mean_predictor: the RMSE of always predicting the file's mean score, the bar any grader
must clear to say anything about level.
"""

import numpy as np


def metrics(
    human: np.ndarray,
    predicted: np.ndarray,
    scale: float,
    seconds: float,
    groups: list[str] | None = None,
) -> dict[str, float | None]:
    """Figures on the file's own scale; a correlation with a constant side is None."""
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics import cohen_kappa_score

    def grid(v: np.ndarray) -> np.ndarray:  # kappa needs classes: scores on a 0..10 integer grid
        return np.rint(np.clip(v / scale, 0, 1) * 10).astype(int)

    varied = np.ptp(human) > 0 and np.ptp(predicted) > 0
    out: dict[str, float | None] = {
        "pearson": round(float(pearsonr(human, predicted)[0]), 4) if varied else None,
        "spearman": round(float(spearmanr(human, predicted)[0]), 4) if varied else None,
        "rmse": round(rmse(human, predicted), 4),
        "qwk": round(float(cohen_kappa_score(grid(human), grid(predicted), weights="quadratic")), 4),
        "sec_per_answer": round(seconds, 4),
    }
    if groups is not None:
        out["within_pearson"] = within_pearson(human, predicted, groups)
        out["rmse_mean_predictor"] = round(rmse(human, np.full(len(human), human.mean())), 4)
    return out


def rmse(human: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.sqrt(np.mean((predicted - human) ** 2)))


def within_pearson(human: np.ndarray, predicted: np.ndarray, groups: list[str]) -> float | None:
    """Mean Pearson inside each question (3+ answers, both sides varied)."""
    from scipy.stats import pearsonr

    rs = []
    for g in dict.fromkeys(groups):
        idx = [i for i, x in enumerate(groups) if x == g]
        h, p = human[idx], predicted[idx]
        if len(idx) >= 3 and np.ptp(h) > 0 and np.ptp(p) > 0:
            rs.append(float(pearsonr(h, p)[0]))
    return round(float(np.mean(rs)), 4) if rs else None


def mean_sd(runs: list[dict[str, float | None]]) -> dict[str, float | None]:
    """Per figure over several runs (seeds): the mean, and its sd under "<name>_sd"."""
    out: dict[str, float | None] = {}
    for key in runs[0]:
        values = [r[key] for r in runs if r[key] is not None]
        out[key] = round(float(np.mean(values)), 4) if values else None  # type: ignore[arg-type]
        if len(runs) > 1 and key != "sec_per_answer":
            out[f"{key}_sd"] = round(float(np.std(values)), 4) if values else None  # type: ignore[arg-type]
    return out
