"""The browser's events as plain functions: what each button does, with no Gradio in sight.

ui.py wires these to components; tests call them directly with fakes. A tab's only state is
its Session (None before the first start, saved under its user) and its language (`lang`, what
the page and its messages are written in); everything else comes from the Coach.
"""

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from interviewer import messages
from interviewer.interview import closing
from interviewer.interview import export as exporter
from interviewer.interview.report import report as report_of
from interviewer.messages import Lang, say, shown
from interviewer.practice.bands import score_text
from interviewer.practice.schedule import Schedule
from interviewer.storage.session import LOCAL, Report, Session, SessionOptions, overall_score, topic_scores
from interviewer.web import access, views
from interviewer.web.workspace import Coach
from knowledge.index.on_disk import write_atomic

FORMATS = exporter.FORMATS
PAST = ("past_when", "past_session", "past_notes", "past_answers", "past_overall", "past_topics")  # columns


class UserError(Exception):
    """Something the person can fix; str(e) is shown on the page as it is."""


class Page(BaseModel):
    """The interview tab: the chat, the feedback panel and one status line."""

    chat: list[dict[str, str]]  # messages: {"role", "content"}
    feedback: str
    status: str
    active: bool  # a question is waiting for an answer
    clock: str = ""  # the countdown's HTML while a timed question waits; empty otherwise


def start(
    coach: Coach, root: str, options: SessionOptions, lang: Lang = "en", user: str = LOCAL, name: str = ""
) -> tuple[Session, Page]:
    """A new interview on the tab's notes, or on the preloaded ones if none. Notes still being
    indexed are waited for until their first questions are ready, and the status says it
    started on those (`name`: the notes as the person knows them)."""
    root = root or coach.default_root()
    if not root:
        raise UserError(say(lang, "error_no_notes"))
    access.check_notes(coach, root, user)
    engine = coach.engine(root)
    try:
        session = engine.start(options, user)
    except ValueError as e:
        raise UserError(say(lang, "error_cant_start", why=shown(lang, str(e)))) from e
    typing(coach, session, "")
    notice = ""
    if coach.is_partial(engine):
        notes = name or Path(root).name
        notice = say(lang, "status_indexing_first", notes=notes, n=len(engine.kb.items))
    return session, page(coach, session, notice, lang=lang)


def resume(coach: Coach, lang: Lang = "en", user: str = LOCAL, session_id: str = "") -> tuple[Session, Page]:
    """The user's newest interview still waiting for an answer (or the one named, if it is): after
    a closed tab, a reload, a crash, or its replica dying (even between an answer and what's next)."""
    candidates = [access.load(coach, user, session_id)] if session_id else coach.history.of(user).sessions()
    for session in candidates:
        if session.current is not None or session.interrupted:
            carry_on(coach, session)
            typing(coach, session, "")
            return session, page(coach, session, say(lang, "status_resumed"), lang=lang)
    raise UserError(say(lang, "error_nothing_to_resume"))


def carry_on(coach: Coach, session: Session | None, lang: Lang = "en") -> Page | None:
    """For a session saved between a graded answer and the next question (its replica died there):
    asks that question now; the page shows this instead of doing what was pressed. Else None."""
    if session is None or not session.interrupted:
        return None
    coach.engine(session.notes).proceed(session, session.turns[-1])
    typing(coach, session, "")
    return page(coach, session, say(lang, "status_carried_on"), lang=lang)


def answer(coach: Coach, session: Session | None, text: str, lang: Lang = "en") -> Iterator[Page]:
    """Two steps: the grade shows as soon as it is known, then the next question."""
    session = _active(session, lang)
    if not text.strip():
        yield page(coach, session, say(lang, "status_type_first"), lang=lang)
        return
    engine = coach.engine(session.notes)
    waiting = page(coach, session, say(lang, "status_grading"), lang=lang)
    waiting.chat += [{"role": "user", "content": text}, {"role": "assistant", "content": "…"}]
    yield waiting
    turn = engine.record(session, text)
    yield page(coach, session, say(lang, "status_graded"), thinking=True, lang=lang)
    engine.proceed(session, turn)
    typing(coach, session, "")
    yield page(coach, session, lang=lang)


