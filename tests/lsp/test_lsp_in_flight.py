"""The server forgets every message once it is handled: a long session of typing leaves nothing behind
(pygls kept the future of every notification — each didChange — for the life of the session)."""

from __future__ import annotations

import time

from stdio_server import StdioServer

NO_MODEL = ("--model", "/nonexistent/model.gguf")  # document sync needs no model


def test_notifications_leave_nothing_in_flight() -> None:
    server = StdioServer(*NO_MODEL)
    try:
        server.initialize()
        uri = "file:///work/typing.py"
        item = {"uri": uri, "languageId": "python", "version": 1, "text": ""}
        server.notify("textDocument/didOpen", {"textDocument": item})
        for version in range(2, 302):  # 300 keystrokes
            change = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}
            server.notify(
                "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
            )
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        deadline = time.monotonic() + 10
        while (left := server.request("copiloto/status", {})["result"]["in_flight"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left == 0, f"{left} handled messages still held by the server"
    finally:
        assert server.close() == 0
