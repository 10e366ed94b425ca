"""single_line: a single-line hole gets exactly one line, never a line break.

Why: the pipeline asked for the rest of the current line; models keep going past it, and a newline
in the insertion would split or fuse the document's lines.

Cases (only when ``ctx.multiline`` is False):

* no line break: unchanged;
* the first line has content: keep it, drop the line break and everything after
  (``"b, a + b\\n    return a"`` -> ``"b, a + b"``; ``"foo\\n"`` -> ``"foo"``);
* the first line is blank and the cursor is on a blank line (prefix only whitespace, nothing after
  the cursor): the model skipped to the next line, so show its first content line *on the cursor
  line*, minus the indentation the cursor line already has (prefix ``"    "``, completion
  ``"\\n    return 1"`` -> ``"return 1"``); when that line is indented less than the cursor, or
  differently (tabs vs spaces), an insertion cannot place it: "";
* the first line is blank and the cursor line has code before it, or text after it: the model
  thinks this line is complete, "" (pulling the next line up would fuse two statements into one).
"""

from __future__ import annotations

from copiloto.completion.filters._text import is_blank, normalize_newlines
from copiloto.completion.filters.base import FilterContext


def single_line(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    if ctx.multiline or "\n" not in text:
        return text
    lines = text.split("\n")
    if not is_blank(lines[0]):
        return lines[0]
    if not (is_blank(ctx.line_prefix) and is_blank(ctx.line_suffix)):
        return ""
    content = next((line for line in lines[1:] if not is_blank(line)), None)
    if content is None or not content.startswith(ctx.line_prefix):
        return ""
    return content[len(ctx.line_prefix) :]
