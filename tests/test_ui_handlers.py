"""The browser's event handlers, driven directly with the fake embedder and a scripted chat."""

import json
import re
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interviewer.grading.clauses import split_clauses
from interviewer.grading.evidence import null_texts
from interviewer.llm.chat import ChatError, FakeChat, ModelUnavailable
from interviewer.storage.session import Session, SessionOptions
from interviewer.web import handlers
from interviewer.web.handlers import UserError
from interviewer.web.typed_answers import Typing
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder, Kind
from tests.conftest import HANG, HeldEmbedder, big_folder, wait_blocked

NOTES = Path(__file__).parent / "fixtures" / "notes"
ANSWERS = {
    "dropout": "Dropout randomly zeroes activations during training, which reduces co-adaptation.",
    "batch normalization": "It normalizes activations with the mini-batch mean and variance, allowing "
    "higher learning rates.",
    "softmax": "Subtract the maximum logit before the exponential to avoid overflow; the shift cancels.",
}


def good(session: Session) -> str:
    """A good answer to the question now asked."""
    question = session.turns[-1].question.lower()
    return next(text for key, text in ANSWERS.items() if key in question)


def make_coach(data_dir: Path, chat: FakeChat | None = None) -> Coach:
    backend = chat or FakeChat()
    return Coach(data_dir, FakeEmbedder, lambda: backend)


@pytest.fixture
def coach(data_dir: Path) -> Coach:
    return make_coach(data_dir)


def begin(coach: Coach, **options: object) -> Session:
    root = coach.load(NOTES).root
    session, page = handlers.start(coach, root, SessionOptions(questions=2, seed=3, **options))  # type: ignore[arg-type]
    assert page.active and page.status.startswith("Question 1 of 2")
    return session


def finish_answer(coach: Coach, session: Session, text: str) -> handlers.Page:
    return list(handlers.answer(coach, session, text))[-1]


def test_loading_notes_reports_files_items_and_topics(coach: Coach) -> None:
    loaded = coach.load(NOTES)
    assert loaded.summary.items == 3 and loaded.summary.answered == 3
    assert "Deep learning" in loaded.topics
    text = handlers.views.notes_summary(loaded)
    assert "**3 questions**" in text and "1 file" in text


def test_an_answer_shows_at_once_then_is_graded_with_points_and_sources(coach: Coach) -> None:
    session = begin(coach, follow_ups=0)
    question = session.turns[0].question
    answer = good(session)
    pages = list(handlers.answer(coach, session, answer))
    assert pages[0].chat[-2] == {"role": "user", "content": answer}  # echoed before grading
    assert pages[0].chat[-1]["content"] == "…"
    final = pages[-1]
    graded = session.turns[0]
    assert graded.answer == answer and graded.grade is not None and graded.grade.score is not None
    assert f"{graded.grade.score}/10" in "".join(m["content"] for m in final.chat)
    assert "deep_learning.md ›" in final.feedback  # every point cites its note
    assert final.feedback.count("class='pt ") == len(graded.grade.points)
    assert question in final.feedback
    assert session.turns[-1].question != question and final.status.startswith("Question 2 of 2")


def test_a_missed_point_brings_a_follow_up_from_the_llm(data_dir: Path) -> None:
    chat = FakeChat()
    coach = make_coach(data_dir, chat)
    session = begin(coach, follow_ups=1)
    topic = session.turns[0].question
    chat.enqueue("What happens to the activations at inference time?")
    page = finish_answer(coach, session, "It is a regularization trick.")
    assert session.turns[-1].kind == "follow_up", topic
    assert page.chat[-1]["content"].startswith("**Follow-up**")
    assert page.active


def test_an_unreachable_llm_gives_template_follow_ups_and_says_so(data_dir: Path) -> None:
    coach = make_coach(data_dir, FakeChat(fail=ChatError("can't reach the LLM server")))
    session = begin(coach, follow_ups=1)
    page = finish_answer(coach, session, "It is a regularization trick.")
    assert session.turns[-1].kind == "follow_up"
    assert "template" in page.status and "can't reach the LLM server" in page.status


def test_a_chat_model_that_cannot_load_leaves_a_notice(data_dir: Path) -> None:
    def broken() -> FakeChat:
        raise ModelUnavailable("checksum mismatch for the GGUF")

    coach = Coach(data_dir, FakeEmbedder, broken)
    session = begin(coach, follow_ups=1)
    assert coach.chat_notice and "checksum mismatch" in coach.chat_notice
    page = finish_answer(coach, session, "It is a regularization trick.")
    assert "checksum mismatch" in page.status or "template" in page.status
    assert session.turns[-1].kind == "follow_up"


