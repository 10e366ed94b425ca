"""Log entries (CWE-117): request data written to a log as it came, so a line break in it forges entries."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits
from copiloto.review.names import is_log_call


def sinks(call: Call) -> Hits:
    if not is_log_call(call.name):
        return []
    arguments = call.args[1:] if call.last == "log" else call.args  # log(level, msg, *args)
    return [(argument, Sink("log", call.name, string_only=True)) for argument in arguments]
