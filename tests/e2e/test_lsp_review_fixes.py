"""Quick fixes for bandit's findings in a real LSP session: save, get the diagnostic, ask for code actions at
it, and apply the QuickFix's versioned edit: the fixed text parses and bandit no longer flags that place."""

from __future__ import annotations

import ast

import pytest
from lsp_helpers import open_doc, quick_fixes, wait_until
from lsprotocol import types
from pytest_lsp import LanguageClient

from copiloto.review.security import security_findings

RISKY = """import subprocess

import yaml


def run(folder):
    # list the folder, then read its settings
    subprocess.call("ls -l " + folder, shell=True)
    with open(folder + "/settings.yml") as stream:
        return yaml.load(stream)
"""


def apply(text: str, edit: types.WorkspaceEdit, uri: str, version: int) -> str:
    [change] = edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.uri == uri and change.text_document.version == version
    [one] = change.edits
    # annotated, so that VS Code shows the diff before applying it (as the model's fixes do)
    assert isinstance(one, types.AnnotatedTextEdit) and edit.change_annotations
    assert "+++ after" in (edit.change_annotations[one.annotation_id].description or "")
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    start = starts[one.range.start.line] + one.range.start.character  # ASCII source: UTF-16 = chars
    end = starts[one.range.end.line] + one.range.end.character
    return text[:start] + one.new_text + text[end:]


async def bandit_diagnostics(client: LanguageClient, uri: str) -> dict[str, types.Diagnostic]:
    found = await wait_until(lambda: client.diagnostics.get(uri), 10, f"diagnostics for {uri}")
    return {str(d.code): d for d in found if d.source == "copiloto/bandit"}


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    ("code", "title", "fixed_line"),
    [
        ("B602", "Copiloto: pass an argument list instead of shell=True", '    subprocess.call(["ls", "-l", folder])'),
        ("B506", "Copiloto: use yaml.safe_load", "        return yaml.safe_load(stream)"),
    ],
)
async def test_a_bandit_finding_offers_a_verified_quick_fix(
    client: LanguageClient, code: str, title: str, fixed_line: str
) -> None:
    uri = f"file:///work/fix_{code}.py"
    open_doc(client, uri, RISKY)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    diagnostic = (await bandit_diagnostics(client, uri))[code]
    [action] = await quick_fixes(client, uri, diagnostic)
    assert action.title == title and action.kind == types.CodeActionKind.QuickFix
    assert list(action.diagnostics or []) == [diagnostic]
    assert action.edit is not None
    fixed = apply(RISKY, action.edit, uri, 1)
    ast.parse(fixed)
    assert fixed_line in fixed.split("\n")
    assert fixed.replace(fixed_line, "") == RISKY.replace(RISKY.split("\n")[diagnostic.range.start.line], "")
    assert code not in {f.code for f in security_findings(fixed)}


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_no_quick_fix_for_an_opaque_command_or_a_stale_finding(client: LanguageClient) -> None:
    uri = "file:///work/opaque.py"
    open_doc(client, uri, "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    diagnostic = (await bandit_diagnostics(client, uri))["B602"]
    assert await quick_fixes(client, uri, diagnostic) == []
    # a diagnostic the text no longer has (edited since the save) gets no fix either
    moved = types.Diagnostic(
        range=types.Range(types.Position(2, 0), types.Position(2, 10)),
        message=diagnostic.message,
        source=diagnostic.source,
        code="B506",
    )
    assert await quick_fixes(client, uri, moved) == []
