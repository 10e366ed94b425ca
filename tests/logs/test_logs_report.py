"""Findings from GLPI logs: one per group on its latest occurrence, frames resolved in the workspace, and
`copiloto logs` printing them (text and JSON) as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from copiloto.logs.report import resolve
from copiloto.logs.watch import LogWatch, read_logs

PHP_ERROR = """[2025-01-02 10:0{minute}:00] glpiphplog.CRITICAL:   *** Uncaught Exception Error: Call to undefined function foo() for ticket {n}42 in /var/www/glpi/src/Foo.php at line 12
  Backtrace :
  src/Foo.php:12                                     Foo->bar()
  /var/www/glpi/front/central.php:40                 include()
"""  # noqa: E501
SQL_ERROR = """[2025-01-02 10:05:00] glpisqllog.ERROR: DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php line 370
  *** MySQL query error:
  SQL: SELECT * FROM `glpi_tickets` WHERE `id` =
  Error: You have an error in your SQL syntax near '' at line 1
  Backtrace :
  src/DBmysql.php:1080                               DBmysql->doQuery()
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for name in ("src/Foo.php", "src/DBmysql.php", "front/central.php"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<?php\n")
    log = tmp_path / "files" / "_log" / "php-errors.log"
    log.parent.mkdir(parents=True)
    repeated = "".join(PHP_ERROR.format(minute=m, n=m) for m in (0, 1, 3))  # differ only in a number
    log.write_text(repeated + "half a line without header\n" + SQL_ERROR)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "outside.php").write_text("<?php // not the workspace's\n")
    (tmp_path.parent / "outside.php").write_text("<?php // beside the workspace\n")
    (tmp_path / "linked").symlink_to(outside)
    return tmp_path


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("src/Foo.php", "src/Foo.php"),
        ("/var/www/glpi/src/Foo.php", "src/Foo.php"),  # absolute on the server: its tail is in the workspace
        ("C:\\glpi\\front\\central.php", "front/central.php"),
        ("vendor/lib/Missing.php", None),
        ("", None),
        ("../outside.php", None),  # a log names a file beside the workspace: never read
        ("src/../../outside.php", None),
        ("/var/www/glpi/src/../front/central.php", "front/central.php"),  # its tail after the ".." is inside
        ("linked/outside.php", None),  # a symbolic link out of the workspace
    ],
)
def test_frames_resolve_to_the_longest_tail_in_the_workspace(workspace: Path, frame: str, expected: str | None) -> None:
    found = resolve(frame, workspace)
    assert (found.relative_to(workspace).as_posix() if found else None) == expected


def test_like_entries_are_one_finding_on_the_latest_with_count_and_times(workspace: Path) -> None:
    log = workspace / "files/_log/php-errors.log"
    report = read_logs([log], workspace).report(log)
    assert report.unparsed == 1, "the line without a header is counted, not fatal"
    php, sql = report.findings
    assert php.count == 3 and php.line == 9, "on the latest of the three occurrences"
    assert php.first is not None and php.last is not None and (php.first.minute, php.last.minute) == (0, 3)
    assert php.severity == "error" and php.code == "glpiphplog.CRITICAL" and "×3" in php.message
    assert [(loc.file, loc.line) for loc in php.locations] == [("src/Foo.php", 12), ("front/central.php", 40)]
    assert sql.count == 1 and "SQL syntax" in sql.message
    assert [(loc.file, loc.line) for loc in sql.locations] == [("src/DBmysql.php", 1080)]


def test_the_server_holds_an_entry_still_being_written_the_command_line_reads_to_the_end(workspace: Path) -> None:
    log = workspace / "files/_log/php-errors.log"
    log.write_text(log.read_text().rstrip("\n"))  # the SQL error's last backtrace line, not yet ended
    live = LogWatch([workspace])
    live.update(log)
    assert len(live.findings(log)) == 1, "the server waits: GLPI may still be writing the backtrace"
    assert len(read_logs([log], workspace).findings(log)) == 2
    assert len(live.findings(log)) == 1


def copiloto(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COPILOTO_CONFIG="/nonexistent/copiloto.toml")
    command = [sys.executable, "-m", "copiloto", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=cwd, env=env)


def test_copiloto_logs_json_lists_the_findings(workspace: Path) -> None:
    done = copiloto("logs", "--json", "files/_log", cwd=workspace)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 2
    for row in rows:
        assert {"line", "severity", "source", "code", "message", "count", "first", "last", "locations"} <= set(row)
        assert row["source"] == "copiloto/logs"
    assert rows[0]["count"] == 3 and rows[0]["locations"][0] == {
        "file": "src/Foo.php",
        "line": 12,
        "function": "Foo->bar()",
    }


def test_copiloto_logs_text_reads_like_compiler_output(workspace: Path) -> None:
    done = copiloto("logs", "files/_log/php-errors.log", cwd=workspace)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("files/_log/php-errors.log:9: error: [glpiphplog.CRITICAL] Uncaught Exception")
    assert lines[1] == "    at src/Foo.php:12 Foo->bar()"
    assert lines[-1] == "(1 line belongs to no log entry and was skipped)"


def test_copiloto_logs_says_when_there_is_no_such_file(tmp_path: Path) -> None:
    done = copiloto("logs", "nope.log", cwd=tmp_path)
    assert done.returncode == 2 and "no such log file: nope.log" in done.stderr
