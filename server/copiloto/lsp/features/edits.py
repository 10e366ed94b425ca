"""The WorkspaceEdits the code actions carry: the minimal replacement of a document's text, its diff for a
preview, and the test file the kept tests go into."""

from __future__ import annotations

import difflib

from lsprotocol import types

from copiloto.docstrings.action import minimal_edit
from copiloto.lsp.core import CopilotoServer
from copiloto.lsp.diagnostics import FIX_LABEL
from copiloto.lsp.positions import line_starts, offset_to_position
from copiloto.testgen.generate import GeneratedTests


def kept_tests_edit(ls: CopilotoServer, done: GeneratedTests) -> types.WorkspaceEdit | None:
    """One WorkspaceEdit: create the test file when new, then put the kept tests in (versioned when open)."""
    test_file = done.plan.test_file
    uri = test_file.as_uri()
    open_doc = ls.documents.get(uri)
    existing = open_doc.text if open_doc else (test_file.read_text(encoding="utf-8") if test_file.is_file() else None)
    merged = done.merged_into(existing)
    if existing is None and not ls.can_create_files():
        # Nothing to lose in a file that does not exist yet: write it ourselves for such clients.
        test_file.parent.mkdir(parents=True, exist_ok=True)
        test_file.write_text(merged, encoding="utf-8")
        return None
    changes: list[types.TextDocumentEdit | types.CreateFile] = []
    if existing is None:
        changes.append(types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)))
    changes.append(replacing(uri, open_doc.version if open_doc else None, existing or "", merged))
    return types.WorkspaceEdit(document_changes=changes)


def previewed(change: types.TextDocumentEdit, old: str, new: str, preview: bool) -> types.WorkspaceEdit:
    """`change` with a change annotation carrying the unified diff; `preview`: the client asks first."""
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "before", "after"))
    annotation = types.ChangeAnnotation(label=FIX_LABEL, needs_confirmation=preview, description=diff)
    edits: list[types.TextEdit | types.AnnotatedTextEdit | types.SnippetTextEdit] = [
        types.AnnotatedTextEdit(range=edit.range, new_text=edit.new_text, annotation_id=FIX_LABEL)
        for edit in change.edits
        if isinstance(edit, types.TextEdit)
    ]
    return types.WorkspaceEdit(
        document_changes=[types.TextDocumentEdit(text_document=change.text_document, edits=edits)],
        change_annotations={FIX_LABEL: annotation},
    )


def replacing(uri: str, version: int | None, old: str, new: str) -> types.TextDocumentEdit:
    """The edit turning `old` into `new`: only the span that differs, versioned when the document is open."""
    start, end, replacement = minimal_edit(old, new)
    starts = line_starts(old)
    span = [types.Position(*offset_to_position(old, starts, offset)) for offset in (start, end)]
    return types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
        edits=[types.TextEdit(range=types.Range(*span), new_text=replacement)],
    )
