"""How bench/review_flows reads semgrep-rules' labelled test files: which line each `ruleid`/`ok` comment
labels, and which statement a labelled line belongs to (a finding may sit on another line of the same call)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from review_flows import match_lines, semgrep_labelled, statement_lines

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


def test_a_label_on_its_own_line_marks_the_next_line_of_code_and_todo_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "security").mkdir()
    (tmp_path / "security" / "calls.py").write_text(TEST_FILE)
    (tmp_path / "style.py").write_text("# ruleid: not-a-security-rule\nx = 1\n")  # outside /security/
    cases, labels = semgrep_labelled(tmp_path)
    assert [name for name, _ in cases] == [f"{tmp_path.name}/security/calls.py"]
    assert [(line, kind, rule) for _, line, kind, rule in labels] == [
        (5, "ruleid", "dangerous-system-call"),
        (8, "ok", "dangerous-system-call"),
        (9, "ruleid", "dangerous-popen"),
    ]


def test_a_file_with_only_ok_lines_is_not_an_insecure_file(tmp_path: Path) -> None:
    (tmp_path / "security").mkdir()
    (tmp_path / "security" / "safe.py").write_text("# ok: r\nx = 1\n")
    cases, labels = semgrep_labelled(tmp_path)
    assert cases == [] and len(labels) == 1


def test_every_line_of_a_call_belongs_to_its_innermost_statement() -> None:
    text = "def f():\n    rsa.generate(\n        65537,\n        key_size=1024,\n    )\n    g()\n"
    spans = statement_lines(text)
    assert spans[4] == range(2, 6) and spans[2] == range(2, 6)
    assert spans[6] == range(6, 7)
    assert 1 not in spans  # a definition is no statement a tool flags
    assert statement_lines("def broken(:\n") == {}


def test_a_match_runs_from_its_labelled_statement_to_the_next_label_within_the_function() -> None:
    text = (
        "def danger(request):\n"  # 1
        "    url = request.GET['url']\n"  # 2: labelled, the sink is two lines on
        "    log(url)\n"
        "    os.system('wget ' + url)\n"  # 4
        "def ok(request):\n"  # 5
        "    os.system('ls')\n"  # 6: labelled ok
        "    x = 1\n"
        "    y = 2\n"
        "    z = 3\n"
        "    w = 4\n"
        "    v = 5\n"  # 11: more than 4 lines on
    )
    regions = match_lines(text, [2, 6])
    assert regions[2] == range(2, 5)  # ends with the function, not in the next one
    assert regions[6] == range(6, 11)
    assert match_lines(text, [2, 4])[2] == range(2, 4)  # stops before the next label
