"""balance_brackets: the completion closes what it opens, and no more than the line needs.

Why: the editor auto-closes brackets, so the line suffix often already holds the ``)`` the model
writes again (``print(`` + ``x + 1)`` + ``)``); and a completion cut short (token limit, an earlier
filter) can leave a call or literal open, which breaks the rest of the file once accepted.

* Closers the line suffix already provides: closing brackets at the end of the completion, of the
  kinds that open the line suffix, are removed while that makes the document around the cursor
  better balanced (``x + 1)`` -> ``x + 1`` before ``)``; ``f()`` stays ``f()``).
* Unclosed openers: an opener of the completion that neither the completion nor the line suffix
  closes cuts the completion back to the last line before the opener's line ("" when it is on the
  first line), unless the opener ends the completion (``if ($x) {``, ``items = [``: the user goes on
  from there).

Brackets in strings and comments do not count (see ``_code``).
"""

from __future__ import annotations

from copiloto.completion.filters._code import (
    CLOSERS,
    MATCH,
    OPENERS,
    bracket_imbalance,
    mask_code,
    spliced,
    text_before,
)
from copiloto.completion.filters._text import cut_before, is_blank, normalize_newlines
from copiloto.completion.filters.base import FilterContext

_HANGING_TAIL = set(OPENERS + " \t")


def _drop_provided_closers(text: str, ctx: FilterContext) -> str:
    provided: set[str] = set()
    for ch in ctx.line_suffix.lstrip(" \t"):
        if ch not in CLOSERS:
            break
        provided.add(ch)
    if not provided:
        return text
    body = text.rstrip()
    changed = False
    while body and body[-1] in provided:
        if bracket_imbalance(spliced(ctx, body[:-1])) >= bracket_imbalance(spliced(ctx, body)):
            break
        body = body[:-1]
        changed = True
    return body if changed else text


def _cut_unclosed(text: str, ctx: FilterContext) -> str:
    start = len(text_before(ctx))
    end = start + len(text)
    masked = mask_code(spliced(ctx, text, with_next=False))[0]
    stack: list[tuple[str, int]] = []
    for pos, ch in enumerate(masked):
        if ch in OPENERS:
            stack.append((ch, pos))
        elif ch in CLOSERS and stack and stack[-1][0] == MATCH[ch]:
            stack.pop()
    unclosed = [pos for _, pos in stack if start <= pos < end]
    if not unclosed or all(set(masked[pos + 1 : end].rstrip()) <= _HANGING_TAIL for pos in unclosed):
        return text
    line_index = text.count("\n", 0, min(unclosed) - start)
    return cut_before(text.split("\n"), line_index)


def balance_brackets(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    if is_blank(text):
        return text
    return _cut_unclosed(_drop_provided_closers(text, ctx), ctx)
