"""Weeks of practice in seconds: a fake clock, a fake candidate who forgets, the real engine and grader.

Each simulated day at 09:00 UTC the candidate sits one interview on the default plan (the FSRS
schedule) with no follow-ups. They recall a question with probability exp(-days since they last
saw it / memory): memory starts at RECALL_DAYS and triples after each recall, halves after a
lapse (never below RECALL_DAYS: the feedback shows what was missed). A recalled answer is the
notes' own answer, a forgotten one a vague wrong answer; both go through the real grading path
(Engine.answer -> scoring.grade). Never touches the user's history.
"""

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel

from interviewer.grading import calibration
from interviewer.grading.grader import Grader
from interviewer.interview.engine import Engine
from interviewer.storage.history import History
from interviewer.storage.session import SessionOptions
from knowledge.index.embedder import Embedder
from knowledge.index.ingest import index_dir, ingest

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning; any fixed time would do
RECALL_DAYS = 2.0
SECONDS_PER_ANSWER = 45
VAGUE = "It is mostly about making things work better in general, I would have to look it up."


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


class Day(BaseModel):
    day: int
    due: int  # due before the day's interview
    reviewed: int  # due questions it asked
    new: int  # never-seen questions it asked
    recalled: int  # answers the candidate remembered
    learned: int  # cards next due a week or more after their last review, after the interview


class Memory(NamedTuple):
    last: datetime  # when the candidate last saw the question
    days: float  # how long they keep it: recall falls as exp(-days since / this)


class Candidate:
    """Remembers each question it has seen for a while, then forgets."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen: dict[str, Memory] = {}

    def recalls(self, item_id: str, at: datetime) -> bool:
        if item_id not in self.seen:
            return self.rng.random() < 0.5  # half the notes they knew before they started
        seen = self.seen[item_id]
        days = (at - seen.last).total_seconds() / 86400
        return self.rng.random() < math.exp(-days / seen.days)

    def saw(self, item_id: str, at: datetime, recalled: bool) -> None:
        memory = self.seen[item_id].days if item_id in self.seen else RECALL_DAYS
        # the feedback shows what was missed, so even a lapse is studied again: never below the start
        self.seen[item_id] = Memory(at, memory * 3 if recalled else max(RECALL_DAYS, memory / 2))


def run(
    notes: Path, embedder: Embedder, scratch: Path, days: int = 14, questions: int = 10, seed: int = 0
) -> list[Day]:
    clock = FakeClock()
    kb, _ = ingest(notes, embedder, index_dir(scratch, notes, embedder.name))
    grader = Grader(embedder, calibration.load(embedder.name))
    engine = Engine(kb, grader, None, History(scratch / "history.sqlite"), clock)
    candidate = Candidate(seed)
    ids = [i.id for i in kb.items]
    root = kb.manifest.notes_root
    out = []
    for day in range(1, days + 1):
        due = set(engine.schedule.due(root, ids))
        seen = set(engine.schedule.cards(root, ids))
        session = engine.start(SessionOptions(questions=questions, follow_ups=0, seed=seed * 1000 + day))
        recalled = 0
        while session.current is not None:
            item = kb.item(session.current.item_id)
            clock.advance(seconds=SECONDS_PER_ANSWER)
            remembers = candidate.recalls(item.id, clock())
            recalled += remembers
            text = item.answer or ". ".join(p.text for p in item.rubric)
            engine.answer(session, text if remembers and text else VAGUE)
            candidate.saw(item.id, clock(), remembers)
        engine.end(session)
        counts = engine.schedule.counts(root, ids)
        out.append(
            Day(
                day=day,
                due=len(due),
                reviewed=len(due & set(session.plan)),
                new=len(set(session.plan) - seen),
                recalled=recalled,
                learned=counts.learned,
            )
        )
        clock.at = START + timedelta(days=day)
    return out


def table(days: list[Day]) -> str:
    head = "| day | due | reviewed | new | recalled | learned |\n| ---: | ---: | ---: | ---: | ---: | ---: |"
    rows = [f"| {d.day} | {d.due} | {d.reviewed} | {d.new} | {d.recalled} | {d.learned} |" for d in days]
    return "\n".join([head, *rows])
