"""Group GLPI log entries by signature, and rate their severity.

``signature(entry)`` is ``"<channel>.<LEVEL>: <normalised message> @ <file:line>"``:
the message with its variable parts replaced by placeholders (timestamps
``<ts>``, UUIDs ``<uuid>``, hex ids ``<hex>``, IPs ``<ip>``, long random
tokens ``<id>``, quoted values ``'<s>'``/``"<s>"``, numbers ``<n>``, lists of
those ``<list>``), plus the top frame (the first backtrace frame naming a file,
else the ``in FILE at line N`` location of the message).  Backtick-quoted
identifiers (SQL tables, GLPI URLs) are kept, numbers inside them are not.  For
SQL errors the normalised ``Error:`` text and query are part of the signature.

``severity(entry)`` is rule-based: the Monolog level (or PHP's own error kind),
SQL errors are errors, access denials are warnings, and ``toolbox`` text goes
through the keyword table ``KEYWORD_RULES`` (first match wins; default
information).  ``rule_severity(entry)`` is the same without the default: None
when no rule decided.

``GroupIndex`` groups incrementally (for a live tail) and keeps at most
``max_groups`` groups, evicting the least recently seen; ``group(entries)`` is
the one-shot form.  An index may be given a ``classify`` hook (a model, say)
that rates the entries no rule decides; it is asked once per signature.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from copiloto.logs.entries import KIND_ACCESS, KIND_TOOLBOX, Entry, Item

log = logging.getLogger(__name__)

Severity = Literal["error", "warning", "information", "hint"]

SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "information": 2, "hint": 3}

LEVEL_SEVERITY: dict[str, Severity] = {
    "EMERGENCY": "error",
    "ALERT": "error",
    "CRITICAL": "error",
    "ERROR": "error",
    "WARNING": "warning",
    "NOTICE": "information",
    "INFO": "information",
    "DEBUG": "hint",
}

# Keyword rules for entries without a level (Toolbox::logInFile text, other lines); first match wins.
KEYWORD_RULES: tuple[tuple[re.Pattern[str], Severity], ...] = (
    (re.compile(r"\b(?:fatal|critical|emergency|uncaught)\b", re.I), "error"),
    (
        re.compile(
            r"\b(?:errors?|fail(?:ed|s|ure)?|denied|refused|unable|cannot|can't|could not|invalid|timed? ?out|"
            r"unreachable|insufficient rights)\b",
            re.I,
        ),
        "warning",
    ),
    (re.compile(r"\b(?:warning|deprecated)\b", re.I), "information"),
)


def rule_severity(entry: Entry) -> Severity | None:
    """The entry's severity from the rule tables (see the module docstring); None when no rule decided."""
    if entry.is_sql_error:
        return "error"
    if entry.level is not None:
        sev = LEVEL_SEVERITY.get(entry.level.upper())
        if sev is not None:
            return sev
    if entry.kind == KIND_ACCESS:
        return "warning"
    for pattern, sev in KEYWORD_RULES:
        if pattern.search(entry.message):
            return sev
    return None


def severity(entry: Entry) -> Severity:
    """The entry's severity from the rule tables (see the module docstring), default information."""
    return rule_severity(entry) or "information"


_HEX_CHARS = frozenset("0123456789abcdefABCDEF")


def _token(m: re.Match[str]) -> str:
    """A long token with both digits and letters: a hex id (8+ hex chars) or a random id (16+ chars)."""
    tok = m[0]
    if any(c.isdigit() for c in tok) and not tok.isdigit():
        if _HEX_CHARS.issuperset(tok):
            return "<hex>"
        if len(tok) >= 16:
            return "<id>"
    return tok


