"""The server leaves promptly when told to exit, even when the client has stopped reading (a crashed or
impatient editor) or work is still finishing: no process left behind, no flood of write errors."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import SERVER, server_env


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def start(tmp_path: Path, tiny_model: Path) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / "stderr.txt"
    server = subprocess.Popen(
        SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log.open("wb"), env=server_env()
    )
    assert server.stdin is not None
    params = {
        "capabilities": {"window": {"workDoneProgress": True}},
        "initializationOptions": {"engine": {"model": str(tiny_model)}},
    }
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}))
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    server.stdin.flush()
    return server, log


def exit_and_wait(server: subprocess.Popen[bytes]) -> float:
    assert server.stdin is not None
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    server.stdin.flush()
    began = time.monotonic()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        pytest.fail("the server was still running 20 s after exit")
    return time.monotonic() - began


@pytest.mark.model
def test_exit_when_the_client_no_longer_reads(tmp_path: Path, tiny_model: Path) -> None:
    server, log = start(tmp_path, tiny_model)
    assert server.stdout is not None
    server.stdout.close()  # every write from now on meets a broken pipe
    exit_and_wait(server)
    assert server.returncode == 0
    assert log.read_text().count("Traceback") < 50, "a bounded number of errors, not a flood"


@pytest.mark.model
def test_exit_while_a_code_action_is_still_working(tmp_path: Path, tiny_model: Path) -> None:
    module = tmp_path / "area.py"
    module.write_text("def area(w, h):\n    return w * h\n")
    server, log = start(tmp_path, tiny_model)
    assert server.stdin is not None and server.stdout is not None
    threading.Thread(target=server.stdout.read, daemon=True).start()  # a client that keeps reading
    deadline = time.monotonic() + 120  # the model loads meanwhile: a resolve before it would be refused
    while "loaded " not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    document = {"uri": module.as_uri(), "languageId": "python", "version": 1, "text": module.read_text()}
    data = {"uri": module.as_uri(), "qualname": "area", "action": "tests"}
    resolve = {"title": "Copiloto: Generate tests for area", "data": data}
    server.stdin.write(
        frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}})
    )
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 3, "method": "codeAction/resolve", "params": resolve}))
    server.stdin.flush()
    time.sleep(2)
    assert exit_and_wait(server) < 10
    assert server.returncode == 0
    assert "Traceback" not in log.read_text()
