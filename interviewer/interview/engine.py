"""One interview: pick questions, take answers, grade them, ask follow-ups, report.

The UI and the terminal drive it; it alone calls the grader and the chat model. Ending and appealing
need no notes (closing.py, which the page calls without an Engine). Every change to a session is saved,
in its user's history, before a method returns; time comes from a clock (tests fake it).
"""

import uuid
from contextlib import nullcontext

from interviewer.grading import scoring
from interviewer.grading.grader import Grader, Rubric
from interviewer.grading.rubrics import rubric_for
from interviewer.interview import closing, planning
from interviewer.interview import report as reporting
from interviewer.llm.chat import ChatBackend
from interviewer.llm.followup import FollowUp, follow_up, nudge, substance
from interviewer.llm.followup_drafts import Preparer
from interviewer.llm.question_writer import QuestionWriter, WrittenBy
from interviewer.practice import appeals
from interviewer.practice import job as jobs
from interviewer.practice.schedule import Clock, Schedule
from interviewer.storage.history import History
from interviewer.storage.session import LOCAL, Askable, Asked, Report, Session, SessionOptions, Turn, now
from knowledge.index.knowledge_base import KnowledgeBase
from knowledge.items import QuestionItem


class Engine:
    def __init__(
        self,
        kb: KnowledgeBase,
        grader: Grader,
        chat: ChatBackend | None,
        history: History,
        clock: Clock = now,
        prepared: Preparer | None = None,
        writer: QuestionWriter | None = None,
    ) -> None:
        self.kb, self.grader, self.chat = kb, grader, chat
        self.history = history  # the local user's; another's is history.of(user)
        self.now = clock
        self.schedule = Schedule(history, clock)  # the local user's; another's is schedule_of(user)
        self.prepared = prepared  # follow-ups written while the candidate thinks; else after Enter
        self.writer = writer  # questions the LLM writes for headings that ask none; else the templates
        self._rubrics: dict[str, Rubric] = {}
        self.standards = appeals.Standards(history)  # the person's own, from their appeals

    def topics(self) -> list[str]:
        return sorted({i.topic for i in self.kb.items} | {t for i in self.kb.items for t in i.tags})

    def schedule_of(self, user: str) -> Schedule:  # the user's cards: a schedule is one person's
        return Schedule(self.history.of(user), self.now)

    def start(self, options: SessionOptions, user: str = LOCAL) -> Session:
        job = self.job(options.job)
        session = Session(
            id=uuid.uuid4().hex[:12],
            user=user,
            notes=self.kb.manifest.notes_root,
            embedder=self.grader.embedder.name,
            options=options,
            plan=planning.plan(self.kb, options, self.schedule_of(user), job.relevance, self._askable),
            job=job.requirements,
            created=self.now(),
        )
        if not session.plan:
            raise ValueError("no questions match these topics")
        if self.writer is not None:  # this interview's questions are written first, behind its follow-ups
            self.writer.queue(self.kb, first=session.plan)
        self._ask(session, self.kb.item(session.plan[0]))
        warm = getattr(self.chat, "warm", None)
        if warm and options.follow_ups:
            warm()  # load the LLM while the person reads the first question
        return session

    def questions(self) -> list[Askable]:
        """Every question an interview here can ask, in the notes' order, worded as asked now."""
        asked = [(i, *self._wording(i)) for i in self.kb.items if self._askable(i.id)]
        cited = {"id", "source", "line", "place"}  # what an Askable copies of its item
        return [Askable(**i.model_dump(include=cited), question=q, written_by=w) for i, q, w in asked]

    def answer(self, session: Session, text: str) -> Turn:
        """Grade the current question's answer, then ask what comes next. Returns the graded turn."""
        turn = self.record(session, text)
        self.proceed(session, turn)
        return turn

    def record(self, session: Session, text: str) -> Turn:
        """Grade and save the answer, before any follow-up is written: a crash loses no answer."""
        turn = self._current(session)
        item, turn.answer, turn.answered_at = self.kb.item(turn.item_id), text, self.now()
        elsewhere = scoring.other_questions(self.kb, item.id)
        combined, adjust = self._combined(session, turn, text), self.standards.of(session)
        # the follow-ups being drafted wait: the grade is what the person is looking at
        with self.prepared.hold() if self.prepared is not None else nullcontext():
            question = session.asked[item.id].question  # as asked: the LLM may have written it
            turn.grade = scoring.grade(self.grader, question, self._rubric(item), combined, elsewhere, adjust)
        self._save(session)
        self.schedule_of(session.user).record(session)
        return turn

    def proceed(self, session: Session, turn: Turn) -> None:
        """After a graded turn: a follow-up on the point it came least near, or the next question."""
        item, grade = self.kb.item(turn.item_id), turn.grade
        missed = [p for p in grade.points if p.status != "covered"] if grade else []
        asked = sum(1 for t in session.turns if t.item_id == item.id and t.kind == "follow_up")
        wants = grade is not None and grade.score is not None and asked < session.options.follow_ups
        if missed and wants and (turn.answer or "").strip():
            point, question = min(missed, key=lambda p: p.similarity), session.asked[item.id].question
            language = self._language(session, item.language)
            if grade is not None and grade.decided_by in ("no_evidence", "off_topic"):  # ask for substance
                fu = FollowUp(substance(question, language), False, "stated no point")
            elif self.prepared is not None:
                fu = self.prepared.take(question, point.text, language)
            else:
                answer = self._combined(session, turn, turn.answer or "")
                fu = follow_up(self.chat, question, answer, point.text, language)
            self._ask(session, item, fu)
        else:
            self._next(session)
        self._save(session)

    def typing(self, session: Session, text: str) -> None:
        """The answer typed so far ("": none yet) and, once, the question's and points' words, embedded."""
        item = self.kb.item(self._current(session).item_id)
        self.grader.ask(session.asked[item.id].question, self._rubric(item))
        if text.strip():
            self.grader.prepare(self._combined(session, self._current(session), text))

    def _combined(self, session: Session, turn: Turn, text: str) -> str:
        # a follow-up answer completes the main one: the question is graded on both together
        if turn.kind == "main":
            return text
        main = next(t for t in session.turns if t.item_id == turn.item_id and t.kind == "main")
        return f"{main.answer or ''}\n{text}"

    def skip(self, session: Session) -> None:
        turn = self._current(session)
        turn.skipped, turn.answered_at = True, self.now()
        self._next(session)
        self._save(session)
        self.schedule_of(session.user).record(session)

    def appeal(self, session: Session, score: float, reason: str = "") -> Turn:
        """The person's own grade for the last graded answer (closing.appeal: no notes needed)."""
        return closing.appeal(session, self.schedule_of(session.user), score, reason)

    def job(self, text: str) -> jobs.JobMatch:
        """A job description's requirements matched against these notes (empty text: no job)."""
        return jobs.match(self.kb, self.grader.embedder, jobs.requirements(text), self.grader.cal.partly)

    def hint(self, session: Session) -> str:
        """A nudge toward one point still missing: its topic, never its content."""
        turn = self._current(session)
        asked = reporting.asked_of(session, turn.item_id)
        last = next((t.grade for t in reversed(session.turns) if t.item_id == turn.item_id and t.grade), None)
        own = [p.text for p in asked.points] if asked.rubric_from == "item" else []
        points = [p.text for p in last.points if p.status != "covered"] if last else own
        hint = nudge(points, asked.topic, self._language(session, asked.language))
        turn.hints.append(hint)
        self._save(session)
        return hint

    def model_answer(self, session: Session) -> str:
        """The current question's model answer; the answer that follows is marked as given after it."""
        turn = self._current(session)
        turn.revealed = True
        self._save(session)
        return reporting.model_answer(reporting.asked_of(session, turn.item_id))

    def end(self, session: Session) -> Report:
        return closing.end(session, self.schedule_of(session.user))

    def report(self, session: Session) -> Report:
        return reporting.report(session)

    def _ask(self, session: Session, item: QuestionItem, fu: FollowUp | None = None) -> None:
        if fu is None:
            question, by = self._wording(item)
            turn = Turn(item_id=item.id, question=question, topic=item.topic, asked_at=self.now())
            rubric = self._rubric(item)
            own = item.model_dump(include={"topic", "language", "source", "line", "answer"})
            session.asked[item.id] = Asked(
                **own,
                question=question,
                heading=item.heading,
                points=rubric.points,
                rubric_from=rubric.origin,
                written_by=by,
            )
            if self.prepared is not None and session.options.follow_ups:
                language = self._language(session, item.language)
                self.prepared.prepare(question, [p.text for p in rubric.points], language)
                # then the plan's next one (if it has its own points: no embedding here), so a
                # quick answer still finds its follow-ups written
                later = session.plan[session.plan.index(item.id) + 1 :] if item.id in session.plan else []
                if later and (nxt := self.kb.item(later[0])).rubric:
                    lang = self._language(session, nxt.language)
                    self.prepared.prepare(
                        self._wording(nxt)[0], [p.text for p in nxt.rubric], lang, now=False
                    )
        else:
            note = None if fu.from_llm else f"template follow-up ({fu.rejected})"
            turn = Turn(item_id=item.id, question=fu.text, kind="follow_up", topic=item.topic, note=note)
            turn.asked_at = self.now()
        session.turns.append(turn)
        self._save(session)

    def _next(self, session: Session) -> None:
        done = {t.item_id for t in session.turns}
        upcoming = [i for i in session.plan if i not in done]
        if not upcoming and len(session.plan) < session.options.questions:  # begun on a partial index
            job, schedule = self.job(session.options.job), self.schedule_of(session.user)
            upcoming = planning.more(self.kb, session, schedule, job.relevance, self._askable)
            session.plan += upcoming
        if upcoming:
            self._ask(session, self.kb.item(upcoming[0]))
        else:
            session.finished = True

    def _save(self, session: Session) -> None:  # in its own user's history, never another's
        self.history.of(session.user).save(session)

    def _askable(self, item_id: str) -> bool:
        """Graded by its own points or related ones; code alone, once the LLM asked what it does."""
        item = self.kb.item(item_id)
        code_unasked = item.code and self._wording(item)[1] != "model"
        return not code_unasked and (bool(item.rubric) or bool(self._rubric(item).points))

    def _wording(self, item: QuestionItem) -> tuple[str, WrittenBy]:
        """The question as it is asked now: the notes' own, the LLM's, or the template."""
        if self.writer is None:
            return item.question, "notes" if item.written_by == "notes" else "template"
        return self.writer.wording(item)

    def _current(self, session: Session) -> Turn:
        turn = session.current
        if turn is None:
            over = "the interview is over" if session.finished else "no question is waiting for an answer"
            raise ValueError(over)
        return turn

    def _rubric(self, item: QuestionItem) -> Rubric:
        if item.id not in self._rubrics:
            self._rubrics[item.id] = rubric_for(self.kb, item, self.grader.embedder, self.grader.cal.partly)
        return self._rubrics[item.id]

    def _language(self, session: Session, language: str) -> str:
        return language if session.options.language == "auto" else session.options.language
