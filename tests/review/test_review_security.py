"""Layer 1 of the review on save: bandit's own findings, unchanged, with our severity, CWE link and place."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from copiloto.review.security import security_findings, severity_of

CASES = [
    # (code, expected (line, test id) pairs)
    ("import subprocess\nsubprocess.call(cmd, shell=True)\n", [(1, "B404"), (2, "B602")]),
    ("import pickle\n\ndef load(data):\n    return pickle.loads(data)\n", [(1, "B403"), (4, "B301")]),
    ("password = 'hunter2'\n", [(1, "B105")]),
    ("import hashlib\nhashlib.md5(b'x')\n", [(2, "B324")]),
    ("import yaml\nyaml.load(text)\n", [(2, "B506")]),
    ("def add(a, b):\n    return a + b\n", []),  # clean code: nothing
    ("def broken(:\n    eval(x)\n", []),  # does not parse: bandit skips it, no crash
]


@pytest.mark.parametrize(("code", "expected"), CASES)
def test_bandit_findings_come_through_unchanged(code: str, expected: list[tuple[int, str]]) -> None:
    assert [(f.line, f.code) for f in security_findings(code)] == expected


def test_a_finding_carries_its_cwe_link_place_and_bandit_levels() -> None:
    [_, shell] = security_findings("import subprocess\nsubprocess.Popen(user_input, shell=True)\n")
    assert shell.code == "B602" and shell.name == "subprocess_popen_with_shell_equals_true"
    assert shell.cwe == 78 and shell.cwe_link == "https://cwe.mitre.org/data/definitions/78.html"
    assert (shell.line, shell.column, shell.end_column) == (2, 0, 40)
    assert (shell.bandit_severity, shell.bandit_confidence, shell.severity) == ("HIGH", "HIGH", "error")
    assert shell.source == "copiloto/bandit"


@pytest.mark.parametrize(
    ("severity", "confidence", "ours"),
    [
        ("HIGH", "HIGH", "error"),
        ("HIGH", "MEDIUM", "error"),
        ("HIGH", "LOW", "warning"),  # unsure: one step milder
        ("MEDIUM", "HIGH", "warning"),
        ("MEDIUM", "LOW", "information"),
        ("LOW", "HIGH", "information"),
        ("LOW", "LOW", "hint"),
        ("UNDEFINED", "HIGH", "information"),
    ],
)
def test_severity_from_bandits_severity_and_confidence(severity: str, confidence: str, ours: str) -> None:
    assert severity_of(severity, confidence) == ours


def test_copiloto_review_json(tmp_path: Path) -> None:
    module = tmp_path / "run.py"
    module.write_text("import subprocess\nsubprocess.call(cmd, shell=True)\n")
    env = dict(os.environ, COPILOTO_CONFIG="/nonexistent/copiloto.toml")
    command = [sys.executable, "-m", "copiloto", "review", "--json", str(module)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [(row["line"], row["code"], row["source"]) for row in rows] == [
        (1, "B404", "copiloto/bandit"),
        (2, "B602", "copiloto/bandit"),
    ]
    assert {"severity", "message"} <= set(rows[0])
    assert "ERROR" not in done.stderr, "no plugin-loading noise"
