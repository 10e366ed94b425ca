"""Who writes a docstring (`orchestrate.docstrings`), with a real engine whose model could not load (the local
model fails) and Claude behind the fake API: handoff asks Claude only then, sequential and local never rescue
a failed draft, and without a key the local error is what the user gets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_claude_docstrings import GOOD, SOURCE

from copiloto.cloud.client import CloudClient, Ledger
from copiloto.config import CloudSettings, EngineSettings
from copiloto.docstrings import DocstringError
from copiloto.docstrings.generate import Documented
from copiloto.engine.local import LocalEngine
from copiloto.orchestrate.claude.docstrings import TOOL
from copiloto.orchestrate.docstrings import compare_docstrings, write_docstring
from fake_api import FakeAnthropic, tool_use


@pytest.fixture
def broken_engine(tmp_path: Path) -> Iterator[LocalEngine]:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF not really")
    engine = LocalEngine(EngineSettings(), bad, "broken").start()
    assert not engine.wait_loaded(), "the model must fail to load"
    yield engine
    engine.close()


@pytest.fixture
def claude(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CloudClient:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    return CloudClient(CloudSettings(max_retries=0), Ledger(tmp_path / "usage.json"))


def write(engine: LocalEngine, claude: CloudClient, pattern: str) -> Documented:
    return write_docstring(engine, claude, pattern=pattern, source=SOURCE, qualname="clamp", style="google")  # type: ignore[arg-type]


def test_handoff_claude_writes_it_when_the_local_model_fails(
    broken_engine: LocalEngine, claude: CloudClient, fake_api: FakeAnthropic
) -> None:
    fake_api.reply(tool_use(TOOL, {"docstring": GOOD}))
    done = write(broken_engine, claude, "handoff")
    assert done.docstring == GOOD and '"""Limit x to the closed range' in done.source
    sent = fake_api.requests[0].raw.decode()
    assert "could not write one that passes the checks (the model failed" in sent, "Claude is told why"


@pytest.mark.parametrize("pattern", ["sequential", "local"])
def test_other_patterns_never_ask_claude_for_a_failed_draft(
    broken_engine: LocalEngine, claude: CloudClient, fake_api: FakeAnthropic, pattern: str
) -> None:
    with pytest.raises(DocstringError, match="the model failed"):
        write(broken_engine, claude, pattern)
    assert fake_api.requests == []


def test_handoff_without_a_key_or_with_a_bad_answer_the_local_error_stands(
    broken_engine: LocalEngine, claude: CloudClient, fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.reply(tool_use(TOOL, {"docstring": "limits x"}))  # fails ruff D and misses the parameters
    with pytest.raises(DocstringError, match="the model failed"):
        write(broken_engine, claude, "handoff")
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(DocstringError, match="the model failed"):
        write(broken_engine, claude, "handoff")
    assert len(fake_api.requests) == 1, "without a key nothing is sent"


@pytest.mark.model
def test_concurrent_both_write_claudes_is_used_and_the_difference_named(
    tiny_engine: LocalEngine, claude: CloudClient, fake_api: FakeAnthropic
) -> None:
    fake_api.reply(tool_use(TOOL, {"docstring": GOOD}))
    done = write_docstring(tiny_engine, claude, pattern="concurrent", source=SOURCE, qualname="clamp", style="google")
    assert done.docstring == GOOD and done.note is not None and done.note.startswith("Claude's docstring")
    assert "Draft docstring" not in fake_api.requests[0].raw.decode(), "Claude writes from the code alone"


def test_concurrent_with_the_local_model_failing_claudes_is_used(
    broken_engine: LocalEngine, claude: CloudClient, fake_api: FakeAnthropic
) -> None:
    fake_api.reply(tool_use(TOOL, {"docstring": GOOD}))
    done = write(broken_engine, claude, "concurrent")
    assert done.docstring == GOOD and "the local model's failed" in (done.note or "")


@pytest.mark.parametrize(
    ("local", "claude", "note"),
    [
        ("Do it.\n\nRaises:\n    ValueError: bad.", "Do it.\n\nRaises:\n    ValueError: when bad.", "they agree"),
        (
            "Do it.\n\nRaises:\n    ValueError: bad.",
            "Do it.\n\nRaises:\n    ValueError: bad.\n    KeyError: missing.",
            "they disagree: only Claude documents KeyError",
        ),
        (
            "Do it.\n\nReturns:\n    The sum.",
            "Do it.",
            "they disagree: only the local model documents a return value",
        ),
    ],
    ids=["agree", "claude-more-raises", "return"],
)
def test_the_two_docstrings_compared_on_their_contract(local: str, claude: str, note: str) -> None:
    assert note in compare_docstrings(local, claude, "google")
