"""Appeals and the clock: kept beside the grade, shown in the report and every export, summed
up by `app.py eval --appeals`. Time comes from a fake clock."""

import json
from pathlib import Path

import pytest

import app
from devtools.simulate import FakeClock
from interviewer.interview import export
from interviewer.llm.chat import FakeChat
from interviewer.practice.appeals import agreement
from interviewer.storage.session import Session
from interviewer.web import handlers, practice_tab
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder

NOTES = Path(__file__).parent / "fixtures" / "notes"


def interview(coach: Coach, appeal: float | None, limit: int = 0) -> Session:
    root = coach.load(NOTES).root
    options = practice_tab.options([], 1, 0, "auto", False, "", limit)
    session, page = handlers.start(coach, root, options)
    clock = coach.now
    assert isinstance(clock, FakeClock)
    clock.advance(seconds=42)
    list(handlers.answer(coach, session, "It is a regularization trick, I think."))
    if appeal is not None:
        page = practice_tab.appeal(coach, session, appeal, "I named the main idea")
        assert "Appeal saved" in page.status and f"your appeal: {appeal:g}/10" in page.chat[-2]["content"]
    handlers.end(coach, session)
    return session


def test_an_appeal_is_kept_beside_the_grade_and_shown_everywhere(data_dir: Path) -> None:
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat(), FakeClock())
    s = interview(coach, 8.5)
    turn = s.turns[0]
    assert turn.grade is not None and turn.appeal is not None and turn.appeal.score == 8.5
    assert turn.grade.score != 8.5 and turn.seconds == 42  # the grader's own score is untouched
    saved = coach.history.load(s.id)
    assert saved.turns[0].appeal == turn.appeal
    view = handlers.report(coach, saved)
    assert "your appeal: 8.5/10" in view.summary and "42 s" in view.summary
    md = handlers.export(coach, s.id, "md").read_text(encoding="utf-8")
    assert "**Your appeal:** 8.5/10" in md and "I named the main idea" in md and "Answered in 42 s" in md
    html = export.transcript(saved, "html")
    assert "Your appeal: 8.5/10" in html and "Answered in 42 s" in html
    assert json.loads(export.transcript(saved, "json"))["turns"][0]["appeal"]["score"] == 8.5
    plan = practice_tab.schedule(coach, saved)
    assert "Next due" in plan.markdown and len(plan.forecast) == 14
    assert [r["due"] for r in plan.forecast].count(1) == 1 and {r["due"] for r in plan.forecast} == {0, 1}


def test_an_appeal_needs_a_graded_answer_and_a_grade_in_range(data_dir: Path) -> None:
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat(), FakeClock())
    root = coach.load(NOTES).root
    session, _ = handlers.start(coach, root, practice_tab.options([], 1, 0, "auto", False, "", 0))
    with pytest.raises(handlers.UserError, match="no graded answer"):
        practice_tab.appeal(coach, session, 5, "")
    with pytest.raises(handlers.UserError, match="from 0 to 10"):
        practice_tab.appeal(coach, session, 11, "")


def test_a_time_limit_shows_a_countdown_of_what_is_left(data_dir: Path) -> None:
    clock = FakeClock()
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat(), clock)
    root = coach.load(NOTES).root
    session, page = handlers.start(coach, root, practice_tab.options([], 2, 0, "auto", False, "", 60))
    assert "--left:60" in page.clock and "of 60 s" in page.clock
    clock.advance(seconds=25)
    assert "--left:35" in handlers.page(coach, session).clock  # a reload shows what is left, not 60 again
    clock.advance(seconds=50)
    list(handlers.answer(coach, session, "Too slow."))
    md = export.transcript(session, "md")
    assert "Answered in 75 s (limit 60 s — over the limit)" in md


def test_eval_appeals_reports_agreement(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat(), FakeClock())
    assert app.main(["eval", "--appeals"]) == 0
    assert "No appeals" in capsys.readouterr().out
    sessions = [interview(coach, score) for score in (2.0, 6.0, 9.0)] + [interview(coach, None)]
    result = agreement(sessions)
    graded = [s.turns[0].grade.score for s in sessions[:3]]  # type: ignore[union-attr]
    assert result.count == 3 and [p for _, p in result.pairs] == [2.0, 6.0, 9.0]
    assert result.mean_difference == round(sum((2.0, 6.0, 9.0)) / 3 - sum(graded) / 3, 2)  # type: ignore[arg-type]
    assert app.main(["eval", "--appeals", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 3
    assert app.main(["eval"]) == 2  # neither files nor --appeals
