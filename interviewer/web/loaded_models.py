"""The models every browser tab shares, each made once on first use: the grader (the embedder),
the chat backend, and the two background writers on it (follow-up drafts, written questions).

The page is up at once and shows their progress as they load. The Coach (workspace.py) is made
with the functions that make them, so nothing here chooses between real and fake ones.
"""

import threading
from collections.abc import Callable
from pathlib import Path

from interviewer.grading import calibration
from interviewer.grading.grader import Grader
from interviewer.llm.chat import ChatBackend, ChatError, ModelUnavailable
from interviewer.llm.followup_drafts import Preparer
from interviewer.llm.question_writer import QuestionWriter
from interviewer.storage.database import Database
from knowledge.index.embedder import Embedder


class Models:
    """Made once each, on first use, under one lock; Coach is one."""

    def __init__(
        self,
        data_dir: Path,
        db: Database,
        make_embedder: Callable[[], Embedder],
        make_chat: Callable[[], ChatBackend],
    ) -> None:
        self.data_dir, self.db = data_dir, db
        self._make_embedder = make_embedder
        self._make_chat = make_chat
        self._grader: Grader | None = None
        self._chat: ChatBackend | None = None
        self._chat_tried = False
        self.chat_notice: str | None = None  # why follow-ups come from templates, if they do
        self._models = threading.RLock()  # one model load at a time
        self._preparer: Preparer | None = None
        self._writer: QuestionWriter | None = None

    def grader(self) -> Grader:
        with self._models:
            if self._grader is None:
                embedder = self._make_embedder()
                self._grader = Grader(embedder, calibration.load(embedder.name))
            return self._grader

    def preparer(self) -> Preparer:
        """One for all engines: drafts follow-ups in the background, kept in the data folder."""
        with self._models:
            if self._preparer is None:
                self._preparer = Preparer(self.chat(), self._cache("followups.sqlite"))
            return self._preparer

    def writer(self) -> QuestionWriter:
        """One for all notes sets: writes questions for headings that don't ask one, in the
        background, behind the follow-ups; kept in the data folder."""
        with self._models:
            if self._writer is None:
                where = self._cache("questions.sqlite")
                self._writer = QuestionWriter(self.chat(), self.grader().embedder, where, self.preparer())
            return self._writer

    def _cache(self, name: str) -> Path | Database:
        # a file of its own beside a SQLite history (safe to delete); PostgreSQL's tables, shared
        # by every replica, so a class drafts each follow-up and question once
        return self.db if self.db.dialect == "postgresql" else self.data_dir / name

    def chat(self) -> ChatBackend | None:
        with self._models:
            if not self._chat_tried:
                self._chat_tried = True
                try:
                    self._chat = self._make_chat()
                except (ModelUnavailable, ChatError) as e:
                    self.chat_notice = f"No LLM ({e}); follow-up questions come from templates."
            return self._chat

    def warm(self) -> None:
        """Loads the LLM in the background now, while the person picks options: loading holds the
        compute lock, and the first answer's grade would otherwise wait for it."""
        warm = getattr(self.chat(), "warm", None)
        if warm:
            warm()
