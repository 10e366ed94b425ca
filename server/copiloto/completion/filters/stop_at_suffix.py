"""stop_at_suffix: cut the completion where it starts repeating the text after the cursor.

Why: models (instruct models above all) re-emit the code that follows the hole, the rest of the
current line (``foo(a, b))`` before an existing ``)``) or the next lines, and then keep going with
"# Example usage"; everything from the repetition on is already in the document or is noise.

* Next lines: the first completion line equal (stripped) to the document's first non-blank next
  line ends the completion before it. The completion's first line only counts when it is a whole
  line (cursor in the indentation). A generic line (``}``, ``pass``, ``end``) must also sit at the
  same indentation. The cut is dropped when it would unbalance the brackets of the document, e.g. a
  ``}`` that closes a block the completion itself opened.
* The same line in other words: when no line repeats it exactly, the first completion line after the
  first that says the document's next line with other names (``_similar``: same tokens, a name in
  common; ``return res`` before ``return result`` at the same indentation) ends the completion there.
* Line suffix: the first completion line that ends with the (stripped) line suffix is cut before
  it, when that does not unbalance brackets (``print(`` + ``f()`` + ``)`` stays ``f()``). When the
  suffix echo starts its own line the line break goes too (``a, b\\n)`` -> ``a, b``), unless the
  completion is laid out hanging (it began with a line break or an opening bracket), where the
  suffix belongs on its own line.
"""

from __future__ import annotations

from copiloto.completion.filters._code import code_line, no_worse_brackets
from copiloto.completion.filters._similar import same_in_other_words
from copiloto.completion.filters._text import (
    cut_before,
    first_line_is_whole,
    indent_width,
    is_blank,
    is_weak_line,
    normalize_newlines,
    tab_size,
)
from copiloto.completion.filters.base import FilterContext


def _cut_at_next_lines(text: str, ctx: FilterContext) -> str:
    target = next((line for line in ctx.next_lines if not is_blank(line)), None)
    if target is None:
        return text
    wanted = target.strip()
    weak = is_weak_line(wanted)
    tab = tab_size(ctx.indent_unit)
    lines = text.split("\n")
    whole_first = first_line_is_whole(lines, ctx)
    for i, line in enumerate(lines):
        if i == 0 and not whole_first:
            continue
        absolute = ctx.line_prefix + line if i == 0 else line
        if absolute.strip() != wanted:
            continue
        if weak and indent_width(absolute, tab) != indent_width(target, tab):
            continue
        kept = cut_before(lines, i)
        if no_worse_brackets(kept, text, ctx):
            return kept
    for i in range(1, len(lines)):
        if same_in_other_words(lines[i], target):
            kept = cut_before(lines, i)
            if no_worse_brackets(kept, text, ctx):
                return kept
    return text


def _cut_at_line_suffix(text: str, ctx: FilterContext) -> str:
    echo = ctx.line_suffix.strip()
    if not echo:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        body = line.rstrip()
        if not body.endswith(echo):
            continue
        head = body[: len(body) - len(echo)]
        if ctx.line_suffix[:1].isspace():
            head = head.rstrip()
        if i > 0 and is_blank(head):
            hanging = is_blank(lines[0]) or code_line(ctx.line_prefix + lines[0]).endswith(("(", "[", "{"))
            kept = "\n".join(lines[:i]) + "\n" + head if hanging else cut_before(lines, i).rstrip()
        else:
            kept = "\n".join([*lines[:i], head])
        if no_worse_brackets(kept, text, ctx):
            return kept
    return text


def stop_at_suffix(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    if not text:
        return text
    return _cut_at_line_suffix(_cut_at_next_lines(text, ctx), ctx)
