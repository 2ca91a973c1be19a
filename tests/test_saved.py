"""A saved interview needs its notes no more: after they are deleted, and the app restarted, it
still takes an appeal, ends, and gives its report, schedule and exports."""

import json
import shutil
from pathlib import Path

from devtools.simulate import FakeClock
from interviewer.llm.chat import ChatBackend, FakeChat
from interviewer.practice.schedule import Schedule
from interviewer.storage.session import SessionOptions
from interviewer.web import handlers, practice_tab
from interviewer.web.workspace import Coach
from knowledge.index.embedder import Embedder, FakeEmbedder

NOTES = Path(__file__).parent / "fixtures" / "notes"


def no_embedder() -> Embedder:
    raise AssertionError("an interview whose notes are gone loaded a model")


def no_chat() -> ChatBackend:
    raise AssertionError("an interview whose notes are gone loaded the LLM")


def test_end_and_appeal_work_with_the_notes_deleted(tmp_path: Path, data_dir: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    clock = FakeClock()
    before = Coach(data_dir, FakeEmbedder, lambda: FakeChat(), clock)
    root = before.load(notes).root
    session, _ = handlers.start(before, root, SessionOptions(questions=2, follow_ups=0, seed=1))
    list(handlers.answer(before, session, "It zeroes random activations while training."))
    assert session.current is not None  # the second question waits
    shutil.rmtree(notes)

    # a restart: nothing of the notes is loaded, and nothing may load them or a model
    coach = Coach(data_dir, no_embedder, no_chat, clock)
    session = coach.history.load(session.id)
    clock.advance(minutes=5)
    page = practice_tab.appeal(coach, session, 9, "I named the main idea")
    assert "Appeal saved: 9/10" in page.status
    page = handlers.end(coach, session)
    assert session.finished and not page.active and "Interview finished." in page.status

    saved = coach.history.load(session.id)
    assert saved.finished and saved.turns[0].appeal is not None and saved.turns[0].appeal.score == 9
    assert saved.turns[0].appeal.at == clock()
    first = saved.turns[0].item_id
    reviews = coach.history.reviews(saved.notes, first)
    assert [r.rating for r in reviews] == [4]  # Easy: the appeal's 9 rates the review
    assert first in Schedule(coach.history, clock).cards(saved.notes)

    view = handlers.report(coach, saved)
    assert "your appeal: 9/10" in view.summary and saved.asked[first].question in view.summary
    assert saved.asked[first].answer.split("\n")[0] in view.model_answers  # kept in the session
    plan = practice_tab.schedule(coach, saved)
    assert "Next due" in plan.markdown and len(plan.forecast) == practice_tab.FORECAST_DAYS
    for fmt in ("md", "html"):
        text = handlers.export(coach, saved.id, fmt).read_text(encoding="utf-8")
        assert "Your appeal" in text and saved.asked[first].question in text
    exported = json.loads(handlers.export(coach, saved.id, "json").read_text(encoding="utf-8"))
    assert exported["finished"] is True
    assert practice_tab.due(coach, saved.notes) == ""  # nothing to count: the notes are gone
