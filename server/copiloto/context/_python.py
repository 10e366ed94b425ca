"""Python: block openers, enclosing scope and empty bodies around the cursor.

Works on a *window* of lines (the builder cuts it; rows here are window rows)
and uses two sources:

* tree-sitter-python, the primary source: it tells a block-opening ``:`` from
  a dict/slice/lambda/annotation colon and gives the enclosing
  ``def``/``class`` and the statements of the body being written;
* a small line scanner (strings, comments, brackets, backslashes), which
  says whether the cursor is inside a string, a comment or open brackets, and
  which serves as the fallback whenever tree-sitter's answer passes through a
  syntax error (an ``ERROR`` ancestor, or an error inside the chosen scope).
  Partial code is the norm while typing and tree-sitter's error recovery can
  swallow the lines after an unclosed bracket; the scanner's indentation walk
  degrades more predictably there.

Where the cursor is on a blank line, the *cursor column* decides which body
it is in: the innermost compound statement whose header is indented less
than the cursor column (Python's own rule for where a typed line would go).

One module, over 400 lines: tree-sitter and the line scanner it falls back to answer the same questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copiloto.context._text import indent_of, indent_width
from copiloto.context.model import Mode, ScopeKind
from copiloto.grammars import parser

if TYPE_CHECKING:  # pragma: no cover
    from tree_sitter import Node, Tree

# Node types whose body is a ``block`` introduced by ``:``.
_OWNERS = frozenset(
    {
        "function_definition",
        "class_definition",
        "if_statement",
        "elif_clause",
        "else_clause",
        "for_statement",
        "while_statement",
        "with_statement",
        "try_statement",
        "except_clause",
        "except_group_clause",
        "finally_clause",
        "match_statement",
        "case_clause",
    }
)
_DEFS: dict[str, ScopeKind] = {"function_definition": "function", "class_definition": "class"}

_OPENER_RE = re.compile(r"(?:async\s+)?(?:def|class|if|elif|else|for|while|with|try|except|finally|match|case)\b")
_DEF_RE = re.compile(r"(?:async\s+)?(def|class)\s+([^\W\d]\w*)")
_PLACEHOLDER_RE = re.compile(r"(?:pass|\.\.\.)\s*;?\s*(?:#.*)?")
_STRING_START_RE = re.compile(r"[rRbBuUfFtT]{0,2}['\"]")

_TOP_LEVEL_RE = re.compile(r"(?:(?:async\s+)?def|class|import|from)\s|@\w|if __name__\b")
_INDENTED_DEF_RE = re.compile(r"[ \t]*(?:(?:async\s+)?def\s|class\s|@\w)")

_TOKEN_RE = re.compile(r"""(?P<c>\#)|(?P<s>'''|\"\"\"|'|")|(?P<o>[(\[{])|(?P<x>[)\]}])""")
_STRING_END_RE = {
    "'": re.compile(r"(?:[^\\']|\\.)*'"),
    '"': re.compile(r'(?:[^\\"]|\\.)*"'),
    "'''": re.compile(r"(?:[^\\']|\\.|'(?!''))*'''"),
    '"""': re.compile(r'(?:[^\\"]|\\.|"(?!""))*"""'),
}


# --------------------------------------------------------------------------- scanner


@dataclass
class _State:
    triple: str = ""  # open triple quote carried to the next line
    depth: int = 0  # open brackets
    backslash: bool = False  # the previous line ended with a continuation backslash


@dataclass
class _LineScan:
    first_col: int = -1  # first code character (outside comments); -1: none
    last_col: int = -1  # last code character (outside comments); -1: none
    in_string: bool = False  # ends inside a string (open triple quote or unterminated quote)
    in_comment: bool = False  # ends inside a comment


def _scan(line: str, state: _State) -> _LineScan:
    """Scan one line (or a cursor-line prefix), updating ``state`` in place."""
    out = _LineScan()
    pos, end = 0, len(line)
    if state.triple:
        m = _STRING_END_RE[state.triple].match(line)
        if m is None:
            out.in_string = True
            return out
        pos = m.end()
        out.last_col = pos - 1
        state.triple = ""
    while pos < end:
        m = _TOKEN_RE.search(line, pos)
        stop = m.start() if m else end
        seg = line[pos:stop]
        if seg.strip():
            if out.first_col < 0:
                out.first_col = pos + len(seg) - len(seg.lstrip())
            out.last_col = pos + len(seg.rstrip()) - 1
        if m is None:
            break
        kind = m.lastgroup
        if kind == "c":
            out.in_comment = True
            break
        if out.first_col < 0:
            out.first_col = m.start()
        if kind == "o":
            state.depth += 1
        elif kind == "x":
            state.depth = max(0, state.depth - 1)
        else:
            quote = m.group()
            close = _STRING_END_RE[quote].match(line, m.end())
            if close is None:
                out.in_string = True
                out.last_col = end - 1
                if len(quote) == 3:
                    state.triple = quote
                break
            out.last_col = close.end() - 1
            pos = close.end()
            continue
        out.last_col = m.start()
        pos = m.end()
    state.backslash = not out.in_comment and not out.in_string and line.endswith("\\")
    return out


@dataclass
class _Line:
    width: int
    cont: bool  # starts inside brackets / a triple-quoted string / after a backslash
    code: bool  # has code (not blank, not comment-only); always True for continuation lines
    last_col: int  # last code column, -1 if none
    logical: int  # row of the line that starts this logical line
    # on logical-line starts, filled in when the logical line ends:
    opener: bool = False  # a block-opening header (keyword ... ':')
    is_def: bool = False  # ... and a def/class header
    is_pass: bool = False  # ``pass`` or ``...``
    is_string: bool = False  # a bare string (docstring)


@dataclass
class _Scanned:
    lines: list[_Line] = field(default_factory=list)
    cursor_in_string: bool = False
    cursor_in_comment: bool = False
    cursor_in_brackets: bool = False  # brackets still open at the cursor
    prefix_last_col: int = -1  # last code column in the cursor line's prefix


def _scan_window(lines: list[str], crow: int, ccol: int) -> _Scanned:
    out = _Scanned()
    state = _State()
    start_row, start_width = 0, 0
    for row, text in enumerate(lines):
        cont = bool(state.triple or state.depth or state.backslash)
        width = indent_width(indent_of(text))
        if (
            cont
            and not state.triple
            and state.depth
            and width <= start_width
            and text.lstrip().startswith(("def ", "class ", "async def ", "@"))
        ):
            # An unclosed bracket while typing must not swallow the rest of the window.
            state.depth = 0
            cont = False
        if row == crow:
            probe = _State(state.triple, state.depth, state.backslash)
            ps = _scan(text[:ccol], probe)
            out.cursor_in_string = ps.in_string
            out.cursor_in_comment = ps.in_comment
            out.cursor_in_brackets = probe.depth > 0
            out.prefix_last_col = ps.last_col
        scan = _scan(text, state)
        if not cont:
            start_row, start_width = row, width
        out.lines.append(_Line(width, cont, cont or scan.last_col >= 0, scan.last_col, start_row))
        first = out.lines[start_row]
        if not (state.triple or state.depth or state.backslash) and first.code:
            head = lines[start_row].lstrip()
            last = text[scan.last_col] if scan.last_col >= 0 else ""
            first.opener = last == ":" and bool(_OPENER_RE.match(head))
            first.is_def = first.opener and bool(_DEF_RE.match(head))
            first.is_pass = bool(_PLACEHOLDER_RE.fullmatch(head))
            first.is_string = bool(_STRING_START_RE.match(head)) and last in ("'", '"')
    return out


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Region:
    """A scope found in the window (window rows)."""

    kind: ScopeKind
    name: str | None
    start_row: int
    end_row: int
    body_indent: str


@dataclass(frozen=True)
class PyResult:
    mode: Mode
    region: Region | None  # None: module
    used_tree: bool  # False: the scanner fallback decided the scope


# --------------------------------------------------------------------------- tree-sitter


def _parse(window: str) -> Tree | None:
    """Parse the window, or None when tree-sitter is missing or fails."""
    # NUL bytes derail tree-sitter's string scanner; a space keeps every byte column.
    data = window.replace("\x00", " ").encode("utf-8", "replace")
    try:
        # From bytes, not from a read callable: py-tree-sitter (0.25, 0.26) keeps a reference to every chunk a
        # read callable returns, which leaked the whole window on every keystroke (bench/soak.py found it). The
        # price: no progress callback, so no deadline; a window of random brackets and quotes (40 KB) takes ~80 ms.
        return parser("python").parse(data)
    except Exception:  # a binding problem
        return None


def window_start(text: str, start: int, before: list[str]) -> int:
    """Index of the line of ``before`` to start the analysed window at.

    ``before`` are the window's lines before the cursor line; the first one
    starts at ``text[start]``, somewhere in the middle of the document.  A
    window must not start inside a string or a bracket: that would derail
    both tree-sitter and the scanner (and make tree-sitter's error recovery
    slow).  So:

    * if an odd number of ``\"\"\"`` (or of ``\'\'\'``) precedes the window, it
      probably starts inside a triple-quoted string: skip past the first line
      of the window holding that quote (C-speed counting; quotes in comments
      or inside the other kind of string can fool it, which costs a few lines
      of window, nothing worse);
    * then start at the first line that looks like a top-level statement, else
      the first (indented) ``def``/``class``/decorator line; tree-sitter
      accepts an indented first line.  An enclosing def/class header is
      itself such a line, so it is never cut off.
    """
    first = 0
    odd = [q for q in ('"""', "'''") if text.count(q, 0, start) % 2]
    if len(odd) == 1:
        closing = next((i for i, line in enumerate(before) if odd[0] in line), None)
        if closing is not None:
            first = closing + 1
    for pattern in (_TOP_LEVEL_RE, _INDENTED_DEF_RE):
        for i in range(first, len(before)):
            if pattern.match(before[i]):
                return i
    return first


def _bcol(line: str, col: int) -> int:
    return len(line[:col].encode("utf-8", "replace"))


def _node_at(tree: Tree, lines: list[str], row: int, col: int) -> Node | None:
    b = _bcol(lines[row], col)
    return tree.root_node.descendant_for_point_range((row, b), (row, b + 1))


def _colon_and_body(owner: Node) -> tuple[Node | None, Node | None]:
    colon: Node | None = None
    for child in owner.children:
        if child.type == ":":
            colon = child
        elif child.type == "block":
            return colon, child
    return colon, None


def _is_placeholder(stmt: Node, first: bool) -> bool:
    if stmt.type == "pass_statement":
        return True
    if stmt.type != "expression_statement" or stmt.named_child_count != 1:
        return False
    child = stmt.named_children[0]
    return child.type == "ellipsis" or (first and child.type in ("string", "concatenated_string"))


def _body_statements(body: Node) -> list[Node]:
    return [c for c in body.named_children if c.type != "comment"]


def _tree_result(
    tree: Tree, lines: list[str], anchor: tuple[int, int] | None, c_eff: int | None
) -> tuple[Node | None, Node | None] | None:
    """``(X, scope)`` from the tree, or None when the tree cannot be trusted.

    X is the innermost compound statement whose body holds the cursor; scope
    the innermost def/class at or above it.  ``c_eff`` None means the cursor
    sits in code, where the syntax tree alone decides; otherwise the cursor is
    on a blank line at column ``c_eff``.
    """
    if anchor is None:
        return None, None  # nothing but blanks/comments before the cursor: module level
    node = _node_at(tree, lines, *anchor)
    if node is None:
        return None
    chain: list[Node] = []
    n: Node | None = node
    while n is not None:
        if n.type == "ERROR" or n.is_missing:
            return None
        chain.append(n)
        n = n.parent
    x: Node | None = None
    scope: Node | None = None
    for owner in chain[1:]:
        if owner.type not in _OWNERS:
            continue
        colon, body = _colon_and_body(owner)
        if colon is None:
            continue
        inside = node.id == colon.id or (
            body is not None and body.start_byte <= node.start_byte and node.end_byte <= body.end_byte
        )
        if not inside:
            continue
        if c_eff is not None and indent_width(indent_of(lines[owner.start_point.row])) >= c_eff:
            continue
        if x is None:
            x = owner
        if owner.type in _DEFS:
            scope = owner
            break
    for picked in (x, scope):
        if picked is not None and picked.has_error:
            return None
    return x, scope


def _tree_region(owner: Node, kind: ScopeKind, lines: list[str], crow: int, unit: str) -> Region:
    name: str | None = None
    if kind != "block":
        name_node = owner.child_by_field_name("name")
        if name_node is not None and name_node.text is not None:
            name = name_node.text.decode("utf-8", "replace")
    row = owner.start_point.row
    end = owner.end_point.row
    if owner.end_point.column == 0 and end > row:
        end -= 1
    colon, body = _colon_and_body(owner)
    body_indent = indent_of(lines[row]) + unit
    if body is not None and colon is not None:
        for stmt in _body_statements(body):
            if stmt.start_point.row > colon.end_point.row:
                body_indent = indent_of(lines[stmt.start_point.row])
                break
    return Region(kind, name, row, max(end, crow), body_indent)


def _tree_body_empty(owner: Node) -> bool:
    _colon, body = _colon_and_body(owner)
    if body is None:
        return True
    stmts = _body_statements(body)
    return all(_is_placeholder(s, i == 0) for i, s in enumerate(stmts))


# --------------------------------------------------------------------------- scanner fallback


def _scan_walk(sc: _Scanned, start: int, limit: int) -> tuple[int | None, int | None, int | None]:
    """Walk up from row ``start`` (inclusive) for headers indented less than ``limit``.

    Returns ``(x, block, scope)`` rows: ``x`` the nearest enclosing header if
    the first less-indented statement is one, ``block`` the innermost
    enclosing header, ``scope`` the innermost enclosing def/class header.
    """
    x: int | None = None
    block: int | None = None
    first = True
    for row in range(start, -1, -1):
        ln = sc.lines[row]
        if ln.cont or not ln.code or ln.width >= limit:
            continue
        if first:
            x = row if ln.opener else None
            first = False
        if ln.opener:
            if block is None:
                block = row
            if ln.is_def:
                return x, block, row
        limit = ln.width
        if limit == 0:
            break
    return x, block, None


def _scan_region(sc: _Scanned, lines: list[str], header: int, crow: int, unit: str) -> Region:
    head = lines[header].lstrip()
    m = _DEF_RE.match(head)
    kind: ScopeKind = ("function" if m.group(1) == "def" else "class") if m else "block"
    name = m.group(2) if m else None
    hw = sc.lines[header].width
    end = header
    body_indent: str | None = None
    for row in range(header + 1, len(lines)):
        ln = sc.lines[row]
        if ln.cont:
            end = row
            continue
        if not ln.code:
            continue
        if ln.width <= hw:
            break
        end = row
        if body_indent is None:
            body_indent = indent_of(lines[row])
    if body_indent is None:
        body_indent = indent_of(lines[header]) + unit
    return Region(kind, name, header, max(end, crow), body_indent)


def _scan_body_empty(sc: _Scanned, header: int, crow: int) -> bool:
    """No statements in the body of ``header`` but a leading docstring and ``pass``/``...``."""
    hw = sc.lines[header].width
    first = True
    for row in range(header + 1, len(sc.lines)):
        ln = sc.lines[row]
        if ln.cont or not ln.code or row == crow:
            continue
        if ln.width <= hw:
            break
        if not (ln.is_pass or (first and ln.is_string)):
            return False
        first = False
    return True


def _scan_result(
    sc: _Scanned, lines: list[str], crow: int, opener: bool, code_line: bool, c_eff: int | None, unit: str
) -> tuple[Region | None, bool]:
    """``(scope region, body is empty)`` from the scanner alone."""
    start = sc.lines[crow].logical
    x_row: int | None
    block_row: int | None
    scope_row: int | None
    if opener:  # the header being written is the innermost block
        x_row = block_row = start
        if sc.lines[start].is_def or _DEF_RE.match(lines[start].lstrip()):
            scope_row = start
        else:
            _x, _b, scope_row = _scan_walk(sc, start - 1, sc.lines[start].width)
    elif code_line:
        x_row, block_row, scope_row = _scan_walk(sc, start - 1, sc.lines[start].width)
    else:
        x_row, block_row, scope_row = _scan_walk(sc, crow - 1, c_eff or 0)
    header = scope_row if scope_row is not None else block_row
    region = _scan_region(sc, lines, header, crow, unit) if header is not None else None
    return region, x_row is not None and _scan_body_empty(sc, x_row, crow)


# --------------------------------------------------------------------------- entry point


def analyze(lines: list[str], crow: int, ccol: int, unit: str, *, use_tree: bool = True) -> PyResult:
    """Decide mode and scope for the cursor at ``lines[crow][ccol]`` (window coordinates)."""
    sc = _scan_window(lines, crow, ccol)
    line = lines[crow]
    line_prefix, line_suffix = line[:ccol], line[ccol:]
    in_text = sc.cursor_in_string or sc.cursor_in_comment
    code_line = sc.prefix_last_col >= 0 or sc.lines[crow].cont
    blank_line = not line.strip()
    at_eol = not line_suffix.strip()

    tree = _parse("\n".join(lines)) if use_tree else None

    # 1) block opener right before the cursor
    opener = False
    if not in_text and at_eol and line_prefix.rstrip().endswith(":") and not sc.cursor_in_brackets:
        col = len(line_prefix.rstrip()) - 1
        verdict: bool | None = None
        if tree is not None:
            node = _node_at(tree, lines, crow, col)
            if node is not None and node.type == ":" and node.parent is not None:
                if node.parent.type in _OWNERS:
                    verdict = True
                elif node.parent.type != "ERROR":
                    verdict = False
        if verdict is None:  # no tree, or the colon sits in an ERROR: keyword heuristic
            start = sc.lines[crow].logical
            verdict = bool(_OPENER_RE.match(lines[start].lstrip()))
        opener = verdict

    # 2) where the cursor is: an anchor (last code before the cursor) and, on blank lines, a column
    anchor: tuple[int, int] | None = None
    c_eff: int | None = None
    if sc.prefix_last_col >= 0:
        anchor = (crow, sc.prefix_last_col)
    else:
        for row in range(crow - 1, -1, -1):
            if sc.lines[row].last_col >= 0:
                anchor = (row, sc.lines[row].last_col)
                break
        if not sc.lines[crow].cont:
            c_eff = indent_width(indent_of(line_prefix))

    # 3) the tree's answer, when it can be trusted
    region: Region | None = None
    body_empty = False
    found = _tree_result(tree, lines, anchor, c_eff) if tree is not None else None
    used_tree = found is not None
    if found is not None:
        x_node, scope_node = found
        if scope_node is not None:
            region = _tree_region(scope_node, _DEFS[scope_node.type], lines, crow, unit)
        elif x_node is not None:
            region = _tree_region(x_node, "block", lines, crow, unit)
        body_empty = x_node is not None and _tree_body_empty(x_node)
    else:  # 4) scanner fallback: indentation walk over logical lines
        region, body_empty = _scan_result(sc, lines, crow, opener, code_line, c_eff, unit)

    empty_body_line = blank_line and not sc.cursor_in_brackets and c_eff is not None and body_empty
    mode: Mode = "multi" if not in_text and (opener or empty_body_line) else "single"
    return PyResult(mode, region, used_tree)
