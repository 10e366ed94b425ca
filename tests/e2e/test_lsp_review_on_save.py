"""Review on save in a real LSP session: bandit's findings published as diagnostics for the saved version,
with the code, the CWE link and the place; other producers' diagnostics are kept."""

from __future__ import annotations

import asyncio

import pytest
from lsp_helpers import open_doc, wait_until
from lsprotocol import types
from pytest_lsp import LanguageClient

RISKY = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.Popen(cmd, shell=True)\n"


async def diagnostics_for(client: LanguageClient, uri: str, timeout: float = 10) -> list[types.Diagnostic]:
    await wait_until(lambda: uri in client.diagnostics, timeout, f"diagnostics for {uri}")
    return list(client.diagnostics[uri])


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_saving_publishes_bandits_findings(client: LanguageClient) -> None:
    uri = "file:///work/runner.py"
    open_doc(client, uri, RISKY)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    found = await diagnostics_for(client, uri)
    by_code = {d.code: d for d in found}
    assert set(by_code) == {"B404", "B602"}
    shell = by_code["B602"]
    assert shell.source == "copiloto/bandit" and shell.severity == types.DiagnosticSeverity.Error
    assert shell.code_description is not None and shell.code_description.href.endswith("/78.html")
    assert shell.range.start == types.Position(4, 11) and shell.range.end.line == 4
    assert "shell=True" in shell.message and "confidence high" in shell.message


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_saving_clean_code_clears_the_findings(client: LanguageClient) -> None:
    uri = "file:///work/cleaned.py"
    open_doc(client, uri, RISKY)
    save = types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri))
    client.text_document_did_save(save)
    assert await diagnostics_for(client, uri)
    clean = "def run(cmd):\n    return cmd\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=clean)],
        )
    )
    client.text_document_did_save(save)
    for _ in range(200):
        if not client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.05)
    assert list(client.diagnostics[uri]) == []
