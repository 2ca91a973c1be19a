"""What a saved interview needs no notes for: ending it and appealing a grade.

Both change only the session, its history and its schedule, so they take a Schedule (the
history and the clock) and never an Engine: an interview whose notes have moved or gone still
ends, takes an appeal and gives its report. The Engine's end() and appeal() are these.
"""

from interviewer.interview.report import report
from interviewer.practice.schedule import Schedule
from interviewer.storage.session import Appeal, Report, Session, Turn


def end(session: Session, schedule: Schedule) -> Report:
    session.finished = True
    schedule.history.save(session)
    schedule.record(session)
    return report(session)


def appeal(session: Session, schedule: Schedule, score: float, reason: str = "") -> Turn:
    """The person's own grade for the last graded answer (the one the feedback shows): kept
    beside the grader's, and the schedule rates its question from it from now on."""
    target = next((t for t in reversed(session.turns) if t.grade), None)
    if target is None:
        raise ValueError("there is no graded answer to appeal")
    target.appeal = Appeal(score=score, reason=reason.strip(), at=schedule.now())
    schedule.history.save(session)
    schedule.record(session)
    return target
