"""The indexing process's own code: started by background.Worker, one folder at a time.

It lowers its CPU priority before anything else, so the app's own work (grading, the next
question) takes the CPU from it at once, then loads its embedder and indexes each folder the
app sends, answering with messages: ("ready", name, dim), ("progress", done, total),
("partial", manifest, items, points, vectors) with what each partial index adds to the one
before, ("done", summary) or ("failed", exception). It exits when the app closes the pipe,
and, as the LLM server does, when the app is killed (a watchdog sees its parent change).
"""

import logging
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from knowledge.index.embedder import Embedder
from knowledge.index.ingest import ingest
from knowledge.index.knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)
NICE = 19  # the lowest: the page's grading and next question take the CPU from indexing at once


class IndexingError(Exception):
    """The indexing process stopped or could not start; str(e) says why, for the page."""


def serve(conn: Connection, make_embedder: Callable[[], Embedder], parent: int) -> None:
    """Niced first (Linux's nice is per thread, and threads inherit it), then the embedder,
    then one folder after another until the app closes the pipe."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, NICE)
    except OSError:
        pass  # priority is a nicety; indexing still works without it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in the terminal stops the app, which stops this
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="watchdog").start()
    try:
        embedder = make_embedder()
    except Exception as e:
        _fail(conn, e)
        return
    conn.send(("ready", embedder.name, embedder.dim))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        notes, folder = job
        partial = _Partials(conn)
        try:
            _, summary = ingest(
                Path(notes),
                embedder,
                Path(folder),
                on_partial=partial.send,
                on_progress=lambda done, total: conn.send(("progress", done, total)),
            )
        except Exception as e:
            log.exception("indexing %s failed", notes)
            _fail(conn, e)
            continue
        conn.send(("done", summary))


class _Partials:
    """Each partial index as what it adds to the one before: the app rebuilds the whole."""

    def __init__(self, conn: Connection) -> None:
        self.conn, self.items, self.points = conn, 0, 0

    def send(self, kb: KnowledgeBase) -> None:
        points = kb.payload.points
        vectors = kb.point_index.vectors()[self.points :]
        self.conn.send(("partial", kb.manifest, kb.items[self.items :], points[self.points :], vectors))
        self.items, self.points = len(kb.items), len(points)


def _fail(conn: Connection, e: Exception) -> None:
    """The exception itself where it survives pickling (the app then raises what in-process
    ingest would), else its type and message."""
    try:
        pickle.loads(pickle.dumps(e))
    except Exception:
        e = IndexingError(f"{type(e).__name__}: {e}")
    conn.send(("failed", e))


def _watch(parent: int) -> None:
    """A killed app (SIGKILL skips atexit) must not leave a ~1 GB worker behind."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)
