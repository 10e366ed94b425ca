"""A $/cancelRequest that arrives after its answer (an editor that stopped waiting just too late: 48 times in the
soak) is no cause for a warning in the user's log; one that arrives in time still cancels."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from stdio_server import StdioServer

NO_MODEL = ("--model", "/nonexistent/model.gguf")


def test_a_late_cancel_is_not_warned_about(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = StdioServer(*NO_MODEL, stderr=log)
    try:
        server.initialize()
        answered = server.request("copiloto/status", {})
        server.notify("$/cancelRequest", {"id": answered["id"]})
        server.notify("$/cancelRequest", {"id": 987654})  # never sent at all: the same, nothing to cancel
        assert server.request("copiloto/status", {})["result"]["version"]  # both handled by now
    finally:
        assert server.close() == 0
    text = log.read_text()
    assert "WARNING" not in text and "ERROR" not in text, text


@pytest.mark.model
@pytest.mark.timeout(300)
def test_a_cancel_in_time_still_cancels(tiny_model: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = StdioServer("--model", str(tiny_model), stderr=log)
    try:
        server.initialize({"engine": {"n_ctx": 2048}})
        while server.request("copiloto/status", {})["result"]["state"] != "ready":
            time.sleep(0.1)
        uri = "file:///cancel/long.py"
        text = Path(textwrap.__file__).read_text()  # a prompt of ~1000 tokens: seconds on the CPU
        server.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
        )
        end = {"line": text.count("\n"), "character": 0}
        params = {"textDocument": {"uri": uri}, "position": end, "context": {"triggerKind": 1}}
        request_id = server.send("textDocument/inlineCompletion", params)
        server.notify("$/cancelRequest", {"id": request_id})
        answer = server.reply(timeout=120)
        assert answer["id"] == request_id and answer["error"]["code"] == -32800, answer
        status = server.request("copiloto/status", {})["result"]
        assert status["stats"]["cancelled"] == 1 and status["in_flight"] == 0, status
        again = server.request("textDocument/inlineCompletion", params, timeout=120)  # and the server goes on
        assert "result" in again, again
    finally:
        assert server.close() == 0
    assert "WARNING" not in log.read_text()
