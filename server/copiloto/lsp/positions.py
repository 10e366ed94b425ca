"""LSP positions (line, UTF-16 code unit) <-> Python string offsets.

LSP counts columns in UTF-16 code units by default and ends lines only at "\\n", "\\r\\n" or "\\r".
Python's str.splitlines() also splits on form feeds, U+2028 and others, so it is not used here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

_LINE_END = re.compile(r"\r\n|\r|\n")


class InvalidPosition(ValueError):
    """A position outside the document (line past the end, or column past the line's end)."""


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins; always at least [0]."""
    return [0, *(m.end() for m in _LINE_END.finditer(text))]


def line_content_end(text: str, starts: Sequence[int], line: int) -> int:
    """Offset of the end of `line`'s content, before its line terminator."""
    if line + 1 < len(starts):
        end = starts[line + 1]
        if text[end - 2 : end] == "\r\n":
            return end - 2
        return end - 1
    return len(text)


def utf16_len(s: str) -> int:
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def utf16_to_index(line_text: str, column: int) -> int | None:
    """Index into `line_text` for a UTF-16 column; None when past the end.

    A column that falls inside a surrogate pair is rounded up to the character after it, as VS Code does.
    """
    if column <= len(line_text) and line_text.isascii():
        return column
    units = 0
    for i, ch in enumerate(line_text):
        if units >= column:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text) if units >= column else None


def index_to_utf16(line_text: str, index: int) -> int:
    return utf16_len(line_text[:index])


def position_to_offset(text: str, starts: Sequence[int], line: int, column: int, *, clamp: bool = False) -> int:
    """Offset in `text` of an LSP position. Strict by default: a bad position raises InvalidPosition.

    With clamp=True (used for edits, where a client's off-by-one must not lose the edit) a position past
    the end of a line or of the document is moved to that end.
    """
    if line < 0 or column < 0:
        raise InvalidPosition(f"negative position {line}:{column}")
    if line >= len(starts):
        if clamp:
            return len(text)
        raise InvalidPosition(f"line {line} is past the end of the document ({len(starts)} lines)")
    start = starts[line]
    end = line_content_end(text, starts, line)
    index = utf16_to_index(text[start:end], column)
    if index is None:
        if clamp:
            return end
        raise InvalidPosition(f"column {column} is past the end of line {line} ({utf16_len(text[start:end])} units)")
    return start + index


def offset_to_position(text: str, starts: Sequence[int], offset: int) -> tuple[int, int]:
    """LSP (line, UTF-16 column) of an offset."""
    line = bisect_right(starts, offset) - 1
    return line, index_to_utf16(text[starts[line] : offset], offset - starts[line])
