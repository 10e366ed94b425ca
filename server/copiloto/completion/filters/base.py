"""The filter contract: what a filter sees about the cursor, and the signature every filter has.

The model's raw "middle" text is spliced at the cursor, so the document afterwards reads
``prev_lines + line_prefix + TEXT + line_suffix + "\\n" + next_lines``. Every filter is a pure
``(text, ctx) -> text`` function, returns "" when nothing is worth showing, and accepts CRLF input
(it always answers with "\\n" line breaks; the client converts to the document's line ending).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FilterContext:
    line_prefix: str  # text of the cursor's line before the cursor
    line_suffix: str  # text of the cursor's line after the cursor (may be "" or closing chars like ")")
    prev_lines: tuple[str, ...]  # up to ~20 document lines before the cursor line, nearest last
    next_lines: tuple[str, ...]  # up to ~20 document lines after the cursor line, nearest first
    multiline: bool  # the pipeline decided a multi-line completion is wanted here
    indent_unit: str = "    "  # one indentation step of this document
    # The enclosing top-level definition around the cursor line, for filters that parse: the text before the
    # cursor line (ending with its line break) and after it (from the next line on); "" when unknown.
    before: str = ""
    after: str = ""
    language_id: str = ""
    # A multi-line answer the model did not end itself (it ran on): keep its first whole statement, and more
    # only where the code that follows needs it (filters/first_statement.py).
    first_statement: bool = False


Filter = Callable[[str, FilterContext], str]
