"""Protocol fuzzing (hypothesis, stateful) against the real server over stdio: random sequences of didOpen,
incremental didChange with UTF-16 ranges (surrogate pairs, CRLF and lone CR, empty lines, ranges at line and
document ends, several changes in one notification), inlineCompletion, codeAction, didSave and didClose over
several documents. After every step the server's copy of every open document equals a reference model, every
request is answered, and the server is still running. The big run needs no model (the protocol and document
sync are what is fuzzed, ≥ 10 000 messages); a shorter run repeats it with the real `tiny` model answering."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from stdio_server import StdioServer

# What LSP counts as line breaks: \r\n, \n, \r — not U+2028 or form feed, which are in the alphabet too.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
PIECES = ["a", "b", "x", " ", "\t", "(", ")", ":", "\n", "\r\n", "\r", "é", "日", "😀", "𝄞", "\u2028", "\x0c", "\n\n"]
texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def line_text(text: str, starts: list[int], line: int) -> str:
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    return LINE_BREAK.sub("", text[starts[line] : end], count=1) if line + 1 < len(starts) else text[starts[line] :]


def utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def positions(text: str) -> list[tuple[int, int, int]]:
    """Every valid (line, UTF-16 character, string offset) of `text`, line ends and the document end included."""
    starts = line_starts(text)
    found = []
    for line, start in enumerate(starts):
        content = line_text(text, starts, line)
        for k in range(len(content) + 1):
            found.append((line, utf16(content[:k]), start + k))
    return found


def position(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


class ProtocolFuzz(RuleBasedStateMachine):
    server: StdioServer  # set by the test before the run: one server for every example
    counter = itertools.count()

    def __init__(self) -> None:
        super().__init__()
        self.docs: dict[str, str] = {}
        self.versions: dict[str, int] = {}

    @initialize(text=texts)
    def open_first(self, text: str) -> None:
        self.open(text)

    @rule(text=texts)
    def open(self, text: str) -> None:
        uri = f"file:///fuzz/doc_{next(self.counter)}.py"
        item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        self.server.notify("textDocument/didOpen", {"textDocument": item})
        self.docs[uri], self.versions[uri] = text, 1

    @precondition(lambda self: self.docs)
    @rule(data=st.data())
    def change(self, data: st.DataObject) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        text, changes = self.docs[uri], []
        for _ in range(data.draw(st.integers(1, 3))):
            if data.draw(st.integers(0, 9)) == 0:  # now and then the whole document
                text = data.draw(texts)
                changes.append({"text": text})
                continue
            spots = positions(text)
            a, b = sorted((data.draw(st.integers(0, len(spots) - 1)), data.draw(st.integers(0, len(spots) - 1))))
            (l1, c1, o1), (l2, c2, o2) = spots[a], spots[b]
            inserted = data.draw(texts)
            changes.append({"range": {"start": position(l1, c1), "end": position(l2, c2)}, "text": inserted})
            text = text[:o1] + inserted + text[o2:]
        self.versions[uri] += 1
        doc = {"uri": uri, "version": self.versions[uri]}
        self.server.notify("textDocument/didChange", {"textDocument": doc, "contentChanges": changes})
        self.docs[uri] = text

    @precondition(lambda self: self.docs)
    @rule(data=st.data())
    def complete(self, data: st.DataObject) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        line, character, _ = data.draw(st.sampled_from(positions(self.docs[uri])))
        if data.draw(st.integers(0, 4)) == 0:
            character += 1000  # past the line: a clear error, not a crash
        params = {"textDocument": {"uri": uri}, "position": position(line, character), "context": {"triggerKind": 1}}
        answer = self.server.request("textDocument/inlineCompletion", params)
        if character >= 1000:
            assert answer["error"]["code"] == -32602, answer
        else:
            assert "result" in answer or answer["error"]["code"] in (-32800, -32803), answer

    @precondition(lambda self: self.docs)
    @rule(data=st.data())
    def code_action(self, data: st.DataObject) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        spots = positions(self.docs[uri])
        (l1, c1, _), (l2, c2, _) = sorted(data.draw(st.lists(st.sampled_from(spots), min_size=2, max_size=2)))
        params = {
            "textDocument": {"uri": uri},
            "range": {"start": position(l1, c1), "end": position(l2, c2)},
            "context": {"diagnostics": []},
        }
        answer = self.server.request("textDocument/codeAction", params)
        assert "result" in answer, answer

    @precondition(lambda self: self.docs)
    @rule(data=st.data())
    def save(self, data: st.DataObject) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        self.server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})

    @precondition(lambda self: len(self.docs) > 1)
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        uri = data.draw(st.sampled_from(sorted(self.docs)))
        self.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        del self.docs[uri], self.versions[uri]
        assert self.server.request("copiloto/document", {"uri": uri})["result"] is None

    @invariant()
    def server_text_equals_the_reference(self) -> None:
        assert self.server.alive(), "the server exited"
        for uri, text in self.docs.items():
            state = self.server.request("copiloto/document", {"uri": uri})["result"]
            assert state is not None, f"{uri} is not open on the server"
            assert state["text"] == text, f"{uri} diverged at version {self.versions[uri]}"
            assert state["version"] == self.versions[uri]

    def teardown(self) -> None:
        for uri in list(self.docs):
            self.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def fuzz(server: StdioServer, examples: int, steps: int) -> None:
    ProtocolFuzz.server = server
    run_state_machine_as_test(
        ProtocolFuzz,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            derandomize=True,  # the same sequences on every run: a CI failure reproduces here
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )


@pytest.fixture(scope="module")
def bare_server() -> Iterator[StdioServer]:
    server = StdioServer("--model", "/nonexistent/model.gguf")
    server.initialize()
    yield server
    assert server.close() == 0, "the server must still shut down cleanly"


@pytest.mark.timeout(900)
def test_ten_thousand_messages_no_crash_no_divergence(bare_server: StdioServer) -> None:
    fuzz(bare_server, examples=70, steps=60)
    print(f"{bare_server.sent} messages sent")
    assert bare_server.sent >= 10_000, f"only {bare_server.sent} messages sent"
    assert bare_server.alive()


@pytest.mark.model
@pytest.mark.timeout(900)
def test_with_the_model_answering(tiny_model: Path) -> None:
    server = StdioServer("--model", str(tiny_model))
    try:
        options = {"engine": {"n_ctx": 1024}, "completion": {"max_tokens_single_line": 4, "max_tokens_multi_line": 8}}
        server.initialize(options)
        for _ in range(600):  # the model loads in the background; requests meanwhile are answered anyway
            if server.request("copiloto/status", {})["result"]["state"] == "ready":
                break
        fuzz(server, examples=6, steps=30)
        assert server.alive()
    finally:
        assert server.close() == 0
