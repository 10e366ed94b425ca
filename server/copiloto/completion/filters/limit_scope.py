"""limit_scope: a multi-line completion stays inside the block where it starts.

Why: after finishing the block at the cursor, models carry on with the enclosing scope (the rest of
the function, the next function, "# Example usage"); that is a guess about code the user has not
asked for, and it would land in front of the code that is already there.

The reference is the indentation of the cursor's line (the completion's first line joined to the
line prefix; on a blank cursor line, the completion's first content line). On a blank cursor line the
block is the one the cursor is in: a completion whose first line starts outside the body the previous
line opened (a header's, or a definition's that has only its docstring) is dropped whole; and the
completion may dedent as far as the line that follows the cursor, when that line is inside the same
top-level definition (the hole closes an ``if`` and goes on in the function). Then, line by line:

* a run of two or more blank lines ends the completion (before the run);
* a line starting with a closing bracket that closes more than the completion and the line prefix
  opened ends it (a PHP/C ``}`` of the enclosing function), whatever its indentation;
* when the user is writing a block header (code before the cursor, and the cursor's line ends with
  ``:`` or ``{`` once completed), the completion is that block's body: it ends at the first line
  indented no deeper than the header, except that a continuation
  (``else:``, ``elif ...:``, ``except ...:``, ``finally:``, ``} else {``) goes on, and a closing
  line (``}``, ``});``) is kept as the block's last line;
* otherwise it ends at the first line indented less than the reference; deeper lines are kept.
"""

from __future__ import annotations

import re

from copiloto.completion.filters._code import CLOSERS, MATCH, OPENERS, code_line, mask_code
from copiloto.completion.filters._text import (
    cut_before,
    indent_width,
    is_blank,
    normalize_newlines,
    tab_size,
)
from copiloto.completion.filters.base import FilterContext

_CONTINUATION = re.compile(r"^(else|elif\b.*|except\b.*|finally)\s*:$")


def _open_count(masked: str) -> int:
    """Openers left unclosed in one masked line."""
    stack: list[str] = []
    for ch in masked:
        if ch in OPENERS:
            stack.append(ch)
        elif ch in CLOSERS and stack and stack[-1] == MATCH[ch]:
            stack.pop()
    return len(stack)


def _delta(masked: str) -> int:
    return sum(ch in OPENERS for ch in masked) - sum(ch in CLOSERS for ch in masked)


def _body_floor(ctx: FilterContext, tab: int) -> int:
    """On a blank line right after a block header, or after a definition's docstring with no statement
    yet, the completion belongs in that body: its indentation, else 0."""
    previous = [line for line in ctx.prev_lines if not is_blank(line)]
    if not previous:
        return 0
    last = previous[-1]
    code = code_line(last)
    if code.endswith(":") and not code.lstrip().startswith("#"):
        return indent_width(last, tab) + tab
    quote = last.rstrip()[-3:]
    if quote not in ('"""', "'''"):
        return 0
    if last.count(quote) >= 2 and last.lstrip().startswith(quote):
        opening = len(previous) - 1  # a one-line docstring
    else:
        opening = next((i for i in range(len(previous) - 2, -1, -1) if quote in previous[i]), 0)
    header = code_line(previous[opening - 1]).lstrip() if opening > 0 else ""
    if header.startswith(("def ", "async def ", "class ")) and header.endswith(":"):
        return indent_width(previous[opening], tab)
    return 0


def _following_level(ctx: FilterContext, ref: int, tab: int) -> int:
    """How far a blank-line completion may dedent: to the level of the line that follows the cursor, when
    that line is still inside the same top-level definition (a hole that closes an `if` and goes on in the
    function), else no further than its own first line."""
    following = next((line for line in ctx.next_lines if not is_blank(line)), None)
    if following is None:
        return ref
    level = indent_width(following, tab)
    return level if level > 0 or ref == 0 else ref


def limit_scope(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    lines = text.split("\n")
    tab = tab_size(ctx.indent_unit)
    if len(lines) < 2:
        on_blank_line = is_blank(ctx.line_prefix) and is_blank(ctx.line_suffix) and not is_blank(text)
        outside = indent_width(ctx.line_prefix + text, tab) < _body_floor(ctx, tab)
        return "" if on_blank_line and outside else text
    masked_all = mask_code(ctx.line_prefix + text)[0][len(ctx.line_prefix) :].split("\n")
    depth = _open_count(mask_code(ctx.line_prefix)[0]) + _delta(masked_all[0])

    first = ctx.line_prefix + lines[0]
    if is_blank(ctx.line_prefix) and is_blank(ctx.line_suffix):  # the cursor is on a blank line
        at = next((i for i, line in enumerate(lines) if not is_blank(line)), None)
        if at is None:
            return text
        ref = indent_width(first if at == 0 else lines[at], tab)
        if ref < _body_floor(ctx, tab):
            return ""  # it starts outside the body the cursor is in (`def main():` after a docstring)
        ref = min(ref, _following_level(ctx, ref, tab))
        opener = False
    elif not is_blank(first):
        ref = indent_width(first, tab)
        opener = not is_blank(ctx.line_prefix) and code_line(first).endswith((":", "{"))
    else:
        content = next((line for line in lines[1:] if not is_blank(line)), None)
        if content is None:
            return text
        ref = indent_width(content, tab)
        opener = False

    blank_run = 0
    for i in range(1, len(lines)):
        line, masked = lines[i], masked_all[i].strip()
        if is_blank(line):
            blank_run += 1
            if blank_run >= 2:
                return cut_before(lines, i)
            continue
        blank_run = 0
        starts_closing = masked != "" and masked[0] in CLOSERS
        if starts_closing and depth <= 0:
            return cut_before(lines, i)
        width = indent_width(line, tab)
        if opener and width <= ref:
            reopens = starts_closing and masked.endswith("{")
            if width < ref:
                return cut_before(lines, i)
            if not (reopens or _CONTINUATION.match(masked)):
                return cut_before(lines, i + 1 if starts_closing else i)
        elif not opener and width < ref:
            return cut_before(lines, i)
        depth += _delta(masked)
    return text
