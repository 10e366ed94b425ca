"""How bench/review_flows reads semgrep-rules' labelled test files: which line each `ruleid`/`ok` comment
labels, and which lines a tool's finding must fall on to count for it (a finding may sit on another line of the
same call, or further on in a pattern over statements)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from review_flows import match_lines, semgrep_insecure, semgrep_labels, semgrep_tests, statement_lines

if TYPE_CHECKING:
    from pathlib import Path

TEST_FILE = """\
import os

def run(cmd):
    # ruleid: dangerous-system-call
    os.system(cmd)
    # ok: dangerous-system-call
    # a second comment line
    os.system("ls")
    os.popen(cmd)  # ruleid: dangerous-popen
    # todoruleid: dangerous-system-call
    os.system(cmd + "x")
"""


def test_a_label_on_its_own_line_marks_the_next_line_of_code_and_todo_is_skipped() -> None:
    assert semgrep_labels(TEST_FILE) == [
        (5, "ruleid", "dangerous-system-call"),
        (8, "ok", "dangerous-system-call"),
        (9, "ruleid", "dangerous-popen"),
    ]


def test_only_security_tests_are_read_and_only_those_with_a_ruleid_line_are_insecure(tmp_path: Path) -> None:
    (tmp_path / "security").mkdir()
    (tmp_path / "security" / "calls.py").write_text(TEST_FILE)
    (tmp_path / "security" / "safe.py").write_text("# ok: r\nx = 1\n")
    (tmp_path / "style.py").write_text("# ruleid: not-a-security-rule\nx = 1\n")  # outside /security/
    tests = semgrep_tests(tmp_path)
    assert sorted(name.rsplit("/", 1)[1] for name, _, _ in tests) == ["calls.py", "safe.py"]
    assert [name.rsplit("/", 1)[1] for name, _ in semgrep_insecure(tests)] == ["calls.py"]


def test_every_line_of_a_call_belongs_to_its_innermost_statement() -> None:
    text = "def f():\n    rsa.generate(\n        65537,\n        key_size=1024,\n    )\n    g()\n"
    spans = statement_lines(ast.parse(text))
    assert spans[4] == range(2, 6) and spans[2] == range(2, 6)
    assert spans[6] == range(6, 7)
    assert 1 not in spans  # a definition is no statement a tool flags


def test_a_match_runs_from_its_labelled_statement_to_the_next_label_within_the_function() -> None:
    text = (
        "def danger(request):\n"  # 1
        "    url = request.GET['url']\n"  # 2: labelled, the sink is two lines on
        "    log(url)\n"
        "    os.system('wget ' + url)\n"  # 4
        "def ok(request):\n"  # 5
        "    os.system('ls')\n"  # 6: labelled ok: its statement only
        "    x = 1\n"
        "    y = 2\n"
    )
    regions = match_lines(text, [(2, "ruleid", "r"), (6, "ok", "r")])
    assert regions[2, "ruleid"] == range(2, 5)  # ends with the function, not in the next one
    assert regions[6, "ok"] == range(6, 7)
    assert match_lines(text, [(2, "ruleid", "r"), (4, "ok", "r")])[2, "ruleid"] == range(2, 4)  # before the next label
    assert match_lines(text, [(6, "ruleid", "r")])[6, "ruleid"] == range(6, 9)  # at most to the end of its function
    assert match_lines("def broken(:\n    x\n", [(2, "ok", "r")])[2, "ok"] == range(2, 3)
