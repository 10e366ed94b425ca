"""Value types produced by :mod:`copiloto.context`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ScopeKind = Literal["module", "function", "class", "block"]
Mode = Literal["single", "multi"]


@dataclass(frozen=True)
class Scope:
    """The region the completion will be written into.

    ``kind`` is the innermost enclosing function or class; ``"block"`` when no
    function/class encloses the cursor but a compound statement / brace block
    does (e.g. the body of a top-level ``if __name__ == "__main__":`` or a
    JavaScript object literal); ``"module"`` otherwise.
    """

    kind: ScopeKind
    name: str | None
    start_line: int  # 0-based, inclusive (the ``def``/``class``/header line)
    end_line: int  # 0-based, inclusive; never before the cursor line
    body_indent: str  # indentation of the scope's body ("" for the module)


@dataclass(frozen=True)
class CompletionContext:
    """Everything the completion engine needs to know about the cursor."""

    prefix: str  # document text before the cursor (whole, before budgeting)
    suffix: str  # document text after the cursor
    mode: Mode
    skip_reason: str | None  # non-None: don't ask the model at all
    scope: Scope | None  # None iff skip_reason is set
    line_prefix: str  # cursor line, before the cursor
    line_suffix: str  # cursor line, after the cursor (no line terminator)
    prev_lines: tuple[str, ...]  # up to 20 lines before the cursor line, nearest last
    next_lines: tuple[str, ...]  # up to 20 lines after the cursor line, nearest first
    indent_unit: str  # "    ", "  " or "\t", detected from the document
    language_id: str = ""  # the editor's language id ("python", "php"); "" when unknown
