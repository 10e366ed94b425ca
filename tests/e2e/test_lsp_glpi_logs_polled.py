"""A client that cannot watch files (no dynamic registration, as Neovim 0.7): the server looks at the logs it
found every few seconds, so a growing log still updates its diagnostics."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_helpers import SERVER, capabilities, server_env, wait_for_state
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ACCESS = (
    "[2025-01-02 10:0{}:00] User ID: `7` tried to access or perform an action on `/front/config.form.php` "
    "with insufficient rights.\n"
)


@pytest.fixture(scope="module")
def glpi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("glpi-polled")
    (root / "files" / "_log").mkdir(parents=True)
    (root / "files" / "_log" / "access-errors.log").write_text(ACCESS.format(1), encoding="utf-8")
    return root


@pytest_lsp.fixture(
    scope="module",
    loop_scope="module",
    config=ClientServerConfig(server_command=SERVER, server_env=server_env()),
)
async def client(lsp_client: LanguageClient, tiny_model: Path, glpi: Path) -> Any:
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(),  # no workspace.didChangeWatchedFiles
            workspace_folders=[types.WorkspaceFolder(uri=glpi.as_uri(), name="glpi")],
            initialization_options={"engine": {"model": str(tiny_model), "n_ctx": 2048}},
        )
    )
    await wait_for_state(lsp_client, "ready", "error")
    yield
    await lsp_client.shutdown_session()


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_growing_log_is_followed_without_file_events(client: LanguageClient, glpi: Path) -> None:
    log = glpi / "files" / "_log" / "access-errors.log"

    async def group_message(count: str) -> str:
        for _ in range(200):
            found = client.diagnostics.get(log.as_uri(), [])
            if found and count in found[0].message:
                return found[0].message
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {count} in {client.diagnostics.get(log.as_uri())}")

    assert "insufficient rights" in await group_message("×1")
    with log.open("a", encoding="utf-8") as fh:
        fh.write(ACCESS.format(5))
    assert "10:01 → 10:05" in await group_message("×2")
