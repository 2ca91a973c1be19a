"""Agreement with human graders on one or more JSONL files of graded answers (rows.py).

Graders, each reported per file on that file's own scale:
  rubric    : ours, the calibrated score before any cap;
  interview : ours as the interview shows it, every cap applied (scoring.finish), with the
              file's other questions standing in for the other questions of the notes;
  cosine    : whole answer vs whole reference, calibrated the same way (ridge + isotonic);
  llm_judge : a plain "score this 0-10" prompt to the LLM (judge.py), first rows only.
Without --folds: the shipped calibration. With --folds K: fitted on the other folds of
*questions* of all files pooled (each score divided by its own file's scale), so no question is
both fitted and reported; --seeds S repeats that over S different splits (mean and sd).
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from interviewer.grading import calibration, scoring
from interviewer.grading.clauses import split_clauses
from interviewer.grading.features import NAMES
from interviewer.grading.grader import KIND, Grader, Rubric, Signals
from interviewer.grading.rows import EvalRow
from interviewer.grading.rubrics import reference_rubric

GRADERS = ("rubric", "interview", "cosine")
NEGATIVE_EVERY = 8


@dataclass
class Prepared:
    rows: list[EvalRow]
    files: np.ndarray  # which file each row came from
    signals: list[Signals]
    rubrics: dict[str, Rubric]  # per question group ("<file>:<id>")
    cosine: np.ndarray  # whole answer vs whole reference
    y: np.ndarray  # human score / its file's scale, so files of any scale pool
    groups: list[str]
    # off-topic examples: (row, another topic's group, the row's answer graded against it),
    # to place the off-topic threshold
    negatives: list[tuple[int, str, Signals]]


def prepare(files: list[tuple[list[EvalRow], float]], grader: Grader, progress: bool = True) -> Prepared:
    emb = grader.embedder
    rows = [r for rs, _ in files for r in rs]
    which = np.concatenate([np.full(len(rs), k) for k, (rs, _) in enumerate(files)])
    groups = [f"{k}:{r.group}" for k, r in zip(which, rows, strict=True)]
    refs = dict(zip(groups, (r.references for r in rows), strict=True))
    questions = dict(zip(groups, (r.question for r in rows), strict=True))
    rubrics = {g: reference_rubric(v, emb) for g, v in refs.items()}
    ref_vec = {g: emb.encode([" ".join(v)], KIND)[0] for g, v in refs.items()}
    warm(rows, grader, progress)
    signals = [grader.signals(r.question, rubrics[g], r.answer) for r, g in zip(rows, groups, strict=True)]
    answers = emb.encode([r.answer.strip() or " " for r in rows], KIND)
    cosine = np.array([float(a @ ref_vec[g]) for a, g in zip(answers, groups, strict=True)])
    y = np.concatenate([[r.score / scale for r in rs] for rs, scale in files])
    negatives = [
        (i, other, grader.signals(questions[other], rubrics[other], rows[i].answer))
        for i, other in off_topic_pairs(groups)
    ]
    return Prepared(rows, which, signals, rubrics, cosine, y, groups, negatives)


def off_topic_pairs(groups: list[str], every: int = NEGATIVE_EVERY) -> list[tuple[int, str]]:
    """Every `every`-th row paired with a question of another topic ("3.1" vs "4.2"): graded
    sets have almost no off-topic answers, so these stand in for them."""
    order = list(dict.fromkeys(groups))
    topic = {g: g.split(".")[0] if "." in g else g for g in order}
    pairs = []
    for i in range(0, len(groups), every):
        k = order.index(groups[i])
        for step in range(1, len(order)):
            other = order[(k + step * 7) % len(order)]
            if topic[other] != topic[groups[i]]:
                pairs.append((i, other))
                break
    return pairs


def warm(rows: list[EvalRow], grader: Grader, progress: bool) -> None:
    """Embed every text once in big batches (a CachedEmbedder then serves the per-row calls):
    questions and clauses with their tokens, whole answers (the cosine baseline's) without."""
    whole = list(dict.fromkeys(t for r in rows if (t := r.answer.strip())))
    parts = list(dict.fromkeys(t for r in rows for t in [r.question, *split_clauses(r.answer.strip())] if t))
    step = 128
    bar = None
    if progress:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=len(whole) + len(parts), desc="embedding answers", unit="text", file=sys.stderr)
    for texts, embed in ((whole, grader.embedder.encode), (parts, grader.embedder.encode_tokens)):
        for start in range(0, len(texts), step):
            embed(texts[start : start + step], KIND)
            if bar:
                bar.update(len(texts[start : start + step]))
    if bar:
        bar.close()


