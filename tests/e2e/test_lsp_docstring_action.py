"""The "Generate docstring" code action in a real LSP session: listed instantly where it applies, greyed
out with a reason in a broken file, written by the real model in codeAction/resolve as one versioned edit."""

from __future__ import annotations

import ast
from typing import Any

import pytest
from lsp_helpers import open_doc
from lsprotocol import types
from pytest_lsp import LanguageClient

SOURCE = '''import json


def parse_header(line, sep=":"):
    key, _, value = line.partition(sep)
    if not key:
        raise KeyError(line)
    return key.strip().lower(), value.strip()


def dump(data):
    """Serialize data."""
    return json.dumps(data)
'''


async def actions_at(client: LanguageClient, uri: str, line: int) -> list[Any]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return list(result or [])


def apply_edit(text: str, edit: types.TextEdit) -> str:
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    start = starts[edit.range.start.line] + edit.range.start.character  # ASCII source: UTF-16 = chars
    end = starts[edit.range.end.line] + edit.range.end.character
    return text[:start] + edit.new_text + text[end:]


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_def_offers_generate_and_a_documented_one_regenerate(client: LanguageClient) -> None:
    open_doc(client, "file:///work/headers.py", SOURCE)
    inside = await actions_at(client, "file:///work/headers.py", 5)  # the `if not key:` line
    assert [a.title for a in inside] == [
        "Copiloto: Generate docstring for parse_header",
        "Copiloto: Generate tests for parse_header",
    ]
    assert inside[0].kind == types.CodeActionKind.RefactorRewrite
    assert inside[0].edit is None, "listing is instant: the docstring is written on resolve"
    documented = await actions_at(client, "file:///work/headers.py", 12)
    assert [a.title for a in documented] == [
        "Copiloto: Regenerate docstring for dump",
        "Copiloto: Generate tests for dump",
    ]
    assert await actions_at(client, "file:///work/headers.py", 0) == [], "outside any def: nothing"


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_broken_file_says_why_the_action_is_unavailable(client: LanguageClient) -> None:
    open_doc(client, "file:///work/broken.py", "def f(:\n    return 1\n")
    actions = await actions_at(client, "file:///work/broken.py", 1)
    assert len(actions) == 2, "both actions listed, greyed out"
    for action in actions:
        assert action.disabled is not None and "does not parse" in action.disabled.reason


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_resolve_writes_a_checked_docstring_as_one_versioned_edit(client: LanguageClient) -> None:
    uri = "file:///work/resolve.py"
    open_doc(client, uri, SOURCE)
    action = (await actions_at(client, uri, 4))[0]
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None and resolved.edit.document_changes
    [change] = resolved.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    [edit] = change.edits
    assert edit.range.start.line == 4 and edit.range.end.line == 4, "only the new lines, nothing rewritten"
    after = apply_edit(SOURCE, edit)
    tree = ast.parse(after)
    docstring = ast.get_docstring(tree.body[1]) or ""  # type: ignore[arg-type]
    assert "Args:" in docstring and "line:" in docstring and "sep:" in docstring
    assert "Raises:" in docstring and "KeyError" in docstring
    reports = [r for token, rs in client.progress_reports.items() if str(token).startswith("copiloto-work") for r in rs]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and isinstance(reports[-1], types.WorkDoneProgressEnd)
