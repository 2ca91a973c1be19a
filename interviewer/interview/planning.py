"""Which questions an interview asks, in what order: the schedule's (or the weak topics') order,
a job's most relevant first, and only questions the notes can grade.

    pool    every item of the chosen topics
    order   FSRS: due, then new, then the rest (schedule.py); or most-missed first
    job     most relevant to the job description first, that order after
    keep    the first n the notes can grade, one graded by its own points opening
"""

import random
from collections.abc import Callable

from interviewer.practice.schedule import Schedule
from interviewer.storage.session import Session, SessionOptions
from knowledge.index.knowledge_base import KnowledgeBase


def plan(
    kb: KnowledgeBase,
    options: SessionOptions,
    schedule: Schedule,
    relevance: dict[str, float],
    askable: Callable[[str], bool],
) -> list[str]:
    """Item ids of the interview's main questions. `askable(id)`: whether the item can be asked
    now and graded (Engine._askable; for a question-only item a search, so asked only of the
    items the plan reaches)."""
    wanted = set(options.topics)
    pool = [i.id for i in kb.items if not wanted or i.topic in wanted or wanted & set(i.tags)]
    if options.review_weak:
        random.Random(options.seed).shuffle(pool)
        weak = schedule.history.weakness()  # the person's own: a schedule is one user's
        # most-missed first, then never seen, then strong ones: the schedule set aside
        pool.sort(key=lambda i: -weak.get(i, 0.5))
    else:  # the spaced-repetition schedule: due, then new, then the rest
        pool = schedule.plan(kb.manifest.notes_root, pool, options.seed)
    if relevance:  # aimed at a job: its most relevant questions first, the schedule's order after
        pool.sort(key=lambda i: -relevance.get(i, -1.0))
    return keep(kb, pool, options.questions, askable)


def keep(kb: KnowledgeBase, pool: list[str], n: int, askable: Callable[[str], bool]) -> list[str]:
    """The first n of the pool that can be asked, in its order, except that one graded by its
    own points opens: a first interview never starts with "your notes have nothing on this"."""
    chosen: list[str] = []
    for i in pool:
        if len(chosen) == n:
            break
        if askable(i):
            chosen.append(i)
    own = next((i for i in chosen if kb.item(i).rubric), None)
    if own is not None:
        chosen.remove(own)
        chosen.insert(0, own)
    return chosen


def more(
    kb: KnowledgeBase,
    session: Session,
    schedule: Schedule,
    relevance: dict[str, float],
    askable: Callable[[str], bool],
) -> list[str]:
    """What a plan made on a folder's first questions (Start pressed while it was being indexed)
    still lacks of the length asked for, from the questions indexed since, in the same order."""
    planned, options = session.plan, session.options
    wider = options.model_copy(update={"questions": options.questions + len(planned)})
    fresh = [i for i in plan(kb, wider, schedule, relevance, askable) if i not in planned]
    return fresh[: options.questions - len(planned)]
