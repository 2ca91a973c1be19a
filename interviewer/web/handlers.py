"""The browser's events as plain functions: what each button does, with no Gradio in sight.

ui.py wires these to components; tests call them directly with fakes. A tab's only state is
its Session (None before the first start), saved under its user; the rest is the Coach's.
"""

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from interviewer import export as exporter
from interviewer import saved
from interviewer.report import asked_of, model_answer
from interviewer.report import report as report_of
from interviewer.schedule import Schedule
from interviewer.session import LOCAL, Report, Session, SessionOptions, overall_score, topic_scores
from interviewer.web import access, views
from interviewer.web.coach import Coach
from knowledge.store import write_atomic

Message = dict[str, str]
FORMATS = exporter.FORMATS


class UserError(Exception):
    """Something the person can fix; str(e) is shown on the page as it is."""


class Page(BaseModel):
    """The interview tab: the chat, the feedback panel and one status line."""

    chat: list[Message]
    feedback: str
    status: str
    active: bool  # a question is waiting for an answer
    clock: str = ""  # the countdown's HTML while a timed question waits; empty otherwise


def start(coach: Coach, root: str, options: SessionOptions, user: str = LOCAL) -> tuple[Session, Page]:
    """A new interview on the tab's notes, or on the preloaded ones (waiting for them) if none."""
    root = root or coach.default_root()
    if not root:
        raise UserError("Load some notes first.")
    access.check_notes(coach, root, user)
    engine = coach.engine(root)
    try:
        session = engine.start(options, user)
    except ValueError as e:
        raise UserError(f"Can't start: {e}.") from e
    typing(coach, session, "")
    return session, page(coach, session)


def resume(coach: Coach, user: str = LOCAL, session_id: str = "") -> tuple[Session, Page]:
    """The user's newest interview still waiting for an answer (or the one named, if it is): after
    a closed tab, a reload, a crash, or its replica dying (even between an answer and what's next)."""
    candidates = [access.load(coach, user, session_id)] if session_id else coach.history.of(user).sessions()
    for session in candidates:
        if session.current is not None or session.interrupted:
            carry_on(coach, session)
            typing(coach, session, "")
            return session, page(coach, session, "Resumed where you left off.")
    raise UserError("No unfinished interview to resume.")


def carry_on(coach: Coach, session: Session | None) -> Page | None:
    """For a session saved between a graded answer and the next question (its replica died there):
    asks that question now; the page shows this instead of doing what was pressed. Else None."""
    if session is None or not session.interrupted:
        return None
    coach.engine(session.notes).proceed(session, session.turns[-1])
    typing(coach, session, "")
    return page(coach, session, "Your last answer was saved before a restart; here is what comes next.")


def answer(coach: Coach, session: Session | None, text: str) -> Iterator[Page]:
    """Two steps: the grade shows as soon as it is known, then the next question."""
    session = _active(session)
    if not text.strip():
        yield page(coach, session, "Type an answer first, or press Skip.")
        return
    engine = coach.engine(session.notes)
    waiting = page(coach, session, "Grading your answer…")
    waiting.chat += [{"role": "user", "content": text}, {"role": "assistant", "content": "…"}]
    yield waiting
    turn = engine.record(session, text)
    yield page(coach, session, "Graded; writing the next question…", thinking=True)
    engine.proceed(session, turn)
    typing(coach, session, "")
    yield page(coach, session)


def typing(coach: Coach, session: Session | None, text: str) -> None:
    """The answer box as it is being typed: embedded once typing pauses (web/typing.py), so
    the grade at Enter is quick. Returns at once. A key never shows an error: Enter shows any.
    A new question on screen counts as typing nothing: its own words are embedded meanwhile."""
    if session is None or session.current is None:
        return
    turns = len(session.turns)

    def embed() -> None:
        if len(session.turns) != turns or session.current is None or access.moved_on(coach, session, turns):
            return  # Enter came first: this text is graded, or being graded
        try:
            coach.engine(session.notes).typing(session, text)
        except ValueError:
            return  # answered in the meantime

    coach.typing.note(session.id, embed)


def skip(coach: Coach, session: Session | None) -> Page:
    session = _active(session)
    coach.engine(session.notes).skip(session)
    typing(coach, session, "")
    return page(coach, session)


def hint(coach: Coach, session: Session | None) -> Page:
    session = _active(session)
    coach.engine(session.notes).hint(session)
    return page(coach, session)


def reveal(coach: Coach, session: Session | None) -> Page:
    session = _active(session)
    coach.engine(session.notes).model_answer(session)
    return page(coach, session, "Model answer shown: the answer you give now is marked as such.")


def end(coach: Coach, session: Session | None) -> Page:
    """From the session and the history alone: the notes may have moved or gone meanwhile."""
    if session is None:
        raise UserError("No interview to end: start one first.")
    saved.end(session, Schedule(coach.history.of(session.user), coach.now))
    return page(coach, session)


