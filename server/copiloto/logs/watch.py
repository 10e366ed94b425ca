"""Watch GLPI logs live: which files are logs, what they say now, and which workspace lines they point at.

The language server owns one :class:`LogWatch`.  When the client reports a created or changed file that
``watches`` (a root-relative path matching one of the globs, by default ``**/files/_log/*.log``), the server
calls ``update``: only what was appended since the last call is read (:class:`~copiloto.logs.tail.LogTail`,
in bounded memory) and grouped (:class:`~copiloto.logs.group.GroupIndex`).  ``findings`` are the diagnostics
of the log itself (one per group, on its latest entry); ``source_hits`` are those of the workspace sources the
latest entries' backtraces point at.  A log truncated or rotated starts over with fresh groups; a deleted log
is forgotten.

Globs follow VS Code's / LSP's ``GlobPattern``: ``**`` matches any number of path segments (zero included),
``*`` and ``?`` never cross ``/``, ``{a,b}`` gives alternatives and ``[...]`` a character class (``[!...]``
or ``[^...]`` negated).  A glob is matched against the path relative to a root, an absolute glob (``/...``)
against the absolute path, wherever it lies (GLPI's logs are often outside the sources).

One module, over 400 lines: the watch and the GlobPattern matcher it alone uses.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from copiloto.logs.entries import Entry
from copiloto.logs.group import Group, GroupIndex, Severity
from copiloto.logs.report import LogFinding, LogReport, code, finding, headline, resolve
from copiloto.logs.tail import LogTail

log = logging.getLogger(__name__)

DEFAULT_GLOBS: tuple[str, ...] = ("**/files/_log/*.log",)

SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".ruff_cache"})

MAX_BRACE_EXPANSIONS = 256


def _class_end(glob: str, i: int) -> int:
    """Index of the ``]`` closing the character class opened at ``glob[i] == "["``, or -1."""
    j = i + 1
    if j < len(glob) and glob[j] in "!^":
        j += 1
    if j < len(glob) and glob[j] == "]":  # a leading ] is literal
        j += 1
    while j < len(glob) and glob[j] != "]":
        if glob[j] == "/":
            return -1
        j += 1
    return j if j < len(glob) else -1


def _expand_braces(glob: str) -> list[str]:
    """``a{b,c{d,e}}f`` -> ``abf``, ``acdf``, ``acef`` (an unclosed ``{`` is literal)."""
    i = 0
    while i < len(glob):
        c = glob[i]
        if c == "[":
            end = _class_end(glob, i)
            i = end + 1 if end >= 0 else i + 1
            continue
        if c == "{":
            depth = 0
            alternatives: list[str] = []
            start = i + 1
            j = i
            while j < len(glob):
                d = glob[j]
                if d == "[":
                    end = _class_end(glob, j)
                    j = end + 1 if end >= 0 else j + 1
                    continue
                if d == "{":
                    depth += 1
                elif d == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif d == "," and depth == 1:
                    alternatives.append(glob[start:j])
                    start = j + 1
                j += 1
            if j >= len(glob):
                i += 1  # unclosed: a literal "{"
                continue
            alternatives.append(glob[start:j])
            head, tail = glob[:i], glob[j + 1 :]
            expanded: list[str] = []
            for alternative in alternatives:
                for rest in _expand_braces(alternative + tail):
                    expanded.append(head + rest)
                    if len(expanded) >= MAX_BRACE_EXPANSIONS:
                        return expanded
            return expanded
        i += 1
    return [glob]


def _translate(glob: str) -> str:
    """One brace-free glob as a regular expression (unanchored)."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if c == "*":
            j = i
            while j < n and glob[j] == "*":
                j += 1
            whole_segment = (i == 0 or glob[i - 1] == "/") and (j == n or glob[j] == "/")
            if j - i >= 2 and whole_segment:
                if j == n:
                    if i == 0:
                        out.append(".*")  # "**": anything
                    elif out[-1] == "/":
                        out[-1] = "(?:/.*)?"  # "a/**": a itself, or anything below it
                    else:
                        out.append(".*")  # "**/**"
                    i = j
                    continue
                out.append("(?:[^/]*/)*")  # "**/": zero or more whole segments
                i = j + 1
                continue
            out.append("[^/]*")
            i = j
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = _class_end(glob, i)
            if end < 0:
                out.append(re.escape(c))
                i += 1
                continue
            body = glob[i + 1 : end]
            negated = body[:1] in ("!", "^")
            if negated:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("^", "\\^")
            out.append(f"[^/{body}]" if negated else f"[{body}]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def glob_regex(glob: str) -> re.Pattern[str]:
    """The regular expression of a glob (see the module docstring), anchored at both ends."""
    alternatives = dict.fromkeys(_translate(g) for g in _expand_braces(glob))
    return re.compile(r"\A(?:" + "|".join(alternatives) + r")\Z", re.S)


def _abspath(path: Path | str) -> Path:
    return Path(os.path.abspath(path))


def _match(full: str, relative: Sequence[str], globs: Sequence[str]) -> bool:
    """Whether a glob matches: an absolute one the absolute path ``full``, a relative one a ``relative`` path."""
    for glob in globs:
        if glob.startswith("/"):
            if glob_regex(glob).match(full):
                return True
        elif any(glob_regex(glob).match(rel) for rel in relative):
            return True
    return False


def matches(path: Path, roots: Sequence[Path], globs: Sequence[str]) -> bool:
    """Whether ``path`` lies under one of ``roots`` and its root-relative path matches one of ``globs``.

    An absolute glob (``/...``) is matched against the absolute path instead, wherever it lies (GLPI's
    ``files/_log`` is often outside the sources: ``/var/log/glpi/*.log``).
    """
    full = _abspath(path)
    relative: list[str] = []
    for root in roots:
        try:
            rel = full.relative_to(_abspath(root))
        except ValueError:
            continue
        if rel.parts:
            relative.append(rel.as_posix())
    return _match(full.as_posix(), relative, globs)


def _glob_base(glob: str) -> Path:
    """The folder an absolute glob's matches lie under: its leading segments without glob characters."""
    parts: list[str] = []
    for part in glob.split("/")[:-1]:
        if any(c in part for c in "*?[{"):
            break
        parts.append(part)
    return Path("/" + "/".join(p for p in parts if p))


def discover(roots: Sequence[Path], globs: Sequence[str], limit: int = 200) -> list[Path]:
    """Existing files under ``roots`` that match ``globs`` (at most ``limit``), sorted.

    Walks the roots (and, for an absolute glob, the folder it names, when outside the roots) without
    following links and skips ``SKIP_DIRS``; unreadable folders are passed over.
    """
    if limit <= 0:
        return []
    tops = [_abspath(root) for root in roots]
    for glob in globs:
        if glob.startswith("/"):
            base = _glob_base(glob)
            if len(base.parts) > 1 and not any(base.is_relative_to(top) for top in tops):  # never all of /
                tops.append(base)
    found: set[Path] = set()
    for top in tops:
        relative_globs = top in tops[: len(roots)]
        for folder, dirs, files in os.walk(top, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            base = Path(folder)
            prefix = base.relative_to(top).as_posix()
            prefix = "" if prefix == "." else prefix + "/"
            for name in sorted(files):
                path = base / name
                rel = [prefix + name] if relative_globs else []
                if path in found or not _match(path.as_posix(), rel, globs) or not os.path.isfile(path):
                    continue
                found.add(path)
                if len(found) >= limit:
                    return sorted(found)
    return sorted(found)


@dataclass(frozen=True)
class SourceHit:
    """A workspace source line that a log's backtrace points at."""

    file: Path  # workspace source file a backtrace frame resolved to
    line: int  # 1-based
    severity: Severity  # the group's level
    code: str  # same as the LogFinding's code
    message: str  # "<headline> — raised N times in php-errors.log, last 10:03"
    log: Path  # the log file
    log_line: int  # 1-based line of the group's latest entry in the log
    function: str | None


def read_logs(paths: Sequence[Path], root: Path) -> LogWatch:
    """The command line's one pass: a watch over `root` that has read each log at `paths` to its end, so that
    `copiloto logs` reports exactly what the server would publish for the same files."""
    watch = LogWatch([root], max_files=len(paths))
    for path in paths:
        watch.update(path, to_the_end=True)
    return watch


def hit_message(found: Group, log_file: Path) -> str:
    """``<headline> — raised N times in <log name>, last HH:MM``."""
    times = "once" if found.count == 1 else f"{found.count} times"
    when = f", last {found.last:%H:%M}" if found.last is not None else ""
    return f"{headline(found.latest)} — raised {times} in {log_file.name}{when}"


class _Watched:
    """One tracked log: its tail and the groups of what was read since the file (re)started."""

    __slots__ = ("index", "restarts", "root", "tail")

    def __init__(self, tail: LogTail, index: GroupIndex, root: Path) -> None:
        self.tail = tail
        self.index = index
        self.root = root
        self.restarts = tail.restarts


class LogWatch:
    """Owns one LogTail + GroupIndex per watched log file."""

    def __init__(
        self,
        roots: Sequence[Path],
        globs: Sequence[str] = DEFAULT_GLOBS,
        *,
        classify: Callable[[Entry], Severity | None] | None = None,
        max_groups: int = 2000,
        max_files: int = 200,
    ) -> None:
        self.roots = [_abspath(root) for root in roots]
        self.globs = tuple(globs)
        self.classify = classify
        self.max_groups = max_groups
        self.max_files = max(0, max_files)
        self._logs: dict[Path, _Watched] = {}
        self._warned_full = False

    def watches(self, path: Path) -> bool:
        """Whether ``path`` is a log this watch is for (see ``matches``)."""
        return matches(path, self.roots, self.globs)

    def update(self, path: Path, *, to_the_end: bool = False) -> bool:
        """Read what was appended to the log since the last call; True when anything new was read or it restarted.

        A log not yet tracked starts being tracked (read from its start), up to ``max_files``.  A missing log
        is forgotten (True if it was tracked).  I/O errors are logged, never raised (False).  The last entry
        is counted at once (GLPI writes each record at once) unless an indented line of it is still being
        written; an incomplete last line is read when complete.  A truncated or rotated log starts fresh groups.
        ``to_the_end``: the log is read as finished (the command line's one pass): nothing is held for later.
        """
        key = _abspath(path)
        watched = self._logs.get(key)
        try:
            if not key.is_file():
                return self.forget(key)
        except OSError as exc:
            log.warning("cannot read log %s: %s", key, exc)
            return False
        if not os.access(key, os.R_OK):
            log.warning("cannot read log %s: permission denied", key)
            return False
        if watched is None:
            if len(self._logs) >= self.max_files:
                if not self._warned_full:
                    self._warned_full = True
                    log.warning("watching %d logs already, not %s (and no more)", self.max_files, key)
                return False
            watched = _Watched(LogTail(key), self._new_index(), self._root_of(key))
            self._logs[key] = watched
        try:
            return self._read(watched, to_the_end)
        except OSError as exc:
            log.warning("cannot read log %s: %s", key, exc)
            return False

    def _read(self, watched: _Watched, to_the_end: bool) -> bool:
        tail = watched.tail
        offset, line, restarts = tail.offset, tail.line, tail.restarts
        fed = 0
        for item in tail.iter_new(flush=to_the_end):
            if tail.restarts != watched.restarts:
                watched.restarts = tail.restarts
                watched.index = self._new_index()  # the old groups describe lines that are gone
            if tail.restarts != restarts and tail.offset == 0:
                continue  # the entry held from the old file, handed over before the new file is read
            watched.index.add(item)
            fed += 1
        if tail.restarts != watched.restarts:  # restarted with nothing held
            watched.restarts = tail.restarts
            watched.index = self._new_index()
        # GLPI writes each record at once: the entry held for more lines is complete, unless the line being
        # written is indented (then it continues that entry: a backtrace, SQL or context line).
        if not tail.continuing:
            for item in tail.flush():
                watched.index.add(item)
                fed += 1
        return fed > 0 or tail.restarts != restarts or (tail.offset, tail.line) != (offset, line)

    def _new_index(self) -> GroupIndex:
        return GroupIndex(self.max_groups, classify=self.classify)

    def _root_of(self, path: Path) -> Path:
        for root in sorted(self.roots, key=lambda r: len(r.parts), reverse=True):  # the innermost root
            if path.is_relative_to(root):
                return root
        return self.roots[0] if self.roots else path.parent

    def reclassify(self) -> bool:
        """Give groups the levels a background classifier has answered since; True when any changed."""
        return any([watched.index.reclassify() for watched in self._logs.values()])

    def forget(self, path: Path) -> bool:
        """Stop tracking the log; True if it was tracked."""
        return self._logs.pop(_abspath(path), None) is not None

    def paths(self) -> list[Path]:
        """The tracked logs, sorted."""
        return sorted(self._logs)

    def findings(self, path: Path) -> list[LogFinding]:
        """One finding per group of the log, on its latest entry, sorted by line ([] if not tracked)."""
        watched = self._logs.get(_abspath(path))
        if watched is None:
            return []
        found = [finding(_abspath(path), group, watched.root) for group in watched.index.groups()]
        return sorted(found, key=lambda f: f.line)

    def group_at(self, path: Path, line: int) -> tuple[Group, Path] | None:
        """The group whose latest entry starts at `line` (1-based) of the log, with the root its frames resolve in."""
        watched = self._logs.get(_abspath(path))
        if watched is None:
            return None
        for group in watched.index.groups():
            if group.latest.start_line == line:
                return group, watched.root
        return None

    def report(self, path: Path, *, shown_as: str | None = None) -> LogReport:
        """The log's findings and unparsed lines; `shown_as` names the log in them (default: its absolute path)."""
        found = self.findings(path)
        if shown_as is not None:
            found = [f.model_copy(update={"log": shown_as}) for f in found]
        return LogReport(findings=found, unparsed=self.unparsed(path))

    def unparsed(self, path: Path) -> int:
        """Lines of the log that belong to no entry (0 if not tracked)."""
        watched = self._logs.get(_abspath(path))
        return watched.index.unparsed if watched is not None else 0

    def source_hits(self) -> dict[Path, list[SourceHit]]:
        """Workspace source lines that the latest entry of each group points at, by file, sorted by line."""
        cache: dict[tuple[str, Path], Path | None] = {}

        def resolved(frame_file: str, first: Path) -> Path | None:
            for root in (first, *(r for r in self.roots if r != first)):
                key = (frame_file, root)
                if key not in cache:
                    cache[key] = resolve(frame_file, root)
                if cache[key] is not None:
                    return cache[key]
            return None

        best: dict[tuple[Path, int, Path, str], tuple[int, SourceHit]] = {}
        for log_file, watched in self._logs.items():
            for group in watched.index.groups():
                entry = group.latest
                message: str | None = None
                for frame in entry.frames:
                    if frame.line is None or not frame.file:
                        continue
                    file = resolved(frame.file, watched.root)
                    if file is None:
                        continue
                    key = (file, frame.line, log_file, code(entry))
                    old = best.get(key)
                    if old is not None and old[0] >= group.count:
                        continue
                    message = message or hit_message(group, log_file)
                    hit = SourceHit(
                        file=file,
                        line=frame.line,
                        severity=group.level,
                        code=key[3],
                        message=message,
                        log=log_file,
                        log_line=entry.start_line,
                        function=frame.function,
                    )
                    best[key] = (group.count, hit)
        hits: dict[Path, list[SourceHit]] = {}
        for _, hit in best.values():
            hits.setdefault(hit.file, []).append(hit)
        for file_hits in hits.values():
            file_hits.sort(key=lambda h: (h.line, str(h.log), h.code))
        return hits
