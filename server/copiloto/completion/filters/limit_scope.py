"""limit_scope: a multi-line completion stays inside the block where it starts.

Why: after finishing the block at the cursor, models carry on with the enclosing scope (the rest of
the function, the next function, "# Example usage"); that is a guess about code the user has not
asked for, and it would land in front of the code that is already there.

The reference is the indentation of the cursor's line (the completion's first line joined to the
line prefix; on a blank cursor line, the completion's first content line). Then, line by line:

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


def limit_scope(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    tab = tab_size(ctx.indent_unit)
    masked_all = mask_code(ctx.line_prefix + text)[0][len(ctx.line_prefix) :].split("\n")
    depth = _open_count(mask_code(ctx.line_prefix)[0]) + _delta(masked_all[0])

    first = ctx.line_prefix + lines[0]
    if not is_blank(first):
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
