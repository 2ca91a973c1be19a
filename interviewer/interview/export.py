"""One interview as Markdown (for people), JSON (the Session; loads back) or a printable HTML page.

The Markdown and HTML are never parsed back, and are written in the session's language
(report.language: the interviewer's, or most of its questions'). Every piece of user text in
the HTML is escaped: an answer that contains <script> shows as text.
"""

import html

from interviewer.grading.grader import Grade
from interviewer.interview.report import language, report
from interviewer.messages import Lang, say, shown, when
from interviewer.practice.bands import score_text, scored
from interviewer.storage.session import Report, Session, Turn

_MARK = {"covered": "✅", "partly": "🟡", "missed": "❌"}


FORMATS = {"md": "Markdown", "json": "JSON", "html": "HTML"}


def transcript(session: Session, fmt: str) -> str:
    """The session in one of FORMATS, from the session alone: the notes may be long gone."""
    if fmt == "json":
        return to_json(session)
    if fmt == "md":
        return to_markdown(session, report(session))
    if fmt == "html":
        return to_html(session, report(session))
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def to_json(session: Session) -> str:
    return session.model_dump_json(indent=2)


def to_markdown(session: Session, report: Report) -> str:
    lang = language(session)
    out = [
        f"# {say(lang, 'export_title', id=session.id)}",
        "",
        say(lang, "export_meta", when=when(lang, session.created), notes=f"`{session.notes}`"),
        "",
    ]
    for n, turn in enumerate(session.turns, 1):
        out += [f"## {n}. {_kind(turn, lang)}: {turn.question}", ""]
        if turn.skipped:
            out += [f"*{say(lang, 'export_skipped')}*", ""]
            continue
        answer = turn.answer or f"*{say(lang, 'export_no_answer')}*"
        out += [f"**{say(lang, 'export_answer')}**", "", answer, "", f"*{clock(turn, session, lang)}*", ""]
        if turn.grade:
            out += _grade_md(turn.grade, lang)
        if turn.appeal:
            reason = f" — {turn.appeal.reason}" if turn.appeal.reason else ""
            given = say(lang, "export_grader_gave", given=scored(_of(turn.grade), lang))
            mine = score_text(turn.appeal.score, lang)
            out += [f"**{say(lang, 'export_appeal')}** {mine} {given}{reason}", ""]
    overall = f"**{say(lang, 'export_overall')}** {scored(report.overall, lang)}"
    out += [f"# {say(lang, 'export_report')}", "", overall, "", report.summary, ""]
    out += [f"- {topic}: {scored(score, lang)}" for topic, score in report.per_topic.items()]
    if report.missed:
        out += ["", f"## {say(lang, 'missed_points')}", ""]
        out += [f"- {p.text} — {p.source} ({p.heading})" for p in report.missed]
    out += _job_md(session, lang)
    out += ["", f"## {say(lang, 'model_answers')}", ""]
    for q in report.questions:
        answer = q.model_answer or f"*{say(lang, 'no_answer_yet')}*"
        out += [f"### {q.question}", "", answer, "", f"— {q.source}", ""]
    return "\n".join(out).rstrip() + "\n"


def _kind(turn: Turn, lang: Lang) -> str:
    return say(lang, "follow_up") if turn.kind == "follow_up" else say(lang, "question")


def _grade_md(grade: Grade, lang: Lang) -> list[str]:
    reason = f" — {shown(lang, grade.reason)}" if grade.reason else ""
    out = [f"**{say(lang, 'export_score')}** {scored(grade.score, lang)}{reason}", ""]
    for p in grade.points:
        evidence = f" ← “{p.evidence}”" if p.evidence else ""
        out.append(f"- {_MARK[p.status]} {p.text}{evidence} *({p.source}: {p.heading})*")
    return [*out, ""]


def clock(turn: Turn, session: Session, lang: Lang = "en") -> str:
    """ "Answered in 42 s (limit 60 s)": the time from the question shown to the answer sent."""
    if turn.seconds is None:
        return say(lang, "export_no_time")
    limit = session.options.time_limit
    took = say(lang, "export_took", seconds=turn.seconds)
    if not limit:
        return took
    over = turn.seconds > limit
    return took + say(lang, "export_limit_over" if over else "export_limit", limit=limit)


