"""Find the def or class to document, and what its docstring has to mention.

Lines are 0-based and columns count code points (the stdlib ``ast`` counts UTF-8 bytes; they are
converted here so that callers can slice ``str`` lines with them).
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from copiloto.astnames import dotted
from copiloto.docstrings.errors import DocstringError

Kind = Literal["function", "method", "class"]
Def = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef

# Statements that open a scope of their own: their returns, yields and raises belong to them.
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Return annotations that say "no value comes back".
_NO_VALUE = frozenset({"None", "NoReturn", "Never"})
_LISTED_QUALNAMES = 20
# Methods of the built-in containers (and deque, OrderedDict) that change the object they are called on:
# `self.items.append(x)` changes `self.items`.
_MUTATORS = frozenset(
    {
        "add",
        "append",
        "appendleft",
        "clear",
        "discard",
        "extend",
        "extendleft",
        "insert",
        "move_to_end",
        "pop",
        "popitem",
        "popleft",
        "remove",
        "reverse",
        "rotate",
        "setdefault",
        "sort",
        "update",
    }
)
# How much of a class the outline shows (see class_outline).
_OUTLINE_ASSIGNMENTS = 8
_OUTLINE_LINE_CHARS = 100
_OUTLINE_LINES = 24
_LONE_CR_RE = re.compile(r"\r(?!\n)")


@dataclass(frozen=True)
class Target:
    kind: Kind
    name: str
    qualname: str
    params: tuple[str, ...]  # signature order; "*args" / "**kwargs" keep their stars
    returns: bool
    yields: bool
    raises: tuple[str, ...]  # sorted, as written after `raise` ("errors.DocstringError")
    return_annotation: str | None
    body_indent: str
    docstring: str | None  # cleaned (ast.get_docstring)
    docstring_span: tuple[int, int, int, int] | None  # start line, start col, end line, end col
    insert_line: int  # the first body statement's line
    header_end_line: int  # the line of the header's closing ":"
    start_line: int  # the first decorator's line, else def_line
    def_line: int  # the `def` / `class` keyword's line (where ruff reports a missing docstring)
    end_line: int
    # A method's attributes of `self` (or `cls`) that its own code assigns, deletes or changes in place
    # (`self.n += 1`, `self.items[k] = v`, `self.queue.append(x)`), as "self.n", in source order; () for
    # functions and classes.
    changes: tuple[str, ...] = ()


def parse(source: str) -> ast.Module:
    # Python also ends lines at a lone CR; every line number here counts "\n" only.
    if _LONE_CR_RE.search(source):
        raise DocstringError("the file uses lone CR line endings; convert it to LF or CRLF first")
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "an unknown line"
        text = (exc.text or "").strip()
        shown = f": {text}" if text else ""
        raise DocstringError(f"the file does not parse ({exc.msg} at {where}{shown})") from None
    except ValueError as exc:  # NUL bytes
        raise DocstringError(f"the file does not parse ({exc})") from None


def find_by_qualname(source: str, qualname: str) -> Target:
    """The def or class named `qualname` (`Class.method`; `<locals>` segments may be left in or out)."""
    wanted = ".".join(part for part in qualname.strip().split(".") if part != "<locals>")
    tree = parse(source)
    defs = list(_walk_defs(tree))
    # The first match wins: for a property, the getter (where its docstring belongs), not the setter.
    for name, node, in_class in defs:
        if name == wanted:
            return _target(source, name, node, in_class)
    raise DocstringError(_not_found(wanted, [name for name, _, _ in defs]))


@functools.lru_cache(maxsize=2)
def find_at(source: str, line: int, column: int) -> Target | None:
    """The innermost def or class whose lines (decorators to last statement) hold the position.

    Cached: listing code actions asks it once per action kind for the same text and line (the editor
    lists them on every cursor move), and a Target is immutable."""
    del column  # a def or class owns its lines whole: only the line decides
    found = None
    for name, node, in_class in _walk_defs(parse(source)):
        # Pre-order: an enclosing definition is seen before the ones it holds.
        if _start_line(node) <= line <= (node.end_lineno or node.lineno) - 1:
            found = (name, node, in_class)
    return _target(source, *found) if found else None


def _walk_defs(node: ast.AST, prefix: str = "", in_class: bool = False) -> Iterator[tuple[str, Def, bool]]:
    """(qualname, node, directly in a class body) for every def and class, in source order."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, Def):
            qualname = f"{prefix}{child.name}"
            yield qualname, child, in_class
            yield from _walk_defs(child, f"{qualname}.", isinstance(child, ast.ClassDef))
        elif not isinstance(child, ast.Lambda):
            # `if TYPE_CHECKING:` / `try:` blocks hold definitions too; they don't change the owner.
            yield from _walk_defs(child, prefix, in_class)


