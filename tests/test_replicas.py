"""A class on two replicas: PostgreSQL, two app processes behind Debian's nginx (the shipped
config, sticky), 20 candidates logged in as themselves answering 3 questions each on the
course notes, and the replica serving most of them killed (kill -9) once every candidate has
answered once. Every answered turn is in PostgreSQL, every interrupted interview goes on and
ends on the other replica, and nobody can read anybody else's interview through the page's
API or the command line. Fake models; waits are hang guards, nothing is timed.

Also, without nginx: a session saved between a grade and its next question (its process died
there) goes on from another process, the answer kept, on both backends.
"""

import os
import secrets
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from devtools import cluster, loadtest
from interviewer.llm.chat import FakeChat
from interviewer.storage.database import Database, connect
from interviewer.storage.history import History
from interviewer.storage.session import SessionOptions
from interviewer.web import access, handlers
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder
from tests.conftest import HANG, ROOT

NOTES = Path(__file__).parent / "fixtures" / "notes"
CANDIDATES = 20
QUESTIONS = 3
ANSWER = "Dropout randomly zeroes activations during training, which reduces co-adaptation."


def nginx() -> None:
    try:
        cluster.nginx_binary()
    except RuntimeError as e:
        if os.environ.get("CI"):
            pytest.fail(f"{e}: CI runs the replicas test (.ci/run installs nginx)")
        pytest.skip(f"replicas test skipped: {e}")