# (needle, pattern, replacement): applied in order to texts with a digit, a rule only if its needle is in the text.
_DIGIT_RULES: tuple[tuple[str, re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (":", re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<ts>"),
    (":", re.compile(r"\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}"), "<ts>"),
    ("-", re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "<uuid>"),
    ("0x", re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    (".", re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<ip>"),
    ("", re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{8,}(?![A-Za-z0-9])"), _token),
    ("", re.compile(r"(?<![A-Za-z<])\d+(?:\.\d+)*"), "<n>"),
)
_QUOTE_NORMALISERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![\w\\])'(?:[^'\\\n]|\\.)*'(?!\w)"), "'<s>'"),
    (re.compile(r'(?<![\w\\])"(?:[^"\\\n]|\\.)*"(?!\w)'), '"<s>"'),
)
_LIST_RE = re.compile(r"(?:<n>|'<s>'|\"<s>\")(?:\s*,\s*(?:<n>|'<s>'|\"<s>\"))+")
_HAS_DIGIT_RE = re.compile(r"\d")

_LOCATION_RE = re.compile(r"\bin (?P<file>\S+?)(?::(?P<l1>\d+)\b|,? (?:at |on )?line (?P<l2>\d+)\b)")

MAX_SIGNATURE_PART = 500


def normalise(text: str) -> str:
    """Replace the variable parts of a message by placeholders (see the module docstring)."""
    text = text[: MAX_SIGNATURE_PART * 2]
    digits = _HAS_DIGIT_RE.search(text) is not None
    if digits:
        for needle, pattern, repl in _DIGIT_RULES:
            if needle in text:
                text = pattern.sub(repl, text)
    if "'" in text or '"' in text:
        for pattern, qrepl in _QUOTE_NORMALISERS:
            text = pattern.sub(qrepl, text)
    if "," in text:
        text = _LIST_RE.sub("<list>", text)
    return " ".join(text.split())[:MAX_SIGNATURE_PART]


def location(entry: Entry) -> str:
    """``file:line`` of the top frame, else of the message's ``in FILE at line N``; ``""`` if none."""
    frame = entry.top_frame
    if frame is not None:
        return f"{frame.file}:{frame.line}" if frame.line is not None else frame.file
    if m := _LOCATION_RE.search(entry.message):
        return f"{m['file']}:{m['l1'] or m['l2']}"
    return ""


def signature(entry: Entry) -> str:
    """The grouping key: source, normalised message (and SQL error/query), and top frame."""
    head = f"{entry.channel or entry.kind}.{entry.level}" if entry.level else (entry.channel or entry.kind)
    parts = [f"{head}: {normalise(entry.message)}"]
    if entry.kind == KIND_TOOLBOX and entry.channel is None:
        parts[0] = f"{head}: {normalise(entry.message.splitlines()[0] if entry.message else '')}"
    err = entry.get("error")
    if err is not None:
        parts.append(f"error: {normalise(err)}")
    sql = entry.get("sql")
    if sql is not None:
        parts.append(f"sql: {normalise(sql)}")
    loc = location(entry)
    if loc:
        parts.append(f"@ {loc}")
    return " | ".join(parts)


@dataclass(frozen=True, slots=True)
class Group:
    """Entries sharing a signature; ``level`` is the worst severity seen, ``latest`` the last entry."""

    signature: str
    count: int
    first: datetime | None
    last: datetime | None
    latest: Entry
    level: Severity


Classify = Callable[[Entry], Severity | None]


class GroupIndex:
    """Incremental grouping; ``groups()`` lists groups in order of first appearance.

    ``classify`` rates the entries that no rule decides (``rule_severity`` is None) instead of the default
    information.  Its answers are kept per signature (for at most ``max_groups`` signatures, least recently
    used dropped first); an exception or a None answer counts as information for now and is asked again later:
    a classifier that answers in the background (the local model) returns None until it knows, and
    ``reclassify()`` then gives the groups it has answered for their level.
    """

    def __init__(self, max_groups: int = 10_000, classify: Classify | None = None) -> None:
        self.max_groups = max(1, max_groups)
        self.classify = classify
        self._groups: OrderedDict[str, tuple[int, Group]] = OrderedDict()  # least recently seen first
        self._classified: OrderedDict[str, Severity] = OrderedDict()  # classify's answers, least recent first
        self._seq = 0
        self.evicted = 0
        self.unparsed = 0

    def add(self, item: Item) -> Group | None:
        """Add an entry (an ``Unparsed`` item is only counted); returns the entry's updated group."""
        if not isinstance(item, Entry):
            self.unparsed += 1
            return None
        key = signature(item)
        sev = rule_severity(item)
        if sev is None:
            sev = self._classify(key, item)
        old = self._groups.pop(key, None)
        if old is None:
            self._seq += 1
            seq = self._seq
            grp = Group(key, 1, item.time, item.time, item, sev)
        else:
            seq, prev = old
            times = [t for t in (prev.first, item.time) if t is not None]
            first = min(times) if times else None
            last_times = [t for t in (prev.last, item.time) if t is not None]
            last = max(last_times) if last_times else None
            level = sev if SEVERITY_RANK[sev] < SEVERITY_RANK[prev.level] else prev.level
            grp = Group(key, prev.count + 1, first, last, item, level)
        self._groups[key] = (seq, grp)
        if len(self._groups) > self.max_groups:
            self._groups.popitem(last=False)
            self.evicted += 1
        return grp

    def _classify(self, key: str, item: Entry) -> Severity:
        """``classify``'s answer for the signature (asked once), or information."""
        if self.classify is None:
            return "information"
        cached = self._classified.get(key)
        if cached is not None:
            self._classified.move_to_end(key)
            return cached
        try:
            answer = self.classify(item)
        except Exception:
            log.debug("classify failed for %r", key, exc_info=True)
            answer = None
        if not (isinstance(answer, str) and answer in SEVERITY_RANK):
            if answer is not None:
                log.debug("classify answered %r for %r: not a severity", answer, key)
            else:
                log.debug("classify had no answer for %r", key)
            answer = None
        if answer is None:
            return "information"
        sev: Severity = answer
        self._classified[key] = sev
        if len(self._classified) > self.max_groups:
            self._classified.popitem(last=False)
        return sev

    def reclassify(self) -> bool:
        """Ask ``classify`` again for the rule-less groups it had no answer for; True when a level changed."""
        changed = False
        for key, (seq, grp) in list(self._groups.items()):
            if self.classify is None or key in self._classified or rule_severity(grp.latest) is not None:
                continue
            level = self._classify(key, grp.latest)
            if level != grp.level:
                self._groups[key] = (seq, replace(grp, level=level))
                changed = True
        return changed

    def extend(self, items: Iterable[Item]) -> None:
        for item in items:
            self.add(item)

    def groups(self) -> list[Group]:
        return [g for _, g in sorted(self._groups.values(), key=lambda sg: sg[0])]


def group(entries: Iterable[Item]) -> list[Group]:
    """Group entries (``Unparsed`` items are skipped) by ``signature``, in order of first appearance."""
    index = GroupIndex(max_groups=1 << 62)
    index.extend(entries)
    return index.groups()
