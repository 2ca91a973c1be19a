"""What the browser shows, as Markdown and HTML strings made from engine objects, in the page's
language (`lang`; messages.py has the words). Display only.

Notes and answers are the user's text: the chat renders them as Markdown (Gradio sanitizes
it), and every piece placed into our own HTML goes through html.escape first.
"""

from html import escape
from typing import Any

import pandas as pd

from interviewer.grading.grader import Grade
from interviewer.interview.report import asked_of, model_answer
from interviewer.messages import Lang, say, shown
from interviewer.practice import bands
from interviewer.practice.schedule import Counts
from interviewer.storage.session import Asked, Report, Requirement, Session, Turn, overall_score
from interviewer.web.workspace import NotesLoaded

_STATUS = {"covered": "point_covered", "partly": "point_partly", "missed": "point_missed"}


def chat(session: Session, lang: Lang = "en") -> list[dict[str, str]]:
    """The interview as chat messages: each question with its hints, the answer and its grade."""
    out: list[dict[str, str]] = []
    mains = 0
    for turn in session.turns:
        if turn.kind == "main":
            mains += 1
            head = f"**{say(lang, 'question_of', n=mains, total=len(session.plan))}** · *{turn.topic}*"
        else:
            head = f"**{say(lang, 'follow_up')}**"
        out.append({"role": "assistant", "content": f"{head}\n\n{turn.question}"})
        out += [{"role": "assistant", "content": f"💡 {h}"} for h in turn.hints]
        if turn.revealed:
            notes = model_answer(asked_of(session, turn.item_id), lang)
            out.append({"role": "assistant", "content": f"**{say(lang, 'from_your_notes')}**\n\n{notes}"})
        if turn.skipped:
            out.append({"role": "user", "content": f"*{say(lang, 'chat_skipped')}*"})
        elif turn.answer is not None:
            out.append({"role": "user", "content": turn.answer})
            if turn.grade:
                line = grade_line(turn.grade, lang)
                line += say(lang, "seconds_taken", seconds=turn.seconds) if turn.seconds is not None else ""
                if turn.appeal:
                    line += say(lang, "chat_appeal", score=bands.score_text(turn.appeal.score, lang))
                out.append({"role": "assistant", "content": line})
    if session.finished:
        overall = bands.score_text(overall_score(session), lang)
        out.append({"role": "assistant", "content": say(lang, "chat_done", overall=overall)})
    return out


def grade_line(grade: Grade, lang: Lang = "en") -> str:
    """One line for the chat; the feedback panel has the details."""
    if grade.score is None:
        return say(lang, "grade_none")
    covered = sum(p.status == "covered" for p in grade.points)
    partly = sum(p.status == "partly" for p in grade.points)
    line = f"**{bands.score_text(grade.score, lang)}** · "
    line += say(lang, "grade_covered", covered=covered, total=len(grade.points))
    line += say(lang, "grade_partly", partly=partly) if partly else ""
    line += f" · {adjusted(grade, lang)}" if grade.appeals else ""
    return line + (f" · {shown(lang, grade.reason)}" if grade.reason else "")


def adjusted(grade: Grade, lang: Lang = "en", key: str = "grade_adjusted") -> str:
    """How the person's own standard moved the score (grading/adapt.py): the chat's line, or
    the feedback panel's sentence (key "feedback_adjusted")."""
    before = bands.score_text(grade.unadjusted, lang)
    return say(lang, key, appeals=grade.appeals, unadjusted=before)


def empty_feedback(text: str) -> str:
    """The feedback panel before any grade; `text` may be a gr.I18n key (layout.py) or words."""
    return f"<div class='fb fb-empty'>{text}</div>"


