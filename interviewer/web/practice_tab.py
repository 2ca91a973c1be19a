"""Practice over weeks, as plain functions for the page: what is due today, a job to aim at,
appeals, and the schedule in the report. No Gradio here; ui.py wires them, tests call them.

The report's schedule reads the history only (cards are kept per notes set there), so a past
interview shows its next due dates even after its notes are gone.
"""

import random
from collections import Counter
from datetime import datetime, time
from pathlib import Path

from pydantic import BaseModel

from interviewer.interview import closing
from interviewer.messages import Lang, day, say, shown
from interviewer.practice.bands import score_text
from interviewer.practice.schedule import Schedule
from interviewer.storage.session import LOCAL, Session, SessionOptions
from interviewer.web import views
from interviewer.web.handlers import Page, UserError, page
from interviewer.web.workspace import Coach
from knowledge.reading.files import decode

MAX_JOB_BYTES = 200_000  # a job description is a page or two; more is not one
FORECAST_DAYS = 14


def options(
    topics: list[str],
    questions: float,
    follow_ups: float,
    language: str,
    weak: bool,
    job: str | None,
    limit: float | None,
    adjust: bool = True,
) -> SessionOptions:
    """The page's choices (sliders give floats), with a fresh seed: two interviews on the same
    day don't open alike."""
    return SessionOptions.model_validate(
        {
            "topics": topics or [],
            "questions": int(questions),
            "follow_ups": int(follow_ups),
            "language": language,
            "review_weak": weak,
            "job": job or "",
            "time_limit": int(limit or 0),
            "adjust": adjust,
            "seed": random.randrange(2**31),
        }
    )


def due(coach: Coach, root: str, lang: Lang = "en", user: str = LOCAL) -> str:
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
    return views.due_markdown(schedule.counts(root, ids), dict(per_topic), lang)


def job_text(path: str | None, lang: Lang = "en") -> str:
    """A .txt or .md job description's text, for the job box."""
    if not path:
        return ""
    file = Path(path)
    if file.suffix.lower() not in {".txt", ".md", ".markdown"}:
        raise UserError(say(lang, "error_job_type"))
    data = file.read_bytes()
    if len(data) > MAX_JOB_BYTES:
        raise UserError(say(lang, "error_job_size", kb=MAX_JOB_BYTES // 1000))
    return decode(data)


def job(session: Session | None, lang: Lang = "en") -> str:
    """The started interview's job: gaps first, then the closest question to each other requirement."""
    if session is None or not session.job:
        return ""
    return views.job_markdown(session.job, lang)


def appeal(
    coach: Coach, session: Session | None, score: float | None, reason: str, lang: Lang = "en"
) -> Page:
    if session is None:
        raise UserError(say(lang, "error_start_first"))
    if score is None or not 0 <= score <= 10:
        raise UserError(say(lang, "error_appeal_score"))
    try:  # from the session and the history alone: the notes may have moved or gone meanwhile
        schedule = Schedule(coach.history.of(session.user), coach.now)
        turn = closing.appeal(session, schedule, float(score), reason or "")
    except ValueError as e:
        raise UserError(say(lang, "error_cant_appeal", why=shown(lang, str(e)))) from e
    given = score_text(turn.grade.score if turn.grade else None, lang)
    notice = say(lang, "status_appealed", score=score_text(score, lang), given=given)
    return page(coach, session, notice, lang=lang)


class ScheduleView(BaseModel):
    markdown: str  # the interview's questions with their next due dates
    forecast: list[dict[str, object]]  # {"day", "due"}: cards due on each of the next FORECAST_DAYS days


def schedule(coach: Coach, session: Session | None, lang: Lang = "en") -> ScheduleView:
    if session is None or not session.turns:
        return ScheduleView(markdown="", forecast=[])
    sched = Schedule(coach.history.of(session.user), coach.now)
    today = coach.now().date()
    lines = [f"#### {say(lang, 'next_due')}"]
    for item_id, at in sched.next_due(session.notes, session.plan).items():
        days = (at.date() - today).days
        when = say(lang, "due_in_days", days=days)
        when = say(lang, "due_today_word") if days <= 0 else say(lang, "due_tomorrow") if days == 1 else when
        question = session.asked[item_id].question if item_id in session.asked else item_id
        lines.append(f"- {question} — {say(lang, 'due_on', day=day(lang, at.date(), year=True), when=when)}")
    # noon: each day's bar sits whole in its day, in whatever time zone the browser draws it
    ahead = sched.forecast(session.notes, days=FORECAST_DAYS)
    forecast = [{"day": datetime.combine(d, time(12)), "due": n} for d, n in ahead]
    return ScheduleView(markdown="\n".join(lines) if len(lines) > 1 else "", forecast=forecast)
