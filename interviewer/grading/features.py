"""The signals a grade can be made of, from vectors and words; no model calls here.

Inputs are unit vectors: P (rubric points), C (answer clauses), a (whole answer), q (question).
sim[i, j] = cos(point i, clause j); best[i] = max_j sim[i, j] is how well point i is covered.
Words the question already gives away earn nothing (question demoting, Sultan et al. 2016):
the lexical signals count only reference words that are not in the question.
Rp, Ac, Qt are the same texts' tokens in context, each row two unit halves (the embedder's last
layer, and one three quarters in): matched one by one as BERTScore does (Zhang et al. 2020),
each token weighted by how little of it the question already says.
The calibration (calibration.py) names the few it uses; the others are computed for eval's
variants (evaluation/variants.py), which measure what each would add with every file held out.
None of them says which language, grader or file an answer comes from.
"""

import re

import numpy as np

THRESHOLDS = (0.5, 0.6, 0.7, 0.8)
NAMES = [
    "best_mean",
    "best_min",
    "best_max",
    *(f"covered_{t}" for t in THRESHOLDS),
    "clause_precision",
    "whole_cosine",
    "answer_vs_question",
    "demoted_best_mean",
    "word_recall",
    "word_precision",
    "log_length",
    "length_ratio",
    "stem_recall",
    "char_recall",
    "token_recall",
    "token_precision",
    "token_f1",
    "deep_token_recall",
]
# (1 - a token's best match in the question) ** NOVELTY: a token the question says counts ~0
NOVELTY = 4
# a Chinese word is about two characters: count and match character pairs, so Chinese and
# English answers of the same content get similar word counts and overlaps
_WORD = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]{1,2}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_ZH_STOP = frozenset(
    "的 了 是 在 和 与 或 也 就 都 而 及 等 把 被 对 从 这 那 一个 我们 可以 进行 通过 使用 其 之".split()
)
_STOP = frozenset(
    "a an the of to in on for and or is are was were be been it its this that these those with as by at "
    "from can will would should which what when how why do does did not no so if then than there their "
    "they them you your we our i me my he she his her has have had but also more most".split()
)


def similarities(points: np.ndarray, clauses: np.ndarray) -> np.ndarray:
    return np.clip(points @ clauses.T, -1.0, 1.0)


def features(
    sim: np.ndarray,
    points: np.ndarray,
    answer: np.ndarray,
    question: np.ndarray,
    answer_text: str,
    reference_text: str,
    question_text: str,
    in_context: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """One row of len(NAMES) numbers for one (answer, rubric) pair; in_context: (Rp, Ac, Qt)."""
    best = sim.max(axis=1)
    reference = points.mean(axis=0)
    reference = reference / (np.linalg.norm(reference) or 1.0)
    # how much of each point's match the question alone would already explain
    given_away = np.clip(points @ question, 0.0, None)
    demoted = np.clip(best - given_away, 0.0, None)
    ref_words, answer_words = words(reference_text), words(answer_text)
    new_words = ref_words - words(question_text) or ref_words
    answer_new = answer_words - words(question_text)
    row = [
        best.mean(),
        best.min(),
        best.max(),
        *((best >= t).mean() for t in THRESHOLDS),
        sim.max(axis=0).mean(),
        float(answer @ reference),
        float(answer @ question),
        demoted.mean(),
        len(new_words & answer_words) / max(len(new_words), 1),
        len(answer_new & ref_words) / max(len(answer_new), 1),
        np.log1p(len(tokens(answer_text))),
        np.log1p(len(tokens(answer_text))) - np.log1p(len(tokens(reference_text))),
        _recall(stems(reference_text), stems(answer_text), stems(question_text)),
        _recall(char_grams(reference_text), char_grams(answer_text), char_grams(question_text)),
        *token_matches(*in_context),
    ]
    return np.asarray(row, dtype=np.float64)


def token_matches(reference: np.ndarray, answer: np.ndarray, question: np.ndarray) -> list[float]:
    """In the last layer: recall (reference tokens the answer matches), precision (answer tokens
    the reference matches) and their F1; in the deeper-in layer, recall alone (the one that
    earned its place). Each token counts by its novelty against the question."""
    if not len(reference) or not len(answer):
        return [0.0, 0.0, 0.0, 0.0]
    half = reference.shape[1] // 2
    recall, precision = _match(reference[:, :half], answer[:, :half], question[:, :half])
    deep, _ = _match(reference[:, half:], answer[:, half:], question[:, half:])
    total = recall + precision
    return [recall, precision, 2 * recall * precision / total if total > 0 else 0.0, deep]


def _match(reference: np.ndarray, answer: np.ndarray, question: np.ndarray) -> tuple[float, float]:
    sim = reference @ answer.T
    recall = _weighted(sim.max(axis=1), _novelty(reference, question))
    return recall, _weighted(sim.max(axis=0), _novelty(answer, question))


def _novelty(tokens: np.ndarray, question: np.ndarray) -> np.ndarray:
    if not len(question):
        return np.ones(len(tokens))
    return (1.0 - np.clip((tokens @ question.T).max(axis=1), 0.0, 1.0)) ** NOVELTY


def _weighted(values: np.ndarray, weights: np.ndarray) -> float:
    total = float(weights.sum())
    return float(values @ weights) / total if total > 0 else 0.0


def _recall(reference: set[str], answer: set[str], question: set[str]) -> float:
    """Share of the reference's pieces the question did not give away that the answer has."""
    new = reference - question or reference
    return len(new & answer) / max(len(new), 1)


def stems(text: str) -> set[str]:
    """words(), English ones cut harder: "pointers", "pointed", "pointing" -> "point"."""
    return {_stem(w) if w.isascii() else w for w in words(text)}


def char_grams(text: str, n: int = 4) -> set[str]:
    """Overlapping 4-character pieces: spelling variants and compounds still meet."""
    s = re.sub(r"\s+", " ", text.lower())
    return {s[i : i + n] for i in range(len(s) - n + 1)}


def _stem(w: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly", "er"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def tokens(text: str) -> list[str]:
    """Words of an answer, for counting: English words, Chinese character pairs."""
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and w not in _ZH_STOP]


def words(text: str) -> set[str]:
    """Words for matching: English words (crudely stemmed: "pointers" = "pointer") and every
    overlapping Chinese character pair, so "归一化" matches "归一" and "一化"."""
    low = text.lower()
    english = {w[:-1] if len(w) > 4 and w.endswith("s") else w for w in re.findall(r"[a-z0-9]+", low)}
    pairs = {run[i : i + 2] for run in _CJK_RUN.findall(low) for i in range(len(run) - 1)}
    return (english - _STOP) | (pairs - _ZH_STOP)