def test_an_empty_answer_asks_again_and_changes_nothing(coach: Coach) -> None:
    session = begin(coach)
    before = session.model_dump_json()
    page = finish_answer(coach, session, "   \n ")
    assert "Type an answer first" in page.status
    assert session.model_dump_json() == before


def test_hint_skip_and_model_answer_show_in_the_chat(coach: Coach) -> None:
    session = begin(coach, follow_ups=0)
    page = handlers.hint(coach, session)
    assert page.chat[-1]["content"].startswith("💡 ")
    page = handlers.reveal(coach, session)
    assert session.turns[0].revealed
    shown = page.chat[-1]["content"]
    assert "**From your notes:**" in shown and "deep_learning.md" in shown
    page = finish_answer(coach, session, good(session))
    assert "after viewing the model answer" in page.feedback
    page = handlers.skip(coach, session)
    assert session.finished and not page.active
    assert page.chat[-2] == {"role": "user", "content": "*(skipped)*"}


def test_end_gives_a_report_history_and_three_transcripts(coach: Coach) -> None:
    session = begin(coach, follow_ups=0)
    answer = good(session) + " <script>alert(1)</script>"
    finish_answer(coach, session, answer)
    page = handlers.end(coach, session)
    assert not page.active and "Overall" in page.chat[-1]["content"]
    report = handlers.report(coach, session)
    assert report.topics and report.topics[0]["topic"] == "Deep learning"
    assert "Overall" in report.summary and session.turns[0].question in report.model_answers
    history = handlers.history(coach)
    assert [row[1] for row in history.rows] == [session.id]
    assert history.choices[0][1] == session.id and history.trend[0]["topic"] == "Deep learning"
    paths = {fmt: handlers.export(coach, session.id, fmt) for fmt in handlers.FORMATS}
    for path in paths.values():
        assert path.parent == coach.data_dir / "exports"
    md = paths["md"].read_text(encoding="utf-8")
    assert session.turns[0].question in md and answer in md and "# Report" in md
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["id"] == session.id
    page_html = paths["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in page_html and "&lt;script&gt;" in page_html


def test_every_misuse_is_a_plain_message(coach: Coach) -> None:
    with pytest.raises(UserError, match="Load some notes"):
        handlers.start(coach, "", SessionOptions())
    with pytest.raises(UserError, match="Start an interview"):
        list(handlers.answer(coach, None, "x"))
    with pytest.raises(UserError, match="No interview to export"):
        handlers.export(coach, None, "md")
    with pytest.raises(UserError, match="No saved interview"):
        handlers.export(coach, "nope", "md")
    root = coach.load(NOTES).root
    with pytest.raises(UserError, match="no questions match"):
        handlers.start(coach, root, SessionOptions(topics=["Cooking"]))
    session = begin(coach)
    handlers.end(coach, session)
    with pytest.raises(UserError, match="interview is over"):
        list(handlers.answer(coach, session, "late"))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        coach.load(Path("/no/such/notes"))


def test_two_tabs_keep_their_own_interviews(coach: Coach) -> None:
    a, b = begin(coach, follow_ups=0), begin(coach, follow_ups=0)
    answer = good(a)
    finish_answer(coach, a, answer)
    assert b.turns[0].answer is None and len(b.turns) == 1
    handlers.skip(coach, b)
    assert not a.turns[-1].skipped
    saved = {s.id: s for s in coach.history.sessions()}
    assert saved[a.id].turns[0].answer == answer and saved[b.id].turns[0].skipped


def test_a_past_session_exports_after_a_restart(data_dir: Path) -> None:
    first = make_coach(data_dir)
    session = begin(first, follow_ups=0)
    answer = good(session)
    finish_answer(first, session, answer)
    again = make_coach(data_dir)  # a new process: nothing loaded yet
    text = handlers.export(again, session.id, "md").read_text(encoding="utf-8")
    assert answer in text


def test_a_damaged_history_is_reported_on_the_page(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "history.sqlite").write_bytes(b"this is not a database" * 100)
    coach = make_coach(data_dir)
    text = handlers.views.notes_summary(coach.load(NOTES))
    assert "history was damaged" in text and "history.sqlite.corrupt-" in text


def test_an_interview_left_open_can_be_resumed_from_a_new_tab(data_dir: Path) -> None:
    first = make_coach(data_dir)
    with pytest.raises(UserError, match="No unfinished interview"):
        handlers.resume(first)
    session = begin(first, follow_ups=0)
    answer = good(session)
    finish_answer(first, session, answer)
    again = make_coach(data_dir)  # a reload, or the app restarted after a crash
    resumed, page = handlers.resume(again)
    assert resumed.id == session.id and page.active and "Resumed" in page.status
    assert {"role": "user", "content": answer} in page.chat
    finish_answer(again, resumed, good(resumed))
    assert resumed.finished
    with pytest.raises(UserError, match="No unfinished interview"):
        handlers.resume(again)


def test_history_overall_is_the_reports_overall(data_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "two-topics"
    notes.mkdir()
    (notes / "a.md").write_text((NOTES / "deep_learning.md").read_text(encoding="utf-8"), encoding="utf-8")
    (notes / "b.md").write_text("# Databases\n\n## What is an index?\n- A sorted structure for fast lookups")
    coach = make_coach(data_dir)
    root = coach.load(notes).root
    session, _ = handlers.start(coach, root, SessionOptions(questions=4, follow_ups=0, seed=5))
    while session.current:
        question = session.current.question.lower()
        text = "A sorted structure for fast lookups" if "index" in question else good(session)
        finish_answer(coach, session, text)
    report = coach.engine(root).report(session)
    assert len(report.per_topic) == 2
    assert handlers.history(coach).rows[0][4] == report.overall


def test_the_llm_starts_loading_as_soon_as_notes_are_in(data_dir: Path) -> None:
    class Warming(FakeChat):
        warmed = 0

        def warm(self) -> None:
            self.warmed += 1

    chat = Warming()
    coach = make_coach(data_dir, chat)
    coach.load(NOTES)
    coach.warm()
    assert chat.warmed == 1
    make_coach(data_dir).warm()  # a backend with nothing to load: nothing happens


def test_start_on_a_big_folder_begins_on_the_questions_indexed_so_far(tmp_path: Path, data_dir: Path) -> None:
    """The preloaded notes are 300 questions; the last file's embedding is held back. Start still
    starts, on questions already indexed, and the interview goes on across the switch to the
    whole index."""
    notes = big_folder(tmp_path / "big")
    held = threading.Event()
    # the last file: not until the test says so
    coach = Coach(data_dir, lambda: HeldEmbedder(held, " of 9-"), FakeChat)
    coach.preload(notes)
    session, page = handlers.start(coach, "", SessionOptions(questions=3, follow_ups=0, seed=1))
    assert page.active and coach.indexing(session.notes)  # started while the rest is still being embedded
    assert re.search("Indexing big: starting on the first (16|144|272) questions…", page.status)
    partial = coach.engine(session.notes)
    assert coach.is_partial(partial) and 0 < len(partial.kb.items) < 300
    assert all(partial.kb.item(i).source != "09.md" for i in session.plan)
    n = session.turns[-1].question.removeprefix("Question ").rstrip("?")
    finish_answer(coach, session, f"point one of {n}")
    held.set()
    assert coach.load(notes).summary.items == 300  # joins the preload: returns once it is done
    assert len(coach.engine(session.notes).kb.items) == 300
    while session.current is not None:
        n = session.turns[-1].question.removeprefix("Question ").rstrip("?")
        finish_answer(coach, session, f"point one of {n} and point two of {n}")
    saved = next(s for s in coach.history.sessions() if s.id == session.id)
    assert [t.answer is not None for t in saved.turns] == [True, True, True]


def test_an_interview_begun_on_the_first_questions_gets_its_length_from_those_indexed_since(
    tmp_path: Path, data_dir: Path
) -> None:
    """50 questions asked for while the first 16 are indexed (the second file is held): the plan
    is those 16, and grows to 50 from the whole folder once it is in, the held file's among them."""
    notes = big_folder(tmp_path / "big")
    held = threading.Event()
    coach = Coach(data_dir, lambda: HeldEmbedder(held, " of 1-"), FakeChat)
    coach.preload(notes)
    session, page = handlers.start(coach, "", SessionOptions(questions=50, follow_ups=0, seed=1))
    first = list(session.plan)
    assert "starting on the first 16 questions" in page.status and len(first) == 16
    held.set()
    assert coach.load(notes).summary.items == 300
    while session.current is not None:
        handlers.skip(coach, session)
    kb = coach.engine(session.notes).kb
    assert session.plan[:16] == first and len(session.plan) == len(set(session.plan)) == 50
    assert len(session.turns) == 50 and any(kb.item(i).source == "01.md" for i in session.plan)


def test_start_pressed_while_small_notes_index_starts_when_they_are_in(data_dir: Path) -> None:
    """No partial index for a small folder: Start waits for the preload to end, then starts."""
    held = threading.Event()
    coach = Coach(data_dir, lambda: HeldEmbedder(held), FakeChat)
    coach.preload(NOTES)
    started: list[Session] = []
    waiting = threading.Thread(
        target=lambda: started.append(handlers.start(coach, "", SessionOptions(questions=2, seed=3))[0])
    )
    waiting.start()
    wait_blocked(waiting, "engine")  # Start is waiting on the notes now
    assert not started and not coach.ready(coach.default_root())
    held.set()
    waiting.join(timeout=HANG)
    assert started and started[0].turns[0].question


class BrokenEmbedder(FakeEmbedder):
    """Indexes, then fails on anything else: an embedder that breaks mid-interview."""

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        if any("typed" in t for t in texts):
            raise RuntimeError("the embedder broke")
        return super().encode(texts, kind)


class HeldTyping(Typing):
    """Keeps each tab's newest job until the test runs it: the pause, in the test's hands."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[str, Callable[[], None]] = {}

    def note(self, tab: str, job: Callable[[], None]) -> None:
        self.jobs[tab] = job


def test_typing_embeds_the_newest_text_and_never_raises(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    coach = Coach(data_dir, BrokenEmbedder, lambda: FakeChat())
    coach.typing = Typing(pause=0.0)
    handlers.typing(coach, None, "typed before any interview")  # nothing to prepare: nothing happens
    session = begin(coach)
    handlers.typing(coach, session, "   ")
    handlers.typing(coach, session, "typed, and the embedder breaks")
    assert coach.typing.idle()
    assert "Enter grades it from scratch" in caplog.text  # logged, never shown
    page = finish_answer(coach, session, good(session))  # Enter still grades
    assert "/10" in page.feedback


def test_typing_hands_over_only_the_newest_text_and_none_once_enter_came(coach: Coach) -> None:
    held = coach.typing = HeldTyping()
    session = begin(coach)
    emb = coach.grader().embedder
    assert isinstance(emb, FakeEmbedder)
    before = len(emb.calls)
    handlers.typing(coach, session, "Dropout zeroes")
    handlers.typing(coach, session, "Dropout zeroes activations")
    held.jobs.pop(session.id)()  # the pause passes
    # the question and its points' words first (once per question), then the newest text only
    assert emb.calls[before:][-1:] == [split_clauses("Dropout zeroes activations")]
    assert split_clauses("Dropout zeroes") not in emb.calls[before:]
    # Enter during the pause: the answer is graded and the text typed before it is not embedded after
    handlers.typing(coach, session, "typed just before Enter")
    finish_answer(coach, session, good(session))
    before = len(emb.calls)
    held.jobs.pop(session.id)()
    assert len(session.turns) > 1 and emb.calls[before:] == []


def test_the_typing_worker_runs_a_tabs_newest_job_once_it_pauses(caplog: pytest.LogCaptureFixture) -> None:
    ran: list[str] = []

    def fail() -> None:
        raise RuntimeError("the embedder broke")

    now = [0.0]
    typing = Typing(pause=0.5, clock=lambda: now[0])  # no pause passes until the test says so
    typing.note("tab-a", lambda: ran.append("Drop"))
    typing.note("tab-a", lambda: ran.append("Dropout"))
    typing.note("tab-b", fail)  # a job that fails is logged; the worker goes on
    typing.note("tab-c", lambda: ran.append("Batch norm"))
    assert not typing.idle(timeout=0.2) and ran == []  # typing goes on: nothing is embedded
    now[0] = 1.0  # the pause has passed
    assert typing.idle()
    assert sorted(ran) == ["Batch norm", "Dropout"] and "the embedder broke" in caplog.text


def test_a_question_on_screen_has_its_words_embedded_before_anything_is_typed(coach: Coach) -> None:
    held = coach.typing = HeldTyping()
    session = begin(coach, follow_ups=0)
    emb = coach.grader().embedder
    assert isinstance(emb, FakeEmbedder)
    engine = coach.engine(session.notes)
    for shown in range(2):  # the first question, then the one shown after an answer
        item = engine.kb.item(session.turns[-1].item_id)
        before = len(emb.calls)
        held.jobs.pop(session.id)()  # the reading pause passes
        # the question, what saying nothing to it reaches (grading/evidence.py), the points' words
        embedded = [[item.question], null_texts(item.question), [p.text for p in item.rubric]]
        assert emb.calls[before:] == embedded
        if shown == 0:
            finish_answer(coach, session, good(session))
    assert len(session.turns) == 2
