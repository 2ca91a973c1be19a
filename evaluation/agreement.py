"""The report `eval` prints: per file, each grader's agreement with human graders, and speed.

evaluate.py computes the predictions; this puts them beside the human scores on each file's own
scale (mean and sd over seeds), adds the LLM judge on the first rows, and times grading. Where
the predictions come from (splits.py): the shipped calibration; --folds K (seeds: splits);
--leave-one-file-out (each file scored by a calibration fitted on the others, less its twins).
--adapt K plays a person's appeals on each file (replay.py).
"""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation import label_bands, replay
from evaluation.evaluate import GRADERS, Prepared, fit_calibration, predict, prepare
from evaluation.judge import judge
from evaluation.metrics import mean_sd, metrics
from evaluation.rows import load_rows
from evaluation.splits import Split, file_out, question_folds
from interviewer.grading import scoring
from interviewer.grading.grader import KIND, Grader
from interviewer.llm.chat import ChatBackend


@dataclass
class Plan:
    """What eval measures: see the module's docstring."""

    limit: int | None = None
    folds: int | None = None
    seeds: int = 1  # with folds: splits; with adapt: draws of the appeals
    by_file: bool = False  # leave one file out
    adapt: int = 0  # appeals played per file (0: none)
    judge_rows: int = 100


def run(
    paths: list[Path],
    grader: Grader,
    plan: Plan,
    predictions: Path | None = None,
    chat: ChatBackend | None = None,
    progress: bool = True,
) -> dict[str, object]:
    """The report `eval --json` prints: per file (keyed by its name), each grader's figures."""
    names = [path.name for path in paths]
    if len(set(names)) < len(names):
        raise ValueError(f"two files share a name: {', '.join(names)}; rename one")
    files = [load_rows(path, plan.limit) for path in paths]
    p = prepare(files, grader, progress)
    plans = _splits(p, len(files), plan)
    runs = [predict(p, grader, s) for s in plans]
    seconds = timings(p, grader)
    report: dict[str, dict[str, object]] = {}
    lines: list[dict[str, object]] = []
    for k, (name, (rows, scale)) in enumerate(zip(names, files, strict=True)):
        idx = np.flatnonzero(p.files == k)
        human, groups = p.y[idx] * scale, [p.groups[i] for i in idx]
        graders: dict[str, object] = {}
        for g in GRADERS:
            if np.isnan(runs[0][g][idx]).any():
                graders[g] = None  # a calibration fitted before the baseline was saved with it
                continue
            graders[g] = mean_sd([metrics(human, r[g][idx] * scale, scale, seconds[g], groups) for r in runs])
        llm = np.full(len(idx), np.nan)
        graders["llm_judge"] = None
        if chat is not None:
            n = min(plan.judge_rows, len(rows))
            llm[:n], unparsed, judge_seconds = judge(rows[:n], chat, scale)
            judged = metrics(human[:n], llm[:n], scale, float(np.median(judge_seconds)), groups[:n])
            graders["llm_judge"] = {**judged, "rows": n, "unparsed": unparsed}
        report[name] = {"n": len(rows), "scale": scale, "graders": graders}
        if all(r.label for r in rows):  # the graders' classes: the score shown per label, bands' F1
            shown, decided = runs[0]["interview"][idx] * 10, list(runs[0]["decided_by"][idx])
            report[name]["labels"] = label_bands.report([r.label or "" for r in rows], shown, decided)
        if plan.by_file and (held := plans[0]) is not None:
            report[name]["fitted_on"] = len(held[k][0])
        if plan.adapt:
            report[name]["adapted"] = replay.report(p, idx, runs[0], scale, plan.adapt, plan.seeds)
        for j, i in enumerate(idx):
            line: dict[str, object] = {"file": name, "row": j, "human": float(human[j])}
            line |= {g: round(float(runs[0][g][i] * scale), 4) for g in GRADERS}
            line["llm_judge"] = None if np.isnan(llm[j]) else round(float(llm[j]), 4)
            lines.append(line)
    if predictions:
        predictions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    mode = "leave_one_file_out" if plan.by_file else "folds" if plan.folds else "shipped"
    out: dict[str, object] = {"mode": mode, "folds": plan.folds, "seeds": plan.seeds, "files": report}
    if len(report) == 1:  # one file: its figures at the top, as before several files were taken
        out |= next(iter(report.values()))
    return out


def _splits(p: Prepared, n_files: int, plan: Plan) -> list[list[Split] | None]:
    """Per run (seed), the splits its predictions come from; [None]: the shipped calibration."""
    if plan.by_file:
        return [[file_out(p.files, p.units, k) for k in range(n_files)]]
    if plan.folds:
        return [question_folds(p.units, plan.folds, seed) for seed in range(plan.seeds)]
    return [None]


def timings(p: Prepared, grader: Grader, sample: int = 30) -> dict[str, float]:
    """Median seconds per answer on a sample, embedding cache bypassed: what a user waits once
    the answer is in (the question is embedded while it is asked, as the app does)."""
    inner = getattr(grader.embedder, "inner", grader.embedder)
    cal = grader.cal if grader.cal.features else fit_calibration(p, np.arange(len(p.y)), inner.name, "")
    live = Grader(inner, cal)
    picked = list(range(0, len(p.rows), max(1, len(p.rows) // sample)))[:sample]
    ours, cosine = [], []
    for i in picked:
        r = p.rows[i]
        live.ask(r.question, p.rubrics[p.groups[i]])
        started = time.perf_counter()
        scoring.grade(live, r.question, p.rubrics[p.groups[i]], r.answer)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        inner.encode([r.answer.strip() or " "], KIND)
        cosine.append(time.perf_counter() - started)
    median = float(np.median(ours))
    return {"rubric": median, "interview": median, "cosine": float(np.median(cosine))}
