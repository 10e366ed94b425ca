"""The Claude client through the real anthropic SDK against the local fake Messages API: structured answers via
a tool, validation with one retry, prompt caching marks and usage, the daily budget, retries, redaction on the
wire, the audit file, and Claude as the deep reviewer (also from the command line)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel
from test_cloud_redact import SECRETS

from copiloto.cloud.client import CloudClient, CloudError, CloudUnavailable, Ledger, strict_schema, supports_strict
from copiloto.config import CloudSettings
from copiloto.orchestrate.claude.review import TOOL, ClaudeReviewer
from copiloto.review.handoff import DeepReviewRequest
from fake_api import FakeAnthropic, Usage, error, malformed, text, tool_use


class Verdict(BaseModel):
    """Say whether the code is correct."""

    correct: bool
    reason: str


@pytest.fixture
def claude(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CloudClient:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-for-the-fake-api-only")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)  # the SDK's own variable: a proxy or gateway
    settings = CloudSettings(max_retries=1, timeout_s=5, audit_file=tmp_path / "audit.jsonl")
    return CloudClient(settings, Ledger(tmp_path / "usage.json"))


def ask(client: CloudClient, context: str = "def f(): return 1\n", question: str = "Is it correct?") -> object:
    return asyncio.run(client.ask("You review code.", context, question, Verdict, "report_verdict"))


def test_a_structured_answer_through_a_tool(claude: CloudClient, fake_api: FakeAnthropic) -> None:
    usage = Usage(input_tokens=120, output_tokens=30, cache_creation_input_tokens=900, cache_read_input_tokens=0)
    fake_api.reply(tool_use("report_verdict", {"correct": True, "reason": "returns 1"}, usage=usage))
    answer = ask(claude)
    assert answer.value == Verdict(correct=True, reason="returns 1") and answer.calls == 1  # type: ignore[attr-defined]
    [sent] = fake_api.requests
    body = sent.body
    assert sent.api_key == "sk-ant-test-key-for-the-fake-api-only"
    assert body["model"] == "claude-sonnet-5-5" and body["tool_choice"] == {"type": "tool", "name": "report_verdict"}
    assert body["tools"][0]["input_schema"] == strict_schema(Verdict.model_json_schema())
    assert body["tools"][0]["strict"] is True and answer.strict  # type: ignore[attr-defined]
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}, "the stable system prompt is cached"
    assert body["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}, "so is the file"
    assert claude.ledger.today().total == 120 + 30 + 900
    assert answer.usage.cache_creation_input_tokens == 900  # type: ignore[attr-defined]


def test_the_answer_is_streamed_and_its_progress_told(claude: CloudClient, fake_api: FakeAnthropic) -> None:
    reason = "the loop stops one short of the end; " * 60  # a long answer: streamed in many pieces
    fake_api.reply(tool_use("report_verdict", {"correct": False, "reason": reason}))
    told: list[str] = []
    answer = asyncio.run(claude.ask("You review code.", "x = 1\n", "Correct?", Verdict, "report_verdict", told.append))
    assert answer.value.reason == reason and fake_api.requests[0].body["stream"] is True
    counts = [int(m.split("(")[1].split(" ")[0].replace(",", "")) for m in told]
    assert len(told) >= 4 and counts == sorted(counts) and counts[-1] <= len(json.dumps({"reason": reason})) + 30
    assert all(m.startswith("Claude is answering (") for m in told)


def test_an_invalid_answer_is_asked_again_once(claude: CloudClient, fake_api: FakeAnthropic) -> None:
    fake_api.reply(
        tool_use("report_verdict", {"correct": "maybe"}),
        tool_use("report_verdict", {"correct": False, "reason": "off by one"}),
    )
    answer = ask(claude)
    assert answer.value.reason == "off by one" and answer.calls == 2  # type: ignore[attr-defined]
    retry = fake_api.requests[1].body["messages"]
    assert retry[1]["role"] == "assistant" and retry[2]["content"][0]["type"] == "tool_result"
    assert retry[2]["content"][0]["is_error"] is True
    fake_api.reply(text("I think it is fine."), text("Still fine."))
    with pytest.raises(CloudError, match="stayed invalid"):
        ask(claude)


def test_rate_limits_are_retried_and_server_errors_reported(claude: CloudClient, fake_api: FakeAnthropic) -> None:
    fake_api.reply(
        error(429, "rate_limit_error", "slow down", retry_after=0.2),
        tool_use("report_verdict", {"correct": True, "reason": "ok"}),
    )
    assert ask(claude).value.correct  # type: ignore[attr-defined]
    assert len(fake_api.requests) == 2
    fake_api.reply(error(529, "overloaded_error", "busy"), error(529, "overloaded_error", "busy"))
    with pytest.raises(CloudError, match="529"):
        ask(claude)


@pytest.mark.parametrize("body", [b"{not json", b'{"unexpected": true}'], ids=["not-json", "not-a-message"])
def test_a_malformed_answer_is_an_error_not_a_crash(claude: CloudClient, fake_api: FakeAnthropic, body: bytes) -> None:
    fake_api.reply(malformed(body))
    with pytest.raises(CloudError, match=r"not readable|not a message"):
        ask(claude)


def test_without_a_key_or_over_budget_claude_is_not_used(
    claude: CloudClient, fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(CloudUnavailable, match="no API key"):
        ask(claude)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    claude.settings = claude.settings.model_copy(update={"daily_token_budget": 100})
    fake_api.reply(tool_use("report_verdict", {"correct": True, "reason": "ok"}, usage=Usage(input_tokens=150)))
    ask(claude)
    with pytest.raises(CloudUnavailable, match="budget"):
        ask(claude)
    assert len(fake_api.requests) == 1, "nothing is sent once the budget is spent"


def test_no_secret_reaches_the_wire_and_the_audit_shows_what_was_sent(
    claude: CloudClient, fake_api: FakeAnthropic
) -> None:
    corpus = "\n".join(line for line, _, _ in SECRETS)
    fake_api.reply(tool_use("report_verdict", {"correct": False, "reason": "secrets in code"}))
    answer = ask(claude, context=corpus, question=f"Also look at {SECRETS[0][0]}")
    raw = fake_api.requests[0].raw.decode()
    leaked = [secret for _, secret, _ in SECRETS if secret in raw or json.dumps(secret)[1:-1] in raw]
    assert leaked == []
    assert answer.redacted >= len(SECRETS)  # type: ignore[attr-defined]
    audit = [json.loads(line) for line in Path(claude.settings.audit_file or "").read_text().splitlines()]
    assert audit[0]["request"] == fake_api.requests[0].body, "the audit holds exactly what was sent"


def test_claude_as_the_deep_reviewer(claude: CloudClient, fake_api: FakeAnthropic) -> None:
    reviewer = ClaudeReviewer(claude)
    code = "def last(items):\n    return items[len(items)]\n\n\ndef first(items):\n    return items[0]\n"
    fake_api.reply(
        tool_use(
            TOOL,
            {
                "findings": [
                    {
                        "line": 2,
                        "end_line": 2,
                        "severity": "error",
                        "message": "IndexError",
                        "fix": "    return items[-1]",
                    },
                    {"line": 6, "end_line": 6, "severity": "warning", "message": "outside the selection"},
                ]
            },
        )
    )
    found = asyncio.run(reviewer.review(DeepReviewRequest("tools.py", code, "user", lines=(1, 2))))
    assert [(f.line, f.message, f.source) for f in found] == [(2, "IndexError", "copiloto/claude")]
    assert "Review lines 1-2." in fake_api.requests[0].raw.decode()
    with pytest.raises(CloudUnavailable, match="never sent"):
        asyncio.run(reviewer.review(DeepReviewRequest("app/.env", "KEY=1\n", "user")))
    assert len(fake_api.requests) == 1


@pytest.mark.model
def test_copiloto_review_deep(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    module = tmp_path / "tools.py"
    module.write_text("API = 'sk-ant-api03-" + "x" * 40 + "'\n\n\ndef last(items):\n    return items[len(items)]\n")
    fake_api.reply(
        tool_use(TOOL, {"findings": [{"line": 5, "end_line": 5, "severity": "error", "message": "IndexError"}]})
    )
    env = dict(
        os.environ,
        COPILOTO_CONFIG="/nonexistent/copiloto.toml",
        ANTHROPIC_API_KEY="sk-ant-test",
        ANTHROPIC_BASE_URL=fake_api.base_url,
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    # --no-local: Claude needs no local model (none is loaded)
    command = [sys.executable, "-m", "copiloto", "review", "--json", "--no-local", "--deep", str(module)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert ("copiloto/claude", 5, "IndexError") in {(r["source"], r["line"], r["message"]) for r in rows}
    assert b"x" * 40 not in fake_api.requests[0].raw, "the key in the file was redacted"


@pytest.mark.parametrize(
    ("model", "strict"),
    [
        ("claude-sonnet-5-5", True),
        ("claude-sonnet-4-5", True),
        ("claude-sonnet-4-5-20250929", True),
        ("claude-opus-4-6", True),
        ("claude-haiku-4-5", True),
        ("claude-opus-4-1", False),
        ("claude-sonnet-4-20250514", False),  # a date, not a minor version
        ("claude-3-5-sonnet-20241022", False),
        ("some-proxy-alias", False),
    ],
)
def test_strict_tools_where_the_model_has_them(model: str, strict: bool) -> None:
    assert supports_strict(model) is strict


class Finding(BaseModel):
    line: int
    fix: str | None = None


class Findings(BaseModel):
    """Nested, with an optional field."""

    findings: list[Finding]
    note: str = "none"


def test_a_strict_schema_closes_every_object_and_requires_every_property() -> None:
    schema = strict_schema(Findings.model_json_schema())
    finding = schema["$defs"]["Finding"]
    assert schema["additionalProperties"] is False and schema["required"] == ["findings", "note"]
    assert finding["additionalProperties"] is False and finding["required"] == ["line", "fix"]
    assert "default" not in json.dumps(schema), "a default is only a hint: the answer says every value"
    assert Findings.model_validate({"findings": [{"line": 3, "fix": None}], "note": "x"}).findings[0].line == 3


def test_a_strict_nested_schema_is_accepted_by_the_api(claude: CloudClient, fake_api: FakeAnthropic) -> None:
    fake_api.reply(tool_use("report_findings", {"findings": [{"line": 2, "fix": None}], "note": "ok"}))
    answer = asyncio.run(claude.ask("Review.", "x = 1\n", "Findings?", Findings, "report_findings"))
    assert answer.value.findings == [Finding(line=2)] and answer.strict and answer.calls == 1


def test_an_older_model_gets_the_plain_schema_and_the_retry(
    fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-for-the-fake-api-only")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    settings = CloudSettings(model="claude-3-5-sonnet-20241022", max_retries=0, timeout_s=5)
    client = CloudClient(settings, Ledger(tmp_path / "usage.json"))
    invalid, valid = {"correct": "maybe"}, {"correct": False, "reason": "r"}
    fake_api.reply(tool_use("report_verdict", invalid), tool_use("report_verdict", valid))
    answer = ask(client)
    assert answer.calls == 2 and not answer.strict  # type: ignore[attr-defined]
    assert all("strict" not in r.body["tools"][0] for r in fake_api.requests)
    assert fake_api.requests[0].body["tools"][0]["input_schema"] == Verdict.model_json_schema()


def test_a_model_the_api_refuses_strict_tools_for_is_asked_again_without(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with FakeAnthropic(strict=False) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-for-the-fake-api-only")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        client = CloudClient(CloudSettings(max_retries=0, timeout_s=5), Ledger(tmp_path / "usage.json"))
        api.reply(tool_use("report_verdict", {"correct": True, "reason": "fine"}))
        answer = ask(client)
        first, second = api.requests
    assert first.body["tools"][0]["strict"] is True and "strict" not in second.body["tools"][0]
    assert answer.value.correct and not answer.strict and not client.strict  # type: ignore[attr-defined]
    assert answer.calls == 1, "a refusal is not an invalid answer"
