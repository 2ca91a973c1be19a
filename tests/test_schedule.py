"""Spaced repetition: the grade-to-rating mapping, the plan's order, restarts, the migration from
the schema before cards, and the simulated weeks. A fake clock: no test waits or depends on speed."""

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from fsrs import Rating

import app
from devtools import simulate
from interviewer.grading import calibration
from interviewer.grading.grader import Grader
from interviewer.interview.engine import Engine
from interviewer.llm.chat import FakeChat
from interviewer.practice.schedule import Schedule, rating, reviews_of
from interviewer.storage.history import History
from interviewer.storage.migrations import MIGRATIONS, m001_sessions
from interviewer.storage.session import Appeal, Session, SessionOptions
from interviewer.web import handlers, practice_tab
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import index_dir, ingest
from tests.conftest import BUNDLED

VAGUE = simulate.VAGUE
FIXTURE = Path(__file__).parent / "fixtures" / "notes"


@pytest.fixture
def clock() -> simulate.FakeClock:
    return simulate.FakeClock()


@pytest.fixture
def engine(tmp_path: Path, clock: simulate.FakeClock) -> Engine:
    emb = FakeEmbedder()
    kb, _ = ingest(BUNDLED, emb, index_dir(tmp_path / "data", BUNDLED, emb.name))
    history = History(tmp_path / "data" / "history.sqlite")
    return Engine(kb, Grader(emb, calibration.load(emb.name)), None, history, clock)


def good_answer(engine: Engine, item_id: str) -> str:
    item = engine.kb.item(item_id)
    return item.answer or ". ".join(p.text for p in item.rubric)


@pytest.mark.parametrize(
    ("score", "missed", "appealed", "expected"),
    [
        (0.0, False, False, Rating.Again),
        (4.9, False, False, Rating.Again),
        (5.0, False, False, Rating.Hard),
        (6.9, False, False, Rating.Hard),
        (7.0, False, False, Rating.Good),
        (8.9, False, False, Rating.Good),
        (9.0, False, False, Rating.Easy),
        (10.0, False, False, Rating.Easy),
        (9.5, True, False, Rating.Hard),  # a missed key point is never a pass
        (3.0, True, False, Rating.Again),
        (9.5, True, True, Rating.Easy),  # the person's own grade stands as given
    ],
)
def test_grade_to_rating(score: float, missed: bool, appealed: bool, expected: Rating) -> None:
    assert rating(score, missed, appealed) == expected


def first_day(engine: Engine, clock: simulate.FakeClock) -> Session:
    """Three questions: one answered from the notes, one vaguely, one skipped."""
    s = engine.start(SessionOptions(questions=3, follow_ups=0, seed=7))
    clock.advance(seconds=30)
    engine.answer(s, good_answer(engine, s.plan[0]))
    clock.advance(seconds=20)
    engine.answer(s, VAGUE)
    engine.skip(s)
    engine.end(s)
    return s


def test_due_cards_come_first_then_new_ones_shuffled_per_session(
    engine: Engine, clock: simulate.FakeClock
) -> None:
    root, ids = engine.kb.manifest.notes_root, [i.id for i in engine.kb.items]
    s = first_day(engine, clock)
    assert s.turns[0].seconds == 30 and s.turns[1].seconds == 20
    ratings = {r.item_id: r.rating for r in reviews_of(s)}
    # skipped: a lapse; the vague answer names no point: never a pass (the shared standard, lenient
    # like the graders it follows, puts it near 5/10: Hard, or Again)
    assert ratings[s.plan[2]] == Rating.Again and ratings[s.plan[1]] <= Rating.Hard
    assert engine.schedule.due(root, ids) == []  # nothing is due again the same day
    clock.advance(days=1)
    due = set(engine.schedule.due(root, ids))
    assert {s.plan[1], s.plan[2]} <= due and s.plan[0] not in due  # a lapse comes back tomorrow
    a = engine.start(SessionOptions(questions=10, follow_ups=0, seed=1))
    b = engine.start(SessionOptions(questions=10, follow_ups=0, seed=2))
    for plan in (a.plan, b.plan):
        assert set(plan[: len(due)]) == due  # due first
        assert not set(plan[len(due) :]) & set(s.plan)  # then never-seen ones
    assert a.plan[len(due) :] != b.plan[len(due) :]  # two sessions don't open alike
    assert engine.start(SessionOptions(questions=10, follow_ups=0, seed=1)).plan == a.plan  # a seed replays