def _not_found(wanted: str, names: list[str]) -> str:
    if not names:
        return f"no definition named {wanted!r}: the file has no functions or classes"
    listed = ", ".join(names[:_LISTED_QUALNAMES])
    more = f" and {len(names) - _LISTED_QUALNAMES} more" if len(names) > _LISTED_QUALNAMES else ""
    return f"no definition named {wanted!r}; the file defines: {listed}{more}"


def _target(source: str, qualname: str, node: Def, in_class: bool) -> Target:
    lines = source.split("\n")
    first = node.body[0]
    header_end = _header_end_line(lines, node)
    if first.lineno - 1 == header_end:
        raise DocstringError(
            f"{qualname} has its body on the header line (line {header_end + 1}); "
            "a docstring can't be added without reformatting it: move the body to its own line first"
        )
    kind: Kind
    raises: tuple[str, ...]
    changes: tuple[str, ...] = ()
    if isinstance(node, ast.ClassDef):
        kind, params, returns, yields, raises, annotation = "class", _class_params(node), False, False, (), None
    else:
        kind = "method" if in_class else "function"
        params, raises = _params(node, kind), _raises(node)
        returns, yields = _returns_and_yields(node)
        annotation = None if node.returns is None else ast.unparse(node.returns)
        if kind == "method":
            changes = state_changes(node)
    first_line = lines[first.lineno - 1]
    return Target(
        kind=kind,
        name=node.name,
        qualname=qualname,
        params=params,
        returns=returns,
        yields=yields,
        raises=raises,
        return_annotation=annotation,
        body_indent=first_line[: len(first_line) - len(first_line.lstrip(" \t\f"))],
        docstring=ast.get_docstring(node),
        docstring_span=_docstring_span(lines, node),
        insert_line=first.lineno - 1,
        header_end_line=header_end,
        start_line=_start_line(node),
        def_line=node.lineno - 1,
        end_line=(node.end_lineno or node.lineno) - 1,
        changes=changes,
    )


def _start_line(node: Def) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1


def _header_end_line(lines: list[str], node: Def) -> int:
    """The line of the ":" that closes the header: the first one outside brackets."""
    segment = "\n".join(lines[node.lineno - 1 : node.body[0].lineno]) + "\n"
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(segment).readline):
            if tok.type != tokenize.OP:
                continue
            if tok.string in "([{":
                depth += 1
            elif tok.string in ")]}":
                depth -= 1
            elif tok.string == ":" and depth == 0:
                return node.lineno - 1 + tok.start[0] - 1
    except (tokenize.TokenError, SyntaxError):  # the segment may stop inside the body's first statement
        pass
    return node.body[0].lineno - 2  # pragma: no cover - the parsed header always has its ":"


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef, kind: Kind) -> tuple[str, ...]:
    args = node.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    if kind == "method" and positional and not _is_staticmethod(node):
        positional = positional[1:]  # self / cls, whatever it is called
    names = [*positional]
    if args.vararg:
        names.append(f"*{args.vararg.arg}")
    names.extend(a.arg for a in args.kwonlyargs)
    if args.kwarg:
        names.append(f"**{args.kwarg.arg}")
    return tuple(names)


def _class_params(node: ast.ClassDef) -> tuple[str, ...]:
    """The constructor's parameters: `__init__`'s, else `__new__`'s (immutable classes such as Fraction)."""
    for name in ("__init__", "__new__"):
        if constructor := _member(node, name):
            return _params(constructor, "method")
    return ()


