"""Layer 2 of the review in a real LSP session: on save, the local model reviews only the functions that
changed (status counts them), its results never replace bandit's, results for an older version are dropped,
and a local finding's fix is offered as a quick fix previewed as a diff — only while its lines are unchanged
and the file would still parse."""

from __future__ import annotations

from typing import Any

import pytest
from lsp_helpers import open_doc, quick_fixes, status, wait_until
from lsprotocol import types
from pytest_lsp import LanguageClient

from copiloto.lsp.diagnostics import local_diagnostic
from copiloto.review.local import LocalFinding

TOOLS = """import os


def last(items):
    return items[len(items)]


def run(cmd):
    os.system("sh -c " + cmd)
    return True
"""


def save(client: LanguageClient, uri: str) -> None:
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def review_totals(client: LanguageClient, key: str, at_least: int, timeout: float = 60) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        totals = (await status(client))["review"]
        return dict(totals) if totals[key] >= at_least else None

    return await wait_until(reached, timeout, f"review {key} reaching {at_least}")


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_only_changed_functions_are_reviewed_and_bandit_stays(client: LanguageClient) -> None:
    uri = "file:///work/tools.py"
    open_doc(client, uri, TOOLS)
    before = (await status(client))["review"]
    save(client, uri)
    after = await review_totals(client, "saves", before["saves"] + 1)
    assert after["reviewed"] - before["reviewed"] == 2, "both functions, once"
    assert after["invalid_answers"] == before["invalid_answers"]
    codes = {d.code for d in client.diagnostics[uri]}
    assert "B605" in codes, "the local layer's publish keeps bandit's findings"
    save(client, uri)  # nothing changed: nothing to ask the model
    again = await review_totals(client, "saves", after["saves"] + 1)
    assert again["reviewed"] == after["reviewed"]
    change(client, uri, 2, TOOLS.replace("return True", "return False"))
    save(client, uri)
    edited = await review_totals(client, "saves", again["saves"] + 1)
    assert edited["reviewed"] == again["reviewed"] + 1, "only the edited function"


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_review_for_an_older_version_is_not_published(client: LanguageClient) -> None:
    uri = "file:///work/typing_on.py"
    open_doc(client, uri, TOOLS)
    before = (await status(client))["review"]
    save(client, uri)
    change(client, uri, 2, TOOLS + "\n# typing on after the save\n")  # before the model has answered
    after = await review_totals(client, "saves", before["saves"] + 1)
    assert after["stale"] == before["stale"] + 1


def finding(fix: str | None) -> LocalFinding:
    return LocalFinding(
        qualname="last", category="bug", severity="error", line=5, end_line=5, message="index out of range", fix=fix
    )


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_fix_is_a_quick_fix_previewed_as_a_diff(client: LanguageClient) -> None:
    uri = "file:///work/fixable.py"
    open_doc(client, uri, TOOLS)
    diagnostic = local_diagnostic(finding("    return items[-1]"), TOOLS)  # as the server publishes it
    assert diagnostic.severity == types.DiagnosticSeverity.Warning, "a model's opinion is never an error"
    [action] = await quick_fixes(client, uri, diagnostic)
    assert action.kind == types.CodeActionKind.QuickFix and action.title == "Fix: index out of range"
    assert action.edit is not None and action.edit.document_changes is not None
    [change_] = action.edit.document_changes
    assert isinstance(change_, types.TextDocumentEdit) and change_.text_document.version == 1
    [edit] = change_.edits
    assert edit.range == types.Range(types.Position(4, 0), types.Position(4, 28))
    assert edit.new_text == "    return items[-1]"
    assert isinstance(edit, types.AnnotatedTextEdit)
    assert action.edit.change_annotations is not None
    annotation = action.edit.change_annotations[edit.annotation_id]
    assert annotation.needs_confirmation, "VS Code shows the edit as a diff first"
    assert "-    return items[len(items)]\n+    return items[-1]" in (annotation.description or "")


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_no_fix_once_the_lines_changed_or_when_it_would_not_parse(client: LanguageClient) -> None:
    uri = "file:///work/moving.py"
    open_doc(client, uri, TOOLS)
    assert await quick_fixes(client, uri, local_diagnostic(finding("    return items["), TOOLS)) == []
    assert await quick_fixes(client, uri, local_diagnostic(finding(None), TOOLS)) == []
    diagnostic = local_diagnostic(finding("    return items[-1]"), TOOLS)
    change(client, uri, 2, TOOLS.replace("items[len(items)]", "items[len(items) - 1]"))
    assert await quick_fixes(client, uri, diagnostic) == [], "the user fixed it differently meanwhile"


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_deep_review_without_claude_says_why(client: LanguageClient) -> None:
    uri = "file:///work/deep.py"
    open_doc(client, uri, TOOLS)
    shown = len(client.messages)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="copiloto.deepReview", arguments=[uri, 3, 4])
    )
    assert result == -1
    said = [m.message for m in client.messages[shown:]]
    assert any("Claude is not used: no API key (ANTHROPIC_API_KEY" in m for m in said), said
    with pytest.raises(Exception, match="takes"):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="copiloto.deepReview", arguments=[3])
        )