def page(coach: Coach, session: Session, notice: str = "", thinking: bool = False) -> Page:
    chat: list[Message] = []
    mains = 0
    for turn in session.turns:
        if turn.kind == "main":
            mains += 1
            head = f"**Question {mains} of {len(session.plan)}** · *{turn.topic}*"
        else:
            head = "**Follow-up**"
        chat.append({"role": "assistant", "content": f"{head}\n\n{turn.question}"})
        chat += [{"role": "assistant", "content": f"💡 {h}"} for h in turn.hints]
        if turn.revealed:
            shown = model_answer(asked_of(session, turn.item_id))
            chat.append({"role": "assistant", "content": f"**From your notes:**\n\n{shown}"})
        if turn.skipped:
            chat.append({"role": "user", "content": "*(skipped)*"})
        elif turn.answer is not None:
            chat.append({"role": "user", "content": turn.answer})
            if turn.grade:
                line = views.grade_line(turn.grade)
                line += f" · {turn.seconds:g} s" if turn.seconds is not None else ""
                line += f" · your appeal: {turn.appeal.score:g}/10" if turn.appeal else ""
                chat.append({"role": "assistant", "content": line})
    if thinking:
        chat.append({"role": "assistant", "content": "…"})
    if session.finished:
        score = overall_score(session)
        overall = "no score" if score is None else f"{score}/10"
        done = f"That's the interview. **Overall {overall}.** See the Report tab."
        chat.append({"role": "assistant", "content": done})
    graded = next((t for t in reversed(session.turns) if t.grade), None)
    current = session.current
    if not notice and current and current.note:
        notice = f"Note: {current.note}; the question comes from a template."
    if not notice and coach.chat_notice and session.options.follow_ups:
        notice = coach.chat_notice
    where = "Interview finished." if session.finished else f"Question {mains} of {len(session.plan)}"
    status = f"{where} · {notice}" if notice else where
    clock = ""
    if current is not None and session.options.time_limit:
        limit = session.options.time_limit
        left = limit - (coach.now() - current.asked_at).total_seconds()
        clock = views.clock_html(limit, left, f"{session.id}-{len(session.turns)}")
    feedback = views.feedback_html(graded, session.asked.get(graded.item_id) if graded else None)
    return Page(chat=chat, feedback=feedback, status=status, active=current is not None, clock=clock)


class ReportView(BaseModel):
    summary: str  # Markdown
    topics: list[dict[str, object]]  # {"topic", "score"} rows for the bar chart
    model_answers: str  # Markdown


def report(coach: Coach, session: Session | None) -> ReportView:
    if session is None or not session.turns:
        return ReportView(summary="*Finish an interview to see its report.*", topics=[], model_answers="")
    r: Report = report_of(session)
    return ReportView(
        summary=views.report_markdown(session, r),
        topics=[{"topic": t, "score": s} for t, s in r.per_topic.items()],
        model_answers=views.model_answers_markdown(r),
    )


class HistoryView(BaseModel):
    rows: list[list[object]]  # one per past session, newest first
    trend: list[dict[str, object]]  # {"date", "topic", "score"}: per-topic score over time
    sessions: int  # how many the trend spans: one session draws points, not lines
    choices: list[tuple[str, str]]  # (label, session id) for the export picker


def history(coach: Coach, user: str = LOCAL) -> HistoryView:
    rows: list[list[object]] = []
    trend: list[dict[str, object]] = []
    choices: list[tuple[str, str]] = []
    for s in coach.history.of(user).sessions():
        answered = sum(1 for t in s.turns if t.answer is not None)
        if not answered:
            continue
        per_topic = topic_scores(s)
        overall = overall_score(s)
        when = s.created.strftime("%Y-%m-%d %H:%M")
        rows.append([when, s.id, Path(s.notes).name, answered, overall, ", ".join(per_topic)])
        trend += [{"date": when, "topic": t, "score": v} for t, v in per_topic.items()]
        choices.append((f"{when} · {overall if overall is not None else '–'}/10 · {s.id}", s.id))
    return HistoryView(rows=rows, trend=trend, sessions=len(rows), choices=choices)


def export(coach: Coach, session_id: str | None, fmt: str, user: str = LOCAL) -> Path:
    """Writes the user's transcript into the data folder's exports/ and returns the file to download."""
    if not session_id:
        raise UserError("No interview to export yet.")
    if fmt not in FORMATS:
        raise UserError(f"Unknown format {fmt!r}.")
    try:
        session = access.load(coach, user, session_id)
    except access.Refused as e:
        raise UserError(str(e)) from e
    text = exporter.transcript(session, fmt)
    path = access.exports(coach, user) / f"interview-{session.id}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
    return path


def _active(session: Session | None) -> Session:
    if session is None:
        raise UserError("Start an interview first.")
    if session.current is None:
        raise UserError("The interview is over; start a new one or see the Report tab.")
    return session
