"""copiloto.logs.watch: globs, discovery, and LogWatch following live GLPI logs (appends, partial lines,
truncation, rotation, deletion), the source lines their backtraces point at, and bounded memory."""

from __future__ import annotations

import logging
import os
import time
import tracemalloc
from pathlib import Path

import pytest

from copiloto.logs.entries import Entry
from copiloto.logs.group import Severity
from copiloto.logs.watch import DEFAULT_GLOBS, LogWatch, SourceHit, discover, glob_regex, matches

PHP = (
    "[2025-01-02 10:0{minute}:00] glpiphplog.CRITICAL:   *** Uncaught Exception Error: Call to undefined function"
    " foo() for ticket {n} in /var/www/glpi/src/Foo.php at line 12\n"
    "  Backtrace :\n"
    "  /var/www/glpi/src/Foo.php:12                       Foo->bar()\n"
    "  front/central.php:40                               include()\n"
)
SQL = (
    "[2025-01-02 10:05:00] glpisqllog.ERROR: DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php line 370\n"
    "  *** MySQL query error:\n"
    "  SQL: SELECT * FROM `glpi_foo` WHERE `id` = {n}\n"
    "  Error: Table 'glpi.glpi_foo' doesn't exist\n"
    "  Backtrace :\n"
    "  src/DBmysql.php:1080                               DBmysql->doQuery()\n"
    "  src/Foo.php:12                                     Foo->bar()\n"
    '  {{"user":"2@glpi-host"}}\n'
)
ACCESS = (
    "[2025-01-02 10:03:00] User ID: `7` tried to access or perform an action on `/front/config.form.php`"
    " with insufficient rights.\n"
)


def php(minute: int = 0, n: int = 42) -> str:
    return PHP.format(minute=minute, n=n)


def sql(n: int = 1) -> str:
    return SQL.format(n=n)


def toolbox(text: str, minute: int = 1) -> str:
    return f"2025-01-02 10:0{minute}:00 [@glpi-host]\n{text}\n"


