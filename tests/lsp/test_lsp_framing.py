"""Broken frames against the real server over stdio: each gets a JSON-RPC error (or is dropped with a log line,
for a notification), and the session goes on — the next well-formed request is answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from stdio_server import StdioServer, frame

NO_MODEL = ("--model", "/nonexistent/model.gguf")  # the protocol needs no model: nothing waits for one


@pytest.fixture(scope="module")
def server() -> Iterator[StdioServer]:
    srv = StdioServer(*NO_MODEL)
    assert "capabilities" in srv.initialize()["result"]
    yield srv
    assert srv.close() == 0


def still_serving(server: StdioServer) -> None:
    answer = server.request("copiloto/status", {})
    assert answer["result"]["version"], answer
    assert server.alive()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"Content-Length: 10\r\n\r\n{not json}", -32700),
        (b'Content-Length: 4\r\n\r\n\xff\xfe"x', -32700),  # not UTF-8
        (b"Content-Length: 2\r\n\r\n[]", -32600),  # a batch: LSP has none
        (b'Content-Length: 7\r\n\r\n"hello"', -32600),
        (b"Content-Length: abc\r\n\r\n", -32600),  # no length that can be read
        (b"Content-Type: application/vscode-jsonrpc\r\n\r\n", -32600),  # no length at all
    ],
    ids=["not-json", "not-utf8", "array", "string", "bad-length", "no-length"],
)
def test_a_broken_frame_gets_an_error_with_a_null_id(server: StdioServer, raw: bytes, code: int) -> None:
    server.write(raw)
    answer = server.reply()
    assert answer == {"jsonrpc": "2.0", "id": None, "error": answer["error"]} and answer["error"]["code"] == code
    still_serving(server)


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("no/such/method", {}, -32601),
        ("textDocument/inlineCompletion", {"textDocument": 5}, -32602),
        ("textDocument/codeAction", [1, 2, 3], -32602),
        ("textDocument/hover", {"textDocument": {"uri": 1}, "position": {"line": "x"}}, -32602),
    ],
    ids=["unknown-method", "wrong-type", "array-params", "nested-wrong-types"],
)
def test_a_request_that_cannot_be_read_is_answered_with_its_id(
    server: StdioServer, method: str, params: object, code: int
) -> None:
    answer = server.request(method, params)
    assert answer["error"]["code"] == code, answer
    still_serving(server)


def test_frames_after_junk_and_wrong_lengths_are_found_again(server: StdioServer) -> None:
    status = frame({"jsonrpc": "2.0", "id": 9001, "method": "copiloto/status", "params": {}})
    server.write(b"garbage without a newline" + status)  # junk glued to the next header line
    assert server.reply()["id"] == 9001
    server.write(b"Content-Length: 5\r\n\r\n" + b'{"jsonrpc": "2.0"}')  # too short: the rest is junk
    assert server.reply()["error"]["code"] == -32700
    server.write(frame({"jsonrpc": "2.0", "id": 9002, "method": "copiloto/status", "params": {}}))
    assert server.reply()["id"] == 9002
    server.notify("textDocument/didChange", {"textDocument": "nope"})  # a notification: dropped, logged
    still_serving(server)


def test_a_document_sync_survives_a_bad_change_in_between(server: StdioServer) -> None:
    uri = "file:///framing/doc.py"
    item = {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}
    server.notify("textDocument/didOpen", {"textDocument": item})
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri}, "contentChanges": 7})
    change = {"range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 5}}, "text": "2"}
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [change]})
    state = server.request("copiloto/document", {"uri": uri})["result"]
    assert state == {"uri": uri, "version": 3, "text": "x = 2\n"}
