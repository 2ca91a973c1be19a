"""Agreement with human graders on a JSONL file of graded answers, for three graders.

rubric  : ours (grader.py) with the shipped calibration, or with --folds K one fitted on the
          other folds of *questions*, so no question is both fitted and reported;
cosine  : whole answer vs whole reference, linearly calibrated the same way;
llm_judge: a plain "score this 0-10" prompt to the LLM (what GPTInterviewer and Interviewer do),
          on the first rows only, being slow.
Metrics are scipy/scikit-learn's; RMSE is on the file's own scale.
"""

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from interviewer import calibration
from interviewer.chat import ChatBackend, reply
from interviewer.features import NAMES
from interviewer.grader import KIND, Grader, Rubric, Signals
from interviewer.prompts import render
from interviewer.rubrics import reference_rubric

NEGATIVE_EVERY = 8


class EvalRow(BaseModel):
    question: str
    answer: str
    score: float
    references: list[str]
    group: str


def load_rows(path: Path, limit: int | None = None) -> tuple[list[EvalRow], float]:
    """Rows and the scale's maximum (scale_max, else the largest score in the file)."""
    rows, scale = [], 0.0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            refs = [d["reference"]] if d.get("reference") else []
            refs += [d[k] for k in sorted(d) if k.startswith("reference") and k != "reference" and d[k]]
            group = str(d.get("question_id") or d.get("q_id") or d["question"])
            rows.append(
                EvalRow(
                    question=d["question"],
                    answer=d["answer"],
                    score=float(d["score"]),
                    references=refs,
                    group=group,
                )
            )
            scale = max(scale, float(d.get("scale_max") or 0))
        except (KeyError, ValueError, TypeError) as e:
            raise ValueError(f"{path}:{n}: not a graded answer ({e})") from e
    rows = rows[:limit] if limit else rows
    return rows, scale or max(r.score for r in rows)


@dataclass
class Prepared:
    signals: list[Signals]
    rubrics: dict[str, Rubric]  # per question group
    cosine: np.ndarray  # whole answer vs whole reference
    y: np.ndarray  # human score / scale
    groups: list[str]
    # off-topic examples: (row, group of another topic, signals of that row's answer graded
    # against that group's question and rubric), to place the off-topic threshold
    negatives: list[tuple[int, str, Signals]]


def prepare(rows: list[EvalRow], grader: Grader, progress: bool = True) -> Prepared:
    emb = grader.embedder
    refs = {r.group: r.references for r in rows}
    rubrics: dict[str, Rubric] = {g: reference_rubric(v, emb) for g, v in refs.items()}
    ref_vec = {g: emb.encode([" ".join(v)], KIND)[0] for g, v in refs.items()}
    _warm(rows, grader, progress)
    signals = [grader.signals(r.question, rubrics[r.group], r.answer) for r in rows]
    answers = emb.encode([r.answer.strip() or " " for r in rows], KIND)
    cosine = np.array([float(a @ ref_vec[r.group]) for a, r in zip(answers, rows, strict=True)])
    y = np.array([r.score for r in rows])
    negatives = []
    questions = {r.group: r.question for r in rows}
    for i, other in off_topic_pairs([r.group for r in rows]):
        negatives.append((i, other, grader.signals(questions[other], rubrics[other], rows[i].answer)))
    return Prepared(signals, rubrics, cosine, y, [r.group for r in rows], negatives)


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


def _warm(rows: list[EvalRow], grader: Grader, progress: bool) -> None:
    """Embed every text once in big batches (a CachedEmbedder then serves the per-row calls)."""
    from interviewer.clauses import split_clauses

    texts = list(
        dict.fromkeys(
            t for r in rows for t in [r.question, r.answer.strip(), *split_clauses(r.answer.strip())] if t
        )
    )
    step = 128
    bar = None
    if progress:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=len(texts), desc="embedding answers", unit="text", file=sys.stderr)
    for start in range(0, len(texts), step):
        grader.embedder.encode(texts[start : start + step], KIND)
        if bar:
            bar.update(len(texts[start : start + step]))
    if bar:
        bar.close()


def fit_calibration(
    p: Prepared, idx: np.ndarray, embedder: str, scale: float, name: str
) -> calibration.Calibration:
    usable = [int(i) for i in idx if not p.signals[i].guard]
    x = np.vstack([p.signals[i].features for i in usable])
    y = p.y[usable] / scale
    cal = calibration.fit(x, y, NAMES, embedder, thresholds(p, usable, y), fitted_on=name)
    # the cosine baseline is fitted on real rows only, as a peer tool would be
    cal.cosine_fit = [float(v) for v in np.polyfit(p.cosine[usable], p.y[usable] / scale, 1)]
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