def feedback_html(turn: Turn | None, asked: Asked | None = None, lang: Lang = "en") -> str:
    """The last graded answer: its score, who wrote the question (`asked`), then every rubric
    point with evidence and source."""
    if turn is None or turn.grade is None:
        return empty_feedback(say(lang, "feedback_empty"))
    g = turn.grade
    score = "–" if g.score is None else f"{g.score:g}"
    band = say(lang, "no_score") if g.score is None else bands.named(g.score, lang)
    reason = f"<p class='fb-reason'>{escape(shown(lang, g.reason))}</p>" if g.reason else ""
    revealed = f"<p class='fb-reason'>{say(lang, 'feedback_revealed')}</p>" if turn.revealed else ""
    if asked is not None and asked.written_by != "notes" and turn.kind == "main":
        by = "feedback_by_model" if asked.written_by == "model" else "feedback_by_heading"
        section = f"<cite>{escape(asked.source)} › {escape(asked.heading)}</cite>"
        revealed += f"<p class='fb-written'>{say(lang, by, section=section)}</p>"
    if g.appeals:
        revealed += f"<p class='fb-adjusted'>{adjusted(g, lang, 'feedback_adjusted')}</p>"
    if turn.appeal:
        mine = say(lang, "your_appeal", score=bands.score_text(turn.appeal.score, lang))
        if turn.appeal.reason:
            mine = say(lang, "appeal_because", appeal=mine, why=escape(turn.appeal.reason))
        revealed += f"<p class='fb-appeal'>{mine}</p>"
    points = []
    for p in g.points:
        evidence = f"<blockquote>“{escape(p.evidence)}”</blockquote>" if p.evidence else ""
        line = say(lang, "feedback_line", line=p.line) if p.line else ""
        points.append(
            f"<li class='pt {p.status}'><span class='tag'>{say(lang, _STATUS[p.status])}</span>"
            f"<span class='pt-text'>{escape(p.text)}</span>{evidence}"
            f"<cite>{escape(p.source)} › {escape(p.heading)}{line}</cite></li>"
        )
    out_of = say(lang, "feedback_out_of")
    covered = sum(p.status == "covered" for p in g.points)
    count = say(lang, "grade_covered", covered=covered, total=len(g.points)) if g.points else ""
    colour = bands.css(g.score, covered)
    return (
        f"<div class='fb'><div class='fb-head'><div class='score {colour}' title='{band}'>"
        f"{score}<small>{out_of}</small></div><div class='fb-q'>{escape(turn.question)}"
        f"<p class='fb-count'>{count}</p></div></div>"
        f"{reason}{revealed}<ul class='points'>{''.join(points)}</ul></div>"
    )


def notes_summary(loaded: NotesLoaded, lang: Lang = "en") -> str:
    s = loaded.summary
    files = len(s.files)
    counts = {"items": s.items, "answered": s.answered, "files": files, "points": s.rubric_points}
    out = [
        say(lang, "notes_loaded_one" if files == 1 else "notes_loaded", **counts, seconds=s.seconds),
    ]
    problems = [f"- `{f.path}`: {shown(lang, f.error)}" for f in s.files if f.error]
    for refused in loaded.refused:
        name, _, why = refused.partition(": ")
        problems.append(f"- `{name}`: {shown(lang, why)}")
    if problems:
        out += ["", f"**{say(lang, 'notes_left_out', n=len(problems))}**", *problems]
    if not s.items:
        out += ["", say(lang, "notes_no_questions")]
    out += [f"\n⚠️ {shown(lang, n)}" for n in loaded.notices]
    return "\n".join(out)


def report_markdown(session: Session, report: Report, lang: Lang = "en") -> str:
    overall = bands.scored(report.overall, lang)
    answered = sum(1 for t in session.turns if t.answer is not None)
    out = [f"### {say(lang, 'report_overall', score=overall)}", "", report.summary, ""]
    out += [say(lang, "report_answers", n=answered, id=f"`{session.id}`")]
    if report.missed:
        out += ["", f"#### {say(lang, 'missed_points')}", ""]
        out += [f"- {p.text} — *{p.source} › {p.heading}*" for p in report.missed]
    out += ["", f"#### {say(lang, 'report_questions')}", ""]
    for q in report.questions:
        score = say(lang, "skipped") if q.score is None else bands.scored(q.score, lang)
        mine = bands.score_text(q.appeal, lang)
        appeal = "" if q.appeal is None else say(lang, "report_appeal", score=mine)
        took = say(lang, "seconds_taken", seconds=q.seconds) if q.seconds is not None else ""
        out.append(f"- {q.question} — {score}{appeal}{took}")
    if session.job:
        out += ["", job_markdown(session.job, lang)]
    return "\n".join(out)


