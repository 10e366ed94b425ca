"""A file saved while the model is still loading gets its local review once the model is in (it used to be
skipped without a word, and a client waiting for it waited forever)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_helpers import SERVER, capabilities, open_doc, server_env, status, wait_until
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

MODULE = "def double(x):\n    return x * 2\n\n\ndef half(x):\n    return x / 2\n"


@pytest_lsp.fixture(
    scope="module",
    loop_scope="module",
    config=ClientServerConfig(server_command=SERVER, server_env=server_env()),
)
async def client(lsp_client: LanguageClient, tiny_model: Path) -> Any:
    await lsp_client.initialize_session(  # no waiting for the model: the test saves while it loads
        types.InitializeParams(
            capabilities=capabilities(), initialization_options={"engine": {"model": str(tiny_model), "n_ctx": 2048}}
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_save_during_the_model_load_is_reviewed_after_it(client: LanguageClient) -> None:
    uri = "file:///work/early.py"
    open_doc(client, uri, MODULE)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    assert (await status(client))["state"] != "ready", "the save must reach the server before the model is in"

    async def reviewed() -> int | None:
        info = await status(client)
        return info.get("review", {}).get("reviewed") or None

    assert await wait_until(reviewed, 60, "the review of early.py") == 2
