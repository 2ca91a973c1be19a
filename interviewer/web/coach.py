"""What every browser tab shares: the models, the history and the notes loaded so far.

A tab keeps only its own Session; anything heavy lives here, once. app.py hands the Coach the
functions that make the models, so this module never chooses between real and fake ones.
Models load on first use, so the page is up at once and shows their progress. A notes folder
is indexed by an Indexer (knowledge/indexer.py: in a low-priority process of its own in the
app), once however many tabs ask for it; an interview can start on its first questions.
"""

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from interviewer.chat import ChatBackend, ChatError, ModelUnavailable
from interviewer.engine import Engine
from interviewer.grading import calibration
from interviewer.grading.grader import Grader
from interviewer.history import History
from interviewer.prepared import Preparer
from interviewer.question_writer import QuestionWriter
from interviewer.schedule import Clock
from interviewer.session import now
from interviewer.web.typing import Typing
from interviewer.web.uploads import Unpacked, unpack
from knowledge.embedder import Embedder
from knowledge.indexer import Indexer, InProcess
from knowledge.ingest import index_dir
from knowledge.items import IngestSummary
from knowledge.kb import KnowledgeBase


class NotesLoaded(BaseModel):
    root: str  # the notes folder; sessions name it, so it is also the key of its engine
    summary: IngestSummary
    topics: list[str]
    refused: list[str] = Field(default_factory=list)  # uploaded files left out, with reasons
    notices: list[str] = Field(default_factory=list)  # what the person should know: no LLM, history reset


@dataclass
class Loading:
    """A notes folder being indexed, for whoever waits on it."""

    partial: Engine | None = None  # on the questions embedded so far, once there are some
    loaded: NotesLoaded | None = None
    error: Exception | None = None
    over: bool = False


