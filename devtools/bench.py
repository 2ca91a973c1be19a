"""Speed figures for the whole app, on real models: `python app.py bench --json`.

Each figure is named for what it measures, in seconds or MB. Nothing here is a test: the
numbers go into the README; the tests check behaviour.
"""

import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from interviewer.grading import scoring
from interviewer.grading.grader import Grader
from interviewer.grading.rubrics import rubric_for
from interviewer.interview.engine import Engine
from interviewer.llm.chat import ChatBackend, Message
from interviewer.llm.followup import drafted
from interviewer.llm.followup_drafts import WAITING, Preparer
from interviewer.storage.history import History
from interviewer.storage.session import SessionOptions
from knowledge.index.embedder import Embedder
from knowledge.index.ingest import index_dir, ingest
from knowledge.index.knowledge_base import POINT_KIND, KnowledgeBase, open_kb
from knowledge.index.vectors import VectorIndex
from knowledge.reading.files import find_notes, read_note
from knowledge.reading.notes import parse_note


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
        # what a cold ingest costs whatever the machine: each distinct rubric point, once
        "texts_embedded_per_question": round(
            len({p.text for i in kb.items for p in i.rubric}) / max(len(kb.items), 1), 2
        ),
        "ingest_cold_s_per_question": round(cold / max(len(kb.items), 1), 3),
        "ingest_warm_s": round(warm, 3),
        "index_load_s": round(load, 3),
        "search_p50_s": p50,
        "search_p95_s": p95,
        "search_100k_p50_s": s50,
        "search_100k_p95_s": s95,
    }


def scaled_notes(source: Path, questions: int, out: Path) -> None:
    """A notes folder of `questions` questions cycled from the notes under `source`, ten to a
    file, each question and point marked with its copy's number: ingest embeds a text once, so
    plain copies would cost nothing. The source's mix of answered and unanswered questions and
    its lengths stay (plus the number, a few tokens)."""
    items = [i for f in find_notes(source) for i in parse_note(read_note(f), f.name)[0]]
    if not items:
        raise ValueError(f"no questions in {source} to scale up")
    out.mkdir(parents=True, exist_ok=True)
    for first in range(0, questions, 10):
        lines: list[str] = []
        for k in range(first, min(first + 10, questions)):
            item = items[k % len(items)]
            lines += [f"## {item.question} ({k})", ""] + [f"- {p.text} ({k})" for p in item.rubric] + [""]
        (out / f"notes_{first:05d}.md").write_text("\n".join(lines), encoding="utf-8")


def grading_figures(kb: KnowledgeBase, grader: Grader) -> dict[str, float]:
    """Grading answers of every length the notes have, each answered item three ways: the first
    half of its notes answer, the whole of it, and the whole graded together with a follow-up
    answer (what the interview grades after a follow-up). Seconds from answer to Grade, and
    apart, for embedding the question and its points' words (done while the answer is typed)."""
    seconds: dict[str, list[float]] = {"half": [], "whole": [], "with_follow_up": []}
    asking: list[float] = []  # the question and its points' words: what a pasted answer adds
    for item in [i for i in kb.items if i.rubric]:
        rubric = rubric_for(kb, item, grader.embedder, grader.cal.partly)
        elsewhere = scoring.other_questions(kb, item.id)
        follow = item.rubric[-1].text
        answers = {
            "half": item.answer[: max(len(item.answer) // 2, 1)],
            "whole": item.answer,
            "with_follow_up": f"{item.answer}\n{follow}",
        }
        for kind, answer in answers.items():
            # a grader of its own: nothing of the answer embedded before (a whole answer and the
            # same with its follow-up often split into the same clauses, which a grader reuses)
            fresh = Grader(grader.embedder, grader.cal)
            started = time.perf_counter()
            fresh.ask(item.question, rubric)  # embedded while the answer is typed, as in the app
            asking.append(time.perf_counter() - started)
            started = time.perf_counter()
            scoring.grade(fresh, item.question, rubric, answer, elsewhere)
            seconds[kind].append(time.perf_counter() - started)
    every = [t for ts in seconds.values() for t in ts]
    p50, p95 = percentiles(every)
    out = {"grade_p50_s": p50, "grade_p95_s": p95, "grade_max_s": round(max(every), 4)}
    out["ask_p50_s"], out["ask_p95_s"] = percentiles(asking)
    for kind, ts in seconds.items():
        out[f"grade_{kind}_p50_s"], out[f"grade_{kind}_p95_s"] = percentiles(ts)
    return out


def follow_up_figures(
    kb: KnowledgeBase, grader: Grader, chat: ChatBackend, per_language: int = 20
) -> dict[str, object]:
    """Follow-ups as the interview gets them: drafted per rubric point while the candidate thinks.

    usable: drafts the LLM wrote that passed the checks (else the template), out of per_language
    points in each language; ready: seconds from a question being asked to every one of its
    points' follow-ups written; after Enter: LLM calls made between a graded answer and its
    follow-up in a scripted interview (prompt + generated tokens on the critical path: none
    when this is 0)."""
    figures: dict[str, object] = {}
    for language in ("zh", "en"):
        items = [i for i in kb.items if i.language == language and len(i.rubric) >= 2]
        pairs = [(i.question, p.text) for i in items for p in i.rubric[1:2]][:per_language]
        usable = sum(drafted(chat, q, p, language).from_llm for q, p in pairs)
        figures[f"followup_usable_{language}"] = f"{usable} of {len(pairs)}"
    counting = _Counting(chat)
    ready: list[float] = []
    after_enter = 0
    with tempfile.TemporaryDirectory() as tmp:
        history = History(Path(tmp) / "history.sqlite")
        preparer = Preparer(counting)
        engine = Engine(kb, grader, counting, history, prepared=preparer)
        session = engine.start(SessionOptions(questions=6, follow_ups=1, seed=0))
        while session.current is not None and session.current.kind == "main":
            asked = session.asked[session.current.item_id]
            started = time.perf_counter()
            for point in asked.points:  # the candidate thinks until all are written
                while preparer.take(asked.question, point.text, asked.language, wait=1.0).rejected == WAITING:
                    pass
            ready.append(time.perf_counter() - started)
            turn = engine.record(session, asked.answer[: max(len(asked.answer) // 3, 1)])
            before = counting.calls
            engine.proceed(session, turn)
            after_enter += counting.calls - before
            if session.current is not None and session.current.kind == "follow_up":
                engine.skip(session)
    figures["followup_llm_calls_after_enter"] = after_enter
    figures["followups_ready_after_ask_p50_s"], figures["followups_ready_after_ask_p95_s"] = percentiles(
        ready
    )
    return figures


class _Counting:
    """A chat backend that counts its calls."""

    def __init__(self, inner: ChatBackend) -> None:
        self.inner, self.name, self.calls = inner, inner.name, 0

    def stream(
        self,
        messages: list[Message],
        max_tokens: int = 128,
        stop: list[str] | None = None,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> Iterator[str]:
        self.calls += 1
        yield from self.inner.stream(messages, max_tokens, stop, temperature, seed)


def peak_rss_mb(chat: ChatBackend | None = None) -> float:
    """This process's peak resident memory, plus the LLM server process's where there is one."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    proc = getattr(chat, "proc", None)
    if proc is None or proc.poll() is not None:
        return round(own, 1)
    status = Path(f"/proc/{proc.pid}/status").read_text()
    server = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return round(own + server / 1024, 1)
