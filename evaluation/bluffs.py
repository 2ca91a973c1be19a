"""Answers that say nothing, to real notes' questions: what does a bluff score, beside an answer
that states one point? `eval --bluffs FILE [--notes DIR]`.

A file of JSON lines {question, answer, kind, shape, lang}: kind "bluff" (praise, hedging, the
question said back, buzzwords; shape names which) or "one_point" (one of the notes' points in
other words). Each question must be one of the notes' own; each answer is graded as the interview
grades it: against the item's rubric, with the notes' other questions for the caps.
tests/fixtures/bluffs.jsonl is ours, for the bundled notes.
"""

import json
from pathlib import Path

import numpy as np

from interviewer.grading import scoring
from interviewer.grading.grader import Grader
from interviewer.grading.rubrics import rubric_for
from knowledge.index.knowledge_base import KnowledgeBase


def run(path: Path, kb: KnowledgeBase, grader: Grader) -> dict[str, object]:
    """Per kind and per shape: how many, p50, max and min of the score shown (0-10)."""
    by_question = {item.question.strip(): item for item in kb.items}
    scores: dict[str, list[float]] = {}
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        item = by_question.get(row["question"].strip())
        if item is None:
            raise ValueError(f"{path}:{n}: no question {row['question']!r} in these notes")
        rubric = rubric_for(kb, item, grader.embedder, grader.cal.partly)
        g = scoring.grade(grader, item.question, rubric, row["answer"], scoring.other_questions(kb, item.id))
        score = 0.0 if g.score is None else g.score
        for key in (row["kind"], f"{row['kind']}:{row.get('shape', '')}"):
            scores.setdefault(key, []).append(score)
        covered = sum(p.status == "covered" for p in g.points)
        rows.append({"kind": row["kind"], "score": score, "covered": covered, "decided_by": g.decided_by})
    summary = {
        key: {
            "n": len(v),
            "p50": round(float(np.median(v)), 2),
            "max": round(max(v), 1),
            "min": round(min(v), 1),
        }
        for key, v in sorted(scores.items())
    }
    return {"kinds": summary, "rows": rows}


def table(result: dict[str, object]) -> str:
    kinds = result["kinds"]
    assert isinstance(kinds, dict)
    lines = [f"{'':24} {'n':>4} {'p50':>6} {'max':>6} {'min':>6}"]
    for key, f in kinds.items():
        lines.append(f"{key:24} {f['n']:>4} {f['p50']:>6} {f['max']:>6} {f['min']:>6}")
    return "\n".join(lines)
