"""Speed figures for the whole app, on real models: `python app.py bench --json`.

Each figure is named for what it measures, in seconds or MB. Nothing here is a test: the
numbers go into the README; the tests check behaviour.
"""

import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from interviewer.chat import ChatBackend, ChatError
from interviewer.followup import check
from interviewer.grading import scoring
from interviewer.grading.grader import Grader
from interviewer.grading.rubrics import rubric_for
from interviewer.prompts import render
from knowledge.embedder import Embedder
from knowledge.index import VectorIndex
from knowledge.ingest import index_dir, ingest
from knowledge.kb import POINT_KIND, KnowledgeBase, open_kb


def percentiles(seconds: list[float]) -> tuple[float, float]:
    return round(float(np.percentile(seconds, 50)), 4), round(float(np.percentile(seconds, 95)), 4)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def knowledge_figures(notes: Path, embedder: Embedder) -> tuple[KnowledgeBase, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = index_dir(Path(tmp), notes, embedder.name)
        cold = timed(lambda: ingest(notes, embedder, folder))
        warm = timed(lambda: ingest(notes, embedder, folder))
        load = timed(lambda: open_kb(folder, embedder))
        kb = open_kb(folder, embedder)
    queries = embedder.encode([i.question for i in kb.items], POINT_KIND)
    search = []
    for q in queries:
        started = time.perf_counter()
        kb.search_points(q, limit=5)
        search.append(time.perf_counter() - started)
    rng = np.random.default_rng(0)
    big = rng.standard_normal((100_000, embedder.dim)).astype(np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    index = VectorIndex.build(big, embedder.dim)
    synthetic = []
    for q in queries[:100]:
        started = time.perf_counter()
        index.search(q[None, :], 5)
        synthetic.append(time.perf_counter() - started)
    p50, p95 = percentiles(search)
    s50, s95 = percentiles(synthetic)
    return kb, {
        "ingest_cold_s": round(cold, 2),
        "ingest_warm_s": round(warm, 3),
        "index_load_s": round(load, 3),
        "search_p50_s": p50,
        "search_p95_s": p95,
        "search_100k_p50_s": s50,
        "search_100k_p95_s": s95,
    }


def grading_figures(kb: KnowledgeBase, grader: Grader) -> dict[str, float]:
    """Grading answers of every length the notes have, each answered item three ways: the first
    half of its notes answer, the whole of it, and the whole graded together with a follow-up
    answer (what the interview grades after a follow-up). Seconds from answer to Grade."""
    seconds: dict[str, list[float]] = {"half": [], "whole": [], "with_follow_up": []}
    for item in [i for i in kb.items if i.rubric]:
        rubric = rubric_for(kb, item, grader.embedder, grader.cal.partly)
        grader.question_vector(item.question)  # embedded while the question is read, as in the app
        elsewhere = scoring.other_questions(kb, item.id)
        follow = item.rubric[-1].text
        answers = {
            "half": item.answer[: max(len(item.answer) // 2, 1)],
            "whole": item.answer,
            "with_follow_up": f"{item.answer}\n{follow}",
        }
        for kind, answer in answers.items():
            started = time.perf_counter()
            scoring.grade(grader, item.question, rubric, answer, elsewhere)
            seconds[kind].append(time.perf_counter() - started)
    every = [t for ts in seconds.values() for t in ts]
    p50, p95 = percentiles(every)
    out = {"grade_p50_s": p50, "grade_p95_s": p95, "grade_max_s": round(max(every), 4)}
    for kind, ts in seconds.items():
        out[f"grade_{kind}_p50_s"], out[f"grade_{kind}_p95_s"] = percentiles(ts)
    return out


def follow_up_figures(kb: KnowledgeBase, chat: ChatBackend, n: int = 10) -> dict[str, float]:
    """Time to the first piece and to the whole follow-up, and how often its wording was usable."""
    first, total, usable = [], [], 0
    for item in [i for i in kb.items if len(i.rubric) >= 2][:n]:
        answer, point = item.rubric[0].text, item.rubric[-1].text
        messages = [
            {"role": "system", "content": render("system", language=item.language)},
            {
                "role": "user",
                "content": render(
                    "follow_up",
                    question=item.question,
                    answer=answer,
                    missed_point=point,
                    language=item.language,
                ),
            },
        ]
        started, text, ttft = time.perf_counter(), "", None
        try:
            for piece in chat.stream(messages, max_tokens=64, stop=["\n\n"]):
                ttft = ttft if ttft is not None else time.perf_counter() - started
                text += piece
        except ChatError:
            text = ""
        total.append(time.perf_counter() - started)
        first.append(ttft if ttft is not None else total[-1])
        usable += check(text.strip(), item.question, point) is None
    f50, f95 = percentiles(first)
    t50, t95 = percentiles(total)
    return {
        "followup_first_token_p50_s": f50,
        "followup_first_token_p95_s": f95,
        "followup_total_p50_s": t50,
        "followup_total_p95_s": t95,
        "followup_usable_share": round(usable / max(len(total), 1), 3),
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
