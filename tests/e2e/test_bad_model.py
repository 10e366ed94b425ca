"""A missing or corrupt model: the server starts, says so once, completions are empty, the rest works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_helpers import SERVER, capabilities, first_text, inline, open_doc, server_env, status, wait_for_state
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

BAD_MODELS = {
    "missing": lambda tmp: tmp / "no-such-model.gguf",
    "corrupt": lambda tmp: _write(tmp / "corrupt.gguf", b"GGUF" + b"\x03\x00\x00\x00" + b"\x00garbage" * 64),
    "not-gguf": lambda tmp: _write(tmp / "readme.gguf", b"this is not a model\n" * 10),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture(params=sorted(BAD_MODELS))
def bad_model(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path: Path = BAD_MODELS[request.param](tmp_path)
    return path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=server_env()))
async def client(lsp_client: LanguageClient, bad_model: Path) -> Any:
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(), initialization_options={"engine": {"model": str(bad_model)}}
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_bad_model_is_reported_once_and_server_keeps_serving(client: LanguageClient, bad_model: Path) -> None:
    info = await wait_for_state(client, "error")
    assert info["error"]
    uri = "file:///bad/x.py"
    open_doc(client, uri, "def f(x):\n    return ")
    for _ in range(3):
        assert first_text(await inline(client, uri, 1, 11)) == ""
    errors = [m for m in client.messages if m.type == types.MessageType.Error]
    assert len(errors) == 1, [m.message for m in client.messages]
    assert bad_model.name in errors[0].message or "model" in errors[0].message
    # Other requests still work.
    assert (await status(client))["version"]
