"""Follow-ups written while the candidate thinks: none on the critical path, kept on disk, and an
LLM process killed mid-generation costs one template question, never the interview."""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from interviewer.llm.chat import ChatError, FakeChat, Message
from interviewer.llm.followup import DRAFTS
from interviewer.llm.followup_drafts import WAITING, Preparer
from interviewer.llm.llama_server import LocalServerChat
from interviewer.storage.session import SessionOptions
from interviewer.web import handlers
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder
from tests.conftest import HANG
from tests.test_chat import smollm_path

QUESTION, POINT = "What does dropout do?", "It reduces co-adaptation between neurons"
NOTES = """## What does dropout do?
It reduces co-adaptation between neurons.

## Why use batch normalization?
It normalizes activations with mini-batch statistics.
"""


def ready(preparer: Preparer, question: str, point: str) -> bool:
    """The point's follow-up is written (or failed for good): take() waits on the preparer's own
    condition, woken when a draft is saved."""
    return preparer.take(question, point, "en", wait=HANG).rejected != WAITING


class Watched(FakeChat):
    """A FakeChat a test can wait on, woken at each call, instead of polling it against a clock."""

    def __init__(self, replies: list[str]) -> None:
        super().__init__(replies)
        self.called = threading.Condition()

    def stream(self, messages, max_tokens=128, stop=None, temperature=0.0, seed=0):  # type: ignore[no-untyped-def]
        reply = super().stream(messages, max_tokens, stop, temperature, seed)
        try:
            first = [next(reply)]  # FakeChat records the call as it starts
        except StopIteration:
            first = []
        finally:
            with self.called:
                self.called.notify_all()
        yield from first
        yield from reply

    def wait_until(self, done: Callable[[], bool]) -> bool:
        with self.called:
            return self.called.wait_for(done, timeout=HANG)


def test_at_enter_the_follow_up_is_already_written(data_dir: Path) -> None:
    chat = FakeChat(["What happens to units that learn to rely on each other?"] * 5)
    coach = Coach(data_dir, FakeEmbedder, lambda: chat)
    root = coach.load(Path(__file__).parent / "fixtures" / "notes").root
    session, _ = handlers.start(coach, root, SessionOptions(questions=1, follow_ups=1, seed=1))
    asked = session.asked[session.plan[0]]
    for p in asked.points:  # the candidate is still thinking
        assert ready(coach.preparer(), asked.question, p.text)
    calls = len(chat.history)
    list(handlers.answer(coach, session, "It is some kind of trick."))
    follow = session.turns[-1]
    assert follow.kind == "follow_up" and follow.note is None
    assert follow.question == "What happens to units that learn to rely on each other?"
    assert len(chat.history) == calls  # no LLM call between Enter and the follow-up
    assert not any("some kind of trick" in m["content"] for c in chat.history for m in c)  # nor the answer


def test_the_next_question_s_follow_ups_are_drafted_behind_this_one_s(data_dir: Path) -> None:
    """A candidate who answers quickly still finds the next question's follow-ups written."""
    chat = Watched(["What happens to units that learn to rely on each other?"] * 20)
    coach = Coach(data_dir, FakeEmbedder, lambda: chat)
    root = coach.load(Path(__file__).parent / "fixtures" / "notes").root
    session, _ = handlers.start(coach, root, SessionOptions(questions=2, follow_ups=1, seed=1))
    first, second = (session.asked.get(i) for i in session.plan)
    assert first is not None and second is None  # the second is not asked yet
    upcoming = coach.engine(root).kb.item(session.plan[1])

    def prompts() -> list[str]:
        return [m["content"] for c in chat.history for m in c if m["role"] == "user"]

    # watched, not take()n: take() would move a point ahead
    assert chat.wait_until(lambda: all(any(p.text in a for a in prompts()) for p in upcoming.rubric))
    for p in upcoming.rubric:
        assert ready(coach.preparer(), upcoming.question, p.text)
    asked = prompts()
    last_first = max(n for n, a in enumerate(asked) if any(p.text in a for p in first.points))
    first_next = min(n for n, a in enumerate(asked) if any(p.text in a for p in upcoming.rubric))
    assert last_first < first_next  # this question's drafts come first


class GatedChat(FakeChat):
    """Writes its first reply's first piece, then the rest only once the test lets it: a draft
    that is surely under way when the grade comes, however fast the machine. Says when a reader
    cut a reply off, and counts the replies begun while the test says a grade is running."""

    def __init__(self, replies: list[str]) -> None:
        super().__init__(replies)
        self.writing, self.go, self.cut = threading.Event(), threading.Event(), threading.Event()
        self.grading = False
        self.begun_while_grading = 0

    def stream(self, messages, max_tokens=128, stop=None, temperature=0.0, seed=0):  # type: ignore[no-untyped-def]
        self.begun_while_grading += self.grading
        try:
            for piece in super().stream(messages, max_tokens, stop, temperature, seed):
                yield piece
                self.writing.set()
                assert self.go.wait(HANG)
        except GeneratorExit:  # the reader closed the stream before its end
            self.cut.set()
            raise


