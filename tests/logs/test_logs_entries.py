"""copiloto.logs.entries: each GLPI log format, multi-line entries, frames, malformed lines, caps."""

from __future__ import annotations

from datetime import datetime

import pytest

from copiloto.logs.entries import Entry, Frame, Unparsed, parse_lines, parse_text

# Lines from shared/data/glpi-logs/constructed-examples.log (copied so the tests do not depend on shared/).
PHP_CRITICAL = (
    (
        "[2025-01-02 10:00:00] glpiphplog.CRITICAL:   *** Uncaught Exception Error: Call to undefined function foo()"
        " in /var/www/glpi/src/Foo.php at line 12\n"
    )
    + """\
  Backtrace :
  src/Foo.php:12                                     Foo->bar()
  front/central.php:40                               include()
"""
)
SQL_ERROR = """\
[2025-01-02 10:00:05] glpisqllog.ERROR: DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php line 370
  *** MySQL query error:
  SQL: SELECT * FROM `glpi_tickets` WHERE `id` = 
  Error: You have an error in your SQL syntax near '' at line 1
  Backtrace :
  src/DBmysql.php:1080                               DBmysql->doQuery()
  {"user":"2@glpi-host"}
"""  # noqa: W291 (the query line ends with a space, as in the log)
EVENT = """\
2025-01-02 10:01:00 [2@glpi-host]
[login] 3: glpi log in from IP 127.0.0.1
"""
MAILGATE = """\
2025-01-02 10:02:00 [@glpi-host]
Error during message parsing (header missing). Check php-errors.log
"""
ACCESS = (
    "[2025-01-02 10:03:00] User ID: `7` tried to access or perform an action on `/front/config.form.php`"
    " with insufficient rights.\n"
)
ALL = PHP_CRITICAL + SQL_ERROR + EVENT + MAILGATE + ACCESS


def only_entry(text: str) -> Entry:
    items = parse_text(text)
    assert len(items) == 1, items
    assert isinstance(items[0], Entry)
    return items[0]


@pytest.mark.parametrize(
    ("text", "kind", "channel", "level", "message", "start", "end"),
    [
        (
            PHP_CRITICAL,
            "monolog",
            "glpiphplog",
            "CRITICAL",
            "Uncaught Exception Error: Call to undefined function foo() in /var/www/glpi/src/Foo.php at line 12",
            1,
            4,
        ),
        (
            SQL_ERROR,
            "monolog",
            "glpisqllog",
            "ERROR",
            "DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php line 370",
            1,
            7,
        ),
        (EVENT, "toolbox", "login", None, "[login] 3: glpi log in from IP 127.0.0.1", 1, 2),
        (MAILGATE, "toolbox", None, None, "Error during message parsing (header missing). Check php-errors.log", 1, 2),
        (ACCESS, "access", None, None, ACCESS.split("] ", 1)[1].strip(), 1, 1),
    ],
    ids=["php-critical", "sql-error", "event", "mailgate", "access"],
)
def test_formats(
    text: str, kind: str, channel: str | None, level: str | None, message: str, start: int, end: int
) -> None:
    e = only_entry(text)
    assert (e.kind, e.channel, e.level, e.message) == (kind, channel, level, message)
    assert (e.start_line, e.end_line) == (start, end)
    assert e.time is not None and e.time.year == 2025
    assert e.raw == text.rstrip("\n")
    assert e.dropped_lines == 0


def test_whole_example_file_in_order() -> None:
    items = parse_text(ALL)
    assert all(isinstance(i, Entry) for i in items)
    spans = [(i.start_line, i.end_line) for i in items if isinstance(i, Entry)]
    assert spans == [(1, 4), (5, 11), (12, 13), (14, 15), (16, 16)]
    times = [i.time for i in items if isinstance(i, Entry)]
    assert times[0] == datetime(2025, 1, 2, 10, 0, 0) and times[-1] == datetime(2025, 1, 2, 10, 3, 0)


def test_backtrace_frames() -> None:
    e = only_entry(PHP_CRITICAL)
    assert e.frames == (Frame("src/Foo.php", 12, "Foo->bar()"), Frame("front/central.php", 40, "include()"))
    assert e.top_frame == Frame("src/Foo.php", 12, "Foo->bar()")


