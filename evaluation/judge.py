"""The peers' way of grading, for comparison only: ask the LLM for a 0-10 score.

What GPTInterviewer and Interviewer do. eval runs it on the first rows of a file, being slow;
the app never grades this way.
"""

import re
import time

import numpy as np

from evaluation.rows import EvalRow
from interviewer.llm.chat import ChatBackend, reply
from interviewer.llm.prompts import render


def judge(rows: list[EvalRow], chat: ChatBackend, scale: float) -> tuple[np.ndarray, int, list[float]]:
    """(predictions on the file's scale, replies with no number in them, seconds per answer)."""
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
