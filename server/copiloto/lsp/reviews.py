"""The review bookkeeping the server holds: the local review running per document, what earlier reviews
found (ReviewMemory), and the totals `copiloto/status` reports."""

from __future__ import annotations

import threading

from copiloto.review.functions import ReviewMemory


class Reviews:
    def __init__(self) -> None:
        self.memory = ReviewMemory()
        self.totals: dict[str, int] = {
            "saves": 0,
            "reviewed": 0,
            "findings": 0,
            "invalid_answers": 0,
            "dropped": 0,
            "duplicates": 0,
            "stale": 0,
        }
        self._running: dict[str, threading.Event] = {}  # the local review running per document (newest wins)

    def begin(self, uri: str) -> threading.Event:
        """Stop the review running for `uri`, if any; the returned Event stops the new one."""
        self.stop(uri)
        stop = self._running[uri] = threading.Event()
        return stop

    def finished(self, uri: str, stop: threading.Event) -> None:
        """The review that `stop` belongs to is over (a newer one may have taken its place)."""
        if self._running.get(uri) is stop:
            del self._running[uri]

    def stop(self, uri: str) -> None:
        if (running := self._running.pop(uri, None)) is not None:
            running.set()