def fit_calibration(p: Prepared, idx: np.ndarray, embedder: str, name: str) -> calibration.Calibration:
    usable = [int(i) for i in idx if not p.signals[i].guard]
    x = np.vstack([p.signals[i].features for i in usable])
    y = p.y[usable]
    limits = thresholds(p, usable, y)
    cal = calibration.fit(x, y, NAMES, embedder, limits, fitted_on=name)
    cal.baseline = calibration.fit(
        p.cosine[usable, None], y, ["whole_cosine"], embedder, limits, name, boosted=False
    )
    return cal


def thresholds(p: Prepared, idx: list[int], y: np.ndarray) -> tuple[float, float, float]:
    """covered: most points of near-perfect answers reach it. unrelated (a safety net under the
    calibration): 99% of real answers are more topical, and so are half the answers paired
    with another topic's question."""
    best = [p.signals[i].sim.max(axis=1) for i in idx]
    perfect = [b for b, yy in zip(best, y, strict=True) if yy >= 0.9] or best
    covered = float(np.quantile(np.concatenate(perfect), 0.25))
    rows = set(idx)
    off = [s.topicality for i, _, s in p.negatives if i in rows and not s.guard]
    real = float(np.quantile([p.signals[i].topicality for i in idx], 0.01))
    unrelated = min(real, float(np.median(off)) if off else real, covered - 0.05)
    return round(covered, 3), round((covered + unrelated) / 2, 3), round(unrelated, 3)


def question_folds(groups: list[str], k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) per fold; all answers to one question fall in the same fold, and
    the seed decides which questions go together."""
    order = list(dict.fromkeys(groups))
    np.random.default_rng(seed).shuffle(order)
    fold = {g: n % k for n, g in enumerate(order)}
    of = np.array([fold[g] for g in groups])
    return [(np.flatnonzero(of != f), np.flatnonzero(of == f)) for f in range(k)]


def predict(p: Prepared, grader: Grader, folds: int | None, seed: int = 0) -> dict[str, np.ndarray]:
    """Each grader's predictions on 0-1, for every row."""
    n = len(p.y)
    out = {name: np.full(n, np.nan) for name in GRADERS}
    splits: list[tuple[np.ndarray | None, np.ndarray]] = [(None, np.arange(n))]
    if folds:
        splits = list(question_folds(p.groups, folds, seed))
    others = _other_questions(p)
    for train, test in splits:
        cal = grader.cal if train is None else fit_calibration(p, train, grader.embedder.name, "fold")
        for i in test:
            s = p.signals[i]
            out["rubric"][i] = grader.raw(s, cal) / 10
            final = scoring.finish(grader, s, p.rubrics[p.groups[i]], others(i), cal).score
            out["interview"][i] = (final if final is not None else 0.0) / 10
            if cal.baseline is not None:
                out["cosine"][i] = float(cal.baseline.predict(np.array([[p.cosine[i]]]))[0])
    return out


def _other_questions(p: Prepared) -> Callable[[int], scoring.Elsewhere]:
    """Per row, its file's other questions: what the notes' other items are in the app."""
    keys = list(p.rubrics)
    owner = np.concatenate([np.full(len(p.rubrics[g].points), k) for k, g in enumerate(keys)]).astype(int)
    vectors = np.vstack([p.rubrics[g].vectors for g in keys])
    file_of = np.array([g.split(":", 1)[0] for g in keys])

    def for_row(i: int) -> scoring.Elsewhere:
        k = keys.index(p.groups[i])
        mask = (owner != k) & (file_of[owner] == file_of[k])

        def search(vector: np.ndarray) -> tuple[float, str] | None:
            if not mask.any():
                return None
            sims = np.where(mask, vectors @ vector, -np.inf)
            best = int(sims.argmax())
            return float(sims[best]), keys[owner[best]]

        return search

    return for_row
