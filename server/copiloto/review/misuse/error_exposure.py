"""A web view that sends an exception's details to the client (CWE-209): `return str(e)`, `jsonify(error=repr(e))`,
`HttpResponse(traceback.format_exc())`, FastAPI's `raise HTTPException(detail=str(e))` in an `except ... as e`.
The message and the traceback tell an attacker file paths, SQL, library versions and internal state; log them
and answer with a generic message instead. Validation errors (`except ValidationError as e`) are written for
the user and are left alone."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import ROUTE_METHODS, Hit, Imports, Rule, dotted, functions, is_view

RULE = Rule("CM-ERROR-EXPOSURE", 209, "warning", "exception_details_in_response")
TRACEBACK = frozenset(
    {"traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.format_stack"}
)
# calls that build the response, or end the request with a client-visible message
RESPONDERS = frozenset(
    {"make_response", "jsonify", "Response", "HttpResponse", "JsonResponse", "JSONResponse", "PlainTextResponse",
     "HTMLResponse", "HttpResponseServerError", "HttpResponseBadRequest", "abort", "HTTPException"}
)  # fmt: skip
TEXT_OF = frozenset({"str", "repr", "format"})
USER_FACING = ("ValidationError", "ValidationException", "FormError")


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for function in functions(tree):
        if is_view(function):
            yield from _exposures(function, imports)


def _exposures(view: ast.FunctionDef | ast.AsyncFunctionDef, imports: Imports) -> Iterator[Hit]:
    # what a routed view returns is the response; a Django-style view (a `request` parameter) must build one
    returns = _routed(view)
    reported: set[int] = set()
    tainted = _traceback_names(view, imports)
    for handler in _own_walk(view):
        if isinstance(handler, ast.ExceptHandler):
            caught = _caught(handler)
            error = handler.name if caught and not any(c.endswith(USER_FACING) for c in caught) else None
            names = tainted | _handler_names(handler, error, imports)
            body = [node for statement in handler.body for node in [statement, *_own_walk(statement)]]
            yield from _hits(body, error, names, imports, reported, returns)
    yield from _hits(list(_own_walk(view)), None, tainted, imports, reported, returns)


def _hits(
    nodes: list[ast.AST], error: str | None, tainted: set[str], imports: Imports, reported: set[int], returns: bool
) -> Iterator[Hit]:
    """The returns, raises and response calls among `nodes` that carry the exception's text or a traceback."""
    for node in nodes:
        if id(node) in reported:
            continue
        if isinstance(node, ast.Return) and node.value is not None and returns:
            exposed = _exposes(node.value, error, tainted, imports)
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            exposed = _responder(node.exc, imports) and _exposes_call(node.exc, error, tainted, imports)
        elif isinstance(node, ast.Call):
            exposed = _responder(node, imports) and _exposes_call(node, error, tainted, imports)
        else:
            continue
        if exposed:
            reported.update(id(n) for n in ast.walk(node))
            yield Hit(node, _message(error))


def _routed(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated as a route (`@app.get`, `@api_view`): its return value is the response."""
    for decorator in function.decorator_list:
        name = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if ("." in name and name.rsplit(".", 1)[-1] in ROUTE_METHODS) or name.endswith("api_view"):
            return True
    return False


def _debug_only(node: ast.AST) -> bool:
    """`if settings.DEBUG:` / `x if app.debug else y`: details shown only to a developer."""
    if not isinstance(node, (ast.If, ast.IfExp)):
        return False
    return any("debug" in (dotted(n) or "").lower() for n in ast.walk(node.test))


def _message(error: str | None) -> str:
    what = f"the exception {error}'s text" if error else "the traceback"
    return f"the response carries {what}: log it and answer the client with a generic message"


def _responder(call: ast.Call, imports: Imports) -> bool:
    return imports.called(call).rsplit(".", 1)[-1] in RESPONDERS


def _exposes_call(call: ast.Call, error: str | None, tainted: set[str], imports: Imports) -> bool:
    values = [*call.args, *(k.value for k in call.keywords if k.arg not in ("status_code", "status", "code"))]
    return any(_exposes(v, error, tainted, imports) for v in values)


def _exposes(node: ast.AST, error: str | None, tainted: set[str], imports: Imports) -> bool:
    """`node` holds the exception's text or a traceback: str(e), f"{e}", e.args, "%s" % e, traceback.format_exc()."""
    for inner in [node, *_own_walk(node)]:
        if isinstance(inner, ast.Name) and inner.id in tainted:
            return True
        if isinstance(inner, ast.Call) and imports.called(inner) in TRACEBACK:
            return True
        if error is None:
            continue
        if isinstance(inner, ast.Call) and dotted(inner.func) in TEXT_OF and _is(inner.args[:1], error):
            return True
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and inner.func.attr == "format"
            and _is([*inner.args, *(k.value for k in inner.keywords)], error)
        ):
            return True
        if isinstance(inner, ast.FormattedValue) and _is([inner.value], error):
            return True
        if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Mod) and _mentions(inner.right, error):
            return True
        if isinstance(inner, ast.Attribute) and inner.attr in ("args", "message", "msg") and _is([inner.value], error):
            return True
    return False


def _is(nodes: list[ast.expr], name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in nodes)


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _caught(handler: ast.ExceptHandler) -> list[str]:
    """The names of the exception types `handler` catches, [] for a bare except."""
    if handler.type is None:
        return []
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [dotted(t) or "?" for t in types]


def _traceback_names(view: ast.AST, imports: Imports) -> set[str]:
    """Names the view binds to a traceback text: `tb = traceback.format_exc()`."""
    return {
        target.id
        for node in _own_walk(view)
        if isinstance(node, ast.Assign) and _exposes(node.value, None, set(), imports) and not _built(node, imports)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _handler_names(handler: ast.ExceptHandler, error: str | None, imports: Imports) -> set[str]:
    """Names the handler binds to the exception's text: `message = str(e)`."""
    if error is None:
        return set()
    return {
        target.id
        for node in handler.body
        if isinstance(node, ast.Assign) and _exposes(node.value, error, set(), imports) and not _built(node, imports)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _built(assign: ast.Assign, imports: Imports) -> bool:
    """`response = make_response(str(e))`: the response call is reported itself, not each use of its name."""
    return isinstance(assign.value, ast.Call) and _responder(assign.value, imports)


def _own_walk(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes under `scope`, not descending into nested functions, classes, lambdas or debug-only branches."""
    children = list(ast.iter_child_nodes(scope))
    if _debug_only(scope):
        hidden = scope.body if isinstance(scope, ast.If) else [scope.body] if isinstance(scope, ast.IfExp) else []
        children = [c for c in children if not any(c is h for h in hidden)]
    for child in children:
        yield child
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            yield from _own_walk(child)
