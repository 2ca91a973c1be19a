"""Many people at once: the UI's own API, driven by gradio_client threads.

run(): one local server in this process, as `make run` has it. run_class(): a class on a
cluster (cluster.py: replicas on PostgreSQL behind nginx), each candidate logged in as
themselves and practising the course notes; a candidate whose replica dies logs in again,
resumes, sees whether its last answer was saved, and carries on.

Each simulated user runs a whole short interview with answers only they could have written,
so cross-talk shows up as someone else's words in their transcript. Bounded: a fixed number
of users and turns, a user that fails before the others are ready releases them (no clock
decides when everyone is ready), and servers only ever on 127.0.0.1.
"""

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from interviewer.llm.chat import FakeChat
from interviewer.web import layout, ui
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder

MAX_TURNS = 12  # per user: questions times (1 + follow-ups) never reaches it; a guard, not a goal
RETRIES = 3  # times a candidate logs in again after its server went away
HANG = 600.0  # seconds a candidate may take in all before it is called hung (not a speed bound)
# a hang guard, not a speed bound: on a busy 2-core machine, 20 clients fetching the page's config
# at once waited past httpx's default 5 s (ReadTimeout)
CLIENT_TIMEOUT = 300.0


class UserRun(BaseModel):
    user: int
    session_id: str
    answers: list[str]  # in the order sent, each once: those the server has
    transcript: str  # the Markdown export
    turn_seconds: list[float]
    name: str = ""  # logged in as (run_class)
    sticky: str = ""  # nginx's sticky cookie when it logged in
    reconnects: int = 0  # times its server went away and it logged in again


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
    try:
        return _load(users, lambda u, ready: _interview(url, notes, u, questions, ready))
    finally:
        demo.close()


def run_class(
    url: str,
    logins: dict[str, str],
    course: str,
    questions: int = 3,
    follow_ups: int = 0,
    midway: Callable[[], None] | None = None,
) -> LoadResult:
    """Every login at once on a cluster: each answers its first question, then `midway` runs
    (the test kills a replica there) while they wait, then they finish their interviews."""
    names = sorted(logins)
    after_first = threading.Barrier(len(names), action=midway)

    def one(u: int, ready: threading.Barrier) -> UserRun:
        try:
            candidate = Candidate(url, names[u], logins[names[u]])
        except BaseException:  # the others stop waiting for this one
            ready.abort()
            after_first.abort()
            raise
        return candidate.interview(u, course, questions, follow_ups, ready, after_first)

    return _load(len(names), one)


def _load(users: int, interview: Callable[[int, threading.Barrier], UserRun]) -> LoadResult:
    started = time.perf_counter()
    ready = threading.Barrier(users)
    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(interview, u, ready) for u in range(users)]
        runs = [f.result(timeout=HANG) for f in futures]
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
        client = Client(url, verbose=False, httpx_kwargs={"timeout": CLIENT_TIMEOUT})
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
        out = dict(zip(("answer", *layout.PAGE), client.predict(sid, text, api_name="/answer"), strict=True))
        seconds.append(time.perf_counter() - t)
        answers.append(text)
        if str(out["status"]).startswith("Interview finished"):
            break
    # the transcript picker names this tab's session; /end returns the page's outputs, the
    # report's, then the due line
    names = (*layout.PAGE, *layout.REPORT, "due")
    end = dict(zip(names, client.predict(sid, api_name="/end"), strict=True))
    session_id = end["pick"]["value"]
    md, _, _ = client.predict(session_id, api_name="/transcripts")
    transcript = Path(md).read_text(encoding="utf-8")
    return UserRun(
        user=user, session_id=session_id, answers=answers, transcript=transcript, turn_seconds=seconds
    )


class Candidate:
    """One person of a class: logged in as themselves, through nginx."""

    def __init__(self, url: str, name: str, password: str) -> None:
        self.url, self.name, self.password = url, name, password
        self.reconnects = 0
        self.client = self._login()
        self.sticky = str(self.client.cookies.get("coach_replica", ""))

    def interview(
        self,
        user: int,
        course: str,
        questions: int,
        follow_ups: int,
        ready: threading.Barrier,
        after_first: threading.Barrier,
    ) -> UserRun:
        try:
            self.client.predict("Course notes", "", None, course, api_name="/load_notes")
            sid = str(self.client.predict([], questions, follow_ups, "auto", False, api_name="/start")[0])
            ready.wait()
            answers: list[str] = []
            seconds: list[float] = []
            for turn in range(MAX_TURNS):
                text = f"{self.name}-turn-{turn}: activations are normalized and randomly dropped in training"
                t = time.perf_counter()
                out = self._answer(sid, text)
                seconds.append(time.perf_counter() - t)
                answers.append(text)
                if turn == 0:
                    after_first.wait()  # everyone has answered once; the test may kill a replica now
                if str(out["status"]).startswith("Interview finished"):
                    break
        except BaseException:  # the others stop waiting for this one, however slow the machine
            ready.abort()
            after_first.abort()
            raise
        self.call(sid, api_name="/end")
        md, _, _ = self.call(sid, api_name="/transcripts")
        return UserRun(
            user=user,
            session_id=sid,
            answers=answers,
            transcript=Path(md).read_text(encoding="utf-8"),
            turn_seconds=seconds,
            name=self.name,
            sticky=self.sticky,
            reconnects=self.reconnects,
        )

    def call(self, *args: Any, api_name: str) -> Any:
        """An event; if the server went away meanwhile, logged in again (on whichever replica
        nginx picks) and asked again: only for events that change nothing twice."""
        for _ in range(RETRIES):
            try:
                return self.client.predict(*args, api_name=api_name)
            except Exception as e:
                if type(e).__name__ == "AppError":  # the app's own answer: not a lost server
                    raise
                self._reconnect()
        return self.client.predict(*args, api_name=api_name)

    def _answer(self, sid: str, text: str) -> dict[str, Any]:
        """Sends an answer once: if the server went away while it was out, the resumed page
        says whether it was saved (then it is not sent again) or not (then it is)."""
        for _ in range(RETRIES):
            try:
                out = self.client.predict(sid, text, api_name="/answer")
                return dict(zip(("answer", *layout.PAGE), out, strict=True))
            except Exception as e:
                if type(e).__name__ == "AppError":
                    raise
                self._reconnect()
                page = dict(zip(("session", *layout.PAGE), self.call(api_name="/resume"), strict=True))
                if text in str(page["chat"]):
                    return page
        raise RuntimeError(f"{self.name}: the answer was not taken after {RETRIES} tries")

    def _reconnect(self) -> None:
        self.reconnects += 1
        self.client = self._login()

    def _login(self) -> Any:
        from gradio_client import Client

        auth = (self.name, self.password)
        return Client(self.url, auth=auth, verbose=False, httpx_kwargs={"timeout": CLIENT_TIMEOUT})
