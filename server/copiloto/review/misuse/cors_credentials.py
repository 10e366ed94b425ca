"""Any origin allowed to read credentialed responses (CWE-942): flask-cors `CORS(app, supports_credentials=True)`
with no origins or `origins="*"`, Starlette/FastAPI `CORSMiddleware` with `allow_origins=["*"]` (or an
`allow_origin_regex` that matches everything) and `allow_credentials=True`, Django's `CORS_ALLOW_ALL_ORIGINS = True`
beside `CORS_ALLOW_CREDENTIALS = True`, or `Access-Control-Allow-Origin` copied from the request's own Origin header
in a module that also allows credentials. These libraries then echo the caller's origin, so any site a
logged-in user visits can read their data through their cookies; list the trusted origins instead."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, calls, dotted, keyword

RULE = Rule("CM-CORS-ANY-ORIGIN", 942, "warning", "cors_any_origin_with_credentials")
FLASK_CORS = frozenset({"flask_cors.CORS", "flask_cors.cross_origin"})
MIDDLEWARE = ("starlette.middleware.cors.CORSMiddleware", "fastapi.middleware.cors.CORSMiddleware")
ALLOW_ALL = frozenset({"CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"})
EVERYTHING = frozenset({".*", ".+", "^.*$", "^.+$", "(.*)", "https?://.*", "https://.*", "http://.*", "https?://.+"})
ALLOW_ORIGIN = "access-control-allow-origin"
FIX = "list the trusted origins instead"


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if name in FLASK_CORS and _true(keyword(call, "supports_credentials")) and _any_origin(_flask_origins(call)):
            yield Hit(call, f"{name.rsplit('.', 1)[-1]} allows every origin with credentials: {FIX}")
        elif _middleware(call, name, imports) and _true(keyword(call, "allow_credentials")):
            origins, regex = keyword(call, "allow_origins"), keyword(call, "allow_origin_regex")
            if _any_origin(origins, default=False) or (
                isinstance(regex, ast.Constant) and isinstance(regex.value, str) and regex.value in EVERYTHING
            ):
                yield Hit(call, f"CORSMiddleware allows every origin with allow_credentials=True: {FIX}")
    yield from _django(tree)
    if _credentials_header(tree):
        yield from _reflected(tree)


def _flask_origins(call: ast.Call) -> ast.expr | None:
    """The origins flask-cors allows: `origins=`, or the one `resources={...: {"origins": ...}}` entry."""
    origins = keyword(call, "origins")
    resources = keyword(call, "resources")
    if origins is None and isinstance(resources, ast.Dict):
        for options in resources.values:
            if isinstance(options, ast.Dict):
                for key, value in zip(options.keys, options.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "origins":
                        return value
    return origins


def _any_origin(origins: ast.expr | None, *, default: bool = True) -> bool:
    """`"*"`, `["*"]`, or left out where the library's default is every origin."""
    if origins is None:
        return default
    if isinstance(origins, ast.Constant):
        return origins.value == "*"
    if isinstance(origins, (ast.List, ast.Tuple, ast.Set)):
        return any(isinstance(e, ast.Constant) and e.value == "*" for e in origins.elts)
    return False


def _middleware(call: ast.Call, name: str, imports: Imports) -> bool:
    """`CORSMiddleware(app, ...)`, `app.add_middleware(CORSMiddleware, ...)`, `Middleware(CORSMiddleware, ...)`."""
    if name.endswith(MIDDLEWARE):
        return True
    first = call.args[0] if call.args else None
    return first is not None and imports.canonical(dotted(first)).endswith(MIDDLEWARE)


def _django(tree: ast.Module) -> Iterator[Hit]:
    settings = {
        dotted(target): node
        for node in tree.body
        if isinstance(node, ast.Assign) and _true(node.value)
        for target in node.targets
    }
    if "CORS_ALLOW_CREDENTIALS" in settings:
        for name in sorted(ALLOW_ALL & settings.keys()):
            yield Hit(settings[name], f"{name} with CORS_ALLOW_CREDENTIALS lets every site read users' data: {FIX}")


def _credentials_header(tree: ast.Module) -> bool:
    """The module sends `Access-Control-Allow-Credentials: true` somewhere."""
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.lower() == "access-control-allow-credentials"
        for node in ast.walk(tree)
    )


def _reflected(tree: ast.Module) -> Iterator[Hit]:
    """`headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")`, directly or through a name the
    function never checks (`if origin in ALLOWED`)."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            continue
        origins = _origin_names(function)
        for node in ast.walk(function):
            value: ast.expr | None = None
            if isinstance(node, ast.Assign) and any(_header_key(t) for t in node.targets):
                value = node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("add", "set", "setdefault", "add_header", "__setitem__")
                and len(node.args) >= 2
                and _is_allow_origin(node.args[0])
            ):
                value = node.args[1]
            if value is not None and (_request_origin(value) or (isinstance(value, ast.Name) and value.id in origins)):
                yield Hit(node, f"Access-Control-Allow-Origin echoes the request's Origin with credentials: {FIX}")


def _origin_names(function: ast.AST) -> set[str]:
    """Names bound to the request's Origin that no condition in `function` looks at."""
    bound = {
        target.id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and _request_origin(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    tests = [node.test for node in ast.walk(function) if isinstance(node, (ast.If, ast.IfExp, ast.While, ast.Assert))]
    tested = {n.id for test in tests for n in ast.walk(test) if isinstance(n, ast.Name)}
    return bound - tested


def _request_origin(node: ast.expr) -> bool:
    """`request.headers.get("Origin")`, `request.headers["origin"]`, `request.META["HTTP_ORIGIN"]`."""
    key: ast.expr | None = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        key = node.args[0]
    elif isinstance(node, ast.Subscript):
        key = node.slice
    return isinstance(key, ast.Constant) and str(key.value).lower() in ("origin", "http_origin")


def _header_key(target: ast.expr) -> bool:
    return isinstance(target, ast.Subscript) and _is_allow_origin(target.slice)


def _is_allow_origin(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() == ALLOW_ORIGIN


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