def predict(p: Prepared, grader: Grader, scale: float, folds: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(ours, cosine) predictions on the file's scale, for every row."""
    n = len(p.y)
    ours, cosine = np.zeros(n), np.zeros(n)
    splits: list[tuple[np.ndarray | None, np.ndarray]] = [(None, np.arange(n))]
    if folds:
        splits = list(question_folds(p.groups, folds))
    for train, test in splits:
        cal = grader.cal if train is None else fit_calibration(p, train, grader.embedder.name, scale, "fold")
        slope, intercept = cal.cosine_fit
        for i in test:
            ours[i] = grader.score(p.signals[i], cal)[0] / 10 * scale
            cosine[i] = float(np.clip(slope * p.cosine[i] + intercept, 0, 1)) * scale
    return ours, cosine


def question_folds(groups: list[str], k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) per fold; all answers to one question fall in the same fold."""
    from sklearn.model_selection import GroupKFold

    return list(GroupKFold(n_splits=k).split(np.zeros(len(groups)), groups=groups))


def judge(rows: list[EvalRow], chat: ChatBackend, scale: float) -> tuple[np.ndarray, int, list[float]]:
    """The peers' way: ask the LLM for a 0-10 score. (predictions on the file's scale,
    replies with no number in them, seconds per answer)."""
    out, unparsed, seconds = [], 0, []
    for r in rows:
        prompt = render("judge", question=r.question, reference=" ".join(r.references), answer=r.answer)
        started = time.perf_counter()
        text = reply(chat, [{"role": "user", "content": prompt}], max_tokens=8)
        seconds.append(time.perf_counter() - started)
        found = re.search(r"\d+(?:\.\d+)?", text)
        unparsed += found is None
        value = float(found.group(0)) if found else 5.0  # a judge that says nothing sits mid-scale
        out.append(min(max(value, 0.0), 10.0) / 10 * scale)
    return np.array(out), unparsed, seconds


def run(
    path: Path,
    grader: Grader,
    limit: int | None,
    folds: int | None,
    predictions: Path | None,
    chat: ChatBackend | None = None,
    judge_rows: int = 100,
    progress: bool = True,
) -> dict[str, object]:
    """The report `eval --json` prints. The LLM judge (if chat is given) grades only the first
    judge_rows rows, being slow; its metrics are on those rows."""
    rows, scale = load_rows(path, limit)
    p = prepare(rows, grader, progress)
    ours, cosine = predict(p, grader, scale, folds)
    seconds = timings(rows, p, grader)
    judged: dict[str, float | None] | None = None
    llm = np.full(len(rows), np.nan)
    if chat is not None:
        k = min(judge_rows, len(rows))
        llm[:k], unparsed, judge_seconds = judge(rows[:k], chat, scale)
        judged = metrics(p.y[:k], llm[:k], scale, float(np.median(judge_seconds)))
        judged.update(rows=k, unparsed=unparsed)
    if predictions:
        with open(predictions, "w", encoding="utf-8") as f:
            for i, (h, o, c, j) in enumerate(zip(p.y, ours, cosine, llm, strict=True)):
                line = {
                    "row": i,
                    "human": h,
                    "rubric": round(float(o), 4),
                    "cosine": round(float(c), 4),
                    "llm_judge": None if np.isnan(j) else round(float(j), 4),
                }
                f.write(json.dumps(line) + "\n")
    return {
        "n": len(rows),
        "graders": {
            "rubric": metrics(p.y, ours, scale, seconds["rubric"]),
            "cosine": metrics(p.y, cosine, scale, seconds["cosine"]),
            "llm_judge": judged,
        },
    }


def timings(rows: list[EvalRow], p: Prepared, grader: Grader, sample: int = 30) -> dict[str, float]:
    """Median seconds per answer on a sample, embedding cache bypassed: what a user waits once
    the answer is in (the question is embedded while it is asked, as the app does)."""
    inner = getattr(grader.embedder, "inner", grader.embedder)
    cal = grader.cal if grader.cal.features else fit_calibration(p, np.arange(len(rows)), inner.name, 1.0, "")
    live = Grader(inner, cal)
    picked = rows[:: max(1, len(rows) // sample)][:sample]
    ours, cosine = [], []
    for r in picked:
        live.question_vector(r.question)
        started = time.perf_counter()
        live.grade(r.question, p.rubrics[r.group], r.answer)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        inner.encode([r.answer.strip() or " "], KIND)
        cosine.append(time.perf_counter() - started)
    return {"rubric": float(np.median(ours)), "cosine": float(np.median(cosine))}


def metrics(
    human: np.ndarray, predicted: np.ndarray, scale: float, seconds: float
) -> dict[str, float | None]:
    """Agreement figures; a correlation with a constant side is undefined and reported as None."""
    from scipy.stats import pearsonr, spearmanr
    from sklearn.metrics import cohen_kappa_score, mean_squared_error

    def grid(v: np.ndarray) -> np.ndarray:  # kappa needs classes: scores on a 0..10 integer grid
        return np.rint(np.clip(v / scale, 0, 1) * 10).astype(int)

    varied = np.ptp(human) > 0 and np.ptp(predicted) > 0
    return {
        "pearson": round(float(pearsonr(human, predicted)[0]), 4) if varied else None,
        "spearman": round(float(spearmanr(human, predicted)[0]), 4) if varied else None,
        "rmse": round(float(np.sqrt(mean_squared_error(human, predicted))), 4),
        "qwk": round(float(cohen_kappa_score(grid(human), grid(predicted), weights="quadratic")), 4),
        "sec_per_answer": round(seconds, 4),
    }