def _member(node: ast.ClassDef, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    found = (c for c in node.body if isinstance(c, ast.FunctionDef | ast.AsyncFunctionDef) and c.name == name)
    return next(found, None)


def state_changes(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """The attributes of the first parameter that the method's own code changes: ("self.n", ...).

    Direct changes only: assigned, augmented, deleted, assigned into (`self.x[k] = v`, `self.x.y = v`), or
    a container method from _MUTATORS called on them (by name: an object of another type with such a
    method counts too). Calls to other methods (`self._put(x)`) and `self[k] = v` on the object itself
    are not followed: the list names what this method's own lines change, and can miss the rest.
    """
    positional = [*node.args.posonlyargs, *node.args.args]
    if not positional or _is_staticmethod(node):
        return ()
    owner = positional[0].arg
    found: list[tuple[int, int, str]] = []
    for n in _own_nodes(node):
        changed: ast.expr | None = None
        if isinstance(n, ast.Attribute | ast.Subscript) and isinstance(n.ctx, ast.Store | ast.Del):
            changed = n
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _MUTATORS:
            changed = n.func.value
        if changed is not None and (attr := _owner_attribute(changed, owner)):
            found.append((changed.lineno, changed.col_offset, f"{owner}.{attr}"))
    return tuple(dict.fromkeys(name for _, _, name in sorted(found)))  # _own_nodes is not in source order


def _owner_attribute(node: ast.expr, owner: str) -> str | None:
    """`x` for `self.x`, `self.x[k]`, `self.x.y`...: the attribute of `owner` at the root of the chain."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == owner:
            return node.attr
        node = node.value
    return None


def class_outline(source: str, method_qualname: str, before_line: int) -> str:
    """The class around a method, in short, for the lines above `before_line` (0-based) that a prompt leaves
    out: its header, class attributes, `__init__`'s signature and its `self.x = ...` lines, the other
    methods' signatures; at most _OUTLINE_LINES lines. "" when the prompt shows the class header itself."""
    node = _class_node(parse(source), method_qualname.rpartition(".")[0])
    if node is None or _start_line(node) >= before_line:
        return ""
    lines = source.split("\n")
    header = lines[_start_line(node) : _header_end_line(lines, node) + 1]
    body_line = lines[node.body[0].lineno - 1]
    indent = body_line[: len(body_line) - len(body_line.lstrip(" \t"))]
    step = indent[len(header[-1]) - len(header[-1].lstrip()) :] or "    "
    members: list[str] = []
    for child in node.body:
        if (child.end_lineno or child.lineno) - 1 >= before_line:
            break
        members.extend(indent + line for line in _outline_member(child, lines, step))
    kept = [line for line in members if len(line) <= _OUTLINE_LINE_CHARS][: _OUTLINE_LINES - len(header) - 1]
    return "\n".join([*header, *kept, f"{indent}..."]) + "\n"


def _class_node(tree: ast.Module, qualname: str) -> ast.ClassDef | None:
    for name, node, _ in _walk_defs(tree):
        if name == qualname and isinstance(node, ast.ClassDef):
            return node
    return None


def _outline_member(child: ast.stmt, lines: list[str], indent: str) -> list[str]:
    """A class-body statement in outline: an assignment as written (one line), a method as its signature."""
    if isinstance(child, ast.Assign | ast.AnnAssign) and child.lineno == child.end_lineno:
        return [lines[child.lineno - 1].strip()]
    if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
        return []
    decorators = [f"@{ast.unparse(d)}" for d in child.decorator_list]
    prefix = "async def" if isinstance(child, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(child.returns)}" if child.returns else ""
    signature = f"{prefix} {child.name}({ast.unparse(child.args)}){returns}:"
    if len(indent + signature) > _OUTLINE_LINE_CHARS:  # keep the name, not a signature that overflows
        signature = f"{prefix} {child.name}(...):"
    if child.name != "__init__":
        return [*decorators, signature + " ..."]
    owner = child.args.args[0].arg if child.args.args else "self"
    # One line per attribute, the first that sets it (an `if` may set it twice); _own_nodes walks a stack.
    first_set: dict[str, int] = {}
    for n in _own_nodes(child):
        if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign) and n.lineno == n.end_lineno:
            for attr in filter(None, (_owner_attribute(t, owner) for t in _assigned(n))):
                first_set[attr] = min(n.lineno, first_set.get(attr, n.lineno))
    body = [lines[lineno - 1].strip() for lineno in sorted(set(first_set.values()))[:_OUTLINE_ASSIGNMENTS]]
    return [*decorators, signature, *(indent + line for line in body or ["..."])]


def _assigned(node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[ast.expr]:
    return list(node.targets) if isinstance(node, ast.Assign) else [node.target]


def _is_staticmethod(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(dotted(d).rpartition(".")[2] == "staticmethod" for d in node.decorator_list)


def _own_nodes(node: Def) -> Iterator[ast.AST]:
    """Every node of the body that belongs to this definition, not to a nested def, class or lambda."""
    stack: list[ast.AST] = [n for n in node.body if not isinstance(n, _SCOPES)]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(c for c in ast.iter_child_nodes(current) if not isinstance(c, _SCOPES))


def _returns_and_yields(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, bool]:
    own = list(_own_nodes(node))
    yields = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own)
    returns_value = any(
        isinstance(n, ast.Return)
        and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in own
    )
    # A generator's annotation (Iterator[int]) describes what it yields, not a return value.
    annotated = node.returns is not None and not yields and dotted(node.returns).rpartition(".")[2] not in _NO_VALUE
    if isinstance(node.returns, ast.Constant) and node.returns.value is None:
        annotated = False
    return returns_value or annotated, yields


def _raises(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    names = set()
    for n in _own_nodes(node):
        if not isinstance(n, ast.Raise) or n.exc is None:
            continue
        exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
        name = dotted(exc)
        # Exception classes are CapWords; `raise err` re-raises a caught value, `raise self._error()`
        # delegates: neither names a class to document.
        if name and name.rpartition(".")[2][:1].isupper():
            names.add(name)
    return tuple(sorted(names))


def _docstring_span(lines: list[str], node: Def) -> tuple[int, int, int, int] | None:
    first = node.body[0]
    if not (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    ):
        return None
    end_lineno = first.end_lineno or first.lineno
    end_col = first.end_col_offset or 0
    return (
        first.lineno - 1,
        _char_col(lines[first.lineno - 1], first.col_offset),
        end_lineno - 1,
        _char_col(lines[end_lineno - 1], end_col),
    )


def _char_col(line: str, byte_col: int) -> int:
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
