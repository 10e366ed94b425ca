"""What every misuse rule shares: its identity (`Rule`), what it reports (`Hit`), and small readers of the
syntax tree — a call's name through the file's imports, whether a value is written out in the code, whether
an expression names a secret, whether a function is a web view."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from copiloto.astnames import dotted as dotted  # the rules read names through shapes
from copiloto.review.names import is_test_module as is_test_module
from copiloto.review.security import Severity

# a name that holds a secret: password, passwd, pwd, secret, api_key, token (not `tokens` of a lexer)
SECRET_NAME = re.compile(r"(?i)(pass(word|wd|phrase)?|pwd|secret|api_?key|private_?key|(auth|access|session)_?token)$")
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
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


def calls(tree: ast.AST, imports: Imports) -> Iterator[tuple[ast.Call, str]]:
    """Every call in `tree` with its canonical name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, imports.called(node)


def bound_calls(scope: ast.AST, imports: Imports, kinds: Collection[str]) -> dict[str, ast.Call]:
    """Names bound in `scope` to a call of one of `kinds` (`s = smtplib.SMTP(host)`, `with ... as s`), with the
    call that made each: the connections, clients and hashes a rule follows through a function."""
    found: dict[str, ast.Call] = {}
    for node in ast.walk(scope):
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            pairs = [(item.optional_vars, item.context_expr) for item in node.items if item.optional_vars]
        for target, value in pairs:
            if isinstance(value, ast.Call) and dotted(target) and imports.called(value) in kinds:
                found[dotted(target)] = value
    return found


LOCALHOST = frozenset({"localhost", "127.0.0.1", "::1"})


def to_this_machine(call: ast.Call) -> bool:
    """A client made for localhost (its first argument or `host=`): nothing crosses a network."""
    host = argument(call, 0, "host")
    return isinstance(host, ast.Constant) and host.value in LOCALHOST


def unpacks(call: ast.Call) -> bool:
    """`*args` or `**kwargs` in the call: any argument may be in there, so none can be said to be missing."""
    return any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args)


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
    """Names bound exactly once in `scope` (a module or function body, not nested functions), by one plain
    assignment, to a value written out in the code: `IV = b"0" * 16`, `SALT = b"\\0" * size`."""
    stores = Counter(n.id for n in own_nodes(scope) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    found: dict[str, ast.expr] = {}
    for node in own_nodes(scope):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and stores[target.id] == 1 and fixed(value, {}):
            found[target.id] = value
    return found


def fixed(node: ast.AST | None, known: dict[str, ast.expr]) -> bool:
    """Written out in the code, directly or through a name bound once to such a value; `b"\\0" * size` too
    (the same bytes whatever the size)."""
    if isinstance(node, ast.Name) and node.id in known:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return fixed(node.left, known) or fixed(node.right, known)
    return written_out(node)


def scopes(tree: ast.Module) -> Iterator[tuple[ast.AST, dict[str, ast.expr]]]:
    """The module and each function, with the names bound there to a value written in the code (a function
    sees the module's, unless it binds the name itself)."""
    module = constants(tree)
    yield tree, module
    for function in functions(tree):
        bound = bound_names(function)
        yield function, {**{k: v for k, v in module.items() if k not in bound}, **constants(function)}


def bound_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The parameters of `function` and the names it assigns."""
    args = function.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a}
    return names | {n.id for n in own_nodes(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def names_secret(node: ast.AST, secret: re.Pattern[str] = SECRET_NAME) -> str | None:
    """The first name in `node` (a variable, an attribute, a subscript's string key) that `secret` matches,
    looking through calls like `.encode()` and `str()` but not into string literals."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and secret.search(inner.id):
            return inner.id
        if isinstance(inner, ast.Attribute) and secret.search(inner.attr):
            return inner.attr
        if (
            isinstance(inner, ast.Subscript)
            and isinstance(inner.slice, ast.Constant)
            and isinstance(inner.slice.value, str)
            and secret.search(inner.slice.value)
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


def own_nodes(scope: ast.AST, apart: tuple[type[ast.AST], ...] = FUNCTIONS) -> Iterator[ast.AST]:
    """The nodes of `scope`, not those inside the functions (or other `apart` nodes) defined in it: those are
    scopes of their own. The definitions themselves are yielded."""
    for child in ast.iter_child_nodes(scope):
        yield child
        if not isinstance(child, apart):
            yield from own_nodes(child, apart)
