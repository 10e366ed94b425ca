"""VS Code's Restricted Mode: the extension tells the server the workspace is not trusted, and the server then
never runs the workspace's code — "Generate tests" is listed greyed out with the reason and refused if resolved
anyway. Other editors (no such option) and a trusted workspace get the action."""

from __future__ import annotations

from pathlib import Path

import pytest
from stdio_server import StdioServer

CODE = "def double(x):\n    return 2 * x\n"
CAPABILITIES = {"textDocument": {"codeAction": {"disabledSupport": True, "dataSupport": True}}}


def action_for_tests(server: StdioServer, uri: str) -> dict[str, object]:
    item = {"uri": uri, "languageId": "python", "version": 1, "text": CODE}
    server.notify("textDocument/didOpen", {"textDocument": item})
    params = {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 4}},
        "context": {"diagnostics": [], "only": ["source.copiloto.generateTests"]},
    }
    [action] = server.request("textDocument/codeAction", params)["result"]
    return action


@pytest.mark.parametrize("trusted", [False, True, None], ids=["restricted", "trusted", "no-trust-concept"])
def test_generating_tests_needs_a_trusted_workspace(tmp_path: Path, trusted: bool | None) -> None:
    source = tmp_path / "doubling.py"
    source.write_text(CODE, encoding="utf-8")
    server = StdioServer("--model", "/nonexistent/model.gguf")
    try:
        options = {} if trusted is None else {"workspaceTrusted": trusted}
        server.initialize(options, CAPABILITIES)
        action = action_for_tests(server, source.as_uri())
        if trusted is False:
            assert "Restricted Mode" in action["disabled"]["reason"]  # type: ignore[index]
            resolved = server.request("codeAction/resolve", action)["result"]
            assert "edit" not in resolved or resolved["edit"] is None
            told = [n["params"]["message"] for n in server.notifications if n["method"] == "window/showMessage"]
            assert any("trust the workspace" in message for message in told), told
            assert not (tmp_path / "tests").exists(), "nothing was written or run"
        else:
            assert "disabled" not in action, action
    finally:
        server.close()
