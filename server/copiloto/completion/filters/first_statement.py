"""first_statement: an answer the model did not end itself keeps its first whole statement, and more only
where the code that follows needs it.

Why: on a blank line between two statements the hole may be one line or several, and a small model rarely
says which: it writes the hole, then its own version of the code that follows (`return ...`, `else:`, the
rest of the loop). When it stopped at the document's next line or its end-of-middle token, it said where the
hole ends and the other filters take it from there; when it ran on (``ctx.first_statement``), what is sure is
its first statement:

* a simple line: that line (``result = []``, then its own loop: ``result = []``);
* a line that opens a block (``for x in xs:``, ``if (...) {``): the block, to the first line back at the
  opener's level (a closing ``}`` there is kept); when the code that follows sits deeper (it is that
  block's body), only the header and the nested headers that code is still deeper than;
* a line that leaves a bracket open: up to the line that closes it;
* then, when the window does not parse with that much but parses with more lines of the answer (the code
  that follows sits deeper and needs an opener the hole must supply), up to the first line that makes it
  parse.
"""

from __future__ import annotations

import re

from copiloto.completion.filters._code import CLOSERS, OPENERS, mask_code
from copiloto.completion.filters._text import cut_before, indent_width, is_blank, normalize_newlines, tab_size
from copiloto.completion.filters.base import FilterContext
from copiloto.completion.filters.keep_parsing import errors_with

_CONTINUATION = re.compile(r"^(\}\s*)?(else|elif\b|except\b|finally|catch\b)")


def _statement_end(lines: list[str], ctx: FilterContext) -> int:
    """How many lines the first statement takes."""
    tab = tab_size(ctx.indent_unit)
    at = next((i for i, line in enumerate(lines) if not is_blank(line)), len(lines))
    masked = mask_code(ctx.line_prefix + "\n".join(lines))[0][len(ctx.line_prefix) :].split("\n")
    depth, i = 0, at
    while i < len(lines):  # the first logical line: up to where its brackets close
        depth += sum(ch in OPENERS for ch in masked[i]) - sum(ch in CLOSERS for ch in masked[i])
        if depth <= 0:
            break
        i += 1
    if i >= len(lines):
        return len(lines)
    if not masked[i].rstrip().endswith((":", "{")):
        return i + 1
    level = indent_width(ctx.line_prefix + lines[at] if at == 0 else lines[at], tab)
    following = next((line for line in ctx.after.split("\n") if not is_blank(line)), None)
    if following is not None and indent_width(following, tab) > level:
        return _headers_end(lines, masked, i, level, indent_width(following, tab), tab)
    for j in range(i + 1, len(lines)):  # a block: its body, to the first line back at the opener's level
        if is_blank(lines[j]) or indent_width(lines[j], tab) > level:
            continue
        code = masked[j].strip()
        if _CONTINUATION.match(code):
            continue
        return j + 1 if code[:1] in CLOSERS else j
    return len(lines)


def _headers_end(lines: list[str], masked: list[str], i: int, level: int, body: int, tab: int) -> int:
    """The code that follows (at `body`) is the body of the block opened at line `i` (at `level`): the hole is
    that header, and the nested headers after it that the body is still deeper than (`for a:` / `for b:`)."""
    end = i + 1
    for j in range(i + 1, len(lines)):
        if is_blank(lines[j]):
            continue
        width = indent_width(lines[j], tab)
        if not (level < width < body and masked[j].rstrip().endswith((":", "{"))):
            break
        end, level = j + 1, width
    return end


def first_statement(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    lines = text.split("\n")
    if not ctx.first_statement or len(lines) < 2:
        return text
    end = _statement_end(lines, ctx)
    if end >= len(lines):
        return text
    short = errors_with(ctx, cut_before(lines, end)) if ctx.before + ctx.after else None
    if short:  # the statement alone leaves the code after it broken: the first longer run that mends it
        mends = (k for k in range(end + 1, len(lines) + 1) if (errors_with(ctx, cut_before(lines, k)) or 0) < short)
        end = next(mends, end)
    return cut_before(lines, end)
