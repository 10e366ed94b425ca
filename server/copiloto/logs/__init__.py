"""GLPI logs: parse GLPI's log formats (streaming), follow growing files, group entries.

* :mod:`copiloto.logs.entries`: ``parse_lines`` / ``LogParser`` -> ``Entry`` and ``Unparsed`` items;
* :mod:`copiloto.logs.group`: ``signature``, ``severity``, ``group`` / ``GroupIndex``;
* :mod:`copiloto.logs.tail`: ``LogTail`` (incremental, rotation- and truncation-safe reading).
"""

from copiloto.logs.entries import Entry, Frame, LogParser, Unparsed, parse_lines, parse_text
from copiloto.logs.group import Group, GroupIndex, group, normalise, severity, signature
from copiloto.logs.tail import LogTail

__all__ = [
    "Entry",
    "Frame",
    "Group",
    "GroupIndex",
    "LogParser",
    "LogTail",
    "Unparsed",
    "group",
    "normalise",
    "parse_lines",
    "parse_text",
    "severity",
    "signature",
]
