"""PHP: enclosing scope and single/multi-line mode from a tree-sitter-php parse of the window.

Same answers, with the same meaning, as :mod:`copiloto.context._braces` (which PHP used before), but read
from the syntax tree, so that braces in strings, heredocs, comments, ``?>`` HTML sections and ``#[...]``
attributes no longer count, multi-line method signatures and closures are functions, and the alternative
syntax (``if (...):`` ... ``endif;``) opens blocks like ``{`` does.

* Scope: the innermost function (function, method, closure) or class (class, interface, trait, enum,
  anonymous class) whose body holds the cursor; else the innermost block (``if``, ``foreach``, ``match``,
  ``namespace {}``, ...); else the module.  Arrow functions (``fn($x) => ...``) have no body: like a Python
  lambda they are not scopes.
* Multi-line: after a ``{`` (or the ``:`` of an alternative-syntax block) at the end of the line, or on a
  blank line in a body holding nothing but comments (the next code is the body's end, or is indented no
  deeper than the line of its opener: the user has not closed the body yet).

Typing breaks code.  Where the path from the cursor to the root passes through an ``ERROR`` node, the tree
cannot be trusted around the cursor: the brace heuristic decides, on a copy of the window in which the
strings, comments, HTML and attributes the tree did recognise are blanked out.  Where the cursor is in the
HTML around the PHP, the tree knows nothing of that text's structure (a ``<script>``'s braces): the brace
heuristic decides on the window as is.

A window cut mid-document (the builder keeps up to 400 lines before the cursor) does not start with
``<?php``: a tag is put before it unless its first tag is an opening one (it starts in HTML), and a comment
opener too when it starts inside a ``/* */`` comment (docblocks are everywhere in PHP).  The window mostly
ends mid-class too: a ``*/``, a ``;`` and a ``}`` for each brace left open are put after it, else
tree-sitter's recovery wraps the whole window in an ERROR.  Measured by bench/php_context.py: ~1 ms a call
(p50; the braces ~0.7 ms), and the brace fallback at under 1 % of line ends of public PHP.

Also :func:`enclosing_function`, for the log explainer: the named function around a line of a PHP file.
One module, over 400 lines: the tree reading and the fallback it hands over to answer the same questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from copiloto.context import _braces
from copiloto.context._braces import BraceResult
from copiloto.context._python import Region
from copiloto.context._text import indent_of, indent_width
from copiloto.context.model import Mode, ScopeKind
from copiloto.grammars import language, parser

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node, Query, Tree

_FUNCTIONS = frozenset({"function_definition", "method_declaration", "anonymous_function"})
_NAMED_FUNCTIONS = frozenset({"function_definition", "method_declaration"})
_CLASSES = frozenset(
    {"class_declaration", "interface_declaration", "trait_declaration", "enum_declaration", "anonymous_class"}
)
_BODIES = frozenset(
    {"compound_statement", "declaration_list", "enum_declaration_list", "colon_block", "switch_block", "match_block"}
)
# Statements whose alternative-syntax body (a colon_block) ends where its node does, before `endif`/`else`:
# a cursor after its last statement is not inside it, only inside one of these.
_ALT_OWNERS = frozenset(
    {"if_statement", "else_clause", "else_if_clause", "foreach_statement", "for_statement", "while_statement"}
)
_STRINGS = frozenset({"string", "encapsed_string", "heredoc", "nowdoc", "shell_command_expression"})
_SKIPPED = frozenset({"comment", "text_interpolation"})  # not code, for empty bodies and body indents
_OPENERS = frozenset({"{", ":"})
_CLOSERS = frozenset({"}", "endswitch"})
# Masked for the brace fallback: what its lexer misreads (`#[` is a comment to it; braces in the rest count).
_MASK_QUERY = "[(comment) (string) (encapsed_string) (heredoc) (nowdoc) (text) (attribute_list)] @m"
_ALT_HEADER_RE = re.compile(r"\s*(?:if|elseif|else\s*if|else|foreach|for|while|switch|declare)\b.*:\s*$")
_TAG_RE = re.compile(r"<\?(?:php|=)?|\?>")
# Put after the window, which mostly ends in the middle of a class: with its class and method left open,
# tree-sitter's recovery wraps the whole window in an ERROR (3 line ends in 4 on public PHP). `*/` ends a
# docblock the cut left open (else `/**/` is an empty comment), `;` a statement, then a `}` for each brace
# left open: exactly as many, a surplus `}` can turn a whole top-level function into an ERROR.
_TAIL = "\n/**/;"
# Strings, comments, heredocs and HTML, skipped to count the braces left open (a tokenizer: leftmost wins).
_NOT_CODE_RE = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|//[^\n]*|\#(?!\[)[^\n]*|/\*.*?(?:\*/|\Z)"""
    r"""|<<<[ \t]*(['"]?)(\w+)\1.*?^[ \t]*\2\b|\?>.*?(?:<\?php|<\?=|\Z)""",
    re.DOTALL | re.MULTILINE,
)


