"""The "Generate tests" code action in a real LSP session, on real files: listed instantly, written by the
real model on resolve, each test run three times in the sandbox before it is offered; the edit creates the
test file, and the tests in it pass when pytest runs them for real."""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import open_doc
from lsprotocol import types
from pytest_lsp import LanguageClient

from copiloto.testgen.action import KIND

CLAMP = '''def clamp(x, low, high):
    """Limit x to the range [low, high].

    >>> clamp(5, 0, 3)
    3
    """
    if low > high:
        raise ValueError("low must not exceed high")
    return min(max(x, low), high)


def outer():
    def inner():
        return 1

    return inner
'''

WRONG_DOC = '''def double(x):
    """Twice x.

    >>> double(2)
    5
    """
    return x * 2
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    return root


def write(project: Path, name: str, text: str) -> str:
    path = project / name
    path.write_text(text, encoding="utf-8")
    return path.as_uri()


async def actions_at(client: LanguageClient, uri: str, line: int, only: list[str] | None = None) -> list[Any]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, 0), types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return list(result or [])


async def generate_tests_action(client: LanguageClient, uri: str, line: int) -> Any:
    [action] = await actions_at(client, uri, line, only=["source.copiloto"])
    return action


def new_file_text(edit: types.WorkspaceEdit) -> tuple[str, str]:
    """(uri, text) of the file a CreateFile + TextDocumentEdit pair makes."""
    assert edit.document_changes is not None
    create, change = edit.document_changes
    assert isinstance(create, types.CreateFile) and isinstance(change, types.TextDocumentEdit)
    assert change.text_document.uri == create.uri
    [text_edit] = change.edits
    assert text_edit.range.start == text_edit.range.end == types.Position(0, 0)
    return create.uri, text_edit.new_text


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_listing_offers_tests_where_a_test_can_import_the_target(client: LanguageClient, project: Path) -> None:
    uri = write(project, "listing.py", CLAMP)
    open_doc(client, uri, CLAMP)
    action = await generate_tests_action(client, uri, 6)
    assert action.title == "Copiloto: Generate tests for clamp" and action.kind == KIND
    assert action.edit is None and action.disabled is None
    nested = await generate_tests_action(client, uri, 13)
    assert nested.disabled is not None and "nested" in nested.disabled.reason
    assert await actions_at(client, uri, 10, only=["source.copiloto"]) == [], "between defs: nothing"
    only_docstrings = await actions_at(client, uri, 6, only=[types.CodeActionKind.Refactor])
    assert [a.title for a in only_docstrings] == ["Copiloto: Regenerate docstring for clamp"]


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_resolve_creates_the_test_file_with_tests_that_pass(client: LanguageClient, project: Path) -> None:
    uri = write(project, "mathutil.py", CLAMP)
    open_doc(client, uri, CLAMP)
    shown = len(client.messages)
    resolved = await client.code_action_resolve_async(await generate_tests_action(client, uri, 0))
    assert resolved.edit is not None, [m.message for m in client.messages[shown:]]
    test_uri, text = new_file_text(resolved.edit)
    assert test_uri == (project / "tests" / "test_mathutil.py").as_uri()
    tree = ast.parse(text)
    assert "from mathutil import clamp" in text
    tests = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert "test_clamp_documented_example_1" in tests, "the docstring's example is a test"
    assert len(tests) == len(set(tests)) >= 2
    # The promise: what is offered runs and passes. Write it where the client would, run pytest for real.
    (project / "tests").mkdir(exist_ok=True)
    (project / "tests" / "test_mathutil.py").write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_mathutil.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(tests)} passed" in run.stdout
    [message] = [m for m in client.messages[shown:] if "tests kept" in m.message]
    assert message.type == types.MessageType.Info
    assert "line" in message.message and "tests/test_mathutil.py" in message.message
    reports = [r for token, rs in client.progress_reports.items() if str(token).startswith("copiloto-work") for r in rs]
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_documented_example_the_code_fails_is_a_possible_bug(client: LanguageClient, project: Path) -> None:
    uri = write(project, "doubling.py", WRONG_DOC)
    open_doc(client, uri, WRONG_DOC)
    resolved = await client.code_action_resolve_async(await generate_tests_action(client, uri, 0))
    for _ in range(50):
        if client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.1)
    [bug] = client.diagnostics[uri]
    assert bug.severity == types.DiagnosticSeverity.Information and bug.code == "possible-bug"
    assert bug.range.start.line == 3, "on the example's line"
    assert "double(2)" in bug.message and "5" in bug.message and "returns 4" in bug.message
    if resolved.edit is not None:  # the model's own tests may pass; the wrong example is never among them
        _, text = new_file_text(resolved.edit)
        assert "double(2) == 5" not in text and "double(2) == 4" not in text


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_module_that_cannot_be_imported_is_explained_and_nothing_written(
    client: LanguageClient, project: Path
) -> None:
    source = "import no_such_dependency_xyz\n\n\ndef area(w, h):\n    return w * h\n"
    uri = write(project, "needs_dep.py", source)
    open_doc(client, uri, source)
    shown = len(client.messages)
    resolved = await client.code_action_resolve_async(await generate_tests_action(client, uri, 3))
    assert resolved.edit is None
    [message] = client.messages[shown:]
    assert message.type == types.MessageType.Warning
    assert "cannot import needs_dep" in message.message and "no_such_dependency_xyz" in message.message
    assert not (project / "tests" / "test_needs_dep.py").exists()


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_unsaved_changes_are_not_tested_against_the_old_code(client: LanguageClient, project: Path) -> None:
    uri = write(project, "unsaved.py", "def one():\n    return 1\n")
    open_doc(client, uri, "def one():\n    return 2\n")
    shown = len(client.messages)
    resolved = await client.code_action_resolve_async(await generate_tests_action(client, uri, 0))
    assert resolved.edit is None
    assert "save unsaved.py first" in client.messages[shown].message


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_cancelling_stops_the_work_and_the_server_keeps_serving(client: LanguageClient, project: Path) -> None:
    uri = write(project, "cancelled.py", CLAMP)
    open_doc(client, uri, CLAMP)
    action = await generate_tests_action(client, uri, 0)
    before = set(client.protocol._request_futures)
    pending = asyncio.ensure_future(client.protocol.send_request_async(types.CODE_ACTION_RESOLVE, action))
    await asyncio.sleep(1.0)
    [msg_id] = set(client.protocol._request_futures) - before  # the id of the request just sent
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(pending, timeout=30)
    listed = await asyncio.wait_for(actions_at(client, uri, 0), timeout=5)
    assert listed, "still serving"
    ends = [r for rs in client.progress_reports.values() for r in rs if isinstance(r, types.WorkDoneProgressEnd)]
    assert any(r.message == "Cancelled" for r in ends)
    assert not (project / "tests" / "test_cancelled.py").exists()
