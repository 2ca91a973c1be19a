"""A session's report, from the session alone: scores, missed points with sources, model answers.

Never reads the notes: what a question was, its points and its model answer were saved in the
session when it was asked (session.Asked), so an interview stays reportable after the notes
move or change.
"""

from interviewer.bands import PASS, STRONG
from interviewer.grading.grader import PointResult
from interviewer.session import (
    Asked,
    QuestionResult,
    Report,
    Session,
    overall_score,
    question_scores,
    topic_scores,
)


def report(session: Session) -> Report:
    best = question_scores(session)
    results, missed = [], []
    for item_id in dict.fromkeys(t.item_id for t in session.turns):
        asked = asked_of(session, item_id)
        turns = [t for t in session.turns if t.item_id == item_id]
        final = next((t.grade for t in reversed(turns) if t.grade), None)
        appeal = next((t.appeal for t in reversed(turns) if t.appeal), None)
        seconds = [t.seconds for t in turns if t.seconds is not None]
        results.append(
            QuestionResult(
                item_id=item_id,
                question=asked.question,
                topic=asked.topic,
                score=best[item_id].score if item_id in best else None,
                model_answer=asked.answer,
                source=f"{asked.source}: {asked.heading}" if asked.source else "",
                appeal=appeal.score if appeal else None,
                seconds=round(sum(seconds), 1) if seconds else None,
            )
        )
        missed += [p for p in final.points if p.status == "missed"] if final else []
    per_topic = topic_scores(session)
    return Report(
        overall=overall_score(session),
        per_topic=per_topic,
        questions=results,
        missed=missed,
        summary=_summary(per_topic, missed, language(session)),
    )


def model_answer(asked: Asked) -> str:
    """The notes' answer, cited; for a question-only item, the related notes' points."""
    where = f"{asked.source}, line {asked.line} ({asked.heading})" if asked.source else "your notes"
    if asked.answer:
        return f"{asked.answer}\n\n— {where}"
    if not asked.points:
        return f"Your notes have no answer to this question yet. — {where}"
    return "\n".join(f"- {p.text} — {p.source} ({p.heading})" for p in asked.points)


def asked_of(session: Session, item_id: str) -> Asked:
    """What the session saved of a question; a turn's own text where an old session lost it."""
    if item_id in session.asked:
        return session.asked[item_id]
    turn = next(t for t in session.turns if t.item_id == item_id)
    return Asked(question=turn.question, topic=turn.topic)


def language(session: Session) -> str:
    """The language most of the session's questions were asked in."""
    if session.options.language != "auto":
        return session.options.language
    langs = [asked_of(session, t.item_id).language for t in session.turns]
    return max(set(langs), key=langs.count) if langs else "en"


def _summary(per_topic: dict[str, float], missed: list[PointResult], language: str) -> str:
    strong = [t for t, s in per_topic.items() if s >= STRONG]
    weak = [t for t, s in per_topic.items() if s < PASS]
    if language == "zh":
        parts = [f"掌握较好：{'、'.join(strong)}。" if strong else f"暂时没有得分 {STRONG:g} 分以上的主题。"]
        parts.append(f"需要加强：{'、'.join(weak)}。" if weak else f"没有低于 {PASS:g} 分的主题。")
        parts.append(f"共漏掉 {len(missed)} 个要点，见下方列表及其出处。" if missed else "没有漏掉的要点。")
    else:
        parts = [f"Strong: {', '.join(strong)}." if strong else f"No topic scored {STRONG:g} or more yet."]
        parts.append(f"Needs work: {', '.join(weak)}." if weak else f"No topic scored below {PASS:g}.")
        parts.append(
            f"{len(missed)} key points were missed; each is listed below with its source."
            if missed
            else "No key point was missed."
        )
    return " ".join(parts)
