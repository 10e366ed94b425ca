"""Real LSP sessions: `copiloto serve` over stdio, driven by pytest-lsp, with the real `tiny` model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest_lsp
from lsp_helpers import SERVER, capabilities, server_env, wait_for_state
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient


@pytest_lsp.fixture(
    scope="module",
    loop_scope="module",
    config=ClientServerConfig(server_command=SERVER, server_env=server_env()),
)
async def client(lsp_client: LanguageClient, tiny_model: Path) -> Any:
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(),
            initialization_options={"engine": {"model": str(tiny_model), "n_ctx": 2048}},
        )
    )
    await wait_for_state(lsp_client, "ready", "error")
    yield
    await lsp_client.shutdown_session()
