"""``build_context``: from (document, cursor offset, languageId) to a :class:`CompletionContext`."""

from __future__ import annotations

import sys

from copiloto.context import _braces, _php, _python
from copiloto.context._python import Region
from copiloto.context._text import TextView, detect_indent_unit
from copiloto.context.model import CompletionContext, Mode, Scope

CONTEXT_LINES = 20  # prev_lines / next_lines
WINDOW_LINES_BEFORE = 400  # lines before the cursor line that are analysed (parsed) ...
WINDOW_LINES_AFTER = 100  # ... and after it
WINDOW_CHARS_BEFORE = 32_000  # ... capped in characters too, so long lines cannot blow it up
WINDOW_CHARS_AFTER = 8_000
MAX_LINE_CHARS = 3_000  # a longer cursor line is data or minified code: no completion

# What may follow the cursor on its line without suppressing the completion.
CLOSERS = frozenset(")]}'\"`:;,")
_ALLOWED_AFTER = CLOSERS | frozenset(" \t\f\v")

PYTHON_LANGUAGE_IDS = frozenset({"python", "py", "python3"})

SKIP_TEXT_AFTER_CURSOR = "text after cursor"
SKIP_LONG_LINE = "line too long"


def build_context(text: str, offset: int, language_id: str) -> CompletionContext:
    """Decide what kind of completion to ask for at ``offset`` and cut the prompt pieces.

    ``offset`` is a Python ``str`` index; it is clamped to ``[0, len(text)]``
    and an offset inside a CRLF pair is moved before the CR.  See the package
    docstring for the rules.
    """
    n = len(text)
    offset = min(max(offset, 0), n)
    if 0 < offset < n and text[offset - 1] == "\r" and text[offset] == "\n":
        offset -= 1
    view = TextView(text)
    ls = view.line_start_at_or_before(offset)
    le = view.line_end(offset)
    line_prefix = text[ls:offset]
    line_suffix = text[offset:le]
    prev_lines = view.lines_before(ls, CONTEXT_LINES, sys.maxsize)
    next_lines = view.lines_after(le, CONTEXT_LINES, sys.maxsize)
    spans = view.spans_before(ls, WINDOW_LINES_BEFORE, WINDOW_CHARS_BEFORE)
    before = [text[s:e] for s, e in spans]
    after = view.lines_after(le, WINDOW_LINES_AFTER, WINDOW_CHARS_AFTER)

    too_long = le - ls > MAX_LINE_CHARS
    cursor_line = "" if too_long else text[ls:le]
    unit = detect_indent_unit([*before, cursor_line, *after])
    skip: str | None = None
    if too_long:
        skip = SKIP_LONG_LINE
    elif not set(line_suffix) <= _ALLOWED_AFTER:
        skip = SKIP_TEXT_AFTER_CURSOR

    mode: Mode = "single"
    scope: Scope | None = None
    if skip is None:
        cursor_row = view.row_of(ls)
        python = language_id.lower() in PYTHON_LANGUAGE_IDS
        if python and len(before) < cursor_row:  # the window starts mid-document
            before = before[_python.window_start(text, spans[0][0], before) :]
        window = [*before, cursor_line, *after]
        crow, ccol = len(before), offset - ls
        region: Region | None
        if python:
            py = _python.analyze(window, crow, ccol, unit)
            mode, region = py.mode, py.region
        elif language_id.lower() == "php":
            ph = _php.analyze(window, crow, ccol, unit, at_start=len(before) == cursor_row)
            mode, region = ph.mode, ph.region
        else:
            br = _braces.analyze(window, crow, ccol, unit, language_id)
            mode, region = br.mode, br.region
        if region is None:
            scope = Scope("module", None, 0, cursor_row + view.rows_between(ls, n), "")
        else:
            base = cursor_row - crow
            scope = Scope(region.kind, region.name, base + region.start_row, base + region.end_row, region.body_indent)

    return CompletionContext(
        prefix=text[:offset],
        suffix=text[offset:],
        mode=mode,
        skip_reason=skip,
        scope=scope,
        line_prefix=line_prefix,
        line_suffix=line_suffix,
        prev_lines=tuple(prev_lines),
        next_lines=tuple(next_lines),
        indent_unit=unit,
        language_id=language_id,
    )
