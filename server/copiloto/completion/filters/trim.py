"""trim: whitespace clean-up at the end of the pipeline, careful about the join with the document.

Why: models pad with trailing spaces and blank lines, and earlier cuts leave them behind; ghost
text must not add trailing whitespace or empty lines, nor move the cursor's own line.

* Only whitespace -> "".
* Trailing whitespace of each line is removed, and trailing blank lines too, so the completion
  never ends with a line break that would push the suffix down. Exception: when text follows the
  cursor on its line, the last line is glued to it and kept as is, and only one line break before
  it survives (``a,\\n    `` before ``)`` keeps the ``)`` on its own, indented line).
* The first line's leading whitespace is never stripped: mid-line it separates tokens
  (``x =`` + `` 1``), and on a line start it is indentation.
* On a blank cursor line (only indentation before, nothing after) leading blank lines are dropped
  and the first content line is placed on the cursor line, minus the indentation the line already
  has (``"    "`` + ``"\\n    x = 1"`` -> ``"x = 1"``), when it starts with that indentation.
"""

from __future__ import annotations

from copiloto.completion.filters._text import is_blank, normalize_newlines
from copiloto.completion.filters.base import FilterContext


def trim(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    if is_blank(text):
        return ""
    lines = text.split("\n")
    suffix_blank = is_blank(ctx.line_suffix)
    last = len(lines) - 1
    lines = [line.rstrip() if i < last or suffix_blank else line for i, line in enumerate(lines)]
    if suffix_blank:
        while is_blank(lines[-1]):
            lines.pop()
    else:
        while len(lines) > 2 and is_blank(lines[-1]) and is_blank(lines[-2]):
            lines.pop(-2)
    if is_blank(ctx.line_prefix) and suffix_blank and is_blank(lines[0]):
        k = next(i for i, line in enumerate(lines) if not is_blank(line))
        if lines[k].startswith(ctx.line_prefix):
            lines = [lines[k][len(ctx.line_prefix) :], *lines[k + 1 :]]
    return "\n".join(lines)