def job_markdown(requirements: list[Requirement], lang: Lang = "en") -> str:
    """The job's requirements: the gaps first (notes to write), then the closest question of each other."""
    if not requirements:
        return ""
    gaps = [r for r in requirements if r.item_id is None]
    covered = [r for r in requirements if r.item_id is not None]
    out = [f"#### {say(lang, 'job_heading', covered=len(covered), total=len(requirements))}"]
    if gaps:
        out += ["", f"**{say(lang, 'job_gaps')}**", ""] + [f"- {r.text}" for r in gaps]
    if covered:
        out += ["", f"**{say(lang, 'job_covered')}**", ""]
        out += [f"- {r.text} → *{r.question}*" for r in covered]
    return "\n".join(out)


def due_markdown(counts: Counts, per_topic: dict[str, int], lang: Lang = "en") -> str:
    """Before starting: what the schedule has for today."""
    topics = " · ".join(f"{t}: {n}" for t, n in sorted(per_topic.items()) if n)
    line = say(lang, "due_today", due=counts.due, new=counts.new, learned=counts.learned)
    return line + (f"\n\n{topics}" if topics else "")


def clock_html(limit: int, left: float, key: str, lang: Lang = "en") -> str:
    """A countdown drawn by CSS alone (ui.css: .clock): no script, nothing to keep in sync with
    the server. `key` changes per question, so the page redraws it and the animation restarts."""
    if not limit:
        return ""
    left = max(0, round(left))
    width = 100 * left / limit
    counter = f"<span class='left' style='--left:{left};animation-duration:{left}s'></span>"
    return (
        f"<div class='clock' data-q='{escape(key)}'>{say(lang, 'clock_left', left=counter, limit=limit)}"
        f"<span class='up' style='animation-delay:{left}s'>{say(lang, 'clock_up')}</span>"
        f"<div class='bar' style='width:{width:.0f}%;animation-duration:{left}s'></div></div>"
    )


def charts(
    lang: Lang,
    topics: list[dict[str, object]],
    trend: list[dict[str, object]],
    sessions: int,
    forecast: list[dict[str, object]],
) -> dict[str, dict[str, Any]]:
    """The report's charts, by name, as the arguments of their updates: the data, the axes'
    titles in `lang`, the trend as lines (or as points, for one session: a line needs two)."""
    score, topic = say(lang, "axis_score"), say(lang, "axis_topic")
    over_time = pd.DataFrame(trend, columns=["date", "topic", "score"])
    along = {"x_title": say(lang, "axis_date"), "y_title": score, "color_title": topic}
    per_topic = pd.DataFrame(topics, columns=["topic", "score"])
    # days on a time axis, dated as the language writes them: in their order, not the alphabet's
    days = pd.DataFrame(forecast, columns=["day", "due"])
    return {
        "topic_plot": {"value": per_topic, "x_title": topic, "y_title": score},
        "trend": {"value": over_time, "visible": sessions != 1, **along},
        "trend_points": {"value": over_time, "visible": sessions == 1, **along},
        "forecast": {"value": days, "x_axis_format": say(lang, "day_format")}
        | {"x_title": say(lang, "axis_day"), "y_title": say(lang, "axis_due")},
    }


def model_answers_markdown(report: Report, lang: Lang = "en") -> str:
    out = []
    for q in report.questions:
        score = say(lang, "skipped") if q.score is None else bands.scored(q.score, lang)
        out += [f"#### {q.question}", f"*{q.topic} · {score} · {q.source}*", ""]
        out += [q.model_answer or f"*{say(lang, 'no_answer_yet')}*", ""]
    return "\n".join(out)
