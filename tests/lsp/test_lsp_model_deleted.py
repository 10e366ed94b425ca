"""The model file deleted while the server runs: completions go on (llama.cpp holds the mapped file), a reload
that needs the file says clearly that it is gone and the server keeps serving, and putting it back recovers."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from stdio_server import StdioServer

pytestmark = pytest.mark.model
FIB = "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = \n    return a\n"


def wait_state(server: StdioServer, *states: str, timeout: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        info = server.request("copiloto/status", {})["result"]
        if info["state"] in states or time.monotonic() > deadline:
            return info
        time.sleep(0.1)


def complete(server: StdioServer, uri: str) -> str:
    params = {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 15}, "context": {"triggerKind": 1}}
    items = server.request("textDocument/inlineCompletion", params)["result"]["items"]
    return items[0]["insertText"] if items else ""


def test_model_deleted_while_running(tmp_path: Path, tiny_model: Path) -> None:
    model = tmp_path / "model.gguf"
    shutil.copyfile(tiny_model, model)
    server = StdioServer("--model", str(model))
    try:
        server.initialize({"engine": {"n_ctx": 1024}})
        assert wait_state(server, "ready", "error")["state"] == "ready"
        uri = "file:///deleted/fib.py"
        server.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": FIB}}
        )
        assert complete(server, uri).strip() == "b, a + b"

        model.unlink()
        assert complete(server, uri).strip() == "b, a + b", "the loaded model keeps serving"

        server.notify("workspace/didChangeConfiguration", {"settings": {"copiloto": {"engine": {"n_ctx": 1536}}}})
        info = wait_state(server, "error")
        assert info["state"] == "error" and "does not exist" in str(info["error"]), info
        told = [n["params"]["message"] for n in server.notifications if n["method"] == "window/showMessage"]
        assert any("does not exist" in message for message in told), "the user is told, once"
        assert complete(server, uri) == "", "no model: no completion, no crash"

        shutil.copyfile(tiny_model, model)  # put back: the next reload finds it
        server.notify("workspace/didChangeConfiguration", {"settings": {"copiloto": {"engine": {"n_ctx": 1024}}}})
        assert wait_state(server, "ready")["state"] == "ready"
        assert complete(server, uri).strip() == "b, a + b"
    finally:
        assert server.close() == 0
