"""Questions for sections whose heading doesn't ask one: the local LLM writes them, we check them.

Notes written as prose give headings ("LLM Decoder推理 › 概述"), not questions; knowledge/ makes
a template question for each ("请介绍LLM Decoder推理"). Here the LLM writes a real one from the
heading path and the section's points, in the background after indexing, one section at a time
and only while no follow-up is being drafted (those are for the question on screen). Every
draft is checked (question_checks.py) and the result, the model's question or the template with
why, is kept (text_cache.py) by the section's content, so an unchanged folder is never written
again and a changed section is. The engine takes what is there when it asks and never waits: the template
until the model's question is written. Questions the notes ask themselves are never rewritten.
"""

import hashlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from interviewer.grading.grader import KIND
from interviewer.llm.chat import ChatBackend, ChatError
from interviewer.llm.followup import Interrupted, read
from interviewer.llm.followup_drafts import Preparer
from interviewer.llm.prompts import render
from interviewer.llm.question_checks import check, grounded
from interviewer.llm.text_cache import TextCache
from interviewer.storage.database import Database
from knowledge.index.embedder import Embedder
from knowledge.index.knowledge_base import KnowledgeBase
from knowledge.items import QuestionItem

log = logging.getLogger(__name__)
VERSION = 2  # of the prompts and checks: a change makes every stored question stale
# (prompt, temperature): two greedy prompts, then one sampled try with a fixed seed, so the same
# section always gets the same question
TRIES = (("write_question", 0.0), ("write_question_plain", 0.0), ("write_question", 0.7))
# a section that is code alone: the model reads the code and asks what it does, or it is not asked
CODE_TRIES = (("write_code_question", 0.0), ("write_code_question", 0.7))
MAX_POINTS = 8  # the section's first points: the model needs the gist, and prefill costs time
MAX_CODE_CHARS = 1500  # of a code section: a screenful, enough to tell what it does
WrittenBy = Literal["notes", "model", "template"]


@dataclass(frozen=True)
class Written:
    text: str
    from_llm: bool
    rejected: str | None = None  # why the model's question was not used