def append(path: Path, data: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(data)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A GLPI checkout: sources and an empty files/_log folder."""
    for name in ("src/Foo.php", "src/DBmysql.php", "front/central.php"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<?php\n")
    (tmp_path / "files" / "_log").mkdir(parents=True)
    return tmp_path


def counts(watch: LogWatch, log: Path) -> list[tuple[int, int, str]]:
    """(count, line, code) of each finding of the log."""
    return [(f.count, f.line, f.code) for f in watch.findings(log)]


# ---------------------------------------------------------------------------------------------------- globs


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("**/files/_log/*.log", "files/_log/php-errors.log", True),  # ** matches zero segments
        ("**/files/_log/*.log", "glpi/files/_log/php-errors.log", True),
        ("**/files/_log/*.log", "a/b/c/files/_log/sql-errors.log", True),
        ("**/files/_log/*.log", "files/_log/old/php-errors.log", False),  # * does not cross /
        ("**/files/_log/*.log", "files/_log/php-errors.log.1", False),
        ("**/files/_log/*.log", "xfiles/_log/php-errors.log", False),  # ** is whole segments
        ("*.log", "php-errors.log", True),
        ("*.log", "files/php-errors.log", False),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**/b", "a/xb", False),
        ("a/**", "a/x/y.log", True),
        ("a/**", "ab/x", False),
        ("**", "any/thing/at.all", True),
        ("**/*.{log,txt}", "x/cron.txt", True),
        ("**/*.{log,txt}", "x/cron.csv", False),
        ("{files,data}/_log/*.log", "data/_log/event.log", True),
        ("{files,data}/_log/*.log", "other/_log/event.log", False),
        ("{a,b{c,d}}.log", "bd.log", True),  # nested alternatives
        ("{**/x,y}/*.log", "p/q/x/a.log", True),  # ** inside alternatives
        ("php-errors.lo?", "php-errors.log", True),
        ("files?_log", "files/_log", False),  # ? does not cross /
        ("[ps]ql-errors.log", "sql-errors.log", True),
        ("[!ps]ql-errors.log", "sql-errors.log", False),
        ("[!ps]ql-errors.log", "mql-errors.log", True),
        ("[a-c]*.log", "cron.log", True),
        ("a[!x]b", "a/b", False),  # a negated class does not match /
        ("x{a", "x{a", True),  # an unclosed brace is literal
        ("a.b(c)+", "a.b(c)+", True),  # regex characters are literal
        ("a.b", "axb", False),
        ("/var/log/glpi/*.log", "/var/log/glpi/php-errors.log", True),
        ("/var/log/**/*.log", "/var/log/php-errors.log", True),
        ("/var/log/*.log", "/var/log/glpi/php-errors.log", False),
    ],
)
def test_glob_regex(glob: str, path: str, expected: bool) -> None:
    assert bool(glob_regex(glob).match(path)) is expected


@pytest.mark.parametrize(
    ("path", "globs", "expected"),
    [
        ("ws/files/_log/php-errors.log", DEFAULT_GLOBS, True),
        ("ws/glpi/files/_log/php-errors.log", DEFAULT_GLOBS, True),
        ("other/files/_log/php-errors.log", DEFAULT_GLOBS, False),  # not under a root
        ("second/files/_log/cron.log", DEFAULT_GLOBS, True),  # under the second root
        ("ws/files/_log/php-errors.log", ("ws/**",), False),  # relative globs are root-relative
        ("other/x.log", ("/**/other/*.log",), True),  # an absolute glob matches wherever the file lies
        ("other/x.log", ("{tmp}/ws/**",), False),
        ("ws/deep/x.log", ("{tmp}/**/deep/*.log",), True),  # absolute globs match the absolute path
        ("ws", ("**",), False),  # the root itself is no file under it
    ],
)
def test_matches(tmp_path: Path, path: str, globs: tuple[str, ...], expected: bool) -> None:
    globs = tuple(g.replace("{tmp}", tmp_path.as_posix()) for g in globs)
    roots = [tmp_path / "ws", tmp_path / "second"]
    assert matches(tmp_path / path, roots, globs) is expected


def test_discover_skips_tool_folders_and_honours_limit(tmp_path: Path) -> None:
    wanted = ["files/_log/php-errors.log", "files/_log/sql-errors.log", "glpi/files/_log/event.log"]
    skipped = [
        ".git/files/_log/x.log",
        "node_modules/pkg/files/_log/y.log",
        ".venv/files/_log/z.log",
        "sub/__pycache__/files/_log/w.log",
        "files/_log/notes.txt",
        "files/_log/old/php-errors.log",
    ]
    for name in wanted + skipped:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    (tmp_path / "files/_log/dir.log").mkdir()  # a folder named like a log is no log
    assert discover([tmp_path], DEFAULT_GLOBS) == [tmp_path / name for name in wanted]
    assert discover([tmp_path, tmp_path / "glpi"], DEFAULT_GLOBS) == [tmp_path / name for name in wanted]
    assert len(discover([tmp_path], DEFAULT_GLOBS, limit=2)) == 2
    assert discover([tmp_path], DEFAULT_GLOBS, limit=0) == []
    assert discover([tmp_path / "missing"], DEFAULT_GLOBS) == []
    assert discover([tmp_path], ("**/*.txt",)) == [tmp_path / "files/_log/notes.txt"]


def test_discover_absolute_glob_outside_the_roots(tmp_path: Path) -> None:
    (tmp_path / "ws/src").mkdir(parents=True)
    (tmp_path / "ws/src/a.log").write_text("x\n")
    (tmp_path / "var/log/glpi").mkdir(parents=True)
    (tmp_path / "var/log/glpi/php-errors.log").write_text("x\n")
    (tmp_path / "var/log/glpi/readme").write_text("x\n")
    absolute = f"{tmp_path.as_posix()}/var/log/{{glpi,other}}/*.log"
    assert discover([tmp_path / "ws"], (absolute, "src/*.log")) == [
        tmp_path / "var/log/glpi/php-errors.log",
        tmp_path / "ws/src/a.log",
    ]
    assert discover([tmp_path / "ws"], ("/**/no-such-folder-anywhere/*.log",)) == [], "/ itself is never walked"


# ---------------------------------------------------------------------------------------------------- updates


def test_update_reads_only_what_was_appended(root: Path) -> None:
    log = root / "files/_log/php-errors.log"
    log.write_text(php(0, 1) + php(1, 2))  # the same error twice (only the ticket number differs)
    watch = LogWatch([root])
    assert watch.watches(log) and watch.paths() == []
    assert watch.update(log) is True
    assert watch.paths() == [log]
    assert counts(watch, log) == [(2, 5, "glpiphplog.CRITICAL")]
    assert watch.update(log) is False, "nothing new"
    append(log, ACCESS + php(3, 3))
    assert watch.update(log) is True
    assert counts(watch, log) == [(1, 9, "access"), (3, 10, "glpiphplog.CRITICAL")], "on the latest entry"
    [_, found] = watch.findings(log)
    assert found.first is not None and found.last is not None
    assert (found.first.minute, found.last.minute) == (0, 3)
    assert [(loc.file, loc.line) for loc in found.locations] == [("src/Foo.php", 12), ("front/central.php", 40)]
    assert watch.unparsed(log) == 0


def test_partial_last_line_not_yet_counted(root: Path) -> None:
    log = root / "files/_log/php-errors.log"
    second = php(1, 2)
    log.write_text(php(0, 1) + second[:30])  # the next header is being written
    watch = LogWatch([root])
    assert watch.update(log) is True
    assert counts(watch, log) == [(1, 1, "glpiphplog.CRITICAL")]
    append(log, second[30:])
    assert watch.update(log) is True
    assert counts(watch, log) == [(2, 5, "glpiphplog.CRITICAL")]
    assert watch.unparsed(log) == 0


def test_entry_whose_backtrace_is_being_written_is_held(root: Path) -> None:
    log = root / "files/_log/php-errors.log"
    entry = php()
    cut = entry.index("front/central.php")  # in the middle of the last (indented) frame line
    log.write_text(entry[:cut])
    watch = LogWatch([root])
    watch.update(log)
    assert watch.findings(log) == [], "the entry may get more lines: held"
    append(log, entry[cut:])
    assert watch.update(log) is True
    [found] = watch.findings(log)
    assert [loc.file for loc in found.locations] == ["src/Foo.php", "front/central.php"]
    assert watch.unparsed(log) == 0


def test_truncation_starts_fresh_groups(root: Path) -> None:
    log = root / "files/_log/php-errors.log"
    log.write_text(php(0, 1) + php(1, 2) + php(2, 3))
    watch = LogWatch([root])
    watch.update(log)
    assert counts(watch, log) == [(3, 9, "glpiphplog.CRITICAL")]
    log.write_text(ACCESS)  # truncated in place, smaller
    assert watch.update(log) is True
    assert counts(watch, log) == [(1, 1, "access")]
    log.write_text("")
    assert watch.update(log) is True, "restarted, even with nothing to read"
    assert watch.findings(log) == []


@pytest.mark.parametrize("gap", [False, True], ids=["replaced", "renamed-then-created"])
def test_rotation_starts_fresh_groups(root: Path, gap: bool) -> None:
    log = root / "files/_log/php-errors.log"
    entry = php(0, 1)
    log.write_text(entry + php(1, 2) + entry[: entry.index("front/")])  # the last entry is held
    watch = LogWatch([root])
    watch.update(log)
    assert counts(watch, log) == [(2, 5, "glpiphplog.CRITICAL")]
    os.replace(log, log.with_name("php-errors.log.1"))
    if gap:
        assert watch.update(log) is True, "a missing log is forgotten"
        assert watch.paths() == []
    new = root / "files/_log/new.tmp"
    new.write_text(sql(1) + sql(2) + ACCESS * 3)  # bigger than the old offset: only the inode tells
    os.replace(new, log)
    assert watch.update(log) is True
    assert counts(watch, log) == [(2, 9, "glpisqllog.ERROR"), (3, 19, "access")], "none of the old file"
    assert watch.unparsed(log) == 0


def test_deleted_log_is_forgotten(root: Path) -> None:
    log = root / "files/_log/sql-errors.log"
    log.write_text(sql())
    watch = LogWatch([root])
    watch.update(log)
    assert len(watch.findings(log)) == 1 and watch.source_hits()
    log.unlink()
    assert watch.update(log) is True
    assert watch.paths() == [] and watch.findings(log) == [] and watch.unparsed(log) == 0
    assert watch.source_hits() == {}
    assert watch.update(log) is False, "not tracked any more"
    assert watch.forget(log) is False


def test_forget_and_paths(root: Path) -> None:
    logs = [root / "files/_log/b.log", root / "files/_log/a.log"]
    for log in logs:
        log.write_text(ACCESS)
    watch = LogWatch([root])
    for log in logs:
        watch.update(log)
    assert watch.paths() == sorted(logs)
    assert watch.forget(logs[0]) is True and watch.paths() == [logs[1]]
    assert watch.findings(logs[0]) == []


def test_not_a_file_is_not_tracked(root: Path) -> None:
    folder = root / "files/_log/dir.log"
    folder.mkdir()
    watch = LogWatch([root])
    assert watch.update(folder) is False and watch.paths() == []


def test_max_files_cap_warns_once(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    logs = [root / f"files/_log/{name}.log" for name in ("a", "b", "c", "d")]
    for log in logs:
        log.write_text(ACCESS)
    watch = LogWatch([root], max_files=2)
    with caplog.at_level(logging.WARNING, logger="copiloto.logs.watch"):
        assert [watch.update(log) for log in logs] == [True, True, False, False]
    assert watch.paths() == logs[:2]
    assert len([r for r in caplog.records if "watching 2 logs" in r.getMessage()]) == 1
    watch.forget(logs[0])
    assert watch.update(logs[2]) is True, "room again"


# ---------------------------------------------------------------------------------------------------- sources


def test_source_hits_point_at_workspace_lines(root: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("plugin")  # a second workspace folder: a plugin's sources
    (other / "inc").mkdir()
    (other / "inc/hook.php").write_text("<?php\n")
    php_log = root / "files/_log/php-errors.log"
    sql_log = root / "files/_log/sql-errors.log"
    php_log.write_text(php(0, 1) + php(1, 2))
    sql_log.write_text(
        sql().replace("  src/Foo.php:12", "  /var/www/glpi/plugins/x/inc/hook.php:7")
        + toolbox("[cron] 3: done")  # no frames: no hits
    )
    watch = LogWatch([root, other])
    watch.update(php_log)
    watch.update(sql_log)
    hits = watch.source_hits()
    assert sorted(hits) == [
        other / "inc/hook.php",
        root / "front/central.php",
        root / "src/DBmysql.php",
        root / "src/Foo.php",
    ]
    php_message = (
        "Uncaught Exception Error: Call to undefined function foo() for ticket 2 in /var/www/glpi/src/Foo.php"
        " at line 12 — raised 2 times in php-errors.log, last 10:01"
    )
    assert hits[root / "src/Foo.php"] == [
        SourceHit(root / "src/Foo.php", 12, "error", "glpiphplog.CRITICAL", php_message, php_log, 5, "Foo->bar()")
    ]
    assert [(h.line, h.function, h.log_line) for h in hits[root / "front/central.php"]] == [(40, "include()", 5)]
    sql_message = (
        "DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php line 370: Table 'glpi.glpi_foo' doesn't exist"
        " — raised once in sql-errors.log, last 10:05"
    )
    [db] = hits[root / "src/DBmysql.php"]
    assert (db.line, db.severity, db.code, db.message, db.log, db.log_line) == (
        1080,
        "error",
        "glpisqllog.ERROR",
        sql_message,
        sql_log,
        1,
    )
    [hook] = hits[other / "inc/hook.php"]
    assert (hook.line, hook.log) == (7, sql_log)


def test_source_hits_deduplicate_keeping_the_most_frequent(root: Path) -> None:
    log = root / "files/_log/php-errors.log"
    rare = php(0, 1).replace("function foo()", "function qux()")  # another group, same frames
    log.write_text(rare + php(1, 2) + php(2, 3) + php(3, 4).replace("Foo.php:12 ", "Foo.php:3  "))
    watch = LogWatch([root])
    watch.update(log)
    hits = watch.source_hits()[root / "src/Foo.php"]
    assert [(h.line, "foo()" in h.message, h.message.split(" — ")[1]) for h in hits] == [
        (3, True, "raised once in php-errors.log, last 10:03"),
        (12, True, "raised 2 times in php-errors.log, last 10:02"),
    ], "sorted by line; of two groups on one line, the more frequent"


def test_source_hit_message_without_time(root: Path) -> None:
    log = root / "files/_log/php-errors.log"
    log.write_text("[2025-13-45 99:00:00] glpiphplog.ERROR:   *** Bad date\n  Backtrace :\n  src/Foo.php:1   f()\n")
    watch = LogWatch([root])
    watch.update(log)
    [hit] = watch.source_hits()[root / "src/Foo.php"]
    assert hit.message == "Bad date — raised once in php-errors.log"


# ---------------------------------------------------------------------------------------------------- classify


def test_classify_hook_rates_rule_less_entries_once_per_signature(root: Path) -> None:
    calls: list[str] = []

    def classify(entry: Entry) -> Severity | None:
        calls.append(entry.message)
        return "warning" if "mail" in entry.message else None

    log = root / "files/_log/cron.log"
    log.write_text(toolbox("mail collector 1 idle") + toolbox("cron task done", 2) + toolbox("mail collector 2 idle"))
    watch = LogWatch([root], classify=classify)
    watch.update(log)
    append(log, toolbox("mail collector 3 idle", 3) + toolbox("Connection to LDAP server failed", 4))
    watch.update(log)
    assert calls == ["mail collector 1 idle", "cron task done"], "once per signature, never when a rule decides"
    assert [(f.count, f.severity) for f in watch.findings(log)] == [(1, "information"), (3, "warning"), (1, "warning")]


# ---------------------------------------------------------------------------------------------------- memory


def test_large_log_updates_in_bounded_memory(root: Path) -> None:
    log = root / "files/_log/sql-errors.log"
    columns = ", ".join(f"`glpi_tickets`.`field_{i}` AS `ITEM_Ticket_{i}`" for i in range(40))
    big_sql = SQL.replace("SELECT *", "SELECT " + columns)
    block = "".join(big_sql.format(n=i) for i in range(100)) + php(1, 7) + ACCESS + toolbox("[cron] 3: done")
    data = block.encode()
    reps = 20 * 2**20 // len(data) + 1
    with open(log, "wb") as fh:
        for _ in range(reps):
            fh.write(data)
    watch = LogWatch([root])
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        assert watch.update(log) is True
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = log.stat().st_size
    print(f"\n{size / 2**20:.1f} MiB: {elapsed:.2f} s, tracemalloc peak {peak / 2**20:.2f} MiB")
    assert [f.count for f in watch.findings(log)] == [reps * 100, reps, reps, reps]
    assert peak < 16 * 2**20
