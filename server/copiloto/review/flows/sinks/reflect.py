"""Attribute names (CWE-470, CWE-915): request data that picks which attribute is read or written —
`getattr(obj, name)` reaches any method of the object, `setattr(obj, key, value)` any field of it."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

ACCESSORS = frozenset({"getattr", "setattr", "delattr", "builtins.getattr", "builtins.setattr"})


def sinks(call: Call) -> Hits:
    if call.name in ACCESSORS:
        return one(call.arg(1, "name"), Sink("reflect", call.name, string_only=True))
    return []
