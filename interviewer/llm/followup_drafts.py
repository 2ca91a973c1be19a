"""Follow-ups written while the candidate thinks: one per rubric point, ready before Enter.

When a question is asked, a background thread drafts (followup.drafted) a follow-up for each
of its points (the quick greedy drafts for every point first, then sampled ones for the points
whose quick drafts failed) and keeps it (text_cache.py), keyed by model, language, question and
point, so practising a question again costs nothing. At Enter the grade picks the point; its
follow-up is taken from here, waiting at most WAIT seconds for one still being written (moved to
the front), else the template with the reason: the LLM never writes on the critical path. The
LLM runs in another, lower-priority process (llama_server.py), so drafting never slows a grade.
"""

import hashlib
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from interviewer.llm.chat import ChatBackend
from interviewer.llm.followup import DRAFTS, GREEDY, FollowUp, Interrupted, drafted, template
from interviewer.llm.text_cache import TextCache
from interviewer.storage.database import Database

WAIT = 0.8  # seconds Enter may wait for a follow-up being written now: the page shows the next
# question within ~1.5 s even then (a grade takes up to ~0.7 s); past it, the template
VERSION = 3  # of the prompt and checks: a change makes every stored follow-up stale
WAITING = "not written in time"  # take()'s reason while the follow-up is still to be written
FIRST, LATER = range(GREEDY), range(GREEDY, len(DRAFTS))  # a point's tries: greedy, then sampled


class Job(NamedTuple):
    key: str  # of the stored follow-up: model, language, question and point
    question: str
    point: str
    language: str
    tries: range  # of DRAFTS, still to make


class Preparer:
    def __init__(self, chat: ChatBackend | None, where: Path | Database | None = None) -> None:
        """`where`: a SQLite file beside the history, the history's database, or None (in memory)."""
        self.chat = chat
        self.texts = TextCache("followups", where)
        self._jobs: deque[Job] = deque()
        self._busy: str | None = None  # the key being written now
        self._errors: dict[str, str] = {}  # why the LLM failed on a key (not stored: tried again later)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._holds = 0  # grades under way: no drafting until they are done

    def prepare(self, question: str, points: list[str], language: str, now: bool = True) -> None:
        """Queue the question's points: with `now` ahead of anything older (it is the one being
        answered), else behind everything (the plan's next question, drafted after this one's)."""
        with self._cond:
            queued = {j.key: j for j in self._jobs}
            keys = [self._key(question, p, language) for p in points]
            jobs = [
                queued.get(k, Job(k, question, p, language, FIRST)) for k, p in zip(keys, points, strict=True)
            ]
            jobs = [j for j in jobs if j.key != self._busy and not self._stored(j.key)]
            if now:
                for j in jobs:
                    if j.key in queued:
                        self._jobs.remove(j)
                self._jobs.extendleft(reversed(jobs))
            else:
                self._jobs.extend(j for j in jobs if j.key not in queued)
            if self._jobs and self.chat is not None and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._work, daemon=True, name="follow-ups")
                self._thread.start()
            self._cond.notify_all()

    def take(self, question: str, point: str, language: str, wait: float = WAIT) -> FollowUp:
        """The prepared follow-up, or the template with why not: no LLM, it failed, not ready."""
        key = self._key(question, point, language)
        with self._cond:
            job = next((j for j in self._jobs if j.key == key), None)
            if job is not None:  # this point first: it is the one the answer missed
                self._jobs.remove(job)
                self._jobs.appendleft(job)
            self._cond.wait_for(lambda: self._stored(key) or key not in self._pending(), timeout=wait)
            found = self._load(key)
            if found is not None:
                return found
            why = "no LLM" if self.chat is None else self._errors.get(key, WAITING)
            return FollowUp(template(question, point, language), False, why)

    @contextmanager
    def hold(self) -> Iterator[None]:
        """While a grade is computed: the draft being written stops at once (the LLM's next
        token), and none starts until the grade is done; the stopped one is made again."""
        with self._cond:
            self._holds += 1
        try:
            yield
        finally:
            with self._cond:
                self._holds -= 1
                self._cond.notify_all()

    def quiet(self) -> bool:
        """No follow-up queued or being written, and no grade under way: the LLM is free for
        less urgent work (question_writer.py)."""
        with self._cond:
            return self._quiet()

    def wait_quiet(self) -> None:
        with self._cond:
            self._cond.wait_for(self._quiet)

    def _quiet(self) -> bool:
        return not self._jobs and self._busy is None and self._holds == 0

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._holds == 0)
                if not self._jobs:
                    return
                job = self._jobs.popleft()
                self._busy = job.key
            try:
                fu = drafted(
                    self.chat, job.question, job.point, job.language, job.tries, lambda: self._holds > 0
                )
            except Interrupted:
                with self._cond:
                    self._jobs.appendleft(job)
                    self._busy = None
                continue
            with self._cond:
                if fu.llm_error:  # an LLM that is down is no answer: the next time asks it again
                    self._errors[job.key] = fu.rejected or "the LLM failed"
                elif not fu.from_llm and job.tries == FIRST:  # sampled tries, once the question's
                    # other points have had their greedy ones: each point gets a quick answer first
                    after = next(
                        (
                            n
                            for n, j in enumerate(self._jobs)
                            if j.question != job.question or j.tries != FIRST
                        ),
                        len(self._jobs),
                    )
                    self._jobs.insert(after, job._replace(tries=LATER))
                else:  # its wording, or the template after every draft failed the checks
                    self._errors.pop(job.key, None)
                    self.texts.put(job.key, fu.text, fu.from_llm, fu.rejected)
                self._busy = None
                self._cond.notify_all()

    def _pending(self) -> set[str]:
        return {j.key for j in self._jobs} | ({self._busy} if self._busy else set())

    def _key(self, question: str, point: str, language: str) -> str:
        name = getattr(self.chat, "name", "none")
        return hashlib.sha256(
            f"{VERSION}\x1f{name}\x1f{language}\x1f{question}\x1f{point}".encode()
        ).hexdigest()

    def _stored(self, key: str) -> bool:
        return key in self.texts

    def _load(self, key: str) -> FollowUp | None:
        kept = self.texts.get(key)
        return FollowUp(*kept) if kept else None
