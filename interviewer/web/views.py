"""What the browser shows, as Markdown and HTML strings made from engine objects. Display only.

Notes and answers are the user's text: the chat renders them as Markdown (Gradio sanitizes
it), and every piece placed into our own HTML goes through html.escape first.
"""

from html import escape

from interviewer import bands
from interviewer.grading.grader import Grade
from interviewer.schedule import Counts
from interviewer.session import Asked, Report, Requirement, Session, Turn
from interviewer.web.coach import NotesLoaded

_STATUS = {"covered": "Covered", "partly": "Partly", "missed": "Missed"}


def grade_line(grade: Grade) -> str:
    """One line for the chat; the feedback panel has the details."""
    if grade.score is None:
        return "Noted. Your notes have no answer to grade this against."
    covered = sum(p.status == "covered" for p in grade.points)
    partly = sum(p.status == "partly" for p in grade.points)
    line = f"**{grade.score}/10** · {covered} of {len(grade.points)} points covered"
    line += f", {partly} partly" if partly else ""
    return line + (f" · {grade.reason}" if grade.reason else "")


def feedback_html(turn: Turn | None, asked: Asked | None = None) -> str:
    """The last graded answer: its score, who wrote the question (`asked`), then every rubric
    point with evidence and source."""
    if turn is None or turn.grade is None:
        return (
            "<div class='fb fb-empty'>Answer a question to see which points of your notes "
            "it covered, with the evidence from your answer and the note each point came from.</div>"
        )
    g = turn.grade
    score = "–" if g.score is None else f"{g.score:g}"
    band = "no score" if g.score is None else bands.band(g.score).name
    reason = f"<p class='fb-reason'>{escape(g.reason)}</p>" if g.reason else ""
    revealed = "<p class='fb-reason'>Answered after viewing the model answer.</p>" if turn.revealed else ""
    if asked is not None and asked.written_by != "notes" and turn.kind == "main":
        by = "written by the local model from" if asked.written_by == "model" else "made from the heading of"
        section = f"{escape(asked.source)} › {escape(asked.heading)}"
        revealed += f"<p class='fb-written'>Question {by} your notes: <cite>{section}</cite></p>"
    if turn.appeal:
        why = f": {escape(turn.appeal.reason)}" if turn.appeal.reason else ""
        revealed += f"<p class='fb-appeal'>Your appeal: {turn.appeal.score:g}/10{why}</p>"
    points = []
    for p in g.points:
        evidence = f"<blockquote>“{escape(p.evidence)}”</blockquote>" if p.evidence else ""
        line = f", line {p.line}" if p.line else ""
        points.append(
            f"<li class='pt {p.status}'><span class='tag'>{_STATUS[p.status]}</span>"
            f"<span class='pt-text'>{escape(p.text)}</span>{evidence}"
            f"<cite>{escape(p.source)} › {escape(p.heading)}{line}</cite></li>"
        )
    return (
        f"<div class='fb'><div class='fb-head'><div class='score {bands.css(g.score)}' title='{band}'>{score}"
        f"<small>/10</small></div><div class='fb-q'>{escape(turn.question)}</div></div>"
        f"{reason}{revealed}<ul class='points'>{''.join(points)}</ul></div>"
    )


def notes_summary(loaded: NotesLoaded) -> str:
    s = loaded.summary
    files = len(s.files)
    out = [
        f"**{s.items} questions** ({s.answered} with answers) from {files} file{'s' * (files != 1)}, "
        f"{s.rubric_points} rubric points · indexed in {s.seconds:.1f} s",
    ]
    problems = [f"- `{f.path}`: {f.error}" for f in s.files if f.error]
    problems += [f"- `{r.split(': ', 1)[0]}`: {r.split(': ', 1)[-1]}" for r in loaded.refused]
    if problems:
        out += ["", f"**{len(problems)} file(s) left out:**", *problems]
    if not s.items:
        out += ["", "No questions found. Notes need questions: headings, numbered items or `Q:` lines."]
    out += [f"\n⚠️ {n}" for n in loaded.notices]
    return "\n".join(out)


def report_markdown(session: Session, report: Report) -> str:
    overall = bands.scored(report.overall)
    answered = sum(1 for t in session.turns if t.answer is not None)
    out = [f"### Overall {overall}", "", report.summary, "", f"{answered} answers · session `{session.id}`"]
    if report.missed:
        out += ["", "#### Missed points", ""]
        out += [f"- {p.text} — *{p.source} › {p.heading}*" for p in report.missed]
    out += ["", "#### Questions", ""]
    for q in report.questions:
        score = "skipped" if q.score is None else bands.scored(q.score)
        appeal = f" (your appeal: {q.appeal:g}/10)" if q.appeal is not None else ""
        took = f" · {q.seconds:g} s" if q.seconds is not None else ""
        out.append(f"- {q.question} — {score}{appeal}{took}")
    if session.job:
        out += ["", job_markdown(session.job)]
    return "\n".join(out)


def job_markdown(requirements: list[Requirement]) -> str:
    """The job's requirements: the gaps first (notes to write), then the closest question of each other."""
    if not requirements:
        return ""
    gaps = [r for r in requirements if r.item_id is None]
    covered = [r for r in requirements if r.item_id is not None]
    out = [f"#### The job: {len(covered)} of {len(requirements)} requirements in your notes"]
    if gaps:
        out += ["", "**Gaps: no note covers these yet**", ""] + [f"- {r.text}" for r in gaps]
    if covered:
        out += ["", "**Covered, with the closest question**", ""]
        out += [f"- {r.text} → *{r.question}*" for r in covered]
    return "\n".join(out)


def due_markdown(counts: Counts, per_topic: dict[str, int]) -> str:
    """Before starting: what the schedule has for today."""
    topics = " · ".join(f"{t}: {n}" for t, n in sorted(per_topic.items()) if n)
    line = f"**Due today: {counts.due}** · {counts.new} new · {counts.learned} learned"
    return line + (f"\n\n{topics}" if topics else "")


def clock_html(limit: int, left: float, key: str) -> str:
    """A countdown drawn by CSS alone (ui.css: .clock): no script, nothing to keep in sync with
    the server. `key` changes per question, so the page redraws it and the animation restarts."""
    if not limit:
        return ""
    left = max(0, round(left))
    width = 100 * left / limit
    return (
        f"<div class='clock' data-q='{escape(key)}'><span class='left' style='--left:{left};"
        f"animation-duration:{left}s'></span> s left of {limit} s<span class='up' "
        f"style='animation-delay:{left}s'> · time's up</span><div class='bar' style='width:{width:.0f}%;"
        f"animation-duration:{left}s'></div></div>"
    )


def model_answers_markdown(report: Report) -> str:
    out = []
    for q in report.questions:
        score = "skipped" if q.score is None else bands.scored(q.score)
        out += [f"#### {q.question}", f"*{q.topic} · {score} · {q.source}*", ""]
        out += [q.model_answer or "*Your notes have no answer to this question yet.*", ""]
    return "\n".join(out)
