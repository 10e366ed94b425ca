""" "Fix with the local model" in a real session with the real `tiny` model: listed at once, without an edit,
for a bandit finding no rewrite fixes (and only for clients that resolve an action's edit); resolved into a
versioned, previewed edit that holds (the text parses, bandit no longer reports the finding there), or into no
edit and a message saying why. The model need not be clever: the contract must hold whatever it answers."""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

import pytest
from stdio_server import StdioServer

from copiloto.review.security import security_findings

RISKY = """import yaml


def load(path, expr):
    value = eval(expr)
    with open(path) as stream:
        return yaml.load(stream), value
"""
RESOLVING = {
    "window": {"workDoneProgress": True},
    "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}},
    "workspace": {"workspaceEdit": {"documentChanges": True, "changeAnnotationSupport": {"groupsOnLabel": True}}},
}
MODEL_FIX = "Copiloto: Fix with the local model"


def start(tiny_model: Path, capabilities: dict[str, Any]) -> StdioServer:
    server = StdioServer("--model", str(tiny_model))
    server.initialize({"engine": {"n_ctx": 2048}, "review": {"local_model": False}}, capabilities)
    deadline = time.monotonic() + 120
    while server.request("copiloto/status", {})["result"]["state"] != "ready":
        assert time.monotonic() < deadline, "the model never loaded"
        time.sleep(0.1)
    return server


def saved(server: StdioServer, uri: str, text: str) -> dict[str, dict[str, Any]]:
    """Open and save `text`; bandit's diagnostics by code."""
    document = {"uri": uri, "languageId": "python", "version": 1, "text": text}
    server.notify("textDocument/didOpen", {"textDocument": document})
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    deadline = time.monotonic() + 30
    while True:
        published = [
            n["params"]
            for n in server.notifications
            if n["method"] == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri
        ]
        found = {d["code"]: d for p in published for d in p["diagnostics"] if d["source"] == "copiloto/bandit"}
        if found:
            return found
        assert time.monotonic() < deadline, "no bandit diagnostics"
        time.sleep(0.05)


def quick_fixes(server: StdioServer, uri: str, diagnostic: dict[str, Any]) -> list[dict[str, Any]]:
    params = {
        "textDocument": {"uri": uri},
        "range": diagnostic["range"],
        "context": {"diagnostics": [diagnostic], "only": ["quickfix"]},
    }
    return server.request("textDocument/codeAction", params)["result"] or []


def apply(text: str, edit: dict[str, Any], uri: str) -> str:
    [change] = edit["documentChanges"]
    assert change["textDocument"] == {"uri": uri, "version": 1}
    [one] = change["edits"]
    assert "+++ after" in edit["changeAnnotations"][one["annotationId"]]["description"]  # previewed as a diff
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    start, end = one["range"]["start"], one["range"]["end"]  # ASCII source: UTF-16 units are characters
    first, last = starts[start["line"]] + start["character"], starts[end["line"]] + end["character"]
    return text[:first] + one["newText"] + text[last:]


@pytest.mark.model
@pytest.mark.timeout(400)
def test_fix_with_the_local_model_is_listed_then_resolved_into_a_checked_edit_or_a_reason(tiny_model: Path) -> None:
    server = start(tiny_model, RESOLVING)
    try:
        uri = "file:///work/model_fix.py"
        found = saved(server, uri, RISKY)
        listed_at = time.monotonic()
        [action] = quick_fixes(server, uri, found["B307"])  # eval: no rewrite for it
        assert time.monotonic() - listed_at < 5, "listing asks no model"
        assert action["title"] == MODEL_FIX and action["kind"] == "quickfix" and "edit" not in action
        assert action["data"] == {"action": "model-fix", "uri": uri, "code": "B307", "line": 5, "column": 12}
        # a finding with a verified rewrite gets that rewrite, not the model
        assert [a["title"] for a in quick_fixes(server, uri, found["B506"])] == ["Copiloto: use yaml.safe_load"]

        told_before = len(server.notifications)
        resolved = server.request("codeAction/resolve", action, timeout=300)["result"]
        if "edit" in resolved:
            fixed = apply(RISKY, resolved["edit"], uri)
            ast.parse(fixed)
            after = security_findings(fixed)
            assert not any((f.code, f.line, f.column) == ("B307", 5, 12) for f in after)
            assert [f.code for f in after if f.code == "B307"] == []
        else:
            told = [n["params"] for n in server.notifications[told_before:] if n["method"] == "window/showMessage"]
            assert any(m["message"].startswith("Copiloto: no fix for B307 on line 5: ") for m in told), told

        # the finding gone from the text (edited since): told so, nothing asked
        edited = RISKY.replace("eval(expr)", "int(expr)")
        change = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]}
        server.notify("textDocument/didChange", change)
        told_before = len(server.notifications)
        resolved = server.request("codeAction/resolve", action, timeout=30)["result"]
        assert "edit" not in resolved
        told = [
            n["params"]["message"] for n in server.notifications[told_before:] if n["method"] == "window/showMessage"
        ]
        assert told == ["Copiloto: no fix for B307 on line 5: bandit no longer reports B307 on line 5"]
    finally:
        assert server.close() == 0


@pytest.mark.model
def test_not_listed_for_a_client_that_does_not_resolve_edits(tiny_model: Path) -> None:
    server = start(tiny_model, {})
    try:
        uri = "file:///work/no_resolve.py"
        found = saved(server, uri, RISKY)
        assert quick_fixes(server, uri, found["B307"]) == []
    finally:
        assert server.close() == 0
