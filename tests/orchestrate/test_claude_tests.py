"""Claude refines the local draft of tests (sequential pattern): what it is shown, what comes back as candidates
(only single top-level test functions), and the draft going on unchanged when Claude cannot be used."""

from __future__ import annotations

from pathlib import Path

import pytest

from copiloto.cloud.client import CloudClient, Ledger
from copiloto.config import CloudSettings, Settings
from copiloto.orchestrate.claude.tests import TOOL, ClaudeTestRefiner
from copiloto.orchestrate.tests import claude_partners
from copiloto.testgen.draft import Candidate
from copiloto.testgen.generate import TestDraft
from copiloto.testgen.runner import Coverage
from fake_api import FakeAnthropic, error, tool_use

MODULE = "def slug(text, sep='-'):\n    return sep.join(text.lower().split())\n"
DRAFT = (Candidate("test_slug_a", "def test_slug_a():\n    assert slug('A') == 'A'\n", "model", key="a", stem="a"),)


@pytest.fixture
def refiner(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ClaudeTestRefiner:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    return ClaudeTestRefiner(CloudClient(CloudSettings(max_retries=0), Ledger(tmp_path / "usage.json")))


def draft() -> TestDraft:
    return TestDraft("slug", MODULE, None, DRAFT, ())  # type: ignore[arg-type]


def test_claude_gets_the_draft_and_returns_test_functions(refiner: ClaudeTestRefiner, fake_api: FakeAnthropic) -> None:
    fake_api.reply(
        tool_use(
            TOOL,
            {
                "tests": [
                    {"name": "test_slug_lower", "source": "def test_slug_lower():\n    assert slug('A') == 'a'\n"},
                    {"name": "test_slug_sep", "source": "import pytest\n\ndef test_slug_sep():\n    assert 1\n"},
                    {"name": "helper", "source": "def helper():\n    return 1\n"},
                    {"name": "test_broken", "source": "def test_broken(:\n"},
                ]
            },
        )
    )
    refined = refiner(draft())
    assert [(c.name, c.origin) for c in refined] == [("test_slug_lower", "refined")], "one function, a test, parsing"
    sent = fake_api.requests[0].raw.decode()
    assert "Target: slug" in sent and "assert slug('A') == 'A'" in sent and "sep.join" in sent


def test_without_claude_the_draft_goes_on(
    refiner: ClaudeTestRefiner, fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.reply(error(500, "api_error", "down"))
    assert refiner(draft()) == DRAFT
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    assert refiner(draft()) == DRAFT
    assert len(fake_api.requests) == 1, "without a key nothing is sent"


def test_a_takeover_is_told_what_is_kept_and_missing_and_adds_nothing_without_claude(
    fake_api: FakeAnthropic, refiner: ClaudeTestRefiner
) -> None:
    take_over = ClaudeTestRefiner(refiner.client, "takeover")
    coverage = Coverage(lines_pct=50.0, branches_pct=None, missing_lines=(2, 9))
    shown = TestDraft("slug", MODULE, None, DRAFT, (), coverage)  # type: ignore[arg-type]
    test = {"name": "test_slug_sep", "source": "def test_slug_sep():\n    assert slug('A b', '_') == 'a_b'\n"}
    fake_api.reply(tool_use(TOOL, {"tests": [test]}), error(500, "api_error", "down"))
    assert [c.name for c in take_over(shown)] == ["test_slug_sep"]
    sent = fake_api.requests[0].raw.decode()
    assert "do not repeat them" in sent and "assert slug('A') == 'A'" in sent and "no kept test runs: 2, 9" in sent
    assert take_over(shown) == (), "without Claude a takeover adds nothing (the kept tests stay as they are)"


def test_concurrent_claude_writes_from_the_code_alone(fake_api: FakeAnthropic, refiner: ClaudeTestRefiner) -> None:
    fresh = ClaudeTestRefiner(refiner.client, "fresh")
    test = {"name": "test_slug_empty", "source": "def test_slug_empty():\n    assert slug('') == ''\n"}
    fake_api.reply(tool_use(TOOL, {"tests": [test]}))
    assert [c.name for c in fresh(TestDraft("slug", MODULE, None, (), ()))] == ["test_slug_empty"]  # type: ignore[arg-type]
    sent = fake_api.requests[0].raw.decode()
    assert "Write the tests" in sent and "compared with its" in sent and "Draft tests" not in sent


def test_tests_of_a_file_in_cloud_exclude_are_not_sent(fake_api: FakeAnthropic, refiner: ClaudeTestRefiner) -> None:
    shown = TestDraft("slug", MODULE, None, DRAFT, (), module_path="/proj/secrets.py")  # type: ignore[arg-type]
    assert refiner(shown) == DRAFT and fake_api.requests == []


@pytest.mark.parametrize(
    ("pattern", "shape"),
    [("sequential", (1, 0, 0)), ("handoff", (0, 1, 0)), ("concurrent", (0, 0, 1)), ("local", (0, 0, 0))],
)
def test_each_pattern_puts_claude_in_its_place(pattern: str, shape: tuple[int, int, int], tmp_path: Path) -> None:
    """Built per request from the settings of the moment (the server does so for every "Generate tests")."""
    settings = Settings.model_validate({"orchestrate": {"tests": pattern}})
    helpers = claude_partners(settings.orchestrate.tests, CloudClient(settings.cloud, Ledger(tmp_path / "usage.json")))
    assert (len(helpers.refiners), len(helpers.takeovers), len(helpers.companions)) == shape
    modes = [h.mode for h in (*helpers.refiners, *helpers.takeovers, *helpers.companions)]  # type: ignore[attr-defined]
    assert modes == {"sequential": ["refine"], "handoff": ["takeover"], "concurrent": ["fresh"], "local": []}[pattern]
