"""One interview: pick questions, take answers, grade them, ask follow-ups, report.

The UI and the terminal both drive this class and nothing else; it alone calls the grader,
the chat model and the store. Every change to a session is saved before a method returns.
"""

import random
import uuid

from interviewer.chat import ChatBackend
from interviewer.followup import FollowUp, follow_up, point_label
from interviewer.grader import KIND, UNRELATED_CAP, Grade, Grader, PointResult, Rubric
from interviewer.rubrics import rubric_for
from interviewer.session import (
    QuestionResult,
    Report,
    Session,
    SessionOptions,
    Turn,
    now,
    overall_score,
    question_scores,
    topic_scores,
)
from interviewer.store import Store
from knowledge.base import KnowledgeBase
from knowledge.items import QuestionItem

ELSEWHERE_MARGIN = 0.1  # how much better another item must match before we call it off-topic


class Engine:
    def __init__(self, kb: KnowledgeBase, grader: Grader, chat: ChatBackend | None, store: Store) -> None:
        self.kb = kb
        self.grader = grader
        self.chat = chat
        self.store = store
        self._rubrics: dict[str, Rubric] = {}

    def topics(self) -> list[str]:
        return sorted({i.topic for i in self.kb.items} | {t for i in self.kb.items for t in i.tags})

    def start(self, options: SessionOptions) -> Session:
        session = Session(
            id=uuid.uuid4().hex[:12],
            notes=self.kb.manifest.notes_root,
            embedder=self.grader.embedder.name,
            options=options,
            plan=self._plan(options),
        )
        if not session.plan:
            raise ValueError("no questions match these topics")
        self._ask(session, self.kb.item(session.plan[0]))
        warm = getattr(self.chat, "warm", None)
        if warm and options.follow_ups:
            warm()  # load the LLM while the person reads the first question
        return session

    def answer(self, session: Session, text: str) -> Turn:
        """Grade the current question's answer, then ask what comes next. Returns the graded turn."""
        turn = self.record(session, text)
        self.proceed(session, turn)
        return turn

    def record(self, session: Session, text: str) -> Turn:
        """Grade and save the answer, before any follow-up is written: a crash loses no answer."""
        turn = self._current(session)
        item = self.kb.item(turn.item_id)
        turn.answer, turn.answered_at = text, now()
        combined = self._combined(session, turn)
        grade = self.grader.grade(item.question, self._rubric(item), combined)
        turn.grade = supported(self._elsewhere(item, grade, combined))
        self.store.save(session)
        return turn

    def proceed(self, session: Session, turn: Turn) -> None:
        """After a graded turn: a follow-up on the point it came least near, or the next question."""
        item = self.kb.item(turn.item_id)
        grade = turn.grade
        missed = [p for p in grade.points if p.status != "covered"] if grade else []
        asked = sum(1 for t in session.turns if t.item_id == item.id and t.kind == "follow_up")
        wants = grade is not None and grade.score is not None and asked < session.options.follow_ups
        if missed and wants and (turn.answer or "").strip():
            point = min(missed, key=lambda p: p.similarity)
            combined = self._combined(session, turn)
            fu = follow_up(self.chat, item.question, combined, point.text, self._language(session, item))
            self._ask(session, item, fu)
        else:
            self._next(session)
        self.store.save(session)

    def _combined(self, session: Session, turn: Turn) -> str:
        # a follow-up answer completes the main one: the question is graded on both together
        if turn.kind == "main":
            return turn.answer or ""
        main = next(t for t in session.turns if t.item_id == turn.item_id and t.kind == "main")
        return f"{main.answer or ''}\n{turn.answer or ''}"

    def skip(self, session: Session) -> None:
        self._current(session).skipped = True
        self._next(session)
        self.store.save(session)

    def hint(self, session: Session) -> str:
        """A nudge toward one point still missing: its topic, never its content."""
        turn = self._current(session)
        item = self.kb.item(turn.item_id)
        last = next((t.grade for t in reversed(session.turns) if t.item_id == item.id and t.grade), None)
        points = (
            [p.text for p in last.points if p.status != "covered"] if last else [p.text for p in item.rubric]
        )
        labels = [label for label in map(point_label, points) if label]
        zh = self._language(session, item) == "zh"
        if labels:
            hint = f"提示：想想「{labels[0]}」。" if zh else f"Hint: think about {labels[0]}."
        else:
            hint = (
                f"提示：从「{item.topic}」的角度想想。"
                if zh
                else f"Hint: think about it from the {item.topic} angle."
            )
        turn.hints.append(hint)
        self.store.save(session)
        return hint

    def model_answer(self, session: Session, item_id: str | None = None) -> str:
        """The notes' answer, cited; for a question-only item, the related notes' points."""
        if item_id is None:
            turn = self._current(session)
            turn.revealed = True  # the answer that follows was written with the notes in view
            self.store.save(session)
            item_id = turn.item_id
        item = self.kb.item(item_id)
        where = f"{item.source}, line {item.line} ({item.heading})"
        if item.answered:
            return f"{item.answer}\n\n— {where}"
        rubric = self._rubric(item)
        if not rubric.points:
            return f"Your notes have no answer to this question yet. — {where}"
        return "\n".join(f"- {p.text} — {p.source} ({p.heading})" for p in rubric.points)

    def end(self, session: Session) -> Report:
        session.finished = True
        self.store.save(session)
        return self.report(session)

    def report(self, session: Session) -> Report:
        best = question_scores(session)
        results, missed = [], []
        for item_id in dict.fromkeys(t.item_id for t in session.turns):
            item = self.kb.item(item_id)
            final = next((t.grade for t in reversed(session.turns) if t.item_id == item_id and t.grade), None)
            results.append(
                QuestionResult(
                    item_id=item_id,
                    question=item.question,
                    topic=item.topic,
                    score=best[item_id][1] if item_id in best else None,
                    model_answer=item.answer,
                    source=f"{item.source}: {item.heading}",
                )
            )
            missed += [p for p in final.points if p.status == "missed"] if final else []
        per_topic = topic_scores(session)
        return Report(
            overall=overall_score(session),
            per_topic=per_topic,
            questions=results,
            missed=missed,
            summary=_summary(per_topic, missed, self._report_language(session)),
        )

    def _elsewhere(self, item: QuestionItem, grade: Grade, answer: str) -> Grade:
        """Caps a grade whose answer plainly belongs to another question of the notes.

        Human graders (and so the calibration) give partial credit to weak answers in the right
        field; an answer about LoRA to a question about CNNs is not that. With the whole notes
        at hand we can tell: another item's points match the answer far better than this one's.
        """
        if grade.score is None or grade.score <= UNRELATED_CAP or not grade.points:
            return grade
        own = max(p.similarity for p in grade.points)
        if own >= self.grader.cal.covered:
            return grade
        vector = self.grader.embedder.encode([answer], KIND)[0]
        hits = [h for h in self.kb.search_points(vector, limit=5) if h.item_id != item.id]
        if not hits or hits[0].score < own + ELSEWHERE_MARGIN:
            return grade
        other = self.kb.item(hits[0].item_id).question
        return grade.model_copy(
            update={
                "score": min(grade.score, UNRELATED_CAP),
                "reason": f"The answer fits another question in your notes better: {other}",
            }
        )

    def _plan(self, options: SessionOptions) -> list[str]:
        wanted = set(options.topics)
        pool = [i for i in self.kb.items if not wanted or i.topic in wanted or wanted & set(i.tags)]
        random.Random(options.seed).shuffle(pool)
        if options.review_weak:
            weak = self.store.weakness()
            # spaced repetition, simply: most-missed first, then never seen, then strong ones
            pool.sort(key=lambda i: -weak.get(i.id, 0.5))
        return [i.id for i in pool[: options.questions]]

    def _ask(self, session: Session, item: QuestionItem, fu: FollowUp | None = None) -> None:
        if fu is None:
            turn = Turn(item_id=item.id, question=item.question, topic=item.topic)
        else:
            note = None if fu.from_llm else f"template follow-up ({fu.rejected})"
            turn = Turn(item_id=item.id, question=fu.text, kind="follow_up", topic=item.topic, note=note)
        self.grader.question_vector(item.question)  # embed now, while the person reads it
        session.turns.append(turn)
        self.store.save(session)

    def _next(self, session: Session) -> None:
        done = {t.item_id for t in session.turns}
        upcoming = [i for i in session.plan if i not in done]
        if upcoming:
            self._ask(session, self.kb.item(upcoming[0]))
        else:
            session.finished = True

    def _current(self, session: Session) -> Turn:
        turn = session.current
        if turn is None:
            raise ValueError(
                "the interview is over" if session.finished else "no question is waiting for an answer"
            )
        return turn

    def _rubric(self, item: QuestionItem) -> Rubric:
        if item.id not in self._rubrics:
            self._rubrics[item.id] = rubric_for(self.kb, item, self.grader.embedder, self.grader.cal.partly)
        return self._rubrics[item.id]

    def _language(self, session: Session, item: QuestionItem) -> str:
        return item.language if session.options.language == "auto" else session.options.language

    def _report_language(self, session: Session) -> str:
        langs = [self._language(session, self.kb.item(t.item_id)) for t in session.turns]
        return max(set(langs), key=langs.count) if langs else "en"


