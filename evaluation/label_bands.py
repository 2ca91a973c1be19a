"""Scores against graders' classes, for files whose answers carry a `label` (Beetle's five).

Two figures beside the correlations: the mean score shown per label (does "I don't know" score
under a wrong answer, and that under a partly right one?), and how well the score's bands
sort answers into the labels, as macro-F1, the figure published results on Beetle report.

    bands      >= 7 correct, 4-7 partially correct, < 4 the rest (3-way);
    5-way      under 4, what decided the score names the class: a guard ("I don't know")
               non_domain; off-topic, another question's answer or no point stated
               irrelevant; anything else (the points argued against, a wrong verdict)
               contradictory.
"""

from collections.abc import Sequence

import numpy as np

CORRECT, PARTIAL = "correct", "partially_correct_incomplete"
IRRELEVANT, NON_DOMAIN, CONTRADICTORY = "irrelevant", "non_domain", "contradictory"
LABELS = (CORRECT, PARTIAL, CONTRADICTORY, IRRELEVANT, NON_DOMAIN)
STRONG, PASSING = 7.0, 4.0
UNANSWERED = frozenset({"off_topic", "elsewhere", "no_evidence"})


def five_way(score: float, decided_by: str | None) -> str:
    """A score (0-10) and what decided it -> one of LABELS."""
    if score >= STRONG:
        return CORRECT
    if score >= PASSING:
        return PARTIAL
    if decided_by == "guard":
        return NON_DOMAIN
    return IRRELEVANT if decided_by in UNANSWERED else CONTRADICTORY


def three_way(label: str) -> str:
    return label if label in (CORRECT, PARTIAL) else "incorrect"


def report(labels: Sequence[str], scores: np.ndarray, decided_by: Sequence[str | None]) -> dict[str, object]:
    """Mean score shown per label (0-10, with its count), and the bands' macro-F1 both ways."""
    from sklearn.metrics import f1_score

    labels = list(labels)
    means = {
        label: {"mean": round(float(np.mean(scores[picked])), 2), "n": int(picked.sum())}
        for label in LABELS
        if (picked := np.array([x == label for x in labels])).any()
    }
    predicted = [five_way(float(s), d) for s, d in zip(scores, decided_by, strict=True)]
    return {
        "per_label": means,
        "macro_f1_5way": round(float(f1_score(labels, predicted, average="macro", labels=list(means))), 4),
        "macro_f1_3way": round(
            float(
                f1_score([three_way(x) for x in labels], [three_way(x) for x in predicted], average="macro")
            ),
            4,
        ),
    }