class Coach:
    def __init__(
        self,
        data_dir: Path,
        make_embedder: Callable[[], Embedder],
        make_chat: Callable[[], ChatBackend],
        clock: Clock = now,
        indexer: Indexer | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.now = clock  # every engine's clock; a test fakes it to move days on
        self.history = History(data_dir / "history.sqlite")
        self.indexer = indexer or InProcess()
        self._make_embedder = make_embedder
        self._make_chat = make_chat
        self._grader: Grader | None = None
        self._chat: ChatBackend | None = None
        self._chat_tried = False
        self.chat_notice: str | None = None  # why follow-ups come from templates, if they do
        self._models = threading.RLock()  # one model load at a time
        self._indexing = threading.Lock()  # one folder indexed at a time: they'd share the CPU anyway
        self._changed = threading.Condition()  # guards the two below; notified as a load moves on
        self._engines: dict[str, Engine] = {}  # by notes root, each on its whole index
        self._loads: dict[str, Loading] = {}  # folders being indexed, by root
        self._partials: weakref.WeakSet[Engine] = weakref.WeakSet()
        self._preload_root = ""
        self._preparer: Preparer | None = None
        self._writer: QuestionWriter | None = None
        self.typing = Typing()  # each tab's answer as typed, until typing pauses

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
                self._preparer = Preparer(self.chat(), self.data_dir / "followups.sqlite")
            return self._preparer

    def writer(self) -> QuestionWriter:
        """One for all notes sets: writes questions for headings that don't ask one, in the
        background, behind the follow-ups; kept in the data folder."""
        with self._models:
            if self._writer is None:
                path = self.data_dir / "questions.sqlite"
                self._writer = QuestionWriter(self.chat(), self.grader().embedder, path, self.preparer())
            return self._writer

    def chat(self) -> ChatBackend | None:
        with self._models:
            if not self._chat_tried:
                self._chat_tried = True
                try:
                    self._chat = self._make_chat()
                except (ModelUnavailable, ChatError) as e:
                    self.chat_notice = f"No LLM ({e}); follow-up questions come from templates."
            return self._chat

    def load(self, notes: Path) -> NotesLoaded:
        """Indexes a notes folder (only what changed since last time) and readies its engine.
        If the folder is being indexed already (another tab, a Start), waits for that instead."""
        root = str(notes.resolve())
        loading, mine = self._claim(root)
        if mine:
            self._run(notes, root, loading)
        with self._changed:
            self._changed.wait_for(lambda: loading.over)
        if loading.error is not None:
            raise loading.error
        assert loading.loaded is not None
        return loading.loaded

    def _claim(self, root: str) -> tuple[Loading, bool]:
        """The folder's load under way, or a new one that the caller must run (True)."""
        with self._changed:
            if root in self._loads:
                return self._loads[root], False
            loading = self._loads[root] = Loading()
            return loading, True

    def _run(self, notes: Path, root: str, loading: Loading) -> None:
        """Indexes the folder, publishing each partial engine and then the whole one (or why not)."""
        try:
            if not notes.exists():
                raise FileNotFoundError(f"{notes} does not exist")
            grader = self.grader()
            folder = index_dir(self.data_dir, notes, grader.embedder.name)

            def partial(kb: KnowledgeBase) -> None:
                engine = self._engine_on(kb, grader)
                self._partials.add(engine)
                with self._changed:
                    loading.partial = engine
                    self._changed.notify_all()

            with self._indexing:
                kb, summary = self.indexer.index(notes, folder, grader.embedder, partial, progress=True)
            engine = self._engine_on(kb, grader)
            self.writer().queue(kb)  # template questions are upgraded as the LLM writes them
            loaded = NotesLoaded(root=root, summary=summary, topics=engine.topics(), notices=self.notices())
        except Exception as e:
            with self._changed:
                loading.error, loading.partial, loading.over = e, None, True
                del self._loads[root]
                self._changed.notify_all()
            return
        with self._changed:
            self._engines[root] = engine
            loading.loaded, loading.over = loaded, True
            del self._loads[root]
            self._changed.notify_all()

    def _engine_on(self, kb: KnowledgeBase, grader: Grader) -> Engine:
        return Engine(kb, grader, self.chat(), self.history, self.now, self.preparer(), self.writer())

    def preload(self, notes: Path) -> None:
        """Indexes the notes (and loads the models) in the background from server start, so a
        Start pressed before the page has loaded them waits for them instead of failing."""
        self._preload_root = str(notes.resolve())
        threading.Thread(target=self._load_default, args=(notes,), daemon=True, name="preload").start()

    def _load_default(self, notes: Path) -> None:
        try:
            self.load(notes)
            self.warm()
        except Exception:
            pass  # kept with its load: a Start on these notes says why, and tries again

    def default_root(self) -> str:
        """The preloaded notes' root ("" when nothing was preloaded); engine() waits for them."""
        return self._preload_root

    def ready(self, root: str) -> bool:
        """Whether an interview on these notes can start now, on all or the first of them."""
        with self._changed:
            loading = self._loads.get(root)
            return root in self._engines or (loading is not None and loading.partial is not None)

    def indexing(self, root: str) -> bool:
        """Whether these notes are being indexed now."""
        with self._changed:
            return root in self._loads

    def is_partial(self, engine: Engine) -> bool:
        """Whether this engine is on the first questions of a folder still being indexed."""
        return engine in self._partials

    def warm(self) -> None:
        """Loads the LLM in the background now, while the person picks options: loading holds the
        compute lock, and the first answer's grade would otherwise wait for it."""
        warm = getattr(self.chat(), "warm", None)
        if warm:
            warm()

    def notices(self) -> list[str]:
        out = [self.chat_notice] if self.chat_notice else []
        if self.history.recovered_from:
            out.append(
                f"Your interview history was damaged, so a new one was started; the old file is kept "
                f"as {self.history.recovered_from}."
            )
        return out

    def unpack(self, files: list[Path]) -> Unpacked:
        """Uploaded files checked and written into the data folder (the same upload: the same folder)."""
        return unpack(files, self.data_dir / "uploads")

    def upload(self, files: list[Path]) -> NotesLoaded:
        unpacked = self.unpack(files)
        loaded = self.load(unpacked.folder)
        return loaded.model_copy(update={"refused": unpacked.refused})

    def engine(self, root: str) -> Engine:
        """The engine of a notes folder. While the folder is being indexed, the one on its first
        questions as soon as they are ready; if nobody is indexing it (a past session's notes, a
        Start that came before Load's own event), its indexing begins here in the background."""
        with self._changed:
            if root in self._engines:
                return self._engines[root]
        loading, mine = self._claim(root)
        if mine:
            threading.Thread(target=self._run, args=(Path(root), root, loading), daemon=True).start()
        with self._changed:
            self._changed.wait_for(lambda: loading.over or loading.partial is not None)
            if loading.over and loading.error is None:
                return self._engines[root]
            if loading.partial is not None:
                return loading.partial
        assert loading.error is not None
        raise loading.error
