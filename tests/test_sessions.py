"""A saved interview stands alone: report and export with its notes folder gone, old sessions
upgraded (the history's schema is pinned in test_storage.py, on both backends)."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

import app
from interviewer.interview import export
from interviewer.interview.report import report
from interviewer.llm.chat import FakeChat
from interviewer.storage.history import History
from interviewer.storage.session import SCHEMA, Session, SessionOptions
from interviewer.web import handlers
from interviewer.web.workspace import Coach
from knowledge.index.embedder import FakeEmbedder

NOTES = Path(__file__).parent / "fixtures" / "notes"


def finished_interview(data_dir: Path, notes: Path) -> Session:
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())
    root = coach.load(notes).root
    session, _ = handlers.start(coach, root, SessionOptions(questions=2, follow_ups=0, seed=1))
    list(handlers.answer(coach, session, "Dropout randomly zeroes activations during training."))
    handlers.end(coach, session)
    return session


def test_an_interview_exports_after_its_notes_are_gone(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    session = finished_interview(data_dir, notes)
    first = session.asked[session.plan[0]]
    assert first.answer and first.points and first.source.endswith(".md") and first.line
    before = export.transcript(session, "md")
    shutil.rmtree(notes)

    assert app.main(["export", session.id, "--format", "md"]) == 0  # the CLI: a new process's view
    assert capsys.readouterr().out == before
    assert first.answer in before and f"{first.source}: {first.heading}" in before
    coach = Coach(data_dir, FakeEmbedder, lambda: FakeChat())  # the page, after a restart
    saved = coach.history.load(session.id)
    view = handlers.report(coach, saved)
    assert first.question in view.model_answers and first.answer in view.model_answers
    for fmt in handlers.FORMATS:
        assert handlers.export(coach, session.id, fmt).read_text(encoding="utf-8")


def test_a_session_saved_before_sessions_kept_their_questions_is_upgraded(
    tmp_path: Path, data_dir: Path
) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(NOTES, notes)
    session = finished_interview(data_dir, notes)
    old = json.loads(session.model_dump_json())
    del old["asked"], old["schema_version"]  # exactly what schema 1 wrote
    path = data_dir / "history.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE sessions SET body = ? WHERE id = ?", (json.dumps(old), session.id))
    shutil.rmtree(notes)

    loaded = History(path).load(session.id)
    assert loaded.schema_version == SCHEMA
    graded = next(t for t in loaded.turns if t.grade)
    asked = loaded.asked[graded.item_id]
    assert asked.question == graded.question and [p.text for p in asked.points] == [
        p.text
        for p in graded.grade.points  # type: ignore[union-attr]
    ]
    r = report(loaded)
    assert [q.question for q in r.questions] == [q.question for q in report(session).questions]
    assert r.missed == report(session).missed  # points and their sources survive; the model answer can't
    assert "Interview" in export.transcript(loaded, "html")
