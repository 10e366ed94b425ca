"""Small line and indentation helpers shared by the filters."""

from __future__ import annotations

from copiloto.completion.filters.base import FilterContext


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_blank(line: str) -> bool:
    return not line.strip()


def leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def tab_size(indent_unit: str) -> int:
    """Columns per tab: the width of a space indent unit, else 4."""
    if indent_unit and set(indent_unit) == {" "}:
        return len(indent_unit)
    return 4


def indent_width(line: str, tab: int = 4) -> int:
    return len(leading_ws(line).expandtabs(tab))


def first_line_is_whole(lines: list[str], ctx: FilterContext) -> bool:
    """Whether the completion's first line, joined to the line prefix, is a whole document line:
    the cursor sits in the indentation and nothing but whitespace follows on the first line."""
    return is_blank(ctx.line_prefix) and (len(lines) > 1 or is_blank(ctx.line_suffix))


def is_weak_line(stripped: str) -> bool:
    """A line too generic to identify a position on its own: `}`, `pass`, `end`, `);`."""
    return len(stripped) < 6 or not any(ch.isalnum() for ch in stripped)


def cut_before(lines: list[str], index: int) -> str:
    """The completion up to (not including) line `index`, without the blank lines that separated
    it from the part cut off."""
    kept = lines[:index]
    while kept and is_blank(kept[-1]):
        kept.pop()
    return "\n".join(kept)