@dataclass(frozen=True)
class _Parsed:
    tree: Tree
    shift: int  # rows put before the window to open PHP mode
    cursor: int  # byte offset of the cursor in the parsed text


def analyze(lines: list[str], crow: int, ccol: int, unit: str, *, at_start: bool = True) -> BraceResult:
    """Mode and scope for the cursor at ``lines[crow][ccol]`` (window rows); ``at_start``: the window
    starts at the document start."""
    parsed = _parse(lines, crow, ccol, at_start)
    if parsed is None:
        return _braces.analyze(lines, crow, ccol, unit, "php")
    before = parsed.tree.root_node.descendant_for_byte_range(max(parsed.cursor - 1, 0), parsed.cursor)
    if before is None or _in_html(before, parsed.cursor):
        return _braces.analyze(lines, crow, ccol, unit, "php")
    if _has_error_above(before):
        return _fallback(parsed, lines, crow, ccol, unit)
    in_text = _in_text(before, parsed.cursor)
    bodies = _bodies(before, parsed.cursor)
    mode: Mode = "single" if in_text else _mode(parsed, bodies, lines, crow, ccol)
    return BraceResult(mode, _region(parsed, bodies, lines, crow, unit))


# --------------------------------------------------------------------------- parsing


def _head(lines: list[str], at_start: bool) -> str:
    """What to put before a window so that it parses as the PHP it is part of."""
    if at_start:
        return ""
    text = "\n".join(lines)
    tag = _TAG_RE.search(text)
    if tag is not None and tag.group() != "?>":
        return ""  # the window starts in HTML
    close = text.find("*/")
    in_comment = close >= 0 and not 0 <= text.find("/*") < close
    return "<?php /*\n" if in_comment else "<?php\n"


def _parse(lines: list[str], crow: int, ccol: int, at_start: bool) -> _Parsed | None:
    head = _head(lines, at_start)
    before_cursor = head + "\n".join(lines[:crow]) + ("\n" if crow else "") + lines[crow][:ccol]
    # NUL bytes derail tree-sitter's scanners; a space keeps every byte column.
    window = head + "\n".join(lines)
    source = (window + _TAIL + "}" * _open_braces(window)).replace("\x00", " ")
    try:
        tree = parser("php").parse(source.encode("utf-8", "replace"))
    except Exception:  # a binding problem: the heuristic still works
        return None
    return _Parsed(tree, head.count("\n"), len(before_cursor.encode("utf-8", "replace")))


def _open_braces(source: str) -> int:
    """The ``{`` left open at the end of ``source`` (the ``}`` closing what began before it are ignored)."""
    depth = 0
    for brace in re.findall(r"[{}]", _NOT_CODE_RE.sub("", source)):
        depth = depth + 1 if brace == "{" else max(depth - 1, 0)
    return depth


# --------------------------------------------------------------------------- where the cursor is


def _in_html(before: Node, cursor: int) -> bool:
    return before.type == "text" or (before.type == "php_end_tag" and before.end_byte == cursor)


def _has_error_above(node: Node) -> bool:
    n: Node | None = node
    while n is not None:
        if n.is_error:
            return True
        n = n.parent
    return False


def _in_text(before: Node, cursor: int) -> bool:
    """In a string or a comment: ``before`` holds the byte before the cursor."""
    n: Node | None = before
    while n is not None:
        if n.type == "comment":
            line_comment = n.text is not None and not n.text.startswith(b"/*")
            return cursor < n.end_byte or line_comment  # a line comment runs to the end of the line
        if n.type in _STRINGS:
            return cursor < n.end_byte
        n = n.parent
    return False


def _body_span(body: Node) -> tuple[int, int | None]:
    """Bytes of ``body`` a cursor may be at and be inside it: after its opener, up to its closer (None:
    no closer yet, open to the end).  A colon_block's closer is what follows it: ``else``, ``endif``."""
    first = _child(body, 0)
    start = first.end_byte if first is not None and first.type in _OPENERS else body.start_byte
    closer = _closer(body)
    if closer is not None:
        return start, None if closer.is_missing else closer.start_byte
    if body.type == "colon_block":
        follower = _follower(body)
        return start, None if follower is None or follower.is_missing else follower.start_byte
    return start, body.end_byte


