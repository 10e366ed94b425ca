"""GLPI log entries: a streaming, never-failing parser for GLPI's log formats.

GLPI writes ``files/_log/*.log`` with three writer families (see the GLPI log
notes in the project's data folder):

* ``monolog`` (GLPI 10/11, ``php-errors.log``, ``sql-errors.log``): a header
  ``[Y-m-d H:i:s] channel.LEVEL: message`` and indented continuation lines: a
  ``Backtrace :`` line and frames ``path:line<padding> Class->method()``; SQL
  errors add ``*** MySQL query error:``, ``SQL: ...`` (the query may span
  unindented lines), ``Error: ...`` and a JSON context line ``{"user": ...}``.
* ``toolbox`` (``Toolbox::logInFile``: ``event.log``, ``cron.log``,
  ``mail.log``, ``mailgate.log``, ``ldap.log``, and ``sql-errors.log`` before
  GLPI 9.4): a header ``Y-m-d H:i:s [uid@host]`` (uid may be empty), then free
  text lines up to the next header.  ``Glpi\\Event::log`` text
  ``[service] [type id] level: message`` sets ``channel`` to the service.
* ``access`` (GLPI 11 ``access-errors.log``): one line
  ``[ts] User ID: `N` tried to access or perform an action on `URL` with
  insufficient rights.`` (fields ``user`` and ``url``).

Mixed-in lines from other PHP tools are survived too: PHP's own ``error_log``
lines ``[02-Jan-2025 10:00:00 UTC] PHP Warning:  ...`` (kind ``php``, with its
``PHP Stack trace:`` / ``#0 file(line): call`` frames) and any other
``[Y-m-d H:i:s] text`` line (kind ``other``).

``parse_lines`` never raises on its input: a line that belongs to no entry (a
partial header, stray text before the first header, an unindented line after a
Monolog entry) becomes an :class:`Unparsed` item.  Blank lines between entries
are skipped.  An entry is yielded once the next header (or the end of input)
arrives.  Memory is bounded: a line is cut to ``max_line_chars`` characters and
an entry keeps at most ``max_lines`` lines (raw text and frames come from those;
``dropped_lines`` counts the rest).

One module, over 400 lines: one streaming parser whose writer families share the header and continuation rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

KIND_MONOLOG = "monolog"
KIND_TOOLBOX = "toolbox"
KIND_ACCESS = "access"
KIND_PHP = "php"
KIND_OTHER = "other"

MONOLOG_LEVELS = ("DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY")

MAX_ENTRY_LINES = 200
MAX_LINE_CHARS = 8192


@dataclass(frozen=True, slots=True)
class Frame:
    """One backtrace frame; ``file`` is ``""`` for internal frames (``{main}``, closures)."""

    file: str
    line: int | None
    function: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One log entry; ``start_line``/``end_line`` are 1-based lines of the log (blank trailing lines excluded)."""

    time: datetime | None
    channel: str | None
    level: str | None
    message: str
    frames: tuple[Frame, ...]
    kind: str
    start_line: int
    end_line: int
    raw: str
    dropped_lines: int = 0
    fields: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        """A parsed field: ``sql``, ``error``, ``context`` (SQL errors), ``user``, ``host``, ``url``, ``item``."""
        for k, v in self.fields:
            if k == key:
                return v
        return None

    @property
    def is_sql_error(self) -> bool:
        return self.get("sql") is not None or self.get("error") is not None or self.channel == "glpisqllog"

    @property
    def top_frame(self) -> Frame | None:
        """The first frame that names a file."""
        for frame in self.frames:
            if frame.file:
                return frame
        return None


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A line that belongs to no entry (1-based line number, text without the line break)."""

    line: int
    text: str


Item = Entry | Unparsed

_TS = r"(?P<ts>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
_MONOLOG_RE = re.compile(
    r"\[" + _TS + r"\] (?P<channel>[^\s\[\]]+?)\.(?P<level>" + "|".join(MONOLOG_LEVELS) + r"):(?P<msg>.*)\Z",
    re.S,
)
_ACCESS_RE = re.compile(
    r"\[" + _TS + r"\]\s+User ID: `(?P<user>[^`]*)` tried to access or perform an action on `(?P<url>.*)`"
    r" with insufficient rights\.?\s*\Z",
    re.S,
)
_BRACKET_TS_RE = re.compile(r"\[" + _TS + r"\]\s?(?P<msg>.*)\Z", re.S)
_PHP_RE = re.compile(
    r"\[(?P<day>\d{2})-(?P<mon>[A-Z][a-z]{2})-(?P<year>\d{4}) (?P<hms>\d{2}:\d{2}:\d{2})(?: [^\]]*)?\]\s(?P<msg>.*)\Z",
    re.S,
)
_TOOLBOX_RE = re.compile(
    r"(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \[(?P<user>[^@\[\]]*)@(?P<host>[^\]]*)\]\s*(?P<rest>.*)\Z", re.S
)
_EVENT_RE = re.compile(r"\[(?P<service>[^\]]+)\] (?:\[(?P<item>[^\]]+)\] )?(?P<level>\d+): ", re.S)

_GLPI_FRAME_RE = re.compile(r"\s*(?P<file>\S*?):(?P<line>\d*)(?:\s+(?P<call>\S.*?))?\s*\Z", re.S)
_HASH_FRAME_RE = re.compile(
    r"\s*#\d+\s+(?:(?P<file>[^(]+?)\((?P<line>\d+)\)|(?P<internal>\[internal function\]))(?::\s*(?P<call>.*?))?\s*\Z"
)
_HASH_MAIN_RE = re.compile(r"\s*#\d+\s+(?P<call>\{main\})\s*\Z")
_PHP_FRAME_RE = re.compile(r"PHP\s+\d+\.\s+(?P<call>.+?)\s+(?P<file>\S+):(?P<line>\d+)\s*\Z")
_PHP_CONT_RE = re.compile(r"PHP (?:Stack trace:|\s+\d+\. )")

_MONTHS = {
    m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)
}

# PHP's own error_log prefixes, mapped to Monolog level names.
_PHP_LEVELS = (
    ("PHP Fatal error", "CRITICAL"),
    ("PHP Parse error", "CRITICAL"),
    ("PHP Recoverable fatal error", "ERROR"),
    ("PHP Catchable fatal error", "ERROR"),
    ("PHP Warning", "WARNING"),
    ("PHP Notice", "NOTICE"),
    ("PHP Deprecated", "NOTICE"),
    ("PHP Strict Standards", "NOTICE"),
)


def _iso_time(ts: str) -> datetime | None:
    try:
        return datetime(int(ts[0:4]), int(ts[5:7]), int(ts[8:10]), int(ts[11:13]), int(ts[14:16]), int(ts[17:19]))
    except ValueError:
        return None


def _php_time(m: re.Match[str]) -> datetime | None:
    hms = m["hms"]
    try:
        return datetime(int(m["year"]), _MONTHS[m["mon"]], int(m["day"]), int(hms[0:2]), int(hms[3:5]), int(hms[6:8]))
    except (KeyError, ValueError):
        return None


def _frame(file: str | None, line: str | None, call: str | None) -> Frame:
    return Frame(file or "", int(line) if line else None, call or None)


def parse_frame(text: str) -> Frame | None:
    """A frame line: GLPI ``path:line  call``, PHP ``#0 file(line): call`` or ``PHP  1. call file:line``."""
    if m := _HASH_FRAME_RE.match(text):
        return _frame(m["file"], m["line"], m["call"])
    if m := _HASH_MAIN_RE.match(text):
        return Frame("", None, m["call"])
    if m := _PHP_FRAME_RE.match(text):
        return _frame(m["file"], m["line"], m["call"])
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[", "*", "#") or not stripped:
        return None
    if m := _GLPI_FRAME_RE.match(text):
        return _frame(m["file"], m["line"], m["call"])
    return None


class _Builder:
    """The entry being read: header data plus the continuation lines seen so far."""

    __slots__ = (
        "backtrace",
        "blank",
        "channel",
        "dropped",
        "end",
        "error",
        "fields",
        "frames",
        "in_sql",
        "kind",
        "level",
        "lines",
        "message",
        "sql",
        "start",
        "text",
        "time",
    )

    def __init__(
        self,
        kind: str,
        time: datetime | None,
        channel: str | None,
        level: str | None,
        message: str,
        line: str,
        lineno: int,
    ) -> None:
        self.kind = kind
        self.time = time
        self.channel = channel
        self.level = level
        self.message = message
        self.lines = [line]
        self.start = lineno
        self.end = lineno
        self.dropped = 0
        self.blank = 0
        self.frames: list[Frame] = []
        self.backtrace = False
        self.in_sql = False
        self.sql: list[str] | None = None
        self.error: str | None = None
        self.text: list[str] = []
        self.fields: list[tuple[str, str]] = []

    def accepts(self, line: str) -> bool:
        """Whether a non-header line continues this entry."""
        kind = self.kind
        if kind == KIND_TOOLBOX:
            return True
        if kind == KIND_ACCESS:
            return False
        if self.in_sql or line[:1] in (" ", "\t"):
            return True
        s = line.rstrip()
        return s.startswith(("Stack trace:", "#", "[stacktrace]", "[previous exception]", "Next ", "thrown in"))

    def add(self, line: str, lineno: int, max_lines: int, raw: str | None = None) -> None:
        if not line.strip():
            self.blank += 1  # blank lines count only when followed by text
            return
        for _ in range(self.blank):
            if len(self.lines) >= max_lines:
                self.dropped += 1
            else:
                self.lines.append("")
                if self.kind == KIND_TOOLBOX and not self.backtrace and self.sql is None:
                    self.text.append("")
        self.blank = 0
        self.end = lineno
        if len(self.lines) >= max_lines:
            self.dropped += 1
            return
        self.lines.append(line if raw is None else raw)
        s = line.strip()
        if s == "Backtrace :" or s == "Backtrace:" or s in ("Stack trace:", "PHP Stack trace:", "[stacktrace]"):
            self.backtrace = True
            self.in_sql = False
            return
        if s.startswith("*** MySQL query error"):
            self.sql = self.sql or []
            return
        if s.startswith("SQL: "):
            self.sql = [s[5:]]
            self.in_sql = True
            return
        if s.startswith("Error: ") and (self.sql is not None or self.kind == KIND_MONOLOG):
            self.error = s[7:]
            self.in_sql = False
            return
        if self.in_sql and self.sql is not None:
            self.sql.append(s)
            return
        if s.startswith("{") and s.endswith("}"):
            self.fields.append(("context", s))
            self.backtrace = False
            return
        if self.backtrace or s.startswith("#") or s.startswith("PHP "):
            frame = parse_frame(line)
            if frame is not None:
                self.frames.append(frame)
                return
        if self.kind == KIND_TOOLBOX and not self.backtrace and self.sql is None:
            self.text.append(line.rstrip())

    def build(self) -> Entry:
        message = self.message
        channel = self.channel
        fields = self.fields
        if self.kind == KIND_TOOLBOX:
            text = "\n".join(self.text).strip()
            message = f"{message}\n{text}".strip() if message else text
            if m := _EVENT_RE.match(message):
                channel = m["service"]
                if m["item"]:
                    fields = [*fields, ("item", m["item"])]
        if self.sql is not None:
            fields = [*fields, ("sql", "\n".join(self.sql).strip())]
        if self.error is not None:
            fields = [*fields, ("error", self.error)]
        return Entry(
            time=self.time,
            channel=channel,
            level=self.level,
            message=message,
            frames=tuple(self.frames),
            kind=self.kind,
            start_line=self.start,
            end_line=self.end,
            raw="\n".join(self.lines),
            dropped_lines=self.dropped,
            fields=tuple(fields),
        )


def _clean_message(msg: str) -> str:
    msg = msg.strip()
    if msg.startswith("***"):
        msg = msg[3:].lstrip()
    if msg.endswith(" [] []"):
        msg = msg[:-6].rstrip()
    return msg


class LogParser:
    """Incremental parser: ``feed`` lines one at a time, ``flush`` at the end of input.

    Both return the items completed by that call, in log order.
    """

    def __init__(self, max_lines: int = MAX_ENTRY_LINES, max_line_chars: int = MAX_LINE_CHARS) -> None:
        self.max_lines = max(1, max_lines)
        self.max_line_chars = max(16, max_line_chars)
        self._open: _Builder | None = None

    @property
    def pending(self) -> bool:
        """Whether an entry is open (waiting for the next header or the end of input)."""
        return self._open is not None

    def flush(self) -> list[Item]:
        if self._open is None:
            return []
        entry = self._open.build()
        self._open = None
        return [entry]

    def feed(self, line: str, lineno: int) -> list[Item]:
        line = line.rstrip("\r\n")
        if len(line) > self.max_line_chars:
            line = line[: self.max_line_chars]
        header = self._header(line, lineno)
        cur = self._open
        if header is not None:
            if (
                cur is not None
                and header.kind == KIND_PHP
                and cur.kind == KIND_PHP
                and _PHP_CONT_RE.match(header.message)
            ):
                cur.add(header.message, lineno, self.max_lines, raw=line)  # PHP prefixes each stack trace line
                return []
            self._open = header
            return [cur.build()] if cur is not None else []
        if cur is not None and (not line.strip() or cur.accepts(line)):
            cur.add(line, lineno, self.max_lines)
            return []
        if not line.strip():
            return []
        done = self.flush()
        done.append(Unparsed(lineno, line))
        return done

    def _header(self, line: str, lineno: int) -> _Builder | None:
        first = line[:1]
        if first == "[":
            if m := _MONOLOG_RE.match(line):
                return _Builder(
                    KIND_MONOLOG, _iso_time(m["ts"]), m["channel"], m["level"], _clean_message(m["msg"]), line, lineno
                )
            if m := _ACCESS_RE.match(line):
                msg = line[m.end("ts") + 1 :].strip()
                b = _Builder(KIND_ACCESS, _iso_time(m["ts"]), None, None, msg, line, lineno)
                b.fields = [("user", m["user"]), ("url", m["url"])]
                return b
            if m := _PHP_RE.match(line):
                msg = m["msg"].strip()
                level = next((lvl for prefix, lvl in _PHP_LEVELS if msg.startswith(prefix)), None)
                return _Builder(KIND_PHP, _php_time(m), "php", level, msg, line, lineno)
            if m := _BRACKET_TS_RE.match(line):
                return _Builder(KIND_OTHER, _iso_time(m["ts"]), None, None, m["msg"].strip(), line, lineno)
        elif "0" <= first <= "9" and (m := _TOOLBOX_RE.match(line)):
            b = _Builder(KIND_TOOLBOX, _iso_time(m["ts"]), None, None, m["rest"].strip(), line, lineno)
            b.fields = [("user", m["user"]), ("host", m["host"])]
            return b
        return None


def parse_lines(
    lines: Iterable[str],
    first_line: int = 1,
    *,
    max_lines: int = MAX_ENTRY_LINES,
    max_line_chars: int = MAX_LINE_CHARS,
) -> Iterator[Item]:
    """Parse log lines (with or without their line breaks) into entries and unparsed lines, in log order."""
    parser = LogParser(max_lines, max_line_chars)
    lineno = first_line
    for line in lines:
        yield from parser.feed(line, lineno)
        lineno += 1
    yield from parser.flush()


def parse_text(text: str, first_line: int = 1) -> list[Item]:
    """Parse a whole log text (convenience for tests and small files)."""
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return list(parse_lines(lines, first_line))
