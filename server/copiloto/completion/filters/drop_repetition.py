"""drop_repetition: cut the completion where the model starts looping.

Why: small models fall into loops (the same line again and again, a block pasted twice, a line of
``))))))))``) until they hit the token limit; the first copy is useful, the rest is not.

* Runs: the same line (indentation included, blank lines ignored) three times in a row: keep one.
  On a blank cursor line the document's preceding lines count too, so a completion that only
  repeats the line above (twice or more) becomes "".
* Blocks: a block of 2..10 lines with some word in it, immediately repeated: keep the first copy
  (a block that starts in the document above is repeated by the completion: cut it all).
* Degenerate tails: the last line ending in one short unit (1..8 chars) repeated 8+ times keeps a
  single unit. Ruler lines (``# ====``) are left alone up to 100 chars, word units (``0, 0, 0``) up to
  31 chars, so legitimate code survives.
"""

from __future__ import annotations

import re

from copiloto.completion.filters._text import (
    cut_before,
    first_line_is_whole,
    is_blank,
    normalize_newlines,
)
from copiloto.completion.filters.base import FilterContext

_MAX_BLOCK = 10
_TAIL = re.compile(r"(.{1,8}?)\1{7,}$")
_TAIL_WINDOW = 400
_RULER_CHARS = set("-=#*~_/+.<>")


def _cut_index(seq: list[tuple[str, int | None]], start: int) -> int:
    return next(idx for _, idx in seq[start:] if idx is not None)


def _cut_repeats(text: str, ctx: FilterContext) -> str:
    lines = text.split("\n")
    seq: list[tuple[str, int | None]] = []
    if first_line_is_whole(lines, ctx):
        seq += [(line.rstrip(), None) for line in ctx.prev_lines if not is_blank(line)]
    for i, line in enumerate(lines):
        absolute = ctx.line_prefix + line if i == 0 else line
        if not is_blank(absolute):
            seq.append((absolute.rstrip(), i))
    keys = [key for key, _ in seq]
    n = len(seq)
    for j in range(1, n):
        if j + 1 < n and keys[j - 1] == keys[j] == keys[j + 1] and seq[j + 1][1] is not None:
            return cut_before(lines, _cut_index(seq, j))
        for k in range(2, min(_MAX_BLOCK, j) + 1):
            if j + k > n or seq[j + k - 1][1] is None:
                continue
            block = keys[j - k : j]
            if block == keys[j : j + k] and any(ch.isalnum() for key in block for ch in key):
                return cut_before(lines, _cut_index(seq, j))
    return text


def _degenerate(unit: str, span: int) -> bool:
    if not unit.strip():
        return False
    if len(unit) == 1 and unit in _RULER_CHARS:
        return span > 100
    if any(ch.isalnum() for ch in unit):
        return span >= 32
    return True


def _cut_degenerate_tail(text: str) -> str:
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if not is_blank(line)), default=None)
    if last is None:
        return text
    line = lines[last].rstrip()
    offset = max(0, len(line) - _TAIL_WINDOW)
    match = _TAIL.search(line, offset)
    if match is None or not _degenerate(match.group(1), len(match.group(0))):
        return text
    return "\n".join([*lines[:last], line[: match.start()] + match.group(1)])


def drop_repetition(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    if is_blank(text):
        return text
    return _cut_degenerate_tail(_cut_repeats(text, ctx))
