"""Shared plumbing of the rewrites: find the call a bandit finding points at, and edit the text by ranges.

Positions come from `ast` (1-based lines, UTF-8 byte columns, as bandit reports them); edits are made on
the text between two such positions, so everything outside the flagged call (comments, formatting) stays
byte for byte as it was.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from copiloto import astnames


@dataclass(frozen=True)
class Source:
    """A parsed text with a map from (line, byte column) to a character offset."""

    text: str
    tree: ast.Module
    starts: tuple[int, ...]  # character offset of each line's start

    @classmethod
    def parse(cls, text: str) -> Source | None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return None
        starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                starts.append(index + 1)
        return cls(text, tree, tuple(starts))

    def offset(self, line: int, byte_column: int) -> int:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        raw = self.text[start:end].encode("utf-8")[:byte_column]
        return start + len(raw.decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets of a node (positions as ast gives them, without surrounding parentheses)."""
        first = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        last = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return first, last

    def segment(self, node: ast.AST) -> str:
        first, last = self.span(node)
        return self.text[first:last]

    def has_comment(self, first: int, last: int) -> bool:
        """Whether a comment starts between two character offsets."""
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(self.text).readline))
        except (tokenize.TokenError, SyntaxError):
            return True
        return any(
            tok.type == tokenize.COMMENT and first <= self.offset_of_char(tok.start[0], tok.start[1]) < last
            for tok in tokens
        )

    def offset_of_char(self, line: int, char_column: int) -> int:
        return self.starts[line - 1] + char_column

    def expression(self, node: ast.AST) -> str:
        """The node's source, in parentheses unless it is an atom (a name, literal, call, attribute...)."""
        text = self.segment(node)
        atoms = (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript, ast.JoinedStr, ast.List, ast.Dict)
        return text if isinstance(node, atoms) else f"({text})"

    def call_at(self, line: int, column: int, accept: Callable[[ast.Call], bool]) -> ast.Call | None:
        """The call that `accept`s, spans `line` and starts at byte `column` (bandit gives the call's column,
        and for a call over several lines sometimes the line of the flagged argument); failing that, the only
        such call spanning `line`."""
        calls = [
            node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or node.lineno) and accept(node)
        ]
        calls.sort(key=lambda call: (call.lineno != line, -call.lineno, -call.col_offset))  # innermost first
        exact = [call for call in calls if call.col_offset == column]
        if exact:
            return exact[0]
        return calls[0] if len(calls) == 1 else None


def replace(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, new) character-offset edits."""
    out, last = [], 0
    for start, end, new in sorted(edits):
        if start < last:
            raise ValueError("overlapping edits")
        out += [text[last:start], new]
        last = end
    return "".join(out) + text[last:]


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a chain of names, else None."""
    return astnames.dotted(node) or None


def last_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((kw for kw in call.keywords if kw.arg == name), None)


def attribute_name_span(source: Source, func: ast.Attribute) -> tuple[int, int] | None:
    """The span of the attribute's name (`load` in `yaml.load`), None when the text does not end with it."""
    first, last = source.span(func)
    if not source.text[first:last].endswith(func.attr):
        return None
    return last - len(func.attr), last


def removing_keyword(source: Source, call: ast.Call, kw: ast.keyword) -> tuple[int, int, str] | None:
    """The edit removing `kw` and one comma next to it; None when a comment sits in between."""
    items: list[ast.AST] = [*call.args, *call.keywords]
    items.sort(key=lambda node: (node.lineno, node.col_offset))  # type: ignore[attr-defined]
    index = next(i for i, node in enumerate(items) if node is kw)
    first, last = source.span(kw)
    if index > 0:
        start = source.span(items[index - 1])[1]
        between = source.text[start:first]
        if between.strip() != ",":
            return None
        return start, last, ""
    if len(items) > 1:
        end = source.span(items[1])[0]
        between = source.text[last:end]
        if between.strip() != ",":
            return None
        return first, end, ""
    # the only argument: drop it and a trailing comma, up to the closing parenthesis
    call_end = source.span(call)[1] - 1  # the ")"
    between = source.text[last:call_end]
    if between.strip() not in ("", ","):
        return None
    return first, call_end, ""


def adding_keyword(source: Source, call: ast.Call, text: str) -> tuple[int, int, str] | None:
    """The edit adding `text` (`name=value`) as the call's last argument; None when a comment is in the way."""
    items: list[ast.AST] = [*call.args, *call.keywords]
    closing = source.span(call)[1] - 1  # the ")"
    if not items:
        return (closing, closing, text) if not source.text[source.span(call.func)[1] : closing].count("#") else None
    end = max(source.span(node)[1] for node in items)
    tail = source.text[end:closing]
    if "#" in tail:
        return None
    end += len(tail.rstrip().rstrip(",").rstrip())  # after the parentheses around the last argument
    return end, end, f", {text}"