def test_sql_fields() -> None:
    e = only_entry(SQL_ERROR)
    assert e.is_sql_error
    assert e.get("sql") == "SELECT * FROM `glpi_tickets` WHERE `id` ="
    assert e.get("error") == "You have an error in your SQL syntax near '' at line 1"
    assert e.get("context") == '{"user":"2@glpi-host"}'
    assert e.frames == (Frame("src/DBmysql.php", 1080, "DBmysql->doQuery()"),)


def test_multiline_sql_query_unindented() -> None:
    text = (
        "[2025-01-02 10:00:05] glpisqllog.ERROR: DBmysql::doQuery() in /x/src/DBmysql.php line 370\n"
        "  *** MySQL query error:\n"
        "  SQL: SELECT *\n"
        "FROM `glpi_tickets`\n"
        "WHERE 1\n"
        "  Error: Unknown column 'x' in 'where clause'\n"
    )
    e = only_entry(text)
    assert e.get("sql") == "SELECT *\nFROM `glpi_tickets`\nWHERE 1"
    assert e.get("error") == "Unknown column 'x' in 'where clause'"
    assert e.end_line == 6


def test_toolbox_fields_and_multiline_text() -> None:
    e = only_entry("2025-01-02 10:02:00 [@glpi-host]\nline one\n\nline two\n\n")
    assert e.get("user") == "" and e.get("host") == "glpi-host"
    assert e.message == "line one\n\nline two"
    assert e.end_line == 4  # trailing blank lines are not part of the entry


def test_event_with_item() -> None:
    e = only_entry("2025-01-02 10:01:00 [2@h]\n[tracking] [Ticket 12] 4: 2 updates the item\n")
    assert e.channel == "tracking" and e.get("item") == "Ticket 12"


def test_access_fields() -> None:
    e = only_entry(ACCESS)
    assert e.get("user") == "7" and e.get("url") == "/front/config.form.php"


def test_pre94_toolbox_sql_error() -> None:
    text = (
        "2018-03-01 09:00:00 [2@glpi]\n"
        "DBmysql::query() in /var/www/glpi/inc/dbmysql.class.php line 176\n"
        "  *** MySQL query error:\n"
        "  SQL: SELECT 1 FROM `glpi_x`\n"
        "  Error: Table 'glpi.glpi_x' doesn't exist\n"
        "  Backtrace :\n"
        "  inc/dbmysql.class.php:176                         DBmysql->query()\n"
    )
    e = only_entry(text)
    assert e.kind == "toolbox" and e.is_sql_error
    assert e.message == "DBmysql::query() in /var/www/glpi/inc/dbmysql.class.php line 176"
    assert e.top_frame == Frame("inc/dbmysql.class.php", 176, "DBmysql->query()")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  src/Foo.php:12                                     Foo->bar()", Frame("src/Foo.php", 12, "Foo->bar()")),
        ("  :                                                  {closure}()", Frame("", None, "{closure}()")),
        (
            "  ...plugins/very/long/path/inc/x.class.php:99 X->y()",
            Frame("...plugins/very/long/path/inc/x.class.php", 99, "X->y()"),
        ),
        ("  front/central.php:40", Frame("front/central.php", 40, None)),
        (
            "  C:\\glpi\\src\\Foo.php:7                              Foo->bar()",
            Frame("C:\\glpi\\src\\Foo.php", 7, "Foo->bar()"),
        ),
    ],
)
def test_glpi_frame_styles(line: str, expected: Frame) -> None:
    e = only_entry("[2025-01-02 10:00:00] glpiphplog.WARNING:   *** PHP Warning (2): x\n  Backtrace :\n" + line + "\n")
    assert e.frames == (expected,)


def test_monolog_generic_handler_suffix_and_plain_levels() -> None:
    e = only_entry("[2025-01-02 10:00:00] app.DEBUG: hello [] []\n")
    assert (e.channel, e.level, e.message) == ("app", "DEBUG", "hello")


