"""A whole interview in the terminal, on the same engine the browser uses. Display only.

Type an answer on one line (end a line with \\ to continue it on the next), or a command:
/skip, /hint, /answer (the notes' model answer), /end.
"""

from collections.abc import Callable

from interviewer.grading.grader import Grade
from interviewer.interview.engine import Engine
from interviewer.practice.bands import scored
from interviewer.storage.session import LOCAL, Report, Session, SessionOptions

_MARK = {"covered": "+", "partly": "~", "missed": "-"}


def run(
    engine: Engine,
    options: SessionOptions,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    user: str = LOCAL,
) -> Session:
    session = engine.start(options, user)
    write("Answer each question; commands: /skip /hint /answer /end\n")
    while (turn := session.current) is not None:
        label = "Follow-up" if turn.kind == "follow_up" else f"Q{len({t.item_id for t in session.turns})}"
        write(f"\n{label}: {turn.question}")
        try:
            text = _read_answer(read)
        except EOFError:
            text = "/end"
        command = text.strip().lower()
        if command == "/skip":
            engine.skip(session)
        elif command == "/hint":
            write(engine.hint(session))
        elif command == "/answer":
            write(engine.model_answer(session))
        elif command == "/end":
            break
        else:
            graded = engine.answer(session, text)
            if graded.grade:
                write(show_grade(graded.grade))
    write(show_report(engine.end(session)))
    who = "" if user == LOCAL else f" --user {user}"
    write(f"\nSession {session.id} saved. Export it: python app.py export {session.id} --format md{who}")
    return session


def _read_answer(read: Callable[[str], str]) -> str:
    lines = [read("> ")]
    while lines[-1].endswith("\\"):
        lines[-1] = lines[-1][:-1]
        lines.append(read(". "))
    return "\n".join(lines)


def show_grade(grade: Grade) -> str:
    out = [f"Score: {scored(grade.score)}" + (f"  ({grade.reason})" if grade.reason else "")]
    for p in grade.points:
        evidence = f'  <- "{p.evidence}"' if p.evidence else ""
        where = f"  [{p.source}: {p.heading}]" if p.heading else ""
        out.append(f" {_MARK[p.status]} {p.text} ({p.similarity:.2f}){evidence}{where}")
    return "\n".join(out)


def show_report(report: Report) -> str:
    out = ["", f"Overall: {scored(report.overall)}", report.summary]
    out += [f"  {topic}: {scored(score)}" for topic, score in report.per_topic.items()]
    out += [f"  missed: {p.text}  [{p.source}: {p.heading}]" for p in report.missed]
    return "\n".join(out)