def cli(setup: cluster.Cluster, *args: str) -> subprocess.CompletedProcess[str]:
    """app.py run as an admin would, against the class's database."""
    env = {**setup.env, "COACH_DATA_DIR": str(setup.folder / "cli")}
    return subprocess.run(
        [sys.executable, "app.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=HANG
    )


def test_twenty_candidates_on_two_replicas_one_killed_midway(postgres_url: str, tmp_path: Path) -> None:
    nginx()
    logins = {f"cand{n:02d}": secrets.token_urlsafe(12) for n in range(CANDIDATES)}
    setup = cluster.start(tmp_path / "class", 2, postgres_url, logins)
    killed: list[int] = []

    def midway() -> None:  # everyone has answered once and waits: kill the busiest replica
        busiest = Counter(port for _, port in setup.served()).most_common(1)[0][0]
        n = next(i for i, r in enumerate(setup.replicas) if r.port == busiest)
        setup.kill(n)
        killed.append(busiest)

    try:
        published = cli(setup, "ingest", str(NOTES), "--shared", "fixture", "--embedder", "fake")
        assert published.returncode == 0, published.stderr[-3000:]
        result = loadtest.run_class(setup.url, logins, "fixture", QUESTIONS, midway=midway)
        served = setup.served()
        # every candidate whose replica was killed went on, on the other one, to the end
        port_of = {r.sticky: [port for key, port in served if key == r.sticky] for r in result.users}
        moved = [r for r in result.users if killed[0] in port_of[r.sticky]]
        assert moved, "the killed replica served nobody"
        survivor = next(r.port for r in setup.replicas if r.port != killed[0])
        for r in moved:
            assert port_of[r.sticky][-1] == survivor, r.name
        # every answered turn of every candidate is in PostgreSQL, once, graded, and theirs alone
        history = History(connect(postgres_url, None))
        for r in result.users:
            saved = history.of(r.name).load(r.session_id)
            assert [t.answer for t in saved.turns if t.answer] == r.answers, r.name
            assert len(r.answers) == QUESTIONS and saved.finished and all(t.grade for t in saved.turns)
            assert saved.notes == "course:fixture" and saved.user == r.name
            assert all(r.transcript.count(f"**Answer:**\n\n{a}\n") == 1 for a in r.answers), r.name
            others = [n for n in logins if n != r.name]
            assert not any(f"{n}-turn" in r.transcript for n in others), r.name
        history.close()
        # nobody reads anybody else's interview: the API (as its neighbour), the CLI (--user)
        from gradio_client import Client
        from gradio_client.exceptions import AppError

        a, b = result.users[0], result.users[1]
        wait: dict[str, object] = {"timeout": HANG}
        client = Client(setup.url, auth=(b.name, logins[b.name]), verbose=False, httpx_kwargs=wait)
        for api, args in [("/transcripts", ()), ("/appeal", (10, "")), ("/end", ())]:
            with pytest.raises(AppError, match=f"No saved interview {a.session_id} of yours"):
                client.predict(a.session_id, *args, api_name=api)
        with pytest.raises(AppError, match="No unfinished interview"):
            client.predict(api_name="/resume")
        taken = cli(setup, "export", a.session_id, "--user", b.name)
        assert taken.returncode == 2 and a.answers[0] not in taken.stdout + taken.stderr
        assert "no session" in taken.stderr
        own = cli(setup, "export", a.session_id, "--user", a.name)
        assert own.returncode == 0 and a.answers[0] in own.stdout
        listed = cli(setup, "report", "--user", b.name, "--json")
        assert listed.returncode == 0 and a.session_id not in listed.stdout and b.session_id in listed.stdout
    finally:
        setup.stop()
    print(
        f"\n{CANDIDATES} candidates, {result.turns} turns, {len(moved)} moved from the killed replica: "
        f"p50 {result.p50_s}s, p95 {result.p95_s}s"
    )


def test_an_answer_saved_as_its_process_died_goes_on_elsewhere(database: Database, tmp_path: Path) -> None:
    """Replica A grades and saves the answer, then dies before asking what comes next; the
    candidate's next request reaches replica B (another Coach on the same database)."""
    a = Coach(tmp_path / "a", FakeEmbedder, lambda: FakeChat())
    a.history = History(database)  # the class's database (COACH_DATABASE_URL), before any engine
    root = a.load(NOTES).root
    a.public.add(root)
    session, _ = handlers.start(a, root, SessionOptions(questions=2, follow_ups=0, seed=3), user="ann")
    a.engine(root).record(session, ANSWER)  # saved; A dies here, before the next question
    b = Coach(tmp_path / "b", FakeEmbedder, lambda: FakeChat())
    b.history = History(database)
    b.public.add(root)
    mine = access.load(b, "ann", session.id)
    assert mine.interrupted and mine.current is None
    # what the tab pressed was meant for the old question: B asks the next one instead
    page = handlers.carry_on(b, mine)
    assert page is not None and "was saved before a restart" in page.status
    assert mine.current is not None and mine.current.item_id == mine.plan[1]
    again = access.load(b, "ann", session.id)
    assert [t.answer for t in again.turns] == [ANSWER, None] and again.turns[0].grade
    assert handlers.carry_on(b, again) is None  # nothing left to carry on
    # resume finds it too, for its owner only
    with pytest.raises(handlers.UserError):
        handlers.resume(b, user="bob")
    assert handlers.resume(b, user="ann")[0].id == session.id


def test_in_the_browser_an_interview_goes_on_when_its_replica_stops(data_dir: Path, tmp_path: Path) -> None:
    """The page itself: log in through nginx, pick the course notes, answer; the replica serving
    the tab stops; the next answer, sent from the same page, is graded by the other replica."""
    nginx()
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{chromium} is missing: .ci/run installs it with apt")
        pytest.skip(f"{chromium} not found (Debian: apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    from interviewer.storage import users
    from interviewer.storage.courses import Courses
    from interviewer.web import server, ui
    from knowledge.index.ingest import index_dir, ingest

    users.add(tmp_path / "users", "ann", "ann-secret-1")
    folder = index_dir(tmp_path / "admin", NOTES, "fake")
    ingest(NOTES, FakeEmbedder(), folder)
    demos = []
    nginx_process = None
    try:
        for _ in range(2):  # two replicas of one class (in this process: one stops, not killed)
            coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
            Courses(coach.db).publish("fixture", folder)
            demo = ui.build(coach, NOTES)
            server.serve(demo, coach, users_file=tmp_path / "users", prevent_thread_lock=True, quiet=True)
            demos.append(demo)
        ports = [int(str(d.local_url).rstrip("/").rsplit(":", 1)[1]) for d in demos]
        url, nginx_process = cluster.front(tmp_path / "nginx", ports)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            page.get_by_label("username").fill("ann")
            page.get_by_label("password").fill("ann-secret-1")
            page.get_by_role("button", name="Login").click()
            expect(page.locator("#user")).to_contain_text("Signed in as ann", timeout=60_000)
            page.get_by_text("Course notes", exact=True).click()
            page.locator("#course input").fill("fixture")
            page.locator("#course input").press("Enter")
            page.get_by_role("button", name="Load notes").click()
            expect(page.locator("#notes-summary")).to_contain_text("3 questions", timeout=60_000)
            page.locator("#start").click()
            chat = page.locator("#chat")
            expect(chat).to_contain_text("Question 1 of", timeout=60_000)
            box = page.locator("#answer textarea")
            box.fill(ANSWER)
            box.press("Enter")
            expect(chat).to_contain_text("Follow-up", timeout=60_000)
            serving = Counter(port for _, port in cluster.served(tmp_path / "nginx")).most_common(1)[0][0]
            demos[ports.index(serving)].close()  # the tab's replica stops answering
            # the page is reloaded (as Gradio does itself once it reconnects, or the person does
            # when it says the connection broke): from the other replica, still logged in, it
            # shows the interview this browser had, where it was
            page.reload()
            expect(page.locator("#status")).to_contain_text("Resumed where you left off", timeout=60_000)
            expect(chat).to_contain_text("Follow-up")
            box.fill("At inference all units are kept and their outputs scaled.")
            box.press("Enter")
            expect(chat).to_contain_text("Question 2 of", timeout=60_000)  # graded, and on
            browser.close()
        other = ports[1 - ports.index(serving)]
        assert cluster.served(tmp_path / "nginx")[-1][1] == other
        saved = History(connect("", data_dir / "history.sqlite"), "ann").sessions()[0]
        assert [t.answer for t in saved.turns if t.answer][-1].startswith("At inference")
    finally:
        if nginx_process is not None:
            cluster.stop_nginx(nginx_process)
        for demo in demos:
            demo.close()