def _job_md(session: Session, lang: Lang) -> list[str]:
    if not session.job:
        return []
    gaps = [r for r in session.job if r.item_id is None]
    covered = say(lang, "export_job_covered", covered=len(session.job) - len(gaps), total=len(session.job))
    out = ["", f"## {say(lang, 'export_job')}", "", covered, ""]
    if gaps:
        out += [f"**{say(lang, 'export_job_gaps')}**", ""] + [f"- {r.text}" for r in gaps] + [""]
    out += [f"- {r.text} → {r.question}" for r in session.job if r.item_id is not None]
    return out


def _of(grade: Grade | None) -> float | None:
    return grade.score if grade else None


def to_html(session: Session, report: Report) -> str:
    lang = language(session)
    e = html.escape
    rows = []
    for n, turn in enumerate(session.turns, 1):
        rows.append(f"<section><h2>{n}. {_kind(turn, lang)}: {e(turn.question)}</h2>")
        if turn.skipped:
            rows.append(f"<p><em>{say(lang, 'export_skipped')}</em></p></section>")
            continue
        rows.append(f"<pre class='answer'>{e(turn.answer or say(lang, 'export_no_answer'))}</pre>")
        rows.append(f"<p class='clock'><small>{clock(turn, session, lang)}</small></p>")
        if turn.grade:
            reason = f" — {e(shown(lang, turn.grade.reason))}" if turn.grade.reason else ""
            score = f"{say(lang, 'export_score')} {scored(turn.grade.score, lang)}"
            rows.append(f"<p class='score'>{score}{reason}</p><ul>")
            for p in turn.grade.points:
                evidence = f" ← “{e(p.evidence)}”" if p.evidence else ""
                rows.append(
                    f"<li class='{p.status}'>{_MARK[p.status]} {e(p.text)}{evidence} "
                    f"<small>{e(p.source)}: {e(p.heading)}</small></li>"
                )
            rows.append("</ul>")
        if turn.appeal:
            reason = f" — {e(turn.appeal.reason)}" if turn.appeal.reason else ""
            appeal = f"{say(lang, 'export_appeal')} {score_text(turn.appeal.score, lang)}"
            rows.append(f"<p class='appeal'>{appeal}{reason}</p>")
        rows.append("</section>")
    topics = "".join(f"<li>{e(topic)}: {scored(s, lang)}</li>" for topic, s in report.per_topic.items())
    missed = "".join(
        f"<li>{e(p.text)} <small>{e(p.source)}: {e(p.heading)}</small></li>" for p in report.missed
    )
    gaps = "".join(f"<li>{e(r.text)}</li>" for r in session.job if r.item_id is None)
    job = f"<h2>{say(lang, 'export_job_uncovered')}</h2><ul>{gaps}</ul>" if gaps else ""
    answers = "".join(
        f"<h3>{e(q.question)}</h3><pre>{e(q.model_answer)}</pre><small>{e(q.source)}</small>"
        for q in report.questions
    )
    title = e(say(lang, "export_title", id=session.id))
    meta = e(say(lang, "export_meta", when=when(lang, session.created), notes=session.notes))
    overall = f"{say(lang, 'export_overall')} {scored(report.overall, lang)}"
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;line-height:1.5}}
pre{{white-space:pre-wrap;background:#f6f6f6;padding:.6rem}}.missed{{color:#a00}}.partly{{color:#a60}}
.covered{{color:#060}}small{{color:#666}}@media print{{section{{break-inside:avoid}}}}</style></head>
<body><h1>{title}</h1>
<p>{meta}</p>
{"".join(rows)}
<h1>{say(lang, "export_report")}</h1><p><strong>{overall}</strong></p><p>{e(report.summary)}</p>
<ul>{topics}</ul><h2>{say(lang, "missed_points")}</h2><ul>{missed}</ul>{job}
<h2>{say(lang, "model_answers")}</h2>{answers}
</body></html>
"""
