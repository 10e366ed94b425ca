""" "Deep review with Claude" in a real LSP session: the server hands the open document to Claude (the fake API,
through the real SDK and `ANTHROPIC_BASE_URL`) and publishes what comes back as `copiloto/claude` diagnostics."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from copiloto.orchestrate.claude.review import TOOL
from fake_api import FakeAnthropic, delay, tool_use

API = FakeAnthropic().start()  # at import: the server's environment names its address
CODE = "TOKEN = 'ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'\n\n\ndef last(items):\n    return items[len(items)]\n"


@pytest.fixture(scope="module", autouse=True)
def api() -> Iterator[FakeAnthropic]:
    yield API
    API.close()


def env(tmp: str) -> dict[str, str]:
    return dict(
        os.environ,
        COPILOTO_CONFIG="/nonexistent/copiloto.toml",
        ANTHROPIC_API_KEY="sk-ant-test",
        ANTHROPIC_BASE_URL=API.base_url,
        XDG_STATE_HOME=tmp,
    )


@pytest_lsp.fixture(
    scope="module",
    loop_scope="module",
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "copiloto", "serve"],
        server_env=env(tempfile.mkdtemp(prefix="copiloto-state-")),
    ),
)
async def client(lsp_client: LanguageClient, tiny_model: Path) -> Any:
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={"engine": {"model": str(tiny_model), "n_ctx": 2048}},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_deep_review_publishes_claudes_findings(client: LanguageClient) -> None:
    uri = "file:///work/claude_me.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=CODE))
    )
    finding = {"line": 5, "end_line": 5, "severity": "error", "message": "IndexError: one past the end"}
    API.reply(tool_use(TOOL, {"findings": [finding]}))
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="copiloto.deepReview", arguments=[uri])
    )
    assert result == 1
    for _ in range(100):
        found = [d for d in client.diagnostics.get(uri, []) if d.source == "copiloto/claude"]
        if found:
            break
        await asyncio.sleep(0.05)
    [published] = found
    assert published.range.start.line == 4 and "IndexError" in published.message
    raw = API.requests[-1].raw
    assert b"a1B2c3D4e5F6g7H8i9J0" not in raw and b"REDACTED:github-token" in raw


async def save_and_wait(client: LanguageClient, uri: str, text: str, version: int, check: Any) -> list[Any]:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    for _ in range(600):
        found = list(client.diagnostics.get(uri, []))
        if check(found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"diagnostics never matched: {client.diagnostics.get(uri)}")


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_sequential_claude_refines_every_review_on_save(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"copiloto": {"orchestrate": {"review": "sequential"}}})
    )
    uri = "file:///work/sequential.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=CODE))
    )
    sent = len(API.requests)
    API.reply(tool_use(TOOL, {"findings": [{"line": 5, "end_line": 5, "severity": "warning", "message": "refined"}]}))
    found = await save_and_wait(client, uri, CODE, 2, lambda d: any(x.source == "copiloto/claude" for x in d))
    assert [d.message for d in found if d.source == "copiloto/claude"] == ["refined"]
    assert not [d for d in found if d.source == "copiloto/local"], "Claude's answer replaces the local draft"
    assert b"refine its findings" in API.requests[sent].raw


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_concurrent_shows_who_reported_what(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"copiloto": {"orchestrate": {"review": "concurrent"}}})
    )
    uri = "file:///work/concurrent.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=CODE))
    )
    API.reply(tool_use(TOOL, {"findings": [{"line": 5, "end_line": 5, "severity": "error", "message": "IndexError"}]}))
    found = await save_and_wait(client, uri, CODE, 2, lambda d: any(x.source == "copiloto/claude" for x in d))
    [claude_only] = [d for d in found if d.source == "copiloto/claude"]
    assert claude_only.message == "IndexError (Claude only; the local model did not report it)"
    assert claude_only.code == "review-claude"


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_deep_review_the_user_cancels_is_abandoned(client: LanguageClient) -> None:
    uri = "file:///work/cancelled.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=CODE))
    )
    late = {"findings": [{"line": 5, "end_line": 5, "severity": "error", "message": "too late"}]}
    API.reply(delay(30, tool_use(TOOL, late)))
    sent = len(API.requests)
    before = set(client.protocol._request_futures)
    params = types.ExecuteCommandParams(command="copiloto.deepReview", arguments=[uri])
    pending = asyncio.ensure_future(client.protocol.send_request_async(types.WORKSPACE_EXECUTE_COMMAND, params))
    await asyncio.get_running_loop().run_in_executor(None, API.wait_requests, sent + 1, 10)  # Claude was asked
    [msg_id] = set(client.protocol._request_futures) - before
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(pending, timeout=10)
    assert not [d for d in client.diagnostics.get(uri, []) if d.source == "copiloto/claude"]
