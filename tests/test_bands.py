"""One set of score bands: the page, the report, the exports and the schedule call a score alike."""

from datetime import UTC, datetime

import pytest
from fsrs import Rating

from interviewer.grading.grader import Grade, PointResult
from interviewer.interview import export
from interviewer.interview.report import report
from interviewer.practice import bands
from interviewer.practice.schedule import rating, reviews_of
from interviewer.storage.session import SCHEMA, Session, SessionOptions, Turn
from interviewer.web import views
from tests.conftest import ROOT

AT = datetime(2025, 3, 1, 9, tzinfo=UTC)


def graded(score: float) -> Session:
    """One answered question on topic "dropout", every point covered, scored `score`."""
    point = PointResult(text="It zeroes activations", status="covered", similarity=0.9, evidence="zeroes")
    turn = Turn(
        item_id="q1",
        question="What does dropout do?",
        topic="dropout",
        answer="It zeroes activations.",
        grade=Grade(score=score, rubric_from="item", points=[point]),
        asked_at=AT,
        answered_at=AT,
    )
    return Session(
        schema_version=SCHEMA,  # without it, a Session is read as one saved before SCHEMA 2
        id="s1",
        notes="/notes",
        embedder="fake",
        options=SessionOptions(),
        plan=["q1"],
        turns=[turn],
    )


@pytest.mark.parametrize(
    ("score", "name", "fsrs"),
    [
        (0.0, "needs work", Rating.Again),
        (4.5, "needs work", Rating.Again),  # "fair" on the page and "needs work" in the report, once
        (4.9, "needs work", Rating.Again),
        (5.0, "fair", Rating.Hard),
        (6.9, "fair", Rating.Hard),
        (7.0, "strong", Rating.Good),
        (8.9, "strong", Rating.Good),
        (9.0, "excellent", Rating.Easy),
        (10.0, "excellent", Rating.Easy),
    ],
)
def test_every_view_of_a_score_names_the_same_band(score: float, name: str, fsrs: Rating) -> None:
    assert bands.band(score).name == name
    session = graded(score)
    turn = session.turns[0]
    assert f"class='score {name.replace(' ', '-')}'" in views.feedback_html(turn)
    r = report(session)
    assert f"Overall {score:g}/10 ({name})" in views.report_markdown(session, r)
    assert ("Strong: dropout." in r.summary) == (name in {"strong", "excellent"})
    assert ("Needs work: dropout." in r.summary) == (name == "needs work")
    md = export.transcript(session, "md")
    assert f"**Overall:** {score:g}/10 ({name})" in md and f"- dropout: {score:g}/10 ({name})" in md
    assert f"Overall: {score:g}/10 ({name})" in export.transcript(session, "html")
    assert rating(score) == fsrs
    assert [r.rating for r in reviews_of(session)] == [int(fsrs)]


def test_the_bands_cover_every_score_once_from_the_top() -> None:
    floors = [b.floor for b in bands.BANDS]
    assert floors == sorted(floors, reverse=True) and floors[-1] == 0.0
    assert [b.rating for b in bands.BANDS] == [Rating.Easy, Rating.Good, Rating.Hard, Rating.Again]


def test_the_page_styles_every_band_and_the_readme_states_them() -> None:
    css = (ROOT / "interviewer" / "web" / "ui.css").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for b in bands.BANDS:
        assert f".score.{bands.css(b.floor)} " in css, b.name
        assert f"| {b.name} | {b.rating.name}" in readme, b.name
    assert bands.css(None) == "none" and ".score.none " in css
