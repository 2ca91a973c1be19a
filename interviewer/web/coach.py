"""What every browser tab shares: the models, the history and the notes loaded so far.

A tab keeps only its session's id; anything heavy lives here, once, and the session itself in
the database, so any replica can carry on any interview. app.py hands the Coach the functions
that make the models, so this module never chooses between real and fake ones. Models load on
first use, so the page is up at once and shows their progress.
"""

import threading
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from interviewer import course
from interviewer.chat import ChatBackend, ChatError, ModelUnavailable
from interviewer.database import Database, connect
from interviewer.engine import Engine
from interviewer.grading import calibration
from interviewer.grading.grader import Grader
from interviewer.history import History
from interviewer.prepared import Preparer
from interviewer.question_writer import QuestionWriter
from interviewer.schedule import Clock
from interviewer.session import now
from interviewer.web.typing import Typing
from interviewer.web.uploads import unpack
from knowledge.embedder import Embedder
from knowledge.ingest import index_dir, ingest
from knowledge.items import FileReport, IngestSummary
from knowledge.kb import KnowledgeBase, open_kb


class NotesLoaded(BaseModel):
    root: str  # the notes folder; sessions name it, so it is also the key of its engine
    summary: IngestSummary
    topics: list[str]
    refused: list[str] = Field(default_factory=list)  # uploaded files left out, with reasons
    notices: list[str] = Field(default_factory=list)  # what the person should know: no LLM, history reset