def typing(coach: Coach, session: Session | None, text: str) -> None:
    """The answer box as it is being typed: embedded once typing pauses (web/typed_answers.py), so
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


def skip(coach: Coach, session: Session | None, lang: Lang = "en") -> Page:
    session = _active(session, lang)
    coach.engine(session.notes).skip(session)
    typing(coach, session, "")
    return page(coach, session, lang=lang)


def hint(coach: Coach, session: Session | None, lang: Lang = "en") -> Page:
    session = _active(session, lang)
    coach.engine(session.notes).hint(session)
    return page(coach, session, lang=lang)


def reveal(coach: Coach, session: Session | None, lang: Lang = "en") -> Page:
    session = _active(session, lang)
    coach.engine(session.notes).model_answer(session)
    return page(coach, session, say(lang, "status_revealed"), lang=lang)


def end(coach: Coach, session: Session | None, lang: Lang = "en") -> Page:
    """From the session and the history alone: the notes may have moved or gone meanwhile."""
    if session is None:
        raise UserError(say(lang, "error_nothing_to_end"))
    closing.end(session, Schedule(coach.history.of(session.user), coach.now))
    return page(coach, session, lang=lang)


def page(coach: Coach, session: Session, notice: str = "", thinking: bool = False, lang: Lang = "en") -> Page:
    chat = views.chat(session, lang)
    if thinking:
        chat.append({"role": "assistant", "content": "…"})
    graded = next((t for t in reversed(session.turns) if t.grade), None)
    current = session.current
    if not notice and current and current.note:
        notice = say(lang, "status_template", note=shown(lang, current.note))
    if not notice and coach.chat_notice and session.options.follow_ups:
        notice = shown(lang, coach.chat_notice)
    where = say(lang, "status_finished") if session.finished else _question_of(session, lang)
    status = f"{where} · {notice}" if notice else where
    clock = ""
    if current is not None and session.options.time_limit:
        limit = session.options.time_limit
        left = limit - (coach.now() - current.asked_at).total_seconds()
        clock = views.clock_html(limit, left, f"{session.id}-{len(session.turns)}", lang)
    feedback = views.feedback_html(graded, session.asked.get(graded.item_id) if graded else None, lang)
    return Page(chat=chat, feedback=feedback, status=status, active=current is not None, clock=clock)


class ReportView(BaseModel):
    summary: str  # Markdown
    topics: list[dict[str, object]]  # {"topic", "score"} rows for the bar chart
    model_answers: str  # Markdown


def report(coach: Coach, session: Session | None, lang: Lang = "en") -> ReportView:
    if session is None or not session.turns:
        return ReportView(summary=f"*{say(lang, 'report_empty')}*", topics=[], model_answers="")
    r: Report = report_of(session, lang)
    return ReportView(
        summary=views.report_markdown(session, r, lang),
        topics=[{"topic": t, "score": s} for t, s in r.per_topic.items()],
        model_answers=views.model_answers_markdown(r, lang),
    )


class HistoryView(BaseModel):
    headers: list[str]  # the table's, in the page's language
    rows: list[list[object]]  # one per past session, newest first
    trend: list[dict[str, object]]  # {"date", "topic", "score"}: per-topic score over time
    sessions: int  # how many the trend spans: one session draws points, not lines
    choices: list[tuple[str, str]]  # (label, session id) for the export picker


def history(coach: Coach, lang: Lang = "en", user: str = LOCAL) -> HistoryView:
    rows: list[list[object]] = []
    trend: list[dict[str, object]] = []
    choices: list[tuple[str, str]] = []
    for s in coach.history.of(user).sessions():
        answered = sum(1 for t in s.turns if t.answer is not None)
        if not answered:
            continue
        per_topic = topic_scores(s)
        overall = overall_score(s)
        when = messages.when(lang, s.created)
        topics = messages.listed(lang, list(per_topic))
        rows.append([when, s.id, Path(s.notes).name, answered, overall, topics])
        # the trend's dates sort as text: numbers only, as both languages write them
        at = s.created.strftime("%Y-%m-%d %H:%M")
        trend += [{"date": at, "topic": t, "score": v} for t, v in per_topic.items()]
        choices.append((f"{when} · {score_text(overall, lang)} · {s.id}", s.id))
    headers = [say(lang, column) for column in PAST]
    return HistoryView(headers=headers, rows=rows, trend=trend, sessions=len(rows), choices=choices)


def export(coach: Coach, session_id: str | None, fmt: str, lang: Lang = "en", user: str = LOCAL) -> Path:
    """Writes the user's transcript into the data folder's exports/ and returns the file to
    download; the transcript is in the session's language, not the page's."""
    if not session_id:
        raise UserError(say(lang, "error_nothing_to_export"))
    if fmt not in FORMATS:
        raise UserError(say(lang, "error_format", fmt=repr(fmt)))
    try:  # absent, or someone else's: the same words
        session = access.load(coach, user, session_id)
    except access.Refused as e:
        raise UserError(shown(lang, str(e))) from e
    text = exporter.transcript(session, fmt)
    path = access.exports(coach, user) / f"interview-{session.id}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
    return path


def _question_of(session: Session, lang: Lang) -> str:
    mains = sum(t.kind == "main" for t in session.turns)
    return say(lang, "question_of", n=mains, total=len(session.plan))


def _active(session: Session | None, lang: Lang) -> Session:
    if session is None:
        raise UserError(say(lang, "error_start_first"))
    if session.current is None:
        raise UserError(say(lang, "error_over"))
    return session
