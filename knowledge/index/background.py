"""Where a notes folder is embedded: in a process of its own at the lowest CPU priority, or here.

On two cores, embedding a big folder in the app's own process took the CPU (and the
embedder's lock) from the page's own work: Skip took 5.3 s to answer. Worker runs ingest() in
a process started with spawn (forking a process that has torch loaded is unsafe) and niced to
19 (index_worker.py, the code that runs there), with its own copy of the embedder: the same model
and dtype, so the same vectors. The worker sends its progress, the questions embedded so far
(an interview can start on them) and the summary; the index it saves is read back here. It
exits after IDLE seconds without work (its embedder is ~1 GB) and when the app stops. A folder
with nothing to embed is indexed here in milliseconds: no process is started for it.

InProcess runs ingest() in the calling thread: for fakes that tests hold with threading events.
"""

import atexit
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from knowledge.index.embedder import Embedder
from knowledge.index.index_worker import IndexingError, serve
from knowledge.index.ingest import ingest, up_to_date
from knowledge.index.knowledge_base import KnowledgeBase, open_kb
from knowledge.index.on_disk import Payload
from knowledge.index.vectors import VectorIndex
from knowledge.items import IngestSummary

IDLE = 60.0  # seconds a worker waits for the next folder before it exits and frees its memory
OnPartial = Callable[[KnowledgeBase], None]


class Indexer(Protocol):
    def index(
        self,
        notes: Path,
        folder: Path,
        embedder: Embedder,
        on_partial: OnPartial | None = None,
        progress: bool = False,
    ) -> tuple[KnowledgeBase, IngestSummary]: ...


class InProcess:
    def index(
        self,
        notes: Path,
        folder: Path,
        embedder: Embedder,
        on_partial: OnPartial | None = None,
        progress: bool = False,
    ) -> tuple[KnowledgeBase, IngestSummary]:
        return ingest(notes, embedder, folder, progress=progress, on_partial=on_partial)


class Worker:
    """One folder at a time, in one worker process, started when there is something to embed.

    `make_embedder` is called in the worker, so it must pickle: a module-level function or
    class, or a functools.partial of one.
    """

    def __init__(self, make_embedder: Callable[[], Embedder], idle: float = IDLE) -> None:
        self.make_embedder = make_embedder
        self.idle = idle
        self.proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()  # held while a folder is indexed
        self._timer: threading.Timer | None = None
        self._model: tuple[Any, ...] = ()  # the worker's embedder: name, dim
        atexit.register(self.close)

    def index(
        self,
        notes: Path,
        folder: Path,
        embedder: Embedder,
        on_partial: OnPartial | None = None,
        progress: bool = False,
    ) -> tuple[KnowledgeBase, IngestSummary]:
        if up_to_date(notes, embedder, folder):
            return ingest(notes, embedder, folder)
        with self._lock:
            if self._timer:
                self._timer.cancel()
            try:
                conn = self._started(embedder)
                try:
                    conn.send((str(notes), str(folder)))
                except OSError as e:  # it died since it was last seen alive
                    raise self._stopped("starting") from e
                summary = self._follow(conn, embedder, on_partial, progress)
            finally:
                self._timer = threading.Timer(self.idle, self._retire)
                self._timer.daemon = True
                self._timer.start()
        return open_kb(folder, embedder), summary

    def close(self) -> None:
        """Stops the worker (SIGTERM): what it was writing is never half-saved (on_disk.py)."""
        if self._timer:
            self._timer.cancel()
        proc, self.proc, self._conn = self.proc, None, None
        if proc is not None and proc.is_alive():
            proc.terminate()
            proc.join(10)
            if proc.is_alive():
                proc.kill()

    def _retire(self) -> None:
        if self._lock.acquire(blocking=False):  # else a folder came meanwhile: keep the worker
            try:
                self.close()
            finally:
                self._lock.release()

    def _started(self, embedder: Embedder) -> Connection:
        """The worker, started if need be, with the page's embedder: the index it saves is read here."""
        if self.proc is None or not self.proc.is_alive() or self._conn is None:
            ctx = multiprocessing.get_context("spawn")
            conn, theirs = ctx.Pipe()
            proc = ctx.Process(
                target=serve, args=(theirs, self.make_embedder, os.getpid()), name="index-worker", daemon=True
            )
            proc.start()
            theirs.close()  # so that recv() here ends (EOFError) when the worker dies
            self.proc, self._conn = proc, conn
            self._model = self._receive(conn, "starting")[1:]
        if self._model != (embedder.name, embedder.dim):
            name, dim = self._model
            raise IndexingError(
                f"the indexing process loaded {name} ({dim}), not {embedder.name} ({embedder.dim})"
            )
        return self._conn

    def _follow(
        self, conn: Connection, embedder: Embedder, on_partial: OnPartial | None, progress: bool
    ) -> IngestSummary:
        """The worker's messages until its summary: a tqdm bar here mirrors its progress (the
        page tracks tqdm bars in this thread), and the questions embedded so far are rebuilt.
        Read to the last one even if on_partial fails, so the next folder's messages are its own."""
        bar: Any = None
        items: list[Any] = []
        points: list[Any] = []
        vectors: list[np.ndarray] = []
        failed: Exception | None = None
        try:
            while True:
                message = self._receive(conn, "indexing")
                if message[0] == "done":
                    if failed is not None:
                        raise failed
                    summary: IngestSummary = message[1]
                    return summary
                if message[0] == "progress" and progress:
                    done, total = message[1:]
                    if bar is None:
                        from tqdm import tqdm  # type: ignore[import-untyped]

                        bar = tqdm(total=total, desc="embedding notes", unit="text", file=sys.stderr)
                    bar.update(done - bar.n)
                elif message[0] == "partial" and on_partial and failed is None:
                    manifest, more_items, more_points, more_vectors = message[1:]
                    items, points = items + more_items, points + more_points
                    vectors.append(more_vectors)
                    index = VectorIndex.build(np.vstack(vectors), embedder.dim)
                    try:
                        on_partial(KnowledgeBase(manifest, Payload(items=items, points=points), index))
                    except Exception as e:
                        failed = e
        finally:
            if bar is not None:
                bar.close()

    def _receive(self, conn: Connection, doing: str) -> tuple[Any, ...]:
        try:
            message: tuple[Any, ...] = conn.recv()
        except (EOFError, OSError) as e:
            raise self._stopped(doing) from e
        if message[0] == "failed":
            raise message[1]
        return message

    def _stopped(self, doing: str) -> IndexingError:
        """Why the worker is gone (killed, out of memory, crashed), once it is."""
        proc, code = self.proc, None
        if proc is not None:
            proc.join(10)
            code = proc.exitcode
        self.close()
        how = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
        return IndexingError(
            f"the indexing process stopped while {doing} ({how}); the saved index is as it was, "
            "and loading the notes again starts a new one"
        )