def _closer(body: Node) -> Node | None:
    """The ``}`` (or ``endswitch``) ending ``body``, None for a colon_block."""
    n = body.child_count
    for i in (n - 1, n - 2):  # `endswitch` comes before its `;`
        child = _child(body, i)
        if child is not None and child.type in _CLOSERS:
            return child
    return None


def _child(node: Node, i: int) -> Node | None:
    """``node``'s child ``i``, None when it has no such child (the binding raises)."""
    return node.child(i) if 0 <= i < node.child_count else None


def _follower(body: Node) -> Node | None:
    """The token after a colon_block: ``else``, ``elseif`` or ``endif`` (after an else's block: its if's)."""
    n: Node | None = body
    for _ in range(3):
        if n is None:
            return None
        if n.next_sibling is not None:
            return n.next_sibling
        n = n.parent
    return None


def _holds(body: Node, cursor: int) -> bool:
    start, end = _body_span(body)
    return start <= cursor and (end is None or cursor <= end)


def _bodies(before: Node, cursor: int) -> list[Node]:
    """Bodies holding the cursor, innermost first."""
    out: list[Node] = []
    n: Node | None = before
    while n is not None:
        if n.type in _BODIES and _holds(n, cursor):
            out.append(n)
        elif n.type in _ALT_OWNERS:
            out.extend(b for b in _colon_blocks(n) if _holds(b, cursor) and all(b.id != o.id for o in out))
        n = n.parent
    return out


def _colon_blocks(owner: Node) -> list[Node]:
    """The colon_blocks of an alternative-syntax statement, its ``elseif``/``else`` ones included: they end
    with their last statement, so a cursor on a blank line after it is only inside the statement."""
    clauses = [owner, *owner.children_by_field_name("alternative")]
    bodies = (c.child_by_field_name("body") for c in clauses)
    return [b for b in bodies if b is not None and b.type == "colon_block"]


def _owner(body: Node) -> Node:
    parent = body.parent
    if parent is None or parent.type in _BODIES or parent.type == "program":
        return body  # a bare `{ ... }` block
    return parent


def _kind(owner: Node) -> ScopeKind:
    if owner.type in _FUNCTIONS:
        return "function"
    return "class" if owner.type in _CLASSES else "block"


# --------------------------------------------------------------------------- mode


def _mode(parsed: _Parsed, bodies: list[Node], lines: list[str], crow: int, ccol: int) -> Mode:
    line = lines[crow]
    prefix, suffix = line[:ccol].rstrip(), line[ccol:].strip()
    if prefix.endswith("{") and suffix in ("", "}"):
        return "multi"  # the braces' rule, `{|}` included; strings and comments are out already
    inner = bodies[0] if bodies else None
    opener = _child(inner, 0) if inner is not None else None
    if prefix.endswith(":") and not suffix and opener is not None and opener.type == ":":
        trailing = ccol - len(prefix)  # whitespace: a byte a character
        if opener.end_byte == parsed.cursor - trailing:
            return "multi"  # the `:` of `if (...):`, `foreach (...):`, `else:`, `switch (...):`
    if not line.strip() and inner is not None and _empty_body(parsed, inner, lines):
        return "multi"
    return "single"


def _empty_body(parsed: _Parsed, body: Node, lines: list[str]) -> bool:
    """Nothing but comments between the body's opener and the cursor, and after it the body's end, nothing,
    or code indented no deeper than the opener's line (an unclosed body swallowing what follows)."""
    opener = _child(body, 0)
    if opener is None or opener.type not in _OPENERS:
        return False
    opener_row = opener.start_point.row - parsed.shift
    child = opener.next_sibling
    while child is not None and child.type in _SKIPPED:
        child = child.next_sibling
    if child is None:
        return True
    if child.start_byte < parsed.cursor:
        return False
    row = child.start_point.row - parsed.shift
    if child.type in _CLOSERS or child.is_missing or row >= len(lines):
        return True  # the body's end, or what the tail closed it with
    return indent_width(indent_of(lines[row])) <= indent_width(indent_of(lines[opener_row]))


# --------------------------------------------------------------------------- scope


def _region(parsed: _Parsed, bodies: list[Node], lines: list[str], crow: int, unit: str) -> Region | None:
    if not bodies:
        return None
    picked = next((b for b in bodies if _kind(_owner(b)) != "block"), bodies[0])
    owner = _owner(picked)
    kind = _kind(owner)
    name = _name(owner) if kind != "block" else None
    start = _header_row(owner) - parsed.shift
    end = _end_row(picked)
    end = len(lines) - 1 if end is None else min(end - parsed.shift, len(lines) - 1)
    return Region(kind, name, start, max(end, crow), _body_indent(parsed, picked, lines, start, unit))