@pytest.mark.parametrize(
    "text",
    [
        "[2025-01-02 10:0",  # partial header (file being written)
        "garbage before any header",
        "  indented orphan line",
        "2025-01-02 10:01:00 [2@glpi-host",  # partial toolbox header
        "\x00\x01\ufffd binary junk",
    ],
)
def test_malformed_lines_are_unparsed(text: str) -> None:
    assert parse_text(text + "\n") == [Unparsed(1, text)]


def test_unindented_line_after_monolog_entry_is_unparsed_and_order_kept() -> None:
    items = parse_text(PHP_CRITICAL + "PHP Warning: some other tool\n  orphan\n" + ACCESS)
    assert [type(i).__name__ for i in items] == ["Entry", "Unparsed", "Unparsed", "Entry"]
    assert items[1] == Unparsed(5, "PHP Warning: some other tool")
    assert isinstance(items[3], Entry) and items[3].start_line == 7


def test_access_takes_no_continuation() -> None:
    items = parse_text(ACCESS + "  stray\n")
    assert isinstance(items[0], Entry) and items[1] == Unparsed(2, "  stray")


def test_bad_date_values_still_parse() -> None:
    e = only_entry("[2025-13-45 10:00:00] glpiphplog.ERROR: x\n")
    assert e.time is None and e.level == "ERROR"


def test_other_bracketed_lines_and_native_php_log() -> None:
    text = (
        "[02-Jan-2025 10:00:00 UTC] PHP Fatal error:  Uncaught Error: boom in /var/www/glpi/x.php:3\n"
        "Stack trace:\n"
        "#0 /var/www/glpi/index.php(10): foo()\n"
        "#1 {main}\n"
        "  thrown in /var/www/glpi/x.php on line 3\n"
        "[02-Jan-2025 10:00:01 UTC] PHP Warning:  Undefined variable $a in /var/www/glpi/y.php on line 4\n"
        "[02-Jan-2025 10:00:01 UTC] PHP Stack trace:\n"
        "[02-Jan-2025 10:00:01 UTC] PHP   1. {main}() /var/www/glpi/y.php:0\n"
        "[2025-01-02 10:00:02] something else entirely\n"
    )
    items = parse_text(text)
    assert all(isinstance(i, Entry) for i in items)
    fatal, warning, other = items
    assert isinstance(fatal, Entry) and isinstance(warning, Entry) and isinstance(other, Entry)
    assert (fatal.kind, fatal.level, fatal.time) == ("php", "CRITICAL", datetime(2025, 1, 2, 10, 0, 0))
    assert fatal.frames == (Frame("/var/www/glpi/index.php", 10, "foo()"), Frame("", None, "{main}"))
    assert (warning.level, warning.start_line, warning.end_line) == ("WARNING", 6, 8)
    assert warning.frames == (Frame("/var/www/glpi/y.php", 0, "{main}()"),)
    assert (other.kind, other.message, other.level) == ("other", "something else entirely", None)


def test_entry_line_cap() -> None:
    header = "[2025-01-02 10:00:00] glpiphplog.ERROR: x\n  Backtrace :\n"
    frames = "".join(f"  src/F{i}.php:{i}                                  f{i}()\n" for i in range(10_000))
    items = list(parse_lines((header + frames + ACCESS).splitlines(), max_lines=50))
    e = items[0]
    assert isinstance(e, Entry)
    assert len(e.raw.splitlines()) == 50 and len(e.frames) == 48
    assert e.dropped_lines == 10_002 - 50
    assert e.end_line == 10_002
    assert isinstance(items[1], Entry) and items[1].start_line == 10_003


def test_long_line_cut() -> None:
    e = only_entry("[2025-01-02 10:00:00] glpiphplog.ERROR: " + "x" * 100_000 + "\n")
    assert len(e.raw) == 8192


def test_first_line_offset_and_crlf() -> None:
    items = list(parse_lines(["2025-01-02 10:01:00 [2@h]\r\n", "text\r\n"], first_line=41))
    assert items == [
        Entry(
            time=datetime(2025, 1, 2, 10, 1),
            channel=None,
            level=None,
            message="text",
            frames=(),
            kind="toolbox",
            start_line=41,
            end_line=42,
            raw="2025-01-02 10:01:00 [2@h]\ntext",
            fields=(("user", "2"), ("host", "h")),
        )
    ]
