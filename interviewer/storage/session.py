"""The engine's API at its edges: options in, a session of turns out, a report at the end.

A Session round-trips through JSON unchanged (the history and the JSON export rely on it), and
stands alone: it keeps each asked question's text, rubric points with their sources and model
answer, so its report and export never need the notes again. Sessions saved before that
(SCHEMA 1) are upgraded on load from what their turns hold.
"""

from datetime import UTC, datetime
from statistics import mean
from typing import Literal, NamedTuple

from pydantic import BaseModel, Field, model_validator

from interviewer.grading.grader import Grade, GradePoint, Origin, PointResult

SCHEMA = 2  # 2: sessions keep what they asked (Asked)
LOCAL = "local"  # the one user of a coach run without logins; nobody can sign in under this name


def now() -> datetime:
    return datetime.now(UTC)


class SessionOptions(BaseModel):
    topics: list[str] = Field(default_factory=list)  # empty: every topic
    questions: int = Field(default=5, ge=1, le=50)
    follow_ups: int = Field(default=1, ge=0, le=2)  # per main question
    language: Literal["auto", "zh", "en"] = "auto"  # auto: the language of each note
    review_weak: bool = False  # most-missed first, instead of the spaced-repetition schedule
    seed: int = 0  # same notes, options, schedule and seed: same questions (the page and CLI draw one)
    time_limit: int = Field(default=0, ge=0, le=3600)  # seconds per question, shown as a countdown; 0: none
    job: str = Field(default="", max_length=20_000)  # a job description the plan aims at; empty: none
    # from 5 appeals on these notes, grade to your own standard (grading/adapt.py); off: the shared one
    adjust: bool = True


class Appeal(BaseModel):
    """The person's own grade for an answer; kept beside the grader's, never replacing it."""

    score: float = Field(ge=0, le=10)
    reason: str = Field(default="", max_length=2000)
    at: datetime = Field(default_factory=now)


class Requirement(BaseModel):
    """One line of a job description and the notes' closest question; none close enough: a gap."""

    text: str
    item_id: str | None = None  # the closest question, when the notes cover the requirement
    question: str = ""
    similarity: float = 0.0


class Turn(BaseModel):
    item_id: str
    question: str
    kind: Literal["main", "follow_up"] = "main"
    topic: str = ""
    answer: str | None = None
    grade: Grade | None = None
    skipped: bool = False
    hints: list[str] = Field(default_factory=list)
    revealed: bool = False  # the model answer was shown before this turn was answered
    note: str | None = None  # e.g. why a template follow-up was used
    asked_at: datetime = Field(default_factory=now)
    answered_at: datetime | None = None
    appeal: Appeal | None = None

    @property
    def seconds(self) -> float | None:
        """Time to answer: from the question shown to the answer sent (None: not answered)."""
        if self.answered_at is None or self.skipped:
            return None
        return round((self.answered_at - self.asked_at).total_seconds(), 1)


class Asked(BaseModel):
    """A question as the notes had it when it was asked."""

    question: str
    topic: str
    language: str = "en"
    source: str = ""  # notes file
    heading: str = ""
    line: int | None = None
    answer: str = ""  # the notes' answer; empty for a question-only item
    points: list[GradePoint] = Field(default_factory=list)  # the rubric it was graded against
    rubric_from: Origin = "item"
    written_by: Literal["notes", "model", "template"] = "notes"  # who wrote the question (question_writer.py)


class Askable(BaseModel):
    """A question an interview on some notes can ask, as it would be asked now (`app.py questions`)."""

    id: str
    question: str
    source: str
    line: int
    written_by: Literal["notes", "model", "template"]
    place: str = ""  # "page 3", "slide 2", "cell 5" for a converted file (reading/converters.py)


class Session(BaseModel):
    schema_version: int = SCHEMA
    id: str
    user: str = LOCAL  # whose interview: only they see, resume, appeal, report or export it
    notes: str  # the notes folder it was drawn from
    embedder: str
    options: SessionOptions
    plan: list[str] = Field(default_factory=list)  # item ids of the main questions, in order
    turns: list[Turn] = Field(default_factory=list)
    asked: dict[str, Asked] = Field(default_factory=dict)  # item id -> the question as asked
    job: list[Requirement] = Field(default_factory=list)  # options.job's requirements, matched
    created: datetime = Field(default_factory=now)
    finished: bool = False

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: object) -> object:
        """SCHEMA 1 kept no Asked: rebuild it from the turns (the model answer is lost)."""
        if not isinstance(data, dict) or data.get("schema_version", 1) >= SCHEMA:
            return data
        asked: dict[str, dict[str, object]] = {}
        for t in data.get("turns", []):
            if t.get("kind", "main") == "main":
                asked.setdefault(t["item_id"], {"question": t["question"], "topic": t.get("topic", "")})
            grade = t.get("grade") or {}
            if grade.get("points"):
                keep = ("text", "source", "heading", "line")
                points = [{k: p[k] for k in keep if k in p} for p in grade["points"]]
                origin = grade.get("rubric_from", "item")
                asked[t["item_id"]].update(points=points, rubric_from=origin)
                if origin == "item":  # the item's own points: they name its file and heading
                    asked[t["item_id"]].update(
                        source=points[0].get("source", ""), heading=points[0].get("heading", "")
                    )
        return {**data, "schema_version": SCHEMA, "asked": asked}

    @property
    def current(self) -> Turn | None:
        last = self.turns[-1] if self.turns else None
        return last if last and last.answer is None and not last.skipped and not self.finished else None

    @property
    def interrupted(self) -> bool:
        """Saved between a graded answer and what comes after it: the process serving it died
        there (the answer is saved first, so it is never lost); the next step is still to take."""
        last = self.turns[-1] if self.turns else None
        return last is not None and last.answer is not None and not self.finished


class QuestionResult(BaseModel):
    item_id: str
    question: str
    topic: str
    score: float | None  # the main answer's score; a follow-up can only raise it
    model_answer: str
    source: str
    appeal: float | None = None  # the person's own grade, if they appealed one of its answers
    seconds: float | None = None  # time to answer, all its answers together


class Report(BaseModel):
    overall: float | None
    per_topic: dict[str, float]
    questions: list[QuestionResult]
    missed: list[PointResult]  # with their sources
    summary: str


class Best(NamedTuple):
    topic: str
    score: float  # the best of the question's answers


def question_scores(session: Session) -> dict[str, Best]:
    """Per question: its topic and best score; a follow-up answer can only raise it."""
    best: dict[str, Best] = {}
    for t in session.turns:
        if t.grade and t.grade.score is not None:
            previous = best[t.item_id].score if t.item_id in best else 0.0
            best[t.item_id] = Best(t.topic, max(previous, t.grade.score))
    return best


def topic_scores(session: Session) -> dict[str, float]:
    by_topic: dict[str, list[float]] = {}
    for b in question_scores(session).values():
        by_topic.setdefault(b.topic, []).append(b.score)
    return {t: round(mean(v), 1) for t, v in by_topic.items()}


def overall_score(session: Session) -> float | None:
    """The mean over scored questions (not over topics): what the report and history show."""
    scores = [b.score for b in question_scores(session).values()]
    return round(mean(scores), 1) if scores else None
