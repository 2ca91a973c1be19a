"""Many people at once on one local server: the UI's own API, driven by gradio_client threads.

Each simulated user runs a whole short interview with answers only they could have written,
so cross-talk shows up as someone else's words in their transcript. Bounded: a fixed number
of users and turns, a user that fails before the others are ready releases them (no clock
decides when everyone is ready), and the server only ever on 127.0.0.1.
"""

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel

from interviewer.chat import FakeChat
from interviewer.web import ui
from interviewer.web.coach import Coach
from knowledge.embedder import FakeEmbedder

MAX_TURNS = 12  # per user: questions times (1 + follow-ups) never reaches it; a guard, not a goal


class UserRun(BaseModel):
    user: int
    session_id: str
    answers: list[str]  # in the order sent
    transcript: str  # the Markdown export
    turn_seconds: list[float]


class LoadResult(BaseModel):
    users: list[UserRun]
    p50_s: float
    p95_s: float
    turns: int
    wall_s: float


def run(data_dir: Path, notes: Path, users: int = 20, questions: int = 2) -> LoadResult:
    """Starts a server with fake models (this measures the app, not the models) and loads it."""
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
    coach.load(notes)  # indexed once, as a running app would have it
    demo = ui.build(coach, notes)
    ui.launch(demo, coach, prevent_thread_lock=True, quiet=True)  # Gradio finds a free port
    url = demo.local_url
    assert url, "launch() sets it"
    started = time.perf_counter()
    barrier = threading.Barrier(users)
    try:
        with ThreadPoolExecutor(max_workers=users) as pool:
            futures = [pool.submit(_interview, url, notes, u, questions, barrier) for u in range(users)]
            runs = [f.result(timeout=600) for f in futures]
    finally:
        demo.close()
    times = sorted(t for r in runs for t in r.turn_seconds)
    return LoadResult(
        users=runs,
        p50_s=round(statistics.median(times), 3),
        p95_s=round(times[int(0.95 * (len(times) - 1))], 3),
        turns=len(times),
        wall_s=round(time.perf_counter() - started, 1),
    )


def _interview(url: str, notes: Path, user: int, questions: int, barrier: threading.Barrier) -> UserRun:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
        client.predict("A folder on this computer", str(notes), None, api_name="/load_notes")
        sid = client.predict([], questions, 1, "auto", False, api_name="/start")[0]
    except BaseException:
        barrier.abort()  # the others stop waiting for this user, however slow the machine
        raise
    barrier.wait()  # everyone answers at the same moment
    answers: list[str] = []
    seconds: list[float] = []
    for turn in range(MAX_TURNS):
        text = f"user-{user}-turn-{turn}: activations are normalized and randomly dropped during training"
        t = time.perf_counter()
        out = dict(zip(("answer", *ui.PAGE), client.predict(sid, text, api_name="/answer"), strict=True))
        seconds.append(time.perf_counter() - t)
        answers.append(text)
        if str(out["status"]).startswith("Interview finished"):
            break
    # the transcript picker names this tab's session; /end returns the page's outputs, the
    # report's, then the due line
    names = (*ui.PAGE, *ui.REPORT, "due")
    end = dict(zip(names, client.predict(sid, api_name="/end"), strict=True))
    session_id = end["pick"]["value"]
    md, _, _ = client.predict(session_id, api_name="/transcripts")
    transcript = Path(md).read_text(encoding="utf-8")
    return UserRun(
        user=user, session_id=session_id, answers=answers, transcript=transcript, turn_seconds=seconds
    )
