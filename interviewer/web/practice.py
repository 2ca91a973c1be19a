"""Practice over weeks, as plain functions for the page: what is due today, a job to aim at,
appeals, and the schedule in the report. No Gradio here; ui.py wires them, tests call them.

The report's schedule reads the history only (cards are kept per notes set there), so a past
interview shows its next due dates even after its notes are gone.
"""

import random
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from interviewer import saved
from interviewer.schedule import Schedule
from interviewer.session import LOCAL, Session, SessionOptions
from interviewer.web import views
from interviewer.web.coach import Coach
from interviewer.web.handlers import Page, UserError, page
from knowledge.files import decode

MAX_JOB_BYTES = 200_000  # a job description is a page or two; more is not one
FORECAST_DAYS = 14


def options(
    topics: list[str], questions: int, follow_ups: int, language: str, weak: bool, job: str, limit: int
) -> SessionOptions:
    """The page's choices, with a fresh seed: two interviews on the same day don't open alike."""
    return SessionOptions.model_validate(
        {
            "topics": topics or [],
            "questions": int(questions),
            "follow_ups": int(follow_ups),
            "language": language,
            "review_weak": weak,
            "job": job or "",
            "time_limit": int(limit or 0),
            "seed": random.randrange(2**31),
        }
    )


def due(coach: Coach, root: str, user: str = LOCAL) -> str:
    """What the user's schedule has for today on these notes, per topic."""
    if not root:
        return ""
    try:
        engine = coach.engine(root)
    except FileNotFoundError:
        return ""  # the notes have moved or gone (an interview on them can still end): nothing is due
    ids = [i.id for i in engine.kb.items]
    schedule = engine.schedule_of(user)
    per_topic = Counter(engine.kb.item(i).topic for i in schedule.due(root, ids))
    return views.due_markdown(schedule.counts(root, ids), dict(per_topic))


def job_text(path: str | None) -> str:
    """A .txt or .md job description's text, for the job box."""
    if not path:
        return ""
    file = Path(path)
    if file.suffix.lower() not in {".txt", ".md", ".markdown"}:
        raise UserError("A job description is a .txt or .md file.")
    data = file.read_bytes()
    if len(data) > MAX_JOB_BYTES:
        raise UserError(
            f"That file is over {MAX_JOB_BYTES // 1000} kB: paste the job's requirements instead."
        )
    return decode(data)


def job(session: Session | None) -> str:
    """The started interview's job: gaps first, then the closest question to each other requirement."""
    if session is None or not session.job:
        return ""
    return views.job_markdown(session.job)


def appeal(coach: Coach, session: Session | None, score: float | None, reason: str) -> Page:
    if session is None:
        raise UserError("Start an interview first.")
    if score is None or not 0 <= score <= 10:
        raise UserError("Type the grade you think the answer deserves, from 0 to 10.")
    try:  # from the session and the history alone: the notes may have moved or gone meanwhile
        schedule = Schedule(coach.history.of(session.user), coach.now)
        turn = saved.appeal(session, schedule, float(score), reason or "")
    except ValueError as e:
        raise UserError(f"Can't appeal: {e}.") from e
    given = "no score" if turn.grade is None or turn.grade.score is None else f"{turn.grade.score:g}/10"
    return page(
        coach, session, f"Appeal saved: {score:g}/10 (the grader gave {given}); the schedule uses yours."
    )


class ScheduleView(BaseModel):
    markdown: str  # the interview's questions with their next due dates
    forecast: list[dict[str, object]]  # {"day", "due"}: cards due on each of the next FORECAST_DAYS days


def schedule(coach: Coach, session: Session | None) -> ScheduleView:
    if session is None or not session.turns:
        return ScheduleView(markdown="", forecast=[])
    sched = Schedule(coach.history.of(session.user), coach.now)
    today = coach.now().date()
    lines = ["#### Next due"]
    for item_id, at in sched.next_due(session.notes, session.plan).items():
        days = (at.date() - today).days
        when = "today" if days <= 0 else "tomorrow" if days == 1 else f"in {days} days"
        lines.append(
            f"- {session.asked[item_id].question if item_id in session.asked else item_id} — "
            f"{at:%Y-%m-%d} ({when})"
        )
    forecast = [{"day": f"{d:%m-%d}", "due": n} for d, n in sched.forecast(session.notes, days=FORECAST_DAYS)]
    return ScheduleView(markdown="\n".join(lines) if len(lines) > 1 else "", forecast=forecast)
