"""Log entries (CWE-117): request data written to a log as it came, so a line break in it forges entries."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits

LEVELS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})


def sinks(call: Call) -> Hits:
    if not call.method or call.last not in LEVELS:
        return []
    receiver = call.name.rsplit(".", 2)[-2].lower()
    if receiver not in ("logging", "log", "_log", "logger", "_logger") and not receiver.endswith("logger"):
        return []
    arguments = call.args[1:] if call.last == "log" else call.args  # log(level, msg, *args)
    return [(argument, Sink("log", call.name, string_only=True)) for argument in arguments]