class Coach:
    def __init__(
        self,
        data_dir: Path,
        make_embedder: Callable[[], Embedder],
        make_chat: Callable[[], ChatBackend],
        clock: Clock = now,
        database_url: str = "",
    ) -> None:
        """`database_url`: PostgreSQL for everything kept (a class); "": SQLite files in data_dir."""
        self.data_dir = data_dir
        self.now = clock  # every engine's clock; a test fakes it to move days on
        self.db = connect(database_url, data_dir / "history.sqlite")
        self.history = History(self.db)  # the local user's; a named user's is history.of(name)
        self.courses = course.Courses(self.db)
        self.public: set[str] = set()  # notes every user may practise on: the preloaded sample
        self._make_embedder = make_embedder
        self._make_chat = make_chat
        self._grader: Grader | None = None
        self._chat: ChatBackend | None = None
        self._chat_tried = False
        self.chat_notice: str | None = None  # why follow-ups come from templates, if they do
        self._engines: dict[str, Engine] = {}
        # engines on the questions indexed so far, while the rest of their notes are embedded
        self._partial: dict[str, Engine] = {}
        self._lock = threading.RLock()  # one model load and one ingest at a time
        self._some_ready = threading.Condition()  # a partial engine came, or the preload ended
        self._preload: threading.Thread | None = None
        self._preload_root = ""
        self._preload_done = False  # set under _some_ready: a thread in its finally is still alive
        self._preparer: Preparer | None = None
        self._writer: QuestionWriter | None = None
        self._preloaded: str | Exception = ""  # the preloaded notes' root, or why they failed
        self.typing = Typing()  # each tab's answer as typed, until typing pauses

    def grader(self) -> Grader:
        with self._lock:
            if self._grader is None:
                embedder = self._make_embedder()
                self._grader = Grader(embedder, calibration.load(embedder.name))
            return self._grader

    def preparer(self) -> Preparer:
        """One for all engines: drafts follow-ups in the background, kept in the data folder."""
        with self._lock:
            if self._preparer is None:
                self._preparer = Preparer(self.chat(), self._cache("followups.sqlite"))
            return self._preparer

    def writer(self) -> QuestionWriter:
        """One for all notes sets: writes questions for headings that don't ask one, in the
        background, behind the follow-ups; kept in the data folder."""
        with self._lock:
            if self._writer is None:
                where = self._cache("questions.sqlite")
                self._writer = QuestionWriter(self.chat(), self.grader().embedder, where, self.preparer())
            return self._writer

    def _cache(self, name: str) -> Path | Database:
        # a file of its own beside a SQLite history (safe to delete); PostgreSQL's tables, shared
        # by every replica, so a class drafts each follow-up and question once
        return self.db if self.db.dialect == "postgresql" else self.data_dir / name

    def chat(self) -> ChatBackend | None:
        with self._lock:
            if not self._chat_tried:
                self._chat_tried = True
                try:
                    self._chat = self._make_chat()
                except (ModelUnavailable, ChatError) as e:
                    self.chat_notice = f"No LLM ({e}); follow-up questions come from templates."
            return self._chat

    def load(self, notes: Path) -> NotesLoaded:
        """Indexes a notes folder (only what changed since last time) and readies its engine."""
        if not notes.exists():
            raise FileNotFoundError(f"{notes} does not exist")
        root = str(notes.resolve())
        grader = self.grader()
        with self._lock:
            folder = index_dir(self.data_dir, notes, grader.embedder.name)

            def partial(kb: KnowledgeBase) -> None:
                with self._some_ready:
                    self._partial[root] = self._engine_on(kb, grader)
                    self._some_ready.notify_all()

            kb, summary = ingest(notes, grader.embedder, folder, progress=True, on_partial=partial)
            engine = self._engine_on(kb, grader)
            self._engines[root] = engine
            self._partial.pop(root, None)
            self.writer().queue(kb)  # template questions are upgraded as the LLM writes them
            return NotesLoaded(root=root, summary=summary, topics=engine.topics(), notices=self.notices())

    def course(self, name: str) -> NotesLoaded:
        """Course notes NAME (course.py): their current index, copied from the database, never
        built here; an engine per version."""
        grader = self.grader()
        with self._lock:
            try:
                folder = self.courses.fetch(name, grader.embedder.name, self.data_dir)
            except KeyError as e:
                raise FileNotFoundError(f"There are no course notes called {name!r}.") from e
            kb = open_kb(folder, grader.embedder)
            root = kb.manifest.notes_root
            if root not in self._engines or self._engines[root].kb.manifest != kb.manifest:
                self._engines[root] = self._engine_on(kb, grader)
                self.writer().queue(kb)
            m = kb.manifest
            files = [FileReport(**f.model_dump(exclude={"sha256"})) for f in m.files.values()]
            summary = IngestSummary(
                files=files, items=m.items, answered=m.answered, rubric_points=m.rubric_points,
                seconds=0.0, embedder=m.embedder, reused_files=len(files), embedded_files=0,
            )  # fmt: skip
            topics = self._engines[root].topics()
            return NotesLoaded(root=root, summary=summary, topics=topics, notices=self.notices())

    def _engine_on(self, kb: KnowledgeBase, grader: Grader) -> Engine:
        return Engine(kb, grader, self.chat(), self.history, self.now, self.preparer(), self.writer())

    def preload(self, notes: Path) -> None:
        """Indexes the notes (and loads the models) in the background from server start, so a
        Start pressed before the page has loaded them waits for them instead of failing."""
        self._preload_root = str(notes.resolve())
        self.public.add(self._preload_root)
        self._preload_done = False
        self._preload = threading.Thread(target=self._load_default, args=(notes,), daemon=True)
        self._preload.start()

    def _load_default(self, notes: Path) -> None:
        try:
            self._preloaded = self.load(notes).root
            self.warm()
        except Exception as e:  # kept for whoever starts first: the page says why
            self._preloaded = e
        finally:
            with self._some_ready:
                self._preload_done = True
                self._some_ready.notify_all()

    def preloading(self) -> bool:
        return self._preload is not None and self._preload.is_alive()

    def default_root(self) -> str:
        """The preloaded notes' root once some of their questions are ready: all of them, or the
        first ones of a big folder still being embedded ("" when nothing was preloaded)."""
        preload = self._preload
        if preload is None:
            return ""
        with self._some_ready:
            self._some_ready.wait_for(lambda: self._preload_done or self._preload_root in self._partial)
        if self._preload_root in self._partial:
            return self._preload_root
        preload.join()
        if isinstance(self._preloaded, Exception):
            raise self._preloaded
        return self._preloaded

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

    def upload(self, files: list[Path], folder: Path | None = None) -> NotesLoaded:
        """Uploaded notes, unpacked into `folder` (the uploader's own; default the data folder's)."""
        unpacked = unpack(files, folder or self.data_dir / "uploads")
        loaded = self.load(unpacked.folder)
        return loaded.model_copy(update={"refused": unpacked.refused})

    def engine(self, root: str) -> Engine:
        """The engine of a notes folder, loading it on first use (e.g. a past session's notes);
        while its notes are still being embedded, the one on the questions indexed so far."""
        ready = self._engines.get(root) or self._partial.get(root)
        if ready is not None:
            return ready
        if root.startswith(course.PREFIX):
            self.course(root.removeprefix(course.PREFIX))
            return self._engines[root]
        with self._lock:
            if root not in self._engines:
                self.load(Path(root))
            return self._engines[root]
