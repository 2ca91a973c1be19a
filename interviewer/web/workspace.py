"""What every browser tab shares: the models, the history and the notes loaded so far.

A tab keeps only its session's id; anything heavy lives here, once, and the session itself in
the database, so any replica can carry on any interview. app.py hands the Coach the functions
that make the models (loaded_models.py), so this module never chooses between real and fake
ones. A notes folder is indexed by an
Indexer (knowledge/index/background.py: in a low-priority process of its own in the app), once however
many tabs ask for it; an interview can start on its first questions. The notes' engines
(indexed here, or course notes fetched from the database) share one lock and one condition
with their loads.
"""

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from interviewer.grading.grader import Grader
from interviewer.interview.engine import Engine
from interviewer.llm.chat import ChatBackend
from interviewer.practice.schedule import Clock
from interviewer.storage import courses
from interviewer.storage.database import connect
from interviewer.storage.history import History
from interviewer.storage.session import now
from interviewer.web.loaded_models import Models
from interviewer.web.typed_answers import Typing
from interviewer.web.uploads import Unpacked, unpack
from knowledge.index.background import Indexer, InProcess
from knowledge.index.embedder import Embedder
from knowledge.index.ingest import index_dir
from knowledge.index.knowledge_base import KnowledgeBase, open_kb
from knowledge.items import FileReport, IngestSummary


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


class Coach(Models):
    def __init__(
        self,
        data_dir: Path,
        make_embedder: Callable[[], Embedder],
        make_chat: Callable[[], ChatBackend],
        clock: Clock = now,
        database_url: str = "",
        indexer: Indexer | None = None,
    ) -> None:
        """`database_url`: PostgreSQL for everything kept (a class); "": SQLite files in data_dir."""
        self.data_dir = data_dir
        self.now = clock  # every engine's clock; a test fakes it to move days on
        self.db = connect(database_url, data_dir / "history.sqlite")
        self.history = History(self.db)  # the local user's; a named user's is history.of(name)
        self.courses = courses.Courses(self.db)
        self.public: set[str] = set()  # notes every user may practise on: the preloaded sample
        self.indexer = indexer or InProcess()
        super().__init__(data_dir, self.db, make_embedder, make_chat)
        self._indexing = threading.Lock()  # one folder indexed at a time: they'd share the CPU anyway
        self._changed = threading.Condition()  # guards the two below; notified as a load moves on
        self._engines: dict[str, Engine] = {}  # by notes root, each on its whole index
        self._loads: dict[str, Loading] = {}  # folders being indexed, by root
        self._partials: weakref.WeakSet[Engine] = weakref.WeakSet()
        self._preload_root = ""
        self.typing = Typing()  # each tab's answer as typed, until typing pauses

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

    def course(self, name: str) -> NotesLoaded:
        """Course notes NAME (courses.py): their current index, copied from the database, never
        built here; an engine per version."""
        grader = self.grader()
        with self._indexing:  # one copy at a time, like one folder indexed at a time
            try:
                folder = self.courses.fetch(name, grader.embedder.name, self.data_dir)
            except KeyError as e:
                raise FileNotFoundError(f"There are no course notes called {name!r}.") from e
            kb = open_kb(folder, grader.embedder)
            root = kb.manifest.notes_root
            with self._changed:
                engine = self._engines.get(root)
            if engine is None or engine.kb.manifest != kb.manifest:
                engine = self._engine_on(kb, grader)
                with self._changed:
                    self._engines[root] = engine
                self.writer().queue(kb)
        m = kb.manifest
        files = [FileReport(**f.model_dump(exclude={"sha256"})) for f in m.files.values()]
        summary = IngestSummary(
            files=files, items=m.items, answered=m.answered, rubric_points=m.rubric_points,
            seconds=0.0, embedder=m.embedder, reused_files=len(files), embedded_files=0,
        )  # fmt: skip
        return NotesLoaded(root=root, summary=summary, topics=engine.topics(), notices=self.notices())

    def _engine_on(self, kb: KnowledgeBase, grader: Grader) -> Engine:
        return Engine(kb, grader, self.chat(), self.history, self.now, self.preparer(), self.writer())

    def preload(self, notes: Path) -> None:
        """Indexes the notes (and loads the models) in the background from server start, so a
        Start pressed before the page has loaded them waits for them instead of failing."""
        self._preload_root = str(notes.resolve())
        self.public.add(self._preload_root)
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
            ready = root in self._engines or (loading is not None and loading.partial is not None)
        return ready or root.startswith(courses.PREFIX)  # nothing to index: fetched at start

    def indexing(self, root: str) -> bool:
        """Whether these notes are being indexed now."""
        with self._changed:
            return root in self._loads

    def is_partial(self, engine: Engine) -> bool:
        """Whether this engine is on the first questions of a folder still being indexed."""
        return engine in self._partials

    def notices(self) -> list[str]:
        out = [self.chat_notice] if self.chat_notice else []
        if self.history.recovered_from:
            out.append(
                f"Your interview history was damaged, so a new one was started; the old file is kept "
                f"as {self.history.recovered_from}."
            )
        return out

    def unpack(self, files: list[Path], folder: Path | None = None) -> Unpacked:
        """Uploaded files checked and written into `folder` (the uploader's own; default the data
        folder's). The same upload: the same folder."""
        return unpack(files, folder or self.data_dir / "uploads")

    def upload(self, files: list[Path], folder: Path | None = None) -> NotesLoaded:
        unpacked = self.unpack(files, folder)
        loaded = self.load(unpacked.folder)
        return loaded.model_copy(update={"refused": unpacked.refused})

    def engine(self, root: str) -> Engine:
        """The engine of a notes folder. While the folder is being indexed, the one on its first
        questions as soon as they are ready; if nobody is indexing it (a past session's notes, a
        Start that came before Load's own event), its indexing begins here in the background.
        Course notes are never indexed here: their index comes from the database (a new version
        is taken at Load, not mid-interview)."""
        with self._changed:
            if root in self._engines:
                return self._engines[root]
        if root.startswith(courses.PREFIX):
            self.course(root.removeprefix(courses.PREFIX))
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