def test_a_grade_stops_the_draft_being_written_and_it_is_made_again_after(tmp_path: Path) -> None:
    wording = "What happens to units that learn to rely on each other?"
    chat = GatedChat([wording] * 3)
    preparer = Preparer(chat, tmp_path / "f.sqlite")
    preparer.prepare(QUESTION, [POINT], "en")
    assert chat.writing.wait(HANG)  # the draft is under way
    with preparer.hold():  # a grade
        chat.grading = True
        chat.go.set()  # the model goes on writing: the draft must stop at its next piece
        assert chat.cut.wait(HANG)  # it did, the reply cut off
        assert preparer.take(QUESTION, POINT, "en", wait=0).rejected == WAITING  # nothing kept of it
        chat.grading = False
    fu = preparer.take(QUESTION, POINT, "en", wait=HANG)
    assert fu.from_llm and fu.text == wording and len(chat.history) == 2  # stopped, made again whole
    assert chat.begun_while_grading == 0  # and again only once the grade was done


def test_prepared_follow_ups_are_kept_on_disk(tmp_path: Path) -> None:
    first = Preparer(
        FakeChat(["What happens to units that learn to rely on each other?"]), tmp_path / "f.sqlite"
    )
    first.prepare(QUESTION, [POINT], "en")
    assert first.take(QUESTION, POINT, "en", wait=HANG).from_llm
    later = Preparer(FakeChat(fail=ChatError("down")), tmp_path / "f.sqlite")  # a restart, LLM down
    again = later.take(QUESTION, POINT, "en", wait=0)
    assert again.from_llm and again.text == "What happens to units that learn to rely on each other?"


def test_drafts_that_fail_the_checks_are_retried_then_a_template(tmp_path: Path) -> None:
    chat = FakeChat(
        [QUESTION, "Dropout reduces co-adaptation.", "Why might units stop relying on each other?"]
    )
    preparer = Preparer(chat, tmp_path / "f.sqlite")
    preparer.prepare(QUESTION, [POINT], "en")
    fu = preparer.take(QUESTION, POINT, "en", wait=HANG)
    assert fu.from_llm and fu.text == "Why might units stop relying on each other?" and len(chat.history) == 3
    assert chat.history[1][-1]["content"] != chat.history[0][-1]["content"]  # another prompt
    assert chat.sampling == [(0.0, 0), (0.0, 1), (0.8, 2)]  # then sampled, with its own seed
    stubborn = Preparer(FakeChat([QUESTION] * len(DRAFTS)), tmp_path / "g.sqlite")
    stubborn.prepare(QUESTION, [POINT], "en")
    fu = stubborn.take(QUESTION, POINT, "en", wait=HANG)
    assert not fu.from_llm and fu.rejected == "repeats the question"


def test_every_point_gets_its_greedy_drafts_before_any_is_sampled(tmp_path: Path) -> None:
    """A point whose quick drafts fail waits for its sampled ones until the question's other
    points have had their quick ones: an early Enter finds most follow-ups written."""
    other = "Units are dropped only during training"
    chat = Watched(
        [QUESTION, QUESTION, "What changes at inference time?", "Why might units stop relying on each other?"]
    )
    preparer = Preparer(chat, tmp_path / "f.sqlite")
    preparer.prepare(QUESTION, [POINT, other], "en")
    assert chat.wait_until(lambda: len(chat.history) == 4)  # a take() before would reorder
    first, second = (preparer.take(QUESTION, p, "en", wait=HANG) for p in (POINT, other))
    assert second.text == "What changes at inference time?"
    assert first.text == "Why might units stop relying on each other?"
    assert chat.sampling == [(0.0, 0), (0.0, 1), (0.0, 0), (0.8, 2)]  # POINT, POINT, other, POINT


class KilledMidStream:
    """The real server on the tiny model, killed after the first piece of its first reply."""

    def __init__(self, inner: LocalServerChat) -> None:
        self.inner, self.name, self.killed = inner, inner.name, False

    def stream(
        self,
        messages: list[Message],
        max_tokens: int = 128,
        stop: list[str] | None = None,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> Iterator[str]:
        for piece in self.inner.stream(messages, max_tokens, stop, temperature, seed):
            if not self.killed and self.inner.proc is not None:
                self.killed = True
                self.inner.proc.kill()  # kill -9, mid-generation
                self.inner.proc.wait(timeout=HANG)
            yield piece


def test_an_llm_killed_mid_generation_costs_one_template_question(tmp_path: Path, data_dir: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "dl.md").write_text(NOTES)
    server = LocalServerChat(smollm_path(), n_ctx=512)
    server.warm().join(timeout=HANG)
    chat = KilledMidStream(server)
    try:
        coach = Coach(data_dir, FakeEmbedder, lambda: chat)
        root = coach.load(notes).root
        session, _ = handlers.start(coach, root, SessionOptions(questions=2, follow_ups=1, seed=1))
        first = session.asked[session.plan[0]]
        assert ready(coach.preparer(), first.question, first.points[0].text)
        # in the field, its point missed: the LLM is asked (off-topic, it would be the substance template)
        answer = "Batch normalization helps when training deep networks."
        page = list(handlers.answer(coach, session, answer))[-1]
        follow = session.turns[-1]
        assert follow.kind == "follow_up" and follow.note and "the local model stopped" in follow.note
        assert "template" in page.status  # the person sees why the question reads plainly
        list(handlers.answer(coach, session, "No idea beyond that."))
        second = session.asked[session.plan[1]]
        assert session.current is not None and session.current.question == second.question
        assert ready(coach.preparer(), second.question, second.points[0].text)
        back = coach.preparer().take(second.question, second.points[0].text, "en", wait=0)
        assert not back.llm_error and server.restarts == 1  # the LLM came back for the next question
        saved = coach.history.load(session.id)
        assert [t.answer for t in saved.turns if t.answer] == [t.answer for t in session.turns if t.answer]
        assert len([t for t in saved.turns if t.answer]) == 2
    finally:
        server.close()
