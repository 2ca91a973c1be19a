"""An answer as it is typed: embedded once typing pauses, not on every key.

Every key hands over a job that embeds the text so far and returns at once: a key must never
hold a slot in the page's queue, where an Enter would wait behind it. One worker thread runs a
tab's newest job once PAUSE seconds pass with no newer one, one job at a time. So while the
person types on, the CPU stays with the LLM drafting follow-ups (at low priority, it gets
nothing while the embedder works), and the answer is embedded at the first pause, usually
before Enter.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

PAUSE = 0.5  # seconds without a key before the text so far is embedded
log = logging.getLogger("interview-coach")


class Noted(NamedTuple):
    at: float  # the clock when the text was typed
    job: Callable[[], None]  # embeds it


class Typing:
    def __init__(self, pause: float = PAUSE, clock: Callable[[], float] = time.monotonic) -> None:
        self.pause = pause
        self.clock = clock  # a test's own clock says when a pause has passed
        self._pending: dict[str, Noted] = {}  # tab -> its newest text
        self._busy = False
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None

    def note(self, tab: str, job: Callable[[], None]) -> None:
        """A tab's newest text: `job` runs once the pause passes, unless a newer one comes."""
        with self._cond:
            self._pending[tab] = Noted(self.clock(), job)
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="typing", daemon=True)
                self._worker.start()
            self._cond.notify_all()

    def idle(self, timeout: float = 30.0) -> bool:
        """Wait until no job is pending or running (for tests)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
                job = self._next()
                self._busy = True
            try:
                job()
            except Exception:
                log.exception("embedding an answer as it was typed failed; Enter grades it from scratch")

    def _next(self) -> Callable[[], None]:
        # under the lock: the oldest tab whose pause has passed, waiting until there is one
        while True:
            if not self._pending:
                self._cond.wait()
                continue
            tab = min(self._pending, key=lambda t: self._pending[t].at)
            left = self._pending[tab].at + self.pause - self.clock()
            if left <= 0:
                return self._pending.pop(tab).job
            self._cond.wait(left)
