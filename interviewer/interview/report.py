"""A session's report, from the session alone: scores, missed points with sources, model answers.

Never reads the notes: what a question was, its points and its model answer were saved in the
session when it was asked (session.Asked), so an interview stays reportable after the notes
move or change.
"""

from interviewer.grading.grader import PointResult
from interviewer.messages import Lang, listed, say
from interviewer.practice.bands import PASS, STRONG
from interviewer.storage.session import (
    Asked,
    QuestionResult,
    Report,
    Session,
    overall_score,
    question_scores,
    topic_scores,
)


def report(session: Session, lang: Lang | None = None) -> Report:
    """The report, its summary in `lang` (the page's), else in the session's language (exports)."""
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
        summary=_summary(per_topic, missed, lang or language(session)),
    )


def model_answer(asked: Asked, lang: Lang = "en") -> str:
    """The notes' answer, cited; for a question-only item, the related notes' points."""
    where = (
        say(lang, "answer_where", source=asked.source, line=asked.line, heading=asked.heading)
        if asked.source
        else say(lang, "your_notes")
    )
    if asked.answer:
        return f"{asked.answer}\n\n— {where}"
    if not asked.points:
        return f"{say(lang, 'no_answer_yet')} — {where}"
    return "\n".join(f"- {p.text} — {p.source} ({p.heading})" for p in asked.points)


def asked_of(session: Session, item_id: str) -> Asked:
    """What the session saved of a question; a turn's own text where an old session lost it."""
    if item_id in session.asked:
        return session.asked[item_id]
    turn = next(t for t in session.turns if t.item_id == item_id)
    return Asked(question=turn.question, topic=turn.topic)


def language(session: Session) -> Lang:
    """The language most of the session's questions were asked in: its exports' language."""
    if session.options.language != "auto":
        return session.options.language
    langs = ["zh" if asked_of(session, turn.item_id).language == "zh" else "en" for turn in session.turns]
    return "zh" if langs and langs.count("zh") > len(langs) / 2 else "en"


def _summary(per_topic: dict[str, float], missed: list[PointResult], lang: Lang) -> str:
    strong = [topic for topic, s in per_topic.items() if s >= STRONG]
    weak = [topic for topic, s in per_topic.items() if s < PASS]
    good = say(lang, "summary_strong", topics=listed(lang, strong)) if strong else ""
    bad = say(lang, "summary_weak", topics=listed(lang, weak)) if weak else ""
    lost = say(lang, "summary_missed", n=len(missed)) if missed else ""
    parts = [
        good or say(lang, "summary_no_strong", at=STRONG),
        bad or say(lang, "summary_no_weak", below=PASS),
        lost or say(lang, "summary_none_missed"),
    ]
    return ("" if lang == "zh" else " ").join(parts)
