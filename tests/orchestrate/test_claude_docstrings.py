"""Claude refines a docstring: its text is kept only if it passes the local checks (parameters, return, ruff D)."""

from __future__ import annotations

from pathlib import Path

import pytest

from copiloto.cloud.client import CloudClient, Ledger
from copiloto.config import CloudSettings
from copiloto.docstrings.edit import apply
from copiloto.docstrings.generate import Documented
from copiloto.docstrings.target import find_by_qualname
from copiloto.orchestrate.claude.docstrings import TOOL, refine_docstring
from fake_api import FakeAnthropic, error, tool_use

SOURCE = "def clamp(x, low, high):\n    return max(low, min(x, high))\n"
DRAFT_TEXT = (
    "Clamp a value.\n\nArgs:\n    x: The x.\n    low: The low.\n    high: The high.\n\nReturns:\n    The value."
)
GOOD = (
    "Limit x to the closed range from low to high.\n\nArgs:\n    x: The value to limit.\n    low: The smallest "
    "value returned.\n    high: The largest value returned.\n\nReturns:\n    low if x is below it, high if x is "
    "above it, else x."
)


@pytest.fixture
def client(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CloudClient:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    return CloudClient(CloudSettings(max_retries=0), Ledger(tmp_path / "usage.json"))


def draft() -> Documented:
    edited = apply(SOURCE, find_by_qualname(SOURCE, "clamp"), DRAFT_TEXT)
    return Documented(DRAFT_TEXT, edited, find_by_qualname(edited, "clamp"))


def test_a_better_docstring_that_passes_the_checks_is_used(client: CloudClient, fake_api: FakeAnthropic) -> None:
    fake_api.reply(tool_use(TOOL, {"docstring": GOOD}))
    done = refine_docstring(client, SOURCE, draft(), "google")
    assert done.docstring == GOOD and "Limit x to the closed range" in done.source
    assert "Draft docstring:\\nClamp a value." in fake_api.requests[0].raw.decode()


@pytest.mark.parametrize(
    "reply",
    [
        tool_use(TOOL, {"docstring": "Limit x.\n\nArgs:\n    x: The value.\n\nReturns:\n    The value."}),  # params
        tool_use(TOOL, {"docstring": "limits x"}),  # ruff D: no period, not capitalised, params missing
        error(500, "api_error", "down"),
    ],
    ids=["missing-params", "fails-ruff", "claude-down"],
)
def test_otherwise_the_local_draft_stays(client: CloudClient, fake_api: FakeAnthropic, reply: object) -> None:
    fake_api.reply(reply)  # type: ignore[arg-type]
    assert refine_docstring(client, SOURCE, draft(), "google") == draft()


@pytest.mark.parametrize("path", ["/proj/settings.py", "/proj/config/secrets.py", "/glpi/config/config_db.php"])
def test_a_file_in_cloud_exclude_is_never_sent(client: CloudClient, fake_api: FakeAnthropic, path: str) -> None:
    fake_api.reply(tool_use(TOOL, {"docstring": GOOD}))
    assert refine_docstring(client, SOURCE, draft(), "google", path) == draft()
    assert fake_api.requests == []
