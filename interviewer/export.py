"""One interview as Markdown (for people), JSON (the Session; loads back) or a printable HTML page.

The Markdown and HTML are never parsed back. Every piece of user text in the HTML is escaped:
an answer that contains <script> shows as text.
"""

import html

from interviewer.bands import scored
from interviewer.grading.grader import Grade
from interviewer.report import report
from interviewer.session import Report, Session, Turn

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
    out = [
        f"# Interview {session.id}",
        "",
        f"{session.created:%Y-%m-%d %H:%M} UTC · notes: `{session.notes}`",
        "",
    ]
    for n, t in enumerate(session.turns, 1):
        label = "Follow-up" if t.kind == "follow_up" else "Question"
        out += [f"## {n}. {label}: {t.question}", ""]
        if t.skipped:
            out += ["*Skipped.*", ""]
            continue
        out += ["**Answer:**", "", t.answer or "*(no answer)*", "", f"*{clock(t, session)}*", ""]
        if t.grade:
            out += _grade_md(t.grade)
        if t.appeal:
            reason = f" — {t.appeal.reason}" if t.appeal.reason else ""
            out += [
                f"**Your appeal:** {t.appeal.score:g}/10 (the grader gave {scored(_of(t.grade))}){reason}",
                "",
            ]
    out += ["# Report", "", f"**Overall:** {scored(report.overall)}", "", report.summary, ""]
    out += [f"- {topic}: {scored(score)}" for topic, score in report.per_topic.items()]
    if report.missed:
        out += ["", "## Missed points", ""] + [
            f"- {p.text} — {p.source} ({p.heading})" for p in report.missed
        ]
    out += _job_md(session)
    out += ["", "## Model answers", ""]
    for q in report.questions:
        out += [
            f"### {q.question}",
            "",
            q.model_answer or "*(your notes have no answer yet)*",
            "",
            f"— {q.source}",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def _grade_md(grade: Grade) -> list[str]:
    out = [f"**Score:** {scored(grade.score)}" + (f" — {grade.reason}" if grade.reason else ""), ""]
    for p in grade.points:
        evidence = f" ← “{p.evidence}”" if p.evidence else ""
        out.append(f"- {_MARK[p.status]} {p.text}{evidence} *({p.source}: {p.heading})*")
    return [*out, ""]


def clock(turn: Turn, session: Session) -> str:
    """ "Answered in 42 s (limit 60 s)": the time from the question shown to the answer sent."""
    if turn.seconds is None:
        return "No time recorded"
    limit = session.options.time_limit
    over = " — over the limit" if limit and turn.seconds > limit else ""
    return f"Answered in {turn.seconds:g} s" + (f" (limit {limit} s{over})" if limit else "")


def _job_md(session: Session) -> list[str]:
    if not session.job:
        return []
    gaps = [r for r in session.job if r.item_id is None]
    out = [
        "",
        "## The job",
        "",
        f"{len(session.job) - len(gaps)} of {len(session.job)} requirements are covered by your notes.",
        "",
    ]
    if gaps:
        out += ["**Gaps (no note covers these yet):**", ""] + [f"- {r.text}" for r in gaps] + [""]
    out += [f"- {r.text} → {r.question}" for r in session.job if r.item_id is not None]
    return out


def _of(grade: Grade | None) -> float | None:
    return grade.score if grade else None


def to_html(session: Session, report: Report) -> str:
    e = html.escape
    rows = []
    for n, t in enumerate(session.turns, 1):
        kind = "Follow-up" if t.kind == "follow_up" else "Question"
        rows.append(f"<section><h2>{n}. {kind}: {e(t.question)}</h2>")
        if t.skipped:
            rows.append("<p><em>Skipped.</em></p></section>")
            continue
        rows.append(f"<pre class='answer'>{e(t.answer or '(no answer)')}</pre>")
        rows.append(f"<p class='clock'><small>{clock(t, session)}</small></p>")
        if t.grade:
            reason = f" — {e(t.grade.reason)}" if t.grade.reason else ""
            rows.append(f"<p class='score'>Score: {scored(t.grade.score)}{reason}</p><ul>")
            for p in t.grade.points:
                evidence = f" ← “{e(p.evidence)}”" if p.evidence else ""
                rows.append(
                    f"<li class='{p.status}'>{_MARK[p.status]} {e(p.text)}{evidence} "
                    f"<small>{e(p.source)}: {e(p.heading)}</small></li>"
                )
            rows.append("</ul>")
        if t.appeal:
            reason = f" — {e(t.appeal.reason)}" if t.appeal.reason else ""
            rows.append(f"<p class='appeal'>Your appeal: {t.appeal.score:g}/10{reason}</p>")
        rows.append("</section>")
    topics = "".join(f"<li>{e(t)}: {scored(s)}</li>" for t, s in report.per_topic.items())
    missed = "".join(
        f"<li>{e(p.text)} <small>{e(p.source)}: {e(p.heading)}</small></li>" for p in report.missed
    )
    gaps = "".join(f"<li>{e(r.text)}</li>" for r in session.job if r.item_id is None)
    job = f"<h2>Job requirements your notes don't cover</h2><ul>{gaps}</ul>" if gaps else ""
    answers = "".join(
        f"<h3>{e(q.question)}</h3><pre>{e(q.model_answer)}</pre><small>{e(q.source)}</small>"
        for q in report.questions
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Interview {e(session.id)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;line-height:1.5}}
pre{{white-space:pre-wrap;background:#f6f6f6;padding:.6rem}}.missed{{color:#a00}}.partly{{color:#a60}}
.covered{{color:#060}}small{{color:#666}}@media print{{section{{break-inside:avoid}}}}</style></head>
<body><h1>Interview {e(session.id)}</h1>
<p>{session.created:%Y-%m-%d %H:%M} UTC · notes: {e(session.notes)}</p>
{"".join(rows)}
<h1>Report</h1><p><strong>Overall: {scored(report.overall)}</strong></p><p>{e(report.summary)}</p>
<ul>{topics}</ul><h2>Missed points</h2><ul>{missed}</ul>{job}<h2>Model answers</h2>{answers}
</body></html>
"""
