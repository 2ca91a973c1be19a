"""Agreement with human graders on one or more JSONL files of graded answers (rows.py).

Graders, each reported per file on that file's own scale:
  rubric    : ours, the calibrated score before any cap;
  interview : ours as the interview shows it, every cap applied (scoring.finish), with the
              file's other questions standing in for the other questions of the notes;
  cosine    : whole answer vs whole reference, calibrated the same way (ridge + isotonic);
  llm_judge : a plain "score this 0-10" prompt to the LLM (judge.py), first rows only.
Without splits: the shipped calibration. With splits (splits.py: folds of questions, or each
file held out in turn), each split's rows are predicted by a calibration fitted on its other
rows, all files pooled (each score divided by its own file's scale); a question and its twins
are never on both sides.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evaluation.rows import EvalRow
from evaluation.splits import Split, units
from interviewer.grading import calibration, scoring
from interviewer.grading.clauses import split_clauses
from interviewer.grading.features import NAMES
from interviewer.grading.grader import KIND, Grader, Rubric, Signals
from interviewer.grading.rubrics import reference_rubric

GRADERS = ("rubric", "interview", "cosine")
NEGATIVE_EVERY = 8
# the most the elsewhere margin may be, whatever the graded files show: an answer that matches
# another question's points by this much more than any of its own is that question's answer
# (an embedder whose similarities spread wide, such as the fake one, would otherwise never call it)
ELSEWHERE_MAX = 0.5


@dataclass
class Prepared:
    rows: list[EvalRow]
    files: np.ndarray  # which file each row came from
    signals: list[Signals]
    rubrics: dict[str, Rubric]  # per question group ("<file>:<id>")
    cosine: np.ndarray  # whole answer vs whole reference
    y: np.ndarray  # human score / its file's scale, so files of any scale pool
    groups: list[str]
    units: list[str]  # a question with its twins and near-duplicates (splits.py)
    # off-topic examples: (row, another topic's group, the row's answer graded against it),
    # to place the off-topic threshold
    negatives: list[tuple[int, str, Signals]]
    others: Callable[[int], scoring.Elsewhere]  # per row, its file's other questions (_other_questions)


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
    unit = units([rs for rs, _ in files])
    others = _other_questions(rubrics, groups)
    return Prepared(rows, which, signals, rubrics, cosine, y, groups, unit, negatives, others)


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
    columns = [NAMES.index(s) for s in calibration.SIGNALS]
    x = np.vstack([p.signals[i].features[columns] for i in usable])
    y = p.y[usable]
    limits = thresholds(p, usable, y)
    cal = calibration.fit(x, y, calibration.SIGNALS, embedder, limits, fitted_on=name)
    cal.baseline = calibration.fit(p.cosine[usable, None], y, ["whole_cosine"], embedder, limits, name)
    cal.margins = shipped_margins(embedder)
    return cal


def shipped_margins(embedder: str) -> tuple[float, float] | None:
    """The embedder's margins for an answer that states nothing (evidence.py): set by hand from
    the bluffs and the graded files, not fitted, so every split and a refit keep them."""
    try:
        return calibration.load(embedder).margins
    except FileNotFoundError:
        return None


def thresholds(p: Prepared, idx: list[int], y: np.ndarray) -> tuple[float, float, float, float]:
    """covered: most points of near-perfect answers reach it. unrelated (a safety net under the
    calibration): 99% of real answers are more topical, and so are half the answers paired
    with another topic's question. elsewhere: 99% of real answers with no point covered are
    matched no better than this by another question of their file (at most ELSEWHERE_MAX)."""
    best = [p.signals[i].sim.max(axis=1) for i in idx]
    perfect = [b for b, yy in zip(best, y, strict=True) if yy >= 0.9] or best
    covered = float(np.quantile(np.concatenate(perfect), 0.25))
    rows = set(idx)
    off = [s.topicality for i, _, s in p.negatives if i in rows and not s.guard]
    real = float(np.quantile([p.signals[i].topicality for i in idx], 0.01))
    unrelated = min(real, float(np.median(off)) if off else real, covered - 0.05)
    gaps = []
    for i, b in zip(idx, best, strict=True):
        found = p.others(i)(p.signals[i].answer_vector) if b.max() < covered else None
        gaps += [found[0] - float(b.max())] if found else []
    elsewhere = min(float(np.quantile(gaps, 0.99)), ELSEWHERE_MAX) if gaps else ELSEWHERE_MAX
    return round(covered, 3), round((covered + unrelated) / 2, 3), round(unrelated, 3), round(elsewhere, 3)


def predict(p: Prepared, grader: Grader, splits: list[Split] | None = None) -> dict[str, np.ndarray]:
    """Each grader's predictions on 0-1, for every row: from the shipped calibration, or per
    split from one fitted on its training rows. "ceiling": the most the interview's caps let
    each row score (0-10), which a person's own map (adapt.py) stays under; "decided_by": what
    set each interview score (labels.py reads it)."""
    n = len(p.y)
    out = {name: np.full(n, np.nan) for name in (*GRADERS, "ceiling")}
    out["decided_by"] = np.full(n, None, dtype=object)  # which guard or cap set the interview's score
    parts: list[tuple[np.ndarray | None, np.ndarray]] = [(None, np.arange(n))]
    parts = list(splits) if splits is not None else parts
    for train, test in parts:
        cal = grader.cal if train is None else fit_calibration(p, train, grader.embedder.name, "split")
        for i in test:
            s, rubric = p.signals[i], p.rubrics[p.groups[i]]
            raw = grader.raw(s, cal)
            out["rubric"][i] = raw / 10
            final = scoring.finish(grader, s, rubric, p.others(i), cal)
            out["interview"][i] = (final.score if final.score is not None else 0.0) / 10
            out["decided_by"][i] = final.decided_by
            points = grader.points(rubric, s, cal)
            out["ceiling"][i] = 0.0 if s.guard else scoring.ceiling(s, points, cal, raw, p.others(i))[0]
            if cal.baseline is not None:
                out["cosine"][i] = float(cal.baseline.predict(np.array([[p.cosine[i]]]))[0])
    return out


def _other_questions(rubrics: dict[str, Rubric], groups: list[str]) -> Callable[[int], scoring.Elsewhere]:
    """Per row, its file's other questions: what the notes' other items are in the app."""
    keys = list(rubrics)
    owner = np.concatenate([np.full(len(rubrics[g].points), k) for k, g in enumerate(keys)]).astype(int)
    vectors = np.vstack([rubrics[g].vectors for g in keys])
    file_of = np.array([g.split(":", 1)[0] for g in keys])

    def for_row(i: int) -> scoring.Elsewhere:
        k = keys.index(groups[i])
        mask = (owner != k) & (file_of[owner] == file_of[k])

        def search(vector: np.ndarray) -> tuple[float, str] | None:
            if not mask.any():
                return None
            sims = np.where(mask, vectors @ vector, -np.inf)
            best = int(sims.argmax())
            return float(sims[best]), keys[owner[best]]

        return search

    return for_row