def supported(grade: Grade) -> Grade:
    """Caps a score at what the points shown beside it support: 2 + 8 x coverage.

    The calibrated score follows lenient human graders (Mohler), who give 5-7 to a fluent answer
    in the right field that names none of the expected points. Beside a list of points all marked
    missed, such a score reads as invented; in an interview the points are the promise.
    """
    if grade.score is None or not grade.points:
        return grade
    coverage = sum({"covered": 1.0, "partly": 0.5}.get(p.status, 0.0) for p in grade.points)
    cap = round(2 + 8 * coverage / len(grade.points), 1)
    if grade.score <= cap:
        return grade
    reason = grade.reason or "Capped by the points covered: name more of them to score higher."
    return grade.model_copy(update={"score": cap, "reason": reason})


def _summary(per_topic: dict[str, float], missed: list[PointResult], language: str) -> str:
    strong = [t for t, s in per_topic.items() if s >= 7]
    weak = [t for t, s in per_topic.items() if s < 5]
    if language == "zh":
        parts = [f"掌握较好：{'、'.join(strong)}。" if strong else "暂时没有得分 7 分以上的主题。"]
        parts.append(f"需要加强：{'、'.join(weak)}。" if weak else "没有低于 5 分的主题。")
        parts.append(f"共漏掉 {len(missed)} 个要点，见下方列表及其出处。" if missed else "没有漏掉的要点。")
    else:
        parts = [f"Strong: {', '.join(strong)}." if strong else "No topic scored 7 or more yet."]
        parts.append(f"Needs work: {', '.join(weak)}." if weak else "No topic scored below 5.")
        parts.append(
            f"{len(missed)} key points were missed; each is listed below with its source."
            if missed
            else "No key point was missed."
        )
    return " ".join(parts)
