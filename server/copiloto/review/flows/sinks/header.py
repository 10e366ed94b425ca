"""Response headers (CWE-113): request data set as a header's value, so a line break in it adds headers or a
body of its own. `resp.headers[name] = value` is an assignment, reported by python.py; the calls are here."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

SETTERS = frozenset({"add", "set", "setdefault", "add_header", "__setitem__"})


def sinks(call: Call) -> Hits:
    receiver = call.name.rsplit(".", 1)[0] if call.method else ""
    if receiver.endswith("headers") and call.last in SETTERS:
        return one(call.arg(1, "value", "_value"), Sink("header", call.name, string_only=True))
    if call.last in ("set_header", "add_header") and call.method:  # tornado, aiohttp-style handlers
        return one(call.arg(1, "value"), Sink("header", call.name, string_only=True))
    return []
