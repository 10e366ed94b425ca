"""`copiloto logs FILE --explain LINE`: the explain service the server's "Explain with Claude" uses, from the
command line, against the fake Messages API through the real SDK: the entry and the source lines its backtrace
names go out (redacted), the root cause and the lines Claude names among those it was shown come back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from copiloto.cloud.client import CloudClient, Ledger
from copiloto.config import CloudSettings
from copiloto.logs.watch import read_logs
from copiloto.orchestrate.claude.explain import TOOL
from copiloto.orchestrate.explain import NoSuchEntry, explain_log_entry
from fake_api import FakeAnthropic, tool_use

ENTRY = (
    "[2025-01-02 10:00:00] glpiphplog.CRITICAL:   *** Uncaught Exception Error: Call to undefined function "
    "foo() in /var/www/glpi/src/Foo.php at line 3\n  Backtrace :\n"
    "  /var/www/glpi/src/Foo.php:3                        Foo->bar()\n"
    "  /var/www/glpi/vendor/Other.php:7                   include()\n"
)
FOO = "<?php\nclass Foo {\n    public function bar() { return foo(); }  // token=ghp_" + "Ab1" * 12 + "\n}\n"
ANSWER = {
    "root_cause": "foo() is not defined anywhere",
    "involved": [
        {"file": "src/Foo.php", "line": 3, "why": "calls the undefined foo()"},
        {"file": "src/Elsewhere.php", "line": 9, "why": "never shown to Claude"},
    ],
    "fix": "define foo()",
}


@pytest.fixture
def glpi(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Foo.php").write_text(FOO, encoding="utf-8")
    (tmp_path / "files" / "_log").mkdir(parents=True)
    (tmp_path / "files" / "_log" / "php-errors.log").write_text(ENTRY, encoding="utf-8")
    return tmp_path


def copiloto(
    api: FakeAnthropic, *args: str, cwd: Path, config: str = "/nonexistent/copiloto.toml"
) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        COPILOTO_CONFIG=config,
        ANTHROPIC_API_KEY="sk-ant-test",
        ANTHROPIC_BASE_URL=api.base_url,
        XDG_STATE_HOME=str(cwd / ".state"),
    )
    command = [sys.executable, "-m", "copiloto", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def test_explain_prints_the_root_cause_and_the_lines_claude_was_shown(glpi: Path, fake_api: FakeAnthropic) -> None:
    fake_api.reply(tool_use(TOOL, ANSWER))
    done = copiloto(fake_api, "logs", "files/_log/php-errors.log", "--explain", "1", cwd=glpi)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "files/_log/php-errors.log:1: root cause: foo() is not defined anywhere",
        "    fix: define foo()",
        f"{glpi / 'src/Foo.php'}:3: calls the undefined foo()",
    ]
    [request] = fake_api.requests
    raw = request.raw.decode()
    assert "Uncaught Exception Error" in raw and "3:     public function bar()" in raw
    assert "Ab1Ab1Ab1" not in raw, "the token in the source was redacted"
    assert "Other.php" not in raw.split("Source:")[-1], "a frame outside the workspace shows no source"


def test_a_line_without_an_entry_says_where_to_look_and_asks_nobody(glpi: Path, fake_api: FakeAnthropic) -> None:
    done = copiloto(fake_api, "logs", "files/_log/php-errors.log", "--explain", "2", cwd=glpi)
    assert done.returncode == 2
    assert "no log entry starts at php-errors.log:2" in done.stderr
    assert "`copiloto logs files/_log/php-errors.log` lists the entries" in done.stderr
    assert fake_api.requests == []


def test_a_log_in_cloud_exclude_is_never_sent(glpi: Path, fake_api: FakeAnthropic) -> None:
    config = glpi / "copiloto.toml"
    config.write_text('[cloud]\nexclude = ["files/_log/*.log"]\n', encoding="utf-8")
    done = copiloto(fake_api, "logs", "files/_log/php-errors.log", "--explain", "1", cwd=glpi, config=str(config))
    assert done.returncode == 1
    assert "matches cloud.exclude" in done.stderr
    assert fake_api.requests == []


def test_explain_needs_one_log(glpi: Path, fake_api: FakeAnthropic) -> None:
    (glpi / "files" / "_log" / "sql-errors.log").write_text(ENTRY, encoding="utf-8")
    done = copiloto(fake_api, "logs", "files/_log", "--explain", "1", cwd=glpi)
    assert done.returncode == 2 and "--explain needs one log file, not 2" in done.stderr


def test_the_service_refuses_a_line_no_group_ends_at(
    glpi: Path, fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    log = glpi / "files" / "_log" / "php-errors.log"
    client = CloudClient(CloudSettings(), Ledger(glpi / "usage.json"))
    watch = read_logs([log], glpi)
    with pytest.raises(NoSuchEntry):
        asyncio.run(explain_log_entry(client=client, watch=watch, log_file=log, line=3))
    assert fake_api.requests == []
