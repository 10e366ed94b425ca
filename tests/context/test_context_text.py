"""Lines, offsets, indentation units and hostile text (CRLF, lone CR, invalid UTF-8, NUL)."""

from __future__ import annotations

import pytest

from copiloto.context import build_context
from copiloto.context._text import TextView, detect_indent_unit


def test_prev_and_next_lines_are_20_each_nearest_adjacent() -> None:
    lines = [f"x{i} = {i}" for i in range(60)]
    text = "\n".join(lines) + "\n"
    offset = text.index("x30 = 30") + 3
    ctx = build_context(text, offset, "python")
    assert ctx.line_prefix == "x30" and ctx.line_suffix == " = 30"
    assert ctx.prev_lines == tuple(lines[10:30])
    assert ctx.next_lines == tuple(lines[31:51])


def test_prev_and_next_lines_near_document_edges() -> None:
    text = "a\nb\nc"
    assert build_context(text, 0, "python").prev_lines == ()
    assert build_context(text, 0, "python").next_lines == ("b", "c")
    assert build_context(text, len(text), "python").prev_lines == ("a", "b")
    assert build_context(text, len(text), "python").next_lines == ()
    assert build_context("a\n", 2, "python").prev_lines == ("a",)


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_terminators(eol: str) -> None:
    text = eol.join(["def f(x):", "    y = 1", "    ", "z = 2", ""])
    offset = text.index("y = 1") + 5
    ctx = build_context(text, offset, "python")
    assert (ctx.line_prefix, ctx.line_suffix) == ("    y = 1", "")
    assert ctx.prev_lines == ("def f(x):",)
    assert ctx.next_lines == ("    ", "z = 2", "")
    assert ctx.scope is not None and (ctx.scope.kind, ctx.scope.start_line, ctx.scope.end_line) == (
        "function",
        0,
        1,
    )


def test_mixed_terminators() -> None:
    text = "a\r\nb\rc\nd"
    view = TextView(text)
    assert view.row_of(len(text)) == 3
    assert view.rows_between(3, len(text)) == 2
    ctx = build_context(text, text.index("c") + 1, "plaintext")
    assert ctx.prev_lines == ("a", "b") and ctx.next_lines == ("d",)


def test_offset_is_clamped_and_snapped_out_of_crlf() -> None:
    text = "x = 1\r\ny = 2"
    assert build_context(text, -10, "python").prefix == ""
    assert build_context(text, 10_000, "python").suffix == ""
    inside = build_context(text, text.index("\n"), "python")  # between \r and \n
    assert inside.prefix == "x = 1" and inside.line_suffix == ""


def test_view_line_starts() -> None:
    text = "ab\r\ncd\ref\n"
    v = TextView(text)
    starts = [0, 4, 7, 10]
    assert [v.line_start_at_or_before(p) for p in range(len(text) + 1)] == [
        max(s for s in starts if s <= p) if p != 3 else 0 for p in range(len(text) + 1)
    ]
    assert [v.line_start_at_or_after(p) for p in range(len(text) + 1)] == [
        min(s for s in [*starts, len(text)] if s >= p) for p in range(len(text) + 1)
    ]


@pytest.mark.parametrize(
    ("lines", "unit"),
    [
        (["def f():", "    if x:", "        pass"], "    "),
        (["function f() {", "  if (x) {", "    y();", "  }", "}"], "  "),
        (["def f():", "\tif x:", "\t\tpass"], "\t"),
        (["x = 1", "y = 2"], "    "),
        ([], "    "),
    ],
)
def test_detect_indent_unit(lines: list[str], unit: str) -> None:
    assert detect_indent_unit(lines) == unit
    text = "\n".join(lines)
    assert build_context(text, len(text), "python").indent_unit == unit


def _from_bytes(data: bytes, errors: str) -> str:
    return data.decode("utf-8", errors)


@pytest.mark.parametrize("errors", ["surrogateescape", "replace"])
def test_invalid_utf8_derived_text(errors: str) -> None:
    raw = b'def f(x="\xff\xfe"):\n    s = "\xc3(\x80"\n    \n# \xed\xa0\x80 lone\ndef g(\xe9):'
    text = _from_bytes(raw, errors)
    for offset in range(len(text) + 1):
        build_context(text, offset, "python")  # never raises
    ctx = build_context(text, text.index(":") + 1, "python")  # end of the first def line
    assert ctx.mode == "multi"
    assert ctx.scope is not None and ctx.scope.name == "f"
    blank = text.index("    \n#") + 4
    assert build_context(text, blank, "python").mode == "single"  # body holds a statement


def test_lone_surrogates_and_nul() -> None:
    text = 'x = "\ud800\udfff\x00"\ndef f():\n    \x00 = 1\n    █'.replace("█", "")
    for offset in range(len(text) + 1):
        ctx = build_context(text, offset, "python")
        assert ctx.prefix + ctx.suffix == text
    assert build_context('s = "\x00"\ndef f():', len('s = "\x00"\ndef f():'), "python").mode == "multi"


def test_unicode_columns_before_the_cursor() -> None:
    # Byte columns differ from str columns: the opener check must still find the colon.
    text = "def f(a='é😀漢字'):"
    assert build_context(text, len(text), "python").mode == "multi"
    text = "if x == '😀':\n    █".replace("█", "")
    assert build_context(text, len(text), "python").mode == "multi"


def test_unknown_language_is_handled_by_heuristics() -> None:
    ctx = build_context("foo {\n  \n}", 8, "some-new-language")
    assert ctx.mode == "multi" and ctx.scope is not None
