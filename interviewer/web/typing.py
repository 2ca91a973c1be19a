"""An answer as it is typed: embedded once typing pauses, not on every key.

Every key sends the text so far. Each waits PAUSE seconds and is embedded only if no newer
text came for its session meanwhile, so while the person types on, the CPU stays with the LLM
drafting follow-ups (at low priority, it gets nothing while the embedder works), and the
answer is embedded at the first pause, usually before Enter.
"""

import threading

PAUSE = 0.5  # seconds without a key before the text so far is embedded


class Typing:
    def __init__(self) -> None:
        self._latest: dict[str, str] = {}  # session id -> its newest text, until embedded
        self._lock = threading.Lock()

    def note(self, session_id: str, text: str) -> None:
        with self._lock:
            self._latest[session_id] = text

    def settled(self, session_id: str, text: str) -> bool:
        """After the pause: is `text` still the newest for its session? True once only."""
        with self._lock:
            if self._latest.get(session_id) != text:
                return False
            del self._latest[session_id]
            return True
