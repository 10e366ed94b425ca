"""Code built from outside data (CWE-94): eval/exec/compile of it, or a module imported by its name."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

EVALUATORS = frozenset({"eval", "exec", "compile", "builtins.eval", "builtins.exec"})
IMPORTERS = frozenset({"__import__", "importlib.import_module", "import_module"})


def sinks(call: Call) -> Hits:
    if call.name in EVALUATORS:
        return one(call.arg(0, "source", "expression"), Sink("code", call.name))
    if call.name in IMPORTERS:
        return one(call.arg(0, "name"), Sink("code", call.name))
    return []
