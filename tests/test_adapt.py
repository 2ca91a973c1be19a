"""A person's own standard: the bounded monotone map their appeals fit (grading/adapt.py), how the
interview applies it (Engine.record), shows it and lets it be turned off, and what the schedule
reads. Fake embedder and clock."""

from pathlib import Path

import numpy as np
import pytest

from devtools.simulate import FakeClock
from interviewer.grading import adapt, calibration, scoring
from interviewer.grading.grader import Grader
from interviewer.interview.engine import Engine
from interviewer.practice.schedule import rating, reviews_of
from interviewer.storage.history import History
from interviewer.storage.session import LOCAL, Session, SessionOptions
from interviewer.web import views
from knowledge.index.embedder import FakeEmbedder
from knowledge.index.ingest import index_dir, ingest

NOTES = Path(__file__).parent / "fixtures" / "notes"  # every question answered in the notes


def test_no_map_under_five_appeals() -> None:
    assert adapt.fit([(5.0, 7.0)] * (adapt.MIN_APPEALS - 1)) is None
    fitted = adapt.fit([(5.0, 7.0)] * adapt.MIN_APPEALS)
    assert fitted is not None and fitted.appeals == adapt.MIN_APPEALS


def test_a_lenient_person_lifts_the_level_at_once_and_the_slope_as_appeals_come() -> None:
    lenient = [(4.0, 6.0), (5.0, 7.0), (6.0, 8.0), (3.0, 5.0), (7.0, 9.0)]
    five = adapt.fit(lenient)
    assert five is not None and five.shift == 2.0 and five.slope == 1.0 and five.apply(5.0) == 7.0
    spread = [(g, 5 + 2 * (g - 5)) for g in (3.0, 4.0, 5.0, 6.0, 7.0)]  # twice as far from 5 every time
    few, many = adapt.fit(spread), adapt.fit(spread * 4)
    assert few is not None and many is not None and few.shift == many.shift == 0.0
    assert few.slope == pytest.approx(1 + 5 / (5 + adapt.SLOPE_PRIOR), abs=1e-4)
    assert 1 < few.slope < many.slope < 2 and many.apply(8.0) > few.apply(8.0) > 8.0


def test_the_map_is_monotone_bounded_and_on_the_scale() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        grader = rng.uniform(0, 10, 8)
        person = np.clip(10 - grader + rng.normal(0, 3, 8), 0, 10)  # even a person who disagrees
        fitted = adapt.fit(list(zip(grader, person, strict=True)))
        assert fitted is not None
        assert adapt.MIN_SLOPE <= fitted.slope <= adapt.MAX_SLOPE and abs(fitted.shift) <= adapt.MAX_SHIFT
        shown = [fitted.apply(s) for s in np.linspace(0, 10, 21)]
        assert all(0 <= a <= b <= 10 for a, b in zip(shown, shown[1:], strict=False))


def test_the_caps_still_hold_over_a_lenient_standard() -> None:
    lenient = adapt.fit([(2.0, 9.0)] * 10)
    assert lenient is not None and lenient.apply(0.5) > scoring.UNRELATED_CAP
    assert scoring.adjusted(0.5, scoring.UNRELATED_CAP, lenient) == scoring.UNRELATED_CAP
    assert scoring.adjusted(4.0, 10.0, None) == 4.0


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    emb = FakeEmbedder()
    kb, _ = ingest(NOTES, emb, index_dir(tmp_path / "data", NOTES, emb.name))
    history = History(tmp_path / "data" / "history.sqlite")
    return Engine(kb, Grader(emb, calibration.load(emb.name)), None, history, FakeClock())


def answered(engine: Engine, appeal: float | None, adjust: bool = True, user: str = LOCAL) -> Session:
    """One question answered from the notes by `user`, appealed with `appeal`."""
    s = engine.start(SessionOptions(questions=1, follow_ups=0, seed=0, adjust=adjust), user)
    item = engine.kb.item(s.plan[0])
    engine.answer(s, ". ".join(p.text for p in item.rubric[:2]))
    if appeal is not None:
        engine.appeal(s, appeal)
    engine.end(s)
    return s


def test_from_five_appeals_on_grades_follow_the_persons_standard(engine: Engine) -> None:
    strict = [answered(engine, 1.0) for _ in range(adapt.MIN_APPEALS - 1)]
    plain = answered(engine, None)
    grade = plain.turns[0].grade
    assert grade is not None and grade.appeals == 0 and grade.unadjusted is None  # four: not yet
    strict.append(answered(engine, 1.0))
    adjusted = answered(engine, None)
    g = adjusted.turns[0].grade
    assert (
        g is not None and g.appeals == adapt.MIN_APPEALS and g.unadjusted is not None and g.score is not None
    )
    assert g.score < g.unadjusted  # a strict person: the same kind of answer now scores lower
    # the map is fitted on the grader's own scores (none of these five was adjusted yet)
    fitted = adapt.fit([(s.turns[0].grade.score, 1.0) for s in strict if s.turns[0].grade])  # type: ignore[misc]
    assert fitted is not None and g.score == pytest.approx(fitted.apply(g.unadjusted), abs=0.11)
    assert "adjusted to 5 of your appeals" in views.grade_line(g)
    assert "adjusted to 5 of your appeals" in views.feedback_html(adjusted.turns[0]).lower()
    # the schedule rates the question from the score shown
    missed = any(p.status == "missed" for p in g.points)
    assert reviews_of(adjusted)[0][2] == int(rating(g.score, missed))
    off = answered(engine, None, adjust=False)
    g_off = off.turns[0].grade
    assert g_off is not None and g_off.appeals == 0 and g_off.unadjusted is None
    assert "adjusted" not in views.grade_line(g_off)


def test_appeals_on_other_notes_do_not_count(engine: Engine) -> None:
    for _ in range(adapt.MIN_APPEALS):
        s = answered(engine, 1.0)
        s.notes = "/somewhere/else"
        engine.history.save(s)
    g = answered(engine, None).turns[0].grade
    assert g is not None and g.appeals == 0


def test_another_persons_appeals_do_not_set_your_standard(engine: Engine) -> None:
    for _ in range(adapt.MIN_APPEALS):
        answered(engine, 1.0, user="someone-else")
    g = answered(engine, None).turns[0].grade
    assert g is not None and g.appeals == 0
    theirs = answered(engine, None, user="someone-else").turns[0].grade
    assert theirs is not None and theirs.appeals == adapt.MIN_APPEALS


def test_appeals_that_scatter_around_the_grader_change_nothing() -> None:
    # off by 2 either way: no standard of their own, and a line through them would have missed
    # each appeal left out of it by more than the shared standard did
    assert adapt.fit([(4, 6), (5, 3), (6, 8), (3, 1), (7, 9)]) is None
    steady = adapt.fit([(4, 6), (5, 7), (6, 8), (3, 5), (7, 9)])  # 2 higher, every time: a map
    assert steady is not None and steady.apply(5.0) == 7.0