def _name(owner: Node) -> str | None:
    node = owner.child_by_field_name("name")
    if node is None or node.text is None:
        return None
    return node.text.decode("utf-8", "replace")


def _header_row(owner: Node) -> int:
    """The row of the declaration proper: after its ``#[...]`` attributes, as Python's after decorators."""
    for child in owner.children:
        if child.type not in ("attribute_list", "comment"):
            return child.start_point.row
    return owner.start_point.row


def _end_row(body: Node) -> int | None:
    """The row of the body's closer; None when it has none (as the braces': to the window's end)."""
    _start, end = _body_span(body)
    if end is None:
        return None
    closer = _closer(body) or _follower(body)
    return closer.start_point.row if closer is not None else body.end_point.row


def _body_indent(parsed: _Parsed, body: Node, lines: list[str], header: int, unit: str) -> str:
    """The indent of the body's first statement on a line of its own, else the header's plus a unit."""
    opener_row = body.start_point.row
    child = body.named_child(0) if body.named_child_count else None
    while child is not None:
        row = child.start_point.row - parsed.shift
        if child.type not in _SKIPPED and child.start_point.row > opener_row:
            if row < len(lines):  # not the tail's `;`
                return indent_of(lines[row])
            break
        child = child.next_named_sibling
    return indent_of(lines[header]) + unit


# --------------------------------------------------------------------------- fallback


@cache
def _mask_query() -> Query:
    from tree_sitter import Query

    return Query(language("php"), _MASK_QUERY)


def _fallback(parsed: _Parsed, lines: list[str], crow: int, ccol: int, unit: str) -> BraceResult:
    """The brace heuristic on the window with what the tree recognised as strings, comments, HTML and
    attributes blanked out (but the one at the cursor, which the heuristic reads itself)."""
    masked = _masked(parsed, lines)
    result = _braces.analyze(masked, crow, ccol, unit, "php")
    prefix = masked[crow][:ccol]
    if result.mode == "single" and not lines[crow][ccol:].strip() and _ALT_HEADER_RE.fullmatch(prefix):
        return BraceResult("multi", result.region)  # `if ($x):` being typed: no `endif;` yet, so an ERROR
    return result


def _masked(parsed: _Parsed, lines: list[str]) -> list[str]:
    from tree_sitter import QueryCursor

    out = list(lines)
    captures = QueryCursor(_mask_query()).captures(parsed.tree.root_node)
    for node in captures.get("m", []):
        if node.start_byte < parsed.cursor <= node.end_byte or _has_error_above(node):
            continue
        _blank(out, lines, node, parsed.shift)
    return out


def _blank(out: list[str], lines: list[str], node: Node, shift: int) -> None:
    (r0, b0), (r1, b1) = node.start_point, node.end_point
    for row in range(max(r0 - shift, 0), min(r1 - shift, len(lines) - 1) + 1):
        line = lines[row]
        a = _char_col(line, b0) if row == r0 - shift else 0
        b = _char_col(line, b1) if row == r1 - shift else len(line)
        out[row] = out[row][:a] + " " * (b - a) + out[row][b:]


def _char_col(line: str, byte_col: int) -> int:
    if line.isascii():
        return min(byte_col, len(line))
    return len(line.encode("utf-8", "replace")[:byte_col].decode("utf-8", "replace"))


# --------------------------------------------------------------------------- log frames


@dataclass(frozen=True)
class FunctionSpan:
    """A named function or method: its name and rows (0-based, inclusive, attributes included)."""

    name: str
    start_row: int
    end_row: int


def enclosing_function(source: str, row: int) -> FunctionSpan | None:
    """The innermost named function or method around ``row`` (0-based) of a PHP file; closures are part of
    the function they are written in.  None at file level or when nothing parses around the row."""
    tree = parser("php").parse(source.replace("\x00", " ").encode("utf-8", "replace"))
    lines = source.split("\n")
    if not 0 <= row < len(lines):
        return None
    col = len(lines[row]) - len(lines[row].lstrip())
    n: Node | None = tree.root_node.descendant_for_point_range((row, col), (row, col))
    while n is not None:
        if n.type in _NAMED_FUNCTIONS and n.start_point.row <= row <= n.end_point.row:
            name = _name(n)
            if name is not None:
                return FunctionSpan(name, n.start_point.row, n.end_point.row)
        n = n.parent
    return None
