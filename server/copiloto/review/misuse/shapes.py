"""What every misuse rule shares: its identity (`Rule`), what it reports (`Hit`), and small readers of the
syntax tree — a call's name through the file's imports, whether a value is written out in the code, whether
an expression names a secret, whether a function is a web view."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from copiloto.review.security import Severity

# a name that holds a secret: password, passwd, pwd, secret, api_key, token (not `tokens` of a lexer)
SECRET_NAME = re.compile(r"(?i)(pass(word|wd|phrase)?|pwd|secret|api_?key|private_?key|(auth|access|session)_?token)$")
ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete", "api_route", "view"})


@dataclass(frozen=True)
class Rule:
    code: str  # CM-JWT
    cwe: int
    severity: Severity
    name: str  # snake_case, like bandit's test names: jwt_signature_not_checked


@dataclass(frozen=True)
class Hit:
    node: ast.AST  # where the finding starts
    message: str


@dataclass(frozen=True)
class Imports:
    """The file's imports, local name → what it stands for: `sha256` → `hashlib.sha256`, `jose` kept."""

    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, tree: ast.Module) -> Imports:
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for name in node.names:
                    if name.asname:
                        aliases[name.asname] = name.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                for name in node.names:
                    aliases[name.asname or name.name] = f"{node.module}.{name.name}"
        return cls(aliases)

    def canonical(self, dotted_name: str) -> str:
        """`dotted_name` with its first part read through the imports: `sha256` → `hashlib.sha256`."""
        first, dot, rest = dotted_name.partition(".")
        full = self.aliases.get(first)
        return dotted_name if full is None else full + dot + rest

    def called(self, call: ast.Call) -> str:
        """The canonical name of what `call` calls, or "" when it is not a plain dotted name."""
        name = dotted(call.func)
        return self.canonical(name) if name else ""


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a Name/Attribute chain, "" for anything else (a call, a subscript)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def calls(tree: ast.AST, imports: Imports) -> Iterator[tuple[ast.Call, str]]:
    """Every call in `tree` with its canonical name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, imports.called(node)


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """The argument at `index`, or given by keyword `name`."""
    if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return keyword(call, name)


def written_out(node: ast.AST | None) -> bool:
    """A value written in the code itself: a str/bytes constant, `b"\\0" * 16`, `"a" + "b"`, `bytes(16)`."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add)):
        sides = (node.left, node.right)
        return all(written_out(s) or (isinstance(s, ast.Constant) and isinstance(s.value, int)) for s in sides) and any(
            written_out(s) for s in sides
        )
    if isinstance(node, ast.Call) and dotted(node.func) in ("bytes", "bytearray", "str.encode"):
        return all(isinstance(a, ast.Constant) for a in node.args)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "encode":
        return written_out(node.func.value)
    return False


def constants(scope: ast.AST) -> dict[str, ast.expr]:
    """Names bound exactly once in `scope` (a module or function body, not nested functions) to a value
    written out in the code: `IV = b"0" * 16`."""
    bound: dict[str, list[ast.expr]] = {}
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            bound.setdefault(node.target.id, []).append(node.value or ast.Constant(None))
    return {name: values[0] for name, values in bound.items() if len(values) == 1 and written_out(values[0])}


def fixed(node: ast.AST | None, known: dict[str, ast.expr]) -> bool:
    """Written out in the code, directly or through a name bound once to such a value."""
    if isinstance(node, ast.Name) and node.id in known:
        return True
    return written_out(node)


def names_secret(node: ast.AST) -> str | None:
    """The first name in `node` (a variable, an attribute, a subscript's string key) that holds a secret,
    looking through calls like `.encode()` and `str()` but not into string literals."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and SECRET_NAME.search(inner.id):
            return inner.id
        if isinstance(inner, ast.Attribute) and SECRET_NAME.search(inner.attr):
            return inner.attr
        if (
            isinstance(inner, ast.Subscript)
            and isinstance(inner.slice, ast.Constant)
            and isinstance(inner.slice.value, str)
            and SECRET_NAME.search(inner.slice.value)
        ):
            return inner.slice.value
    return None


def functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def is_view(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A web view: decorated as a route (`@app.route`, `@router.get`, `@api_view`) or a Django-style
    function whose first parameter is the request."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted(target)
        if (name.rsplit(".", 1)[-1] in ROUTE_METHODS and "." in name) or name.endswith("api_view"):
            return True
    names = [p.arg for p in function.args.posonlyargs + function.args.args]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return bool(names) and names[0] in ("request", "req")


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of `scope` without descending into nested functions, classes or lambdas."""
    for child in ast.iter_child_nodes(scope):
        yield child
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            yield from _own_nodes(child)
