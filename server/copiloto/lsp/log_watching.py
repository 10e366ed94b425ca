"""The GLPI log watching the server holds: the LogWatch, the lock its readers take turns on, and which
documents hold diagnostics from logs. features/logs.py does the reading and publishing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from copiloto.logs.classify import ModelClassifier
from copiloto.logs.watch import LogWatch


class LogWatching:
    def __init__(self) -> None:
        self.watch: LogWatch | None = None  # None until `initialized`, and when logs are off
        self.lock = asyncio.Lock()  # one reader at a time: LogTail and GroupIndex are not thread-safe
        self._uris: set[str] = set()  # documents holding diagnostics from logs (cleared when they go)
        self._rerate_pending = False

    def watches(self, path: Path) -> bool:
        return self.watch is not None and self.watch.watches(path)

    def replace_uris(self, uris: set[str]) -> set[str]:
        """Record the documents that now hold diagnostics from logs; returns those that no longer do."""
        gone = self._uris - uris
        self._uris = set(uris)
        return gone

    def want_rerate(self) -> bool:
        """True for the first answer of a burst: one re-rating pass then serves them all."""
        if self._rerate_pending:
            return False
        self._rerate_pending = True
        return True

    def rerating(self) -> None:
        """The re-rating pass starts (under the lock): answers from now on ask for another."""
        self._rerate_pending = False

    def status(self) -> dict[str, Any]:
        watch = self.watch
        if watch is None:
            return {"files": []}
        rater = watch.classify if isinstance(watch.classify, ModelClassifier) else None
        return {
            "files": [str(path) for path in watch.paths()],
            "asked_model": rater.asked if rater else 0,
            "rated_by_model": len(rater.answers) if rater else 0,
        }
