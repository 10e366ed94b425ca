"""Findings from a GLPI log: one per group of like entries, on its latest occurrence, with the source lines
its backtrace points at in the workspace. The server publishes them and `copiloto logs` prints them, both
read through `logs.watch.LogWatch`.

A frame's path is as GLPI wrote it: relative to GLPI's root (`src/Foo.php:12`) or absolute on the server
(`/var/www/glpi/src/Foo.php`). It resolves to the longest tail of that path that exists in the workspace.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

from pydantic import BaseModel

from copiloto.logs.entries import Entry, Frame
from copiloto.logs.group import Group

SOURCE = "copiloto/logs"


class Location(BaseModel):
    file: str  # relative to the workspace root
    line: int  # 1-based
    function: str | None = None


class LogFinding(BaseModel):
    log: str  # the log file, as given
    line: int  # 1-based line of the group's latest entry in the log
    severity: str  # error, warning, information, hint
    source: str = SOURCE
    code: str  # the channel and level ("glpisqllog.ERROR"), or the entry's format
    message: str
    count: int
    first: datetime | None
    last: datetime | None
    locations: list[Location]


class LogReport(BaseModel):
    findings: list[LogFinding]
    unparsed: int  # lines that belong to no entry (malformed or partial): counted, never fatal


def finding(log: Path, found: Group, root: Path | None) -> LogFinding:
    entry = found.latest
    return LogFinding(
        log=str(log),
        line=entry.start_line,
        severity=found.level,
        code=code(entry),
        message=_headline(entry, found),
        count=found.count,
        first=found.first,
        last=found.last,
        locations=list(_locations(entry.frames, root)) if root is not None else [],
    )


def resolve(frame_file: str, root: Path) -> Path | None:
    """The workspace file a frame names: the longest tail of its path that exists under `root`. A log is input
    anyone can write to: a tail with `..`, or one whose real path (symbolic links followed) leaves `root`, is never
    a workspace file — its lines would be shown, and sent to Claude by "Explain with Claude"."""
    if not frame_file:
        return None
    pure = PureWindowsPath(frame_file) if "\\" in frame_file else PurePosixPath(frame_file)
    parts = [part for part in pure.parts if part not in ("/", "\\") and not part.endswith(":\\")]
    inside = root.resolve()
    for start in range(len(parts)):
        if ".." in parts[start:]:
            continue
        candidate = root.joinpath(*parts[start:])
        if candidate.is_file() and candidate.resolve().is_relative_to(inside):
            return candidate
    return None


def as_text(report: LogReport) -> Iterator[str]:
    """Lines like a compiler's: `php-errors.log:12: error: message (×3, 10:00 → 10:03)`, frames below."""
    for found in report.findings:
        yield f"{found.log}:{found.line}: {found.severity}: [{found.code}] {found.message}"
        for location in found.locations:
            yield f"    at {location.file}:{location.line}" + (f" {location.function}" if location.function else "")
    if report.unparsed:
        one = report.unparsed == 1
        said = "line belongs to no log entry and was" if one else "lines belong to no log entry and were"
        yield f"({report.unparsed} {said} skipped)"


def log_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and the `*.log` files in the folders named."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.log")) if path.is_dir() else [path]
    return files


def code(entry: Entry) -> str:
    """The finding's code: channel and level (``glpisqllog.ERROR``), else the entry's format."""
    return f"{entry.channel}.{entry.level}" if entry.channel and entry.level else entry.kind


def headline(entry: Entry) -> str:
    """The entry's first message line, with the SQL error when there is one."""
    text = entry.message.strip()
    message = text.splitlines()[0] if text else "(no message)"
    error = entry.get("error")
    return f"{message}: {error}" if error else message


def _headline(entry: Entry, found: Group) -> str:
    message = headline(entry)
    when = ""
    if found.first is not None and found.last is not None:
        when = f", {found.first:%Y-%m-%d %H:%M}" + (f" → {found.last:%H:%M}" if found.last != found.first else "")
    return f"{message} (×{found.count}{when})"


def _locations(frames: Sequence[Frame], root: Path) -> Iterator[Location]:
    seen: set[tuple[str, int]] = set()
    for frame in frames:
        found = resolve(frame.file, root) if frame.line is not None else None
        if found is None or frame.line is None:
            continue
        key = (found.relative_to(root).as_posix(), frame.line)
        if key not in seen:
            seen.add(key)
            yield Location(file=key[0], line=key[1], function=frame.function)
