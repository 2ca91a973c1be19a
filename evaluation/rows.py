"""Graded answers from a JSONL file: what eval and calibrate read.

One object a line: question, answer, score (a number or a string), one or more references
(`reference`, `reference1`, `reference2`, ...), optionally question_id / q_id, scale_max, and
twin_of: the id of the question it translates in another file (splits.py keeps them together),
and label: a class the graders gave besides the score (Beetle's "contradictory", "non_domain", ...).
"""

import json
from pathlib import Path

from pydantic import BaseModel


class EvalRow(BaseModel):
    question: str
    answer: str
    score: float  # on the file's own scale
    references: list[str]
    group: str  # the question's id: folds never split one
    twin_of: str | None = None
    label: str | None = None  # the graders' class of the answer, where the file has one


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
                    twin_of=str(d["twin_of"]) if d.get("twin_of") else None,
                    label=str(d["label"]) if d.get("label") else None,
                )
            )
            scale = max(scale, float(d.get("scale_max") or 0))
        except (KeyError, ValueError, TypeError) as e:
            raise ValueError(f"{path}:{n}: not a graded answer ({e})") from e
    if not rows:
        raise ValueError(f"{path}: no graded answers in it")
    rows = rows[:limit] if limit else rows
    return rows, scale or max(r.score for r in rows)
