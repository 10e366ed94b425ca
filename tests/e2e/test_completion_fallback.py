"""Clients without inline completion (Neovim 0.7) get the completion through textDocument/completion."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest_lsp
from lsp_helpers import SERVER, open_doc, server_env, wait_for_state
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=server_env()))
async def client(lsp_client: LanguageClient, tiny_model: Path) -> Any:
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.7.0"),
            initialization_options={"engine": {"model": str(tiny_model), "n_ctx": 2048}},
        )
    )
    await wait_for_state(lsp_client, "ready")
    yield
    await lsp_client.shutdown_session()


async def test_completion_item_carries_the_inline_completion(client: LanguageClient) -> None:
    uri = "file:///nvim/fib.py"
    text = "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return "
    open_doc(client, uri, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(4, 11))
    )
    assert isinstance(result, types.CompletionList)
    assert len(result.items) == 1
    item = result.items[0]
    assert isinstance(item.text_edit, types.TextEdit)
    # No word before the cursor: the edit inserts at the cursor.
    assert item.text_edit.range == types.Range(types.Position(4, 11), types.Position(4, 11))
    assert item.text_edit.new_text.strip()
    ast.parse(text + item.text_edit.new_text)


async def test_completion_item_replaces_the_word_before_the_cursor(client: LanguageClient) -> None:
    uri = "file:///nvim/hyp.py"
    text = "import math\n\n\ndef hypotenuse(a: float, b: float) -> float:\n    return math.sq"
    open_doc(client, uri, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(4, 18))
    )
    assert isinstance(result, types.CompletionList) and len(result.items) == 1
    edit = result.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.range == types.Range(types.Position(4, 16), types.Position(4, 18))  # the word "sq"
    assert edit.new_text.startswith("sqrt(")  # token healing: the half-typed word is completed
    ast.parse(text[: -len("sq")] + edit.new_text)
