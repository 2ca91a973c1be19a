"""The engine's API at its edges: options in, a session of turns out, a report at the end.

A Session round-trips through JSON unchanged (the store and the JSON export rely on it).
"""

from datetime import UTC, datetime
from statistics import mean
from typing import Literal

from pydantic import BaseModel, Field

from interviewer.grader import Grade, PointResult


def now() -> datetime:
    return datetime.now(UTC)


class SessionOptions(BaseModel):
    topics: list[str] = Field(default_factory=list)  # empty: every topic
    questions: int = Field(default=5, ge=1, le=50)
    follow_ups: int = Field(default=1, ge=0, le=2)  # per main question
    language: Literal["auto", "zh", "en"] = "auto"  # auto: the language of each note
    review_weak: bool = False  # favour topics and items the history says are weak
    seed: int = 0  # same notes, options and seed: same questions


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


class Session(BaseModel):
    id: str
    notes: str  # the notes folder it was drawn from
    embedder: str
    options: SessionOptions
    plan: list[str] = Field(default_factory=list)  # item ids of the main questions, in order
    turns: list[Turn] = Field(default_factory=list)
    created: datetime = Field(default_factory=now)
    finished: bool = False

    @property
    def current(self) -> Turn | None:
        last = self.turns[-1] if self.turns else None
        return last if last and last.answer is None and not last.skipped and not self.finished else None


class QuestionResult(BaseModel):
    item_id: str
    question: str
    topic: str
    score: float | None  # the main answer's score; a follow-up can only raise it
    model_answer: str
    source: str


class Report(BaseModel):
    overall: float | None
    per_topic: dict[str, float]
    questions: list[QuestionResult]
    missed: list[PointResult]  # with their sources
    summary: str


def question_scores(session: Session) -> dict[str, tuple[str, float]]:
    """Per question: its topic and best score; a follow-up answer can only raise it."""
    best: dict[str, tuple[str, float]] = {}
    for t in session.turns:
        if t.grade and t.grade.score is not None:
            previous = best.get(t.item_id, (t.topic, 0.0))[1]
            best[t.item_id] = (t.topic, max(previous, t.grade.score))
    return best


def topic_scores(session: Session) -> dict[str, float]:
    by_topic: dict[str, list[float]] = {}
    for topic, score in question_scores(session).values():
        by_topic.setdefault(topic, []).append(score)
    return {t: round(mean(v), 1) for t, v in by_topic.items()}


def overall_score(session: Session) -> float | None:
    """The mean over scored questions (not over topics): what the report and history show."""
    scores = [score for _, score in question_scores(session).values()]
    return round(mean(scores), 1) if scores else None
