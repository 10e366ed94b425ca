"""Completion: inline completion (ghost text), and a one-item textDocument/completion for clients without it."""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from copiloto.completion.pipeline import Completion
from copiloto.lsp.core import CopilotoServer, server
from copiloto.lsp.documents import Document
from copiloto.lsp.features.commands import ACCEPTED_COMMAND
from copiloto.lsp.positions import InvalidPosition

SERVER_CANCELLED = -32802  # LSP 3.17 ServerCancelled: a newer request made this one useless
_WORD_BEFORE = re.compile(r"[\w$]*$")


async def complete_at(
    ls: CopilotoServer, uri: str, position: types.Position
) -> tuple[Document, int, Completion | None]:
    """The document, the offset of `position` in it, and the completion there; None when there is none to
    ask for (completion off, no model ready). A request superseded by a newer one is answered ServerCancelled."""
    doc = ls.document(uri)
    try:
        offset = doc.offset(position.line, position.character)
    except InvalidPosition as exc:
        raise JsonRpcInvalidParams(str(exc)) from exc
    runtime = ls.runtime
    if runtime is None or not ls.settings.completion.enabled or runtime.engine.state != "ready":
        return doc, offset, None
    completion = await runtime.completions.complete(uri, doc.text, offset, doc.language_id)
    if completion.source == "cancelled":
        raise JsonRpcException("superseded by a newer request", code=SERVER_CANCELLED)
    if completion.source == "error":
        ls.tell_once(types.MessageType.Warning, f"Copiloto: completion failed: {completion.reason}")
    return doc, offset, completion


@server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
async def inline_completion(
    ls: CopilotoServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    doc, _, completion = await complete_at(ls, params.text_document.uri, params.position)
    if completion is None or not completion.text:
        return types.InlineCompletionList(items=[])
    here = types.Range(start=params.position, end=params.position)
    item = types.InlineCompletionItem(
        insert_text=doc.with_eol(completion.text),
        range=here,
        command=types.Command(title="Accepted", command=ACCEPTED_COMMAND, arguments=[completion.details()]),
    )
    return types.InlineCompletionList(items=[item])


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(resolve_provider=False))
async def completion(ls: CopilotoServer, params: types.CompletionParams) -> types.CompletionList | None:
    """Fallback for clients without inline completion (Neovim 0.7): one item that replaces the word
    before the cursor with that word plus the completion, so the client's prefix filter keeps it."""
    inline = ls.client_capabilities.text_document
    if inline is not None and inline.inline_completion is not None:
        return None  # the client shows ghost text instead; don't duplicate it in the suggest widget
    doc, offset, result = await complete_at(ls, params.text_document.uri, params.position)
    if result is None or not result.text:
        return types.CompletionList(is_incomplete=True, items=[])
    line_start = doc.starts[params.position.line]
    word = _WORD_BEFORE.search(doc.text[line_start:offset])
    word_text = word.group(0) if word else ""
    start = types.Position(params.position.line, params.position.character - len(word_text.encode("utf-16-le")) // 2)
    new_text = doc.with_eol(word_text + result.text)
    first_line = new_text.split("\n", 1)[0]
    item = types.CompletionItem(
        label=first_line if len(first_line) <= 60 else first_line[:57] + "...",
        kind=types.CompletionItemKind.Text,
        detail="Copiloto",
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=f"```\n{new_text}\n```"),
        filter_text=new_text,
        sort_text="0",
        text_edit=types.TextEdit(range=types.Range(start=start, end=params.position), new_text=new_text),
        command=types.Command(title="Accepted", command=ACCEPTED_COMMAND, arguments=[result.details()]),
    )
    return types.CompletionList(is_incomplete=True, items=[item])
