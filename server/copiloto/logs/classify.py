"""Severity of the log entries no rule recognises (free `Toolbox::logInFile` text), from the local model.

Rules decide first (group.rule_severity); the model is asked once per new signature (GroupIndex caches the
answer), in the engine's background priority, with a short deadline and a budget of questions per watch: a
log full of novel lines must not keep the model from the user's completions.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel

from copiloto.engine.chat import ChatPrompt
from copiloto.engine.structured import ask
from copiloto.engine.types import Engine, Priority
from copiloto.logs.entries import Entry
from copiloto.logs.group import Severity

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
    """`GroupIndex`'s classify hook: at most `budget` questions, each within `timeout_s`."""

    def __init__(self, engine: Engine, budget: int = 100, timeout_s: float = 10.0) -> None:
        self.engine = engine
        self.budget = budget
        self.timeout_s = timeout_s
        self.asked = 0
        self.invalid = 0

    def __call__(self, entry: Entry) -> Severity | None:
        if self.asked >= self.budget or self.engine.state != "ready":
            return None
        self.asked += 1
        answer = ask(
            self.engine,
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
