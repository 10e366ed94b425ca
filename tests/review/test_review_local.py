"""Layer 2: validation of what the model says, de-duplication against bandit, and the review with the real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from copiloto.engine.local import LocalEngine
from copiloto.engine.structured import parse_answer
from copiloto.review.functions import ReviewMemory, function_spans
from copiloto.review.local import (
    MAX_MESSAGE_CHARS,
    LocalFinding,
    ModelFinding,
    ModelReview,
    ReviewStats,
    checked_fix,
    numbered,
    validate,
)
from copiloto.review.on_save import review_text, without_duplicates
from copiloto.review.security import security_findings

FILE = """import os


def last(items):
    return items[len(items)]


def run(cmd):
    os.system("sh -c " + cmd)
    return True
"""
GUARDED = "    if not items:\n        return None\n    return items[-1]"
LAST = function_spans(FILE)[0]  # lines 4-5 (1-based)


def raw(line: int = 5, end_line: int = 5, message: str = "off by one", fix: str | None = None) -> ModelFinding:
    return ModelFinding(category="bug", severity="error", line=line, end_line=end_line, message=message, fix=fix)


@pytest.mark.parametrize(
    ("finding", "kept", "why"),
    [
        (raw(), True, ""),
        (raw(line=4, end_line=5), True, ""),
        (raw(line=3, end_line=5), False, "outside last (4-5)"),  # before the function
        (raw(line=5, end_line=9), False, "outside last (4-5)"),  # runs into the next function
        (raw(line=5, end_line=4), False, "outside last (4-5)"),  # ends before it starts
        (raw(message="   "), False, "empty message"),
    ],
)
def test_validate(finding: ModelFinding, kept: bool, why: str) -> None:
    found, reason = validate(finding, LAST, FILE)
    assert (found is not None) == kept
    assert why in reason


def test_validate_normalises_and_bounds_the_message() -> None:
    found, _ = validate(raw(message="  two\n  lines " + "x" * 500), LAST, FILE)
    assert found is not None
    assert found.message.startswith("two lines x")
    assert len(found.message) == MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("fix", "expected"),
    [
        ("    return items[len(items) - 1]", "    return items[len(items) - 1]"),
        ("return items[-1]", "    return items[-1]"),  # indented like the lines it replaces
        ("    return items[len(items)]", None),  # changes nothing
        ("    return items[", None),  # would break the file
        ("", None),
        (GUARDED, GUARDED),  # more lines than it replaces
    ],
)
def test_checked_fix(fix: str, expected: str | None) -> None:
    assert checked_fix(fix, 5, 5, FILE) == expected


def test_a_fix_for_a_file_that_did_not_parse_needs_only_its_function_to_parse() -> None:
    broken = FILE + "\ndef later(:\n    pass\n"
    assert checked_fix("    return items[-1]", 5, 5, broken) == "    return items[-1]"
    assert checked_fix("    return items[", 5, 5, broken) is None


def test_security_findings_bandit_already_reports_are_left_out() -> None:
    layer1 = security_findings(FILE, "f.py")
    assert [f.line for f in layer1] == [9]
    ours = [
        LocalFinding(qualname="run", category="security", severity="error", line=8, end_line=9, message="injection"),
        LocalFinding(qualname="run", category="bug", severity="warning", line=9, end_line=9, message="ignores rc"),
        LocalFinding(qualname="last", category="security", severity="error", line=5, end_line=5, message="?"),
    ]
    stats = ReviewStats()
    kept = without_duplicates(ours, layer1, stats)
    assert [f.message for f in kept] == ["ignores rc", "?"]
    assert stats.duplicates == 1


@pytest.mark.parametrize(
    "text",
    [
        '{"findings": [',
        '{"findings": [{"category": "typo", "severity": "error", "line": 1, "end_line": 1, "message": "m"}]}',
        "null",
        "",
    ],
)
def test_answers_that_are_not_the_schema_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_answer(ModelReview, text)


def test_the_function_is_shown_with_file_line_numbers() -> None:
    assert numbered(LAST) == "4: def last(items):\n5:     return items[len(items)]"


def test_review_with_the_real_model(tiny_engine: LocalEngine) -> None:
    memory = ReviewMemory()
    first = review_text(tiny_engine, "file:///f.py", FILE, memory)
    assert (first.stats.functions, first.stats.reviewed) == (2, 2)
    assert first.stats.invalid_answers == 0  # the grammar holds the model to the schema
    for finding in first.findings:  # whatever the model said, only validated findings come out
        span = next(s for s in function_spans(FILE) if s.qualname == finding.qualname)
        assert span.start_line < finding.line <= finding.end_line <= span.end_line + 1
    again = review_text(tiny_engine, "file:///f.py", FILE, memory)
    assert again.stats.reviewed == 0  # nothing changed: nothing asked
    assert again.findings == first.findings
    edited = FILE.replace("return True", "return False")
    assert review_text(tiny_engine, "file:///f.py", edited, memory).stats.reviewed == 1


def test_a_stopped_review_remembers_nothing_it_did_not_finish(tiny_engine: LocalEngine) -> None:
    memory = ReviewMemory()
    done = review_text(tiny_engine, "file:///g.py", FILE, memory, stopped=lambda: True)
    assert done.stats.reviewed == 0
    assert len(memory.to_review("file:///g.py", function_spans(FILE))) == 2


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}  # never the real API
    env["COPILOTO_CONFIG"] = "/nonexistent/copiloto.toml"
    command = [sys.executable, "-m", "copiloto", "review", *args]
    # a safety net, not a speed check: two functions, a review and a checklist question each, on a busy CPU
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.model
def test_cli_review_runs_both_layers_and_says_why_deep_is_not_used(tmp_path: Path) -> None:
    module = tmp_path / "tools.py"
    module.write_text(FILE, encoding="utf-8")
    done = run_cli("--json", "--deep", str(module))
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert ("copiloto/bandit", "B605") in {(row["source"], row["code"]) for row in rows}
    for row in rows:
        assert {"line", "severity", "source", "code", "message"} <= set(row)
        if row["source"] == "copiloto/local":  # whatever the tiny model says, it is inside a function
            assert 4 <= row["line"] <= row["end_line"] <= 10 and row["code"].startswith("local-")
    assert "Claude is not used: no API key" in done.stderr


@pytest.mark.parametrize(
    ("content", "why"), [(b"\x00\x01binary", "NUL bytes"), (b"x = 1\n" * 400_000, "over review.max_file_kb")]
)
def test_cli_review_skips_binary_and_huge_files(tmp_path: Path, content: bytes, why: str) -> None:
    module = tmp_path / "data.py"
    module.write_bytes(content)
    done = run_cli("--no-local", str(module))
    assert done.returncode == 2 and why in done.stderr and done.stdout == ""
