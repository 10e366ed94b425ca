"""Severity of the log entries no rule recognises (free `Toolbox::logInFile` text), from the local model.

Rules decide first (group.rule_severity). For the rest, `ModelClassifier` is `GroupIndex`'s classify hook and
never blocks the reading of a log: it answers what it already knows, queues the rest for its own thread
(one question per signature, a budget per session) and calls `on_answer` as answers come in; the watch then
re-rates its groups (`LogWatch.reclassify`) and the server publishes again. The questions run in the engine's
background priority: a log full of novel lines never keeps the model from the user's completions.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from copiloto.engine.chat import ChatPrompt
from copiloto.engine.structured import ask
from copiloto.engine.types import Engine, Priority
from copiloto.logs.entries import Entry
from copiloto.logs.group import Severity, signature

log = logging.getLogger(__name__)

SYSTEM = (
    "You triage lines from the logs of GLPI, a PHP helpdesk. Rate how much the entry below needs an "
    "administrator's attention: error (something failed and users are affected), warning (something failed "
    "or may fail soon), information (a normal event)."
)
MAX_ENTRY_CHARS = 1500


class Triage(BaseModel):
    severity: Literal["error", "warning", "information"]


class ModelClassifier:
    """A classify hook that asks the model in the background; `engine_of` gives the current engine (the
    server may reload it), None when there is none."""

    def __init__(
        self,
        engine_of: Callable[[], Engine | None],
        on_answer: Callable[[], object] | None = None,
        budget: int = 100,
        timeout_s: float = 30.0,
    ) -> None:
        self.engine_of = engine_of
        self.on_answer = on_answer
        self.budget = budget
        self.timeout_s = timeout_s
        self.asked = 0
        self.invalid = 0
        self.answers: dict[str, Severity] = {}
        self._pending: OrderedDict[str, Entry] = OrderedDict()
        self._queued: set[str] = set()  # every signature ever queued: each is asked once
        self._cv = threading.Condition()
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def __call__(self, entry: Entry) -> Severity | None:
        key = signature(entry)
        with self._cv:
            if key in self.answers:
                return self.answers[key]
            if key not in self._queued and self.asked < self.budget and not self._closed:
                self.asked += 1
                self._queued.add(key)
                self._pending[key] = entry
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="copiloto-log-triage", daemon=True)
                    self._thread.start()
                self._cv.notify()
        return None

    def wait_idle(self, timeout: float) -> bool:
        """Block until every queued question is answered (tests, the command line); True when it is."""
        with self._cv:
            return self._cv.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._pending.clear()
            self._cv.notify_all()

    def _run(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._pending or self._closed)
                if self._closed:
                    return
                key, entry = self._pending.popitem(last=False)
                self._busy = True
            try:
                answer = self._ask(entry)
            except Exception:  # one bad question must not end the thread
                log.exception("log triage failed")
                answer = None
            with self._cv:
                self._busy = False
                if answer is not None:
                    self.answers[key] = answer
                self._cv.notify_all()
            if answer is not None and self.on_answer is not None:
                self.on_answer()

    def _ask(self, entry: Entry) -> Severity | None:
        engine = self.engine_of()
        if engine is None:
            return None
        if engine.state in ("starting", "loading") and hasattr(engine, "wait_loaded"):
            engine.wait_loaded(120)
        if engine.state != "ready":
            return None
        answer = ask(
            engine,
            ChatPrompt(SYSTEM, entry.raw[:MAX_ENTRY_CHARS]),
            Triage,
            max_tokens=16,
            priority=Priority.BACKGROUND,
            timeout_s=self.timeout_s,
        )
        if answer.value is None:
            self.invalid += 1
            log.debug("no severity for a log entry: %s", answer.error)
            return None
        return answer.value.severity