def test_the_schedule_survives_a_restart_and_uses_an_appealed_grade(
    engine: Engine, clock: simulate.FakeClock, tmp_path: Path
) -> None:
    s = first_day(engine, clock)
    root = engine.kb.manifest.notes_root
    before = {i: c.to_dict() for i, c in engine.schedule.cards(root).items()}
    again = Schedule(History(tmp_path / "data" / "history.sqlite"), clock)  # a new process
    assert {i: c.to_dict() for i, c in again.cards(root).items()} == before
    vague = s.plan[1]
    assert again.cards(root)[vague].due - clock() < timedelta(days=2)
    s.turns[1].appeal = Appeal(score=9.5, reason="the grader missed my point", at=clock())
    again.record(s)  # the same review, re-rated: not a second one
    assert len(engine.history.reviews(root, vague)) == 1
    assert again.cards(root)[vague].due - clock() > timedelta(days=3)


def test_a_history_from_before_cards_is_migrated_and_its_sessions_still_load(
    engine: Engine, clock: simulate.FakeClock, tmp_path: Path
) -> None:
    s = first_day(engine, clock)
    old = json.loads(s.model_dump_json())
    for turn in old["turns"]:
        del turn["appeal"]
    del old["job"], old["options"]["job"], old["options"]["time_limit"]  # what today's code wrote
    path = tmp_path / "old" / "history.sqlite"
    path.parent.mkdir()
    with sqlite3.connect(path) as db:  # the history as m001 alone left it
        db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY)")
        m001_sessions(db)
        db.execute("INSERT INTO _migrations VALUES ('m001_sessions')")
        db.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?)", (s.id, old["created"], s.notes, json.dumps(old))
        )
    history = History(path)
    with sqlite3.connect(path) as db:
        applied = [r[0] for r in db.execute("SELECT name FROM _migrations")]
    assert applied == [m.__name__ for m in MIGRATIONS]
    loaded = history.load(s.id)
    assert loaded.turns[0].grade == s.turns[0].grade and loaded.turns[0].appeal is None
    assert loaded.options.time_limit == 0 and loaded.job == []
    Schedule(history, clock).record(loaded)  # an old session's answers can seed the schedule
    assert set(Schedule(history, clock).cards(s.notes)) == set(s.plan)


def test_two_simulated_weeks_grow_then_shrink_the_due_queue(tmp_path: Path) -> None:
    days = simulate.run(BUNDLED, FakeEmbedder(), tmp_path, days=10, questions=8)
    due = [d.due for d in days]
    assert due[0] == 0 and days[0].new == 8  # day one: all new
    assert max(due) > 0 and any(b < a for a, b in zip(due, due[1:], strict=False))  # it grows, then shrinks
    assert all(d.reviewed == min(d.due, 8) for d in days)  # due ones are asked first
    assert any(d.new for d in days[1:])  # on lighter days new questions come in
    assert days[-1].learned > 0  # some cards spaced a week or more apart
    assert simulate.table(days).count("\n") == len(days) + 1


def test_the_simulate_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert app.main(["simulate", "--days", "2", "--questions", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| day | due |") and "\n| 2 |" in out


def test_the_page_shows_what_is_due_per_topic(data_dir: Path) -> None:
    clock = simulate.FakeClock()
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat(), clock)
    root = coach.load(FIXTURE).root
    assert practice_tab.due(coach, root) == "**Due today: 0** · 3 new · 0 learned"
    session, _ = handlers.start(coach, root, practice_tab.options([], 1, 0, "auto", False, "", 0))
    list(handlers.answer(coach, session, VAGUE))
    handlers.end(coach, session)
    assert handlers.history(coach).sessions == 1  # the page draws points, not a line, for one
    clock.advance(days=1)
    assert practice_tab.due(coach, root) == "**Due today: 1** · 2 new · 0 learned\n\nDeep learning: 1"
