"""keep_parsing: a multi-line completion keeps its longest run of whole lines that parses with the code
around it.

Why: a model that runs on is stopped by the token limit mid-statement, or writes a line that cannot stand
before the code that follows (an `else:` with no `if`, half a call). Those lines are trimmed, not the whole
answer: the lines before them are often the right ones.

How: the document window around the cursor (``ctx.before`` and ``ctx.after``: the enclosing top-level
definition) is parsed with tree-sitter (Python also with its own compiler) with the first k lines of the
completion spliced in, for k from all of them down to one; the first k whose parse has no more errors than
the window without the completion wins. When none does, the completion is left to the other filters, except
on a blank line of a definition that parses without it: whole lines that break it are not shown at all.
Only multi-line completions (on a blank line, also one line), and only languages with a grammar here
(Python, PHP).
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

from copiloto.completion.filters._text import cut_before, is_blank, normalize_newlines
from copiloto.completion.filters.base import FilterContext
from copiloto.grammars import parser_for


def parse_errors(source: str, language_id: str) -> int | None:
    """Error and missing nodes in `source`'s syntax tree; None when the language has no grammar here.
    Python is also compiled: tree-sitter's grammar lets an unexpected indent through, CPython does not."""
    parser = parser_for(language_id)
    if parser is None:
        return None
    if language_id == "python" and _compiles(source):
        return 0  # the usual case: no tree needed
    errors = _error_nodes(parser.parse(source.encode("utf-8")).root_node)
    return errors + 1 if language_id == "python" else errors


def _compiles(source: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes and the like: the code is the user's
        try:
            compile(source, "<completion>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return False
    return True


def _error_nodes(root: Any) -> int:
    if not root.has_error:
        return 0
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        if node.has_error:
            stack.extend(node.children)
    return count


def errors_with(ctx: FilterContext, middle: str) -> int | None:
    """`parse_errors` of the window around the cursor with `middle` inserted at the cursor."""
    return parse_errors(f"{ctx.before}{ctx.line_prefix}{middle}{ctx.line_suffix}\n{ctx.after}", ctx.language_id)


def keep_parsing(text: str, ctx: FilterContext) -> str:
    text = normalize_newlines(text)
    lines = text.split("\n")
    whole_lines = is_blank(ctx.line_prefix) and is_blank(ctx.line_suffix)
    if not ctx.multiline or (len(lines) < 2 and not whole_lines) or not ctx.before + ctx.after:
        return text

    baseline = errors_with(ctx, "")
    if baseline is None:
        return text
    for k in range(len(lines), 0, -1):
        if k < len(lines) and is_blank(lines[k - 1]):
            continue
        kept = cut_before(lines, k)
        errors = errors_with(ctx, kept)
        if errors is not None and errors <= baseline:
            return text if k == len(lines) else kept
    # Whole lines inserted on a blank line that break a definition that compiled without them: none fits.
    return "" if whole_lines and baseline == 0 else text
