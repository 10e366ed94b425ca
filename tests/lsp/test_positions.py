"""UTF-16 positions <-> offsets: emoji (surrogate pairs), CJK, CRLF, lone CR, and the LSP line ends."""

import pytest

from copiloto.lsp.documents import Document
from copiloto.lsp.positions import (
    InvalidPosition,
    line_starts,
    offset_to_position,
    position_to_offset,
    utf16_to_index,
)


@pytest.mark.parametrize(
    ("line_text", "column", "index"),
    [
        ("abc", 0, 0),
        ("abc", 3, 3),
        ("abc", 4, None),
        ("a😀b", 1, 1),
        ("a😀b", 3, 2),  # the emoji is two UTF-16 units
        ("a😀b", 4, 3),
        ("a😀b", 2, 2),  # inside the surrogate pair: rounds up past the emoji
        ("a😀b", 5, None),
        ("日本語", 2, 2),  # CJK in the BMP: one unit each
        ("", 0, 0),
        ("", 1, None),
        ("𝔘𝔫𝔦", 6, 3),
    ],
)
def test_utf16_to_index(line_text: str, column: int, index: int | None) -> None:
    assert utf16_to_index(line_text, column) == index


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("", [0]),
        ("a", [0]),
        ("a\nb", [0, 2]),
        ("a\r\nb\r\n", [0, 3, 6]),
        ("a\rb", [0, 2]),
        ("a\x0cb\u2028c", [0]),  # form feed and U+2028 do not end LSP lines
        ("\n\n", [0, 1, 2]),
    ],
)
def test_line_starts(text: str, starts: list[int]) -> None:
    assert line_starts(text) == starts


@pytest.mark.parametrize(
    ("text", "line", "col", "offset"),
    [
        ("ab\r\ncd", 1, 0, 4),
        ("ab\r\ncd", 0, 2, 2),
        ("x = '😀'\ny", 0, 8, 7),
        ("x = '😀'\ny", 1, 1, 9),
        ("x", 1, 0, None),  # line past the end
        ("ab\r\ncd", 0, 3, None),  # the CR is not part of the line's content
        ("a\n", 1, 0, 2),  # the empty last line exists
    ],
)
def test_position_to_offset(text: str, line: int, col: int, offset: int | None) -> None:
    starts = line_starts(text)
    if offset is None:
        with pytest.raises(InvalidPosition):
            position_to_offset(text, starts, line, col)
    else:
        assert position_to_offset(text, starts, line, col) == offset
        assert offset_to_position(text, starts, offset) == (line, col)


def test_clamped_positions_for_edits() -> None:
    text = "ab\ncd"
    starts = line_starts(text)
    assert position_to_offset(text, starts, 0, 99, clamp=True) == 2
    assert position_to_offset(text, starts, 9, 0, clamp=True) == 5


@pytest.mark.parametrize(
    ("text", "start", "end", "new", "expected"),
    [
        ("hello", (0, 5), (0, 5), " world", "hello world"),
        ("a😀b", (0, 3), (0, 4), "c", "a😀c"),
        ("l1\r\nl2\r\n", (1, 0), (1, 2), "L2", "l1\r\nL2\r\n"),
        ("abc\ndef", (0, 1), (1, 1), "", "aef"),
        ("x", (0, 1), (0, 1), "\n日本", "x\n日本"),
        ("x", (5, 0), (5, 0), "!", "x!"),  # past the end: appended, not lost
    ],
)
def test_incremental_changes(text: str, start: tuple[int, int], end: tuple[int, int], new: str, expected: str) -> None:
    doc = Document("file:///t.py", text, 1, "python")
    doc.apply_change(start, end, new)
    assert doc.text == expected
    assert doc.starts == line_starts(expected)


@pytest.mark.parametrize(
    ("text", "eol", "inserted"),
    [
        ("a\nb", "\n", "x\n    y"),
        ("a\r\nb\r\n", "\r\n", "x\r\n    y"),
        ("a\rb", "\r", "x\r    y"),
        ("single line", "\n", "x\n    y"),
    ],
)
def test_completions_take_the_document_line_ending(text: str, eol: str, inserted: str) -> None:
    doc = Document("file:///t.py", text, 1, "python")
    assert doc.eol == eol
    assert doc.with_eol("x\n    y") == inserted
