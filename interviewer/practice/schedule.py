"""Spaced repetition over a notes set's questions with FSRS (the `fsrs` package): no scheduling maths here.

Each question of a notes set is a card. Each asked main question reviews its card once per
session, rated from its final grade's band (bands.py); the review is kept in the history, and the
card is what FSRS makes of replaying its reviews, so an appeal made later re-rates that review.
Time comes from a clock (`now`), so a test or a simulation can fake it.

    score 8.2, no point missed -> Good; score 9.5 with a point missed -> Hard; skipped -> Again
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from fsrs import Card, Rating, ReviewLog, Scheduler
from pydantic import BaseModel

from interviewer.practice.bands import band
from interviewer.storage.history import History, Review, StoredCard
from interviewer.storage.session import Session, Turn, now

Clock = Callable[[], datetime]
# Interviews happen at most daily, so no minute-long learning steps (they would make a question
# due again within the same sitting): every review schedules whole days. No fuzz: the same
# answers give the same schedule, which the tests and the simulation rely on.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
LEARNED_DAYS = 7  # a card FSRS next asks about a week or more after its last review counts as learned
_CARD_ID = 0  # cards are keyed by (notes, item) in the history; FSRS only needs logs to match a card


def rating(score: float, missed: bool = False, appealed: bool = False) -> Rating:
    """A 0-10 grade to an FSRS rating. A missed key point is never a pass: at most Hard (a short
    interval), unless the person appealed the grade, which then stands as they gave it."""
    r = band(score).rating
    return min(r, Rating.Hard) if missed and not appealed else r


def reviews_of(session: Session) -> list[Review]:
    """One review per main question the session is done with or has graded: from the best
    score of its answers (an appeal replaces the grader's score of its answer). A skip, or an
    answer given after the model answer was shown, is Again; an answered question the notes
    can't grade (no answer in them) is Good: practised, so it comes back later, not every session."""
    rows: list[Review] = []
    for main in (t for t in session.turns if t.kind == "main"):
        turns = [t for t in session.turns if t.item_id == main.item_id]
        at = main.answered_at or main.asked_at
        if main.skipped or any(t.revealed for t in turns):
            rows.append(Review(main.item_id, session.id, int(Rating.Again), _utc(at).isoformat(), None))
            continue
        if main.answered_at is None:
            continue
        scores = [s for s in map(_counted, turns) if s is not None]
        last = next((t.grade for t in reversed(turns) if t.grade), None)
        missed = last is not None and any(p.status == "missed" for p in last.points)
        r = rating(max(scores), missed, any(t.appeal for t in turns)) if scores else Rating.Good
        ms = sum(int(((t.answered_at or t.asked_at) - t.asked_at).total_seconds() * 1000) for t in turns)
        rows.append(Review(main.item_id, session.id, int(r), _utc(at).isoformat(), ms))
    return rows


class Counts(BaseModel):
    due: int  # reviewed before and due by the end of today (UTC)
    new: int  # never reviewed
    learned: int  # next due LEARNED_DAYS or more after the last review


class Schedule:
    def __init__(self, history: History, clock: Clock = now) -> None:
        self.history = history
        self.now = clock

    def record(self, session: Session) -> None:
        """Saves the session's reviews and replays each reviewed card's whole history through FSRS."""
        rows = reviews_of(session)
        self.history.save_reviews(session.notes, rows)
        cards = {}
        for row in rows:
            logs = [
                ReviewLog(_CARD_ID, Rating(r.rating), _utc(datetime.fromisoformat(r.at)), r.duration_ms)
                for r in self.history.reviews(session.notes, row.item_id)
            ]
            card = SCHEDULER.reschedule_card(Card(_CARD_ID, due=logs[0].review_datetime), logs)
            cards[row.item_id] = StoredCard(card.to_json(), card.due.isoformat())
        self.history.save_cards(session.notes, cards)

    def cards(self, notes: str, item_ids: list[str] | None = None) -> dict[str, Card]:
        """The reviewed ones among item_ids (None: all the notes set's); a question never
        reviewed has no card yet (it is new). Reads the history only, never the notes."""
        stored = self.history.cards(notes)
        wanted = stored if item_ids is None else item_ids
        return {i: Card.from_json(stored[i]) for i in wanted if i in stored}

    def plan(self, notes: str, item_ids: list[str], seed: int) -> list[str]:
        """Due cards first (least likely remembered first), then new ones, then the rest by due date.
        Shuffled by the seed first, so within a band (and a tenth of retrievability) two sessions
        don't open alike."""
        pool = list(item_ids)
        random.Random(seed).shuffle(pool)
        cards, today = self.cards(notes, pool), self.now().date()

        def key(i: str) -> tuple[int, float]:
            if i not in cards:
                return (1, 0.0)
            if cards[i].due.date() <= today:
                return (0, round(SCHEDULER.get_card_retrievability(cards[i], self.now()), 1))
            return (2, cards[i].due.timestamp())

        return sorted(pool, key=key)  # stable: ties keep the shuffle's order

    def due(self, notes: str, item_ids: list[str]) -> list[str]:
        today = self.now().date()
        return [i for i, c in self.cards(notes, item_ids).items() if c.due.date() <= today]

    def counts(self, notes: str, item_ids: list[str]) -> Counts:
        cards = self.cards(notes, item_ids)
        learned = sum(_learned(c) for c in cards.values())
        return Counts(due=len(self.due(notes, item_ids)), new=len(item_ids) - len(cards), learned=learned)

    def next_due(self, notes: str, item_ids: list[str]) -> dict[str, datetime]:
        return {i: c.due for i, c in self.cards(notes, item_ids).items()}

    def forecast(
        self, notes: str, item_ids: list[str] | None = None, days: int = 14
    ) -> list[tuple[date, int]]:
        """Cards due on each of the next `days` days; today's count includes the overdue ones."""
        today = self.now().date()
        per_day = [0] * days
        for c in self.cards(notes, item_ids).values():
            offset = max(0, (c.due.date() - today).days)
            if offset < days:
                per_day[offset] += 1
        return [(today + timedelta(days=n), count) for n, count in enumerate(per_day)]


def _counted(turn: Turn) -> float | None:
    if turn.appeal is not None:
        return turn.appeal.score
    return turn.grade.score if turn.grade else None


def _learned(card: Card) -> bool:
    return card.last_review is not None and card.due - card.last_review >= timedelta(days=LEARNED_DAYS)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)
