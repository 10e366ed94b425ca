""" "Explain with Claude" on an error from a GLPI log, in a real LSP session against the fake Messages API: the
latest entry and the source lines its backtrace names are sent (redacted), the root cause comes back as a
message, and the lines Claude names — only among those it was shown — get `copiloto/claude` diagnostics."""

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

from copiloto.orchestrate.claude.explain import TOOL
from fake_api import FakeAnthropic, tool_use

API = FakeAnthropic().start()  # at import: the server's environment names its address
ROOT = Path(tempfile.mkdtemp(prefix="glpi-explain-"))
ENTRY = (
    "[2025-01-02 10:00:00] glpiphplog.CRITICAL:   *** Uncaught Exception Error: Call to undefined function "
    "foo() in /var/www/glpi/src/Foo.php at line 3\n  Backtrace :\n"
    "  /var/www/glpi/src/Foo.php:3                        Foo->bar()\n"
)
FOO = "<?php\nclass Foo {\n    public function bar() { return foo(); }  // token=ghp_" + "Ab1" * 12 + "\n}\n"


@pytest.fixture(scope="module", autouse=True)
def api() -> Iterator[FakeAnthropic]:
    yield API
    API.close()


def workspace() -> Path:
    (ROOT / "src").mkdir(exist_ok=True)
    (ROOT / "src" / "Foo.php").write_text(FOO, encoding="utf-8")
    (ROOT / "files" / "_log").mkdir(parents=True, exist_ok=True)
    (ROOT / "files" / "_log" / "php-errors.log").write_text(ENTRY, encoding="utf-8")
    return ROOT


@pytest_lsp.fixture(
    scope="module",
    loop_scope="module",
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "copiloto", "serve"],
        server_env=dict(
            os.environ,
            COPILOTO_CONFIG="/nonexistent/copiloto.toml",
            ANTHROPIC_API_KEY="sk-ant-test",
            ANTHROPIC_BASE_URL=API.base_url,
            XDG_STATE_HOME=tempfile.mkdtemp(prefix="copiloto-state-"),
        ),
    ),
)
async def client(lsp_client: LanguageClient, tiny_model: Path) -> Any:
    root = workspace()
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                window=types.WindowClientCapabilities(work_done_progress=False),
                text_document=types.TextDocumentClientCapabilities(
                    code_action=types.CodeActionClientCapabilities(
                        resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"])
                    )
                ),
            ),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="glpi")],
            initialization_options={"engine": {"model": str(tiny_model), "n_ctx": 2048}},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def explain_action(
    client: LanguageClient, path: Path, language: str, text: str, hit: types.Diagnostic
) -> types.CodeAction:
    """Open `path` and ask for the code actions on `hit`: the one "Explain with Claude"."""
    item = types.TextDocumentItem(uri=path.as_uri(), language_id=language, version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(item))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=hit.range,
            context=types.CodeActionContext(diagnostics=[hit]),
        )
    )
    [action] = [a for a in actions or [] if isinstance(a, types.CodeAction) and "Explain" in a.title]
    return action


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_explain_with_claude(client: LanguageClient) -> None:
    foo = ROOT / "src" / "Foo.php"
    for _ in range(200):
        hits = list(client.diagnostics.get(foo.as_uri(), []))
        if hits:
            break
        await asyncio.sleep(0.05)
    [hit] = hits
    action = await explain_action(client, foo, "php", FOO, hit)
    API.reply(
        tool_use(
            TOOL,
            {
                "root_cause": "foo() is not defined anywhere",
                "involved": [
                    {"file": "src/Foo.php", "line": 3, "why": "calls the undefined foo()"},
                    {"file": "src/Elsewhere.php", "line": 9, "why": "never shown to Claude"},
                ],
                "fix": "define foo() or call an existing helper",
            },
        )
    )
    shown = len(client.messages)
    await client.code_action_resolve_async(action)
    said = [m.message for m in client.messages[shown:]]
    assert "Claude: foo() is not defined anywhere Fix: define foo() or call an existing helper" in said[-1]
    claude = [d for d in client.diagnostics.get(foo.as_uri(), []) if d.source == "copiloto/claude"]
    assert [(d.range.start.line, d.message.split(" (")[0]) for d in claude] == [(2, "calls the undefined foo()")]
    raw = API.requests[-1].raw.decode()
    assert "Uncaught Exception Error" in raw and "3:     public function bar()" in raw
    assert "Ab1Ab1Ab1" not in raw, "the token in the source was redacted"


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_log_file_in_cloud_exclude_is_never_sent(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"copiloto": {"cloud": {"exclude": ["files/_log/*.log"]}}})
    )
    log = ROOT / "files" / "_log" / "php-errors.log"
    [hit] = [d for d in client.diagnostics.get(log.as_uri(), []) if d.source == "copiloto/logs"]
    action = await explain_action(client, log, "log", ENTRY, hit)
    sent, shown = len(API.requests), len(client.messages)
    await client.code_action_resolve_async(action)
    assert "php-errors.log matches cloud.exclude" in client.messages[shown:][-1].message
    assert len(API.requests) == sent