class QuestionWriter:
    def __init__(
        self,
        chat: ChatBackend | None,
        embedder: Embedder,
        where: Path | Database | None = None,
        preparer: Preparer | None = None,
    ) -> None:
        """`where`: a SQLite file in the data folder, the history's database, or None (in memory).
        `preparer`: the follow-ups' drafter, whose work is more urgent (it is for the question
        on screen): the writer waits until it is quiet, and stops a reply when it is not."""
        self.chat = chat
        self.embedder = embedder
        self.preparer = preparer
        self.texts = TextCache("written", where)
        self._jobs: deque[tuple[KnowledgeBase, QuestionItem]] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._busy = False  # a question is being written now

    def wording(self, item: QuestionItem) -> tuple[str, WrittenBy]:
        """The question to ask for an item now, and who wrote it. Never waits for the LLM."""
        if item.written_by == "notes":
            return item.question, "notes"
        found = self._load(self._key(item))
        if found is not None and found.from_llm:
            return found.text, "model"
        return item.question, "template"

    def queue(self, kb: KnowledgeBase, first: list[str] | None = None) -> None:
        """Write the missing questions of a notes set in the background; `first` (item ids, e.g.
        an interview's plan) goes to the front."""
        if self.chat is None:
            return
        ahead = [kb.item(i) for i in first or [] if i in kb.by_id]
        todo = self.pending(kb)
        with self._cond:
            queued = {self._key(item) for _, item in self._jobs}
            self._jobs.extend((kb, i) for i in todo if self._key(i) not in queued)
            front = {self._key(i) for i in ahead} & {self._key(i) for i in todo}
            if front:  # moved ahead even if queued before, in the order given
                jobs = {self._key(j[1]): j for j in self._jobs}
                rest = [j for k, j in jobs.items() if k not in front]
                self._jobs = deque(
                    [jobs[k] for k in dict.fromkeys(self._key(i) for i in ahead) if k in front]
                )
                self._jobs.extend(rest)
            if self._jobs and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._work, daemon=True, name="questions")
                self._thread.start()
            self._cond.notify_all()

    def pending(self, kb: KnowledgeBase) -> list[QuestionItem]:
        """Items whose question is still to be written, in the notes' order."""
        return [i for i in kb.items if i.written_by == "template" and self._load(self._key(i)) is None]

    def write_all(self, kb: KnowledgeBase, progress: bool = False) -> None:
        """Write every missing question of a notes set and return once they are written (the
        CLI): the same background work, waited for, with a progress bar on stderr."""
        total = len(self.pending(kb))
        self.queue(kb)
        bar = None
        if progress and total and self.chat is not None:
            import sys

            from tqdm import tqdm  # type: ignore[import-untyped]

            bar = tqdm(total=total, desc="writing questions", unit="question", file=sys.stderr)
        with self._cond:
            while self._jobs or self._busy:
                self._cond.wait()
                if bar:
                    bar.n = total - len(self._jobs) - bool(self._busy)
                    bar.refresh()
        if bar:
            bar.close()

    def write(
        self, kb: KnowledgeBase, item: QuestionItem, interrupt: Callable[[], bool] | None = None
    ) -> Written:
        """The model's question for one section, checked, else the template with why; saved."""
        written = self._draft(kb, item, interrupt)
        if written.from_llm or not written.rejected or not written.rejected.startswith("LLM"):
            # an LLM that is down is asked again next time
            self.texts.put(self._key(item), written.text, written.from_llm, written.rejected)
        return written

    def _draft(self, kb: KnowledgeBase, item: QuestionItem, interrupt: Callable[[], bool] | None) -> Written:
        if self.chat is None:
            return Written(item.question, False, "no LLM")
        points = [p.text for p in item.rubric[:MAX_POINTS]]
        values: dict[str, object] = {"heading": " › ".join(item.heading_path), "points": points}
        if item.code:  # its own heading alone, which the model names (a whole path, it copied)
            values = {"heading": item.heading_path[-1], "code": item.answer[:MAX_CODE_CHARS]}
        problem = "no draft"
        for seed, (name, temperature) in enumerate(CODE_TRIES if item.code else TRIES):
            messages = [
                {"role": "system", "content": render("system", language=item.language)},
                {"role": "user", "content": render(name, language=item.language, **values)},
            ]
            try:
                text = read(self.chat, messages, temperature, seed, interrupt).strip().strip('"“”')
            except ChatError as e:
                return Written(item.question, False, f"LLM failed: {e}")
            problem = check(text, item) or ""
            # code has no points to ground a question in: the checks in words are all it gets
            vector = None if item.code or problem else self.embedder.encode([text], KIND)[0]
            if vector is not None and not grounded(vector, kb, item):
                problem = "not answerable from this section"
            if not problem:
                return Written(text, True)
        return Written(item.question, False, problem)

    def _work(self) -> None:
        while True:
            if self.preparer is not None:  # a follow-up being drafted or a grade under way goes first
                self.preparer.wait_quiet()
            with self._cond:
                if not self._jobs:
                    return
                kb, item = self._jobs.popleft()
                self._busy = True
            try:
                if self._load(self._key(item)) is None:
                    self.write(kb, item, self._interrupted)
            except Interrupted:
                with self._cond:
                    self._jobs.appendleft((kb, item))
            except Exception:  # one section's failure must not stop the rest, nor hang write_all
                log.exception("writing a question for %s failed", item.heading)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _interrupted(self) -> bool:
        return self.preparer is not None and not self.preparer.quiet()

    def _key(self, item: QuestionItem) -> str:
        name = getattr(self.chat, "name", "none")
        # a code section's key is new, so the questions written before it was read as code are not kept
        code = ["code"] if item.code else []
        section = "\x1f".join([*item.heading_path, item.question, item.answer, *code])
        return hashlib.sha256(f"{VERSION}\x1f{name}\x1f{item.language}\x1f{section}".encode()).hexdigest()

    def _load(self, key: str) -> Written | None:
        kept = self.texts.get(key)
        return Written(*kept) if kept else None
