"""The report `eval` prints: per file, each grader's agreement with human graders, and speed.

evaluate.py computes the predictions; this puts them beside the human scores on each file's own
scale (mean and sd over seeds), adds the LLM judge on the first rows, and times grading.
"""

import json
import time
from pathlib import Path

import numpy as np

from interviewer.chat import ChatBackend
from interviewer.grading import scoring
from interviewer.grading.evaluate import GRADERS, Prepared, fit_calibration, predict, prepare
from interviewer.grading.grader import KIND, Grader
from interviewer.grading.judge import judge
from interviewer.grading.metrics import mean_sd, metrics
from interviewer.grading.rows import load_rows


def run(
    paths: list[Path],
    grader: Grader,
    limit: int | None = None,
    folds: int | None = None,
    seeds: int = 1,
    predictions: Path | None = None,
    chat: ChatBackend | None = None,
    judge_rows: int = 100,
    progress: bool = True,
) -> dict[str, object]:
    """The report `eval --json` prints: per file, each grader's figures (mean and sd over seeds)."""
    files = [load_rows(path, limit) for path in paths]
    p = prepare(files, grader, progress)
    runs = [predict(p, grader, folds, seed) for seed in range(seeds if folds else 1)]
    seconds = timings(p, grader)
    report: list[dict[str, object]] = []
    lines: list[dict[str, object]] = []
    for k, (path, (rows, scale)) in enumerate(zip(paths, files, strict=True)):
        idx = np.flatnonzero(p.files == k)
        human, groups = p.y[idx] * scale, [p.groups[i] for i in idx]
        graders: dict[str, object] = {}
        for name in GRADERS:
            if np.isnan(runs[0][name][idx]).any():
                graders[name] = None  # a calibration fitted before the baseline was saved with it
                continue
            each = [metrics(human, r[name][idx] * scale, scale, seconds[name], groups) for r in runs]
            graders[name] = mean_sd(each)
        llm = np.full(len(idx), np.nan)
        graders["llm_judge"] = None
        if chat is not None:
            n = min(judge_rows, len(rows))
            llm[:n], unparsed, judge_seconds = judge(rows[:n], chat, scale)
            judged = metrics(human[:n], llm[:n], scale, float(np.median(judge_seconds)), groups[:n])
            graders["llm_judge"] = {**judged, "rows": n, "unparsed": unparsed}
        report.append({"file": path.name, "n": len(rows), "scale": scale, "graders": graders})
        for j, i in enumerate(idx):
            line: dict[str, object] = {"file": path.name, "row": j, "human": float(human[j])}
            line |= {name: round(float(runs[0][name][i] * scale), 4) for name in GRADERS}
            line["llm_judge"] = None if np.isnan(llm[j]) else round(float(llm[j]), 4)
            lines.append(line)
    if predictions:
        predictions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out: dict[str, object] = {"folds": folds, "seeds": len(runs), "files": report}
    if len(report) == 1:  # one file: its figures at the top, as before several files were taken
        out |= {"n": report[0]["n"], "graders": report[0]["graders"]}
    return out


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
