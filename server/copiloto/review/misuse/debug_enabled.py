"""Debugging switched on in code that ships (CWE-215): Flask's `app.debug = True`, `app.config["DEBUG"] = True`
or `app.config.update(DEBUG=True)`, a Django settings module's `DEBUG = True`, werkzeug's
`run_simple(..., use_debugger=True)` or `DebuggedApplication(app, evalex=True)`. A debug server shows tracebacks,
settings and local variables to anyone who makes it fail, and werkzeug's debugger runs their Python; read the
switch from the environment instead. (`app.run(debug=True)` is bandit's B201.)"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, calls, dotted, keyword

RULE = Rule("CM-DEBUG", 215, "warning", "debug_mode_enabled")
FLASK_APPS = ("flask.Flask", "quart.Quart")
DJANGO_MARKS = frozenset({"INSTALLED_APPS", "ROOT_URLCONF"})
DEBUGGERS = {"werkzeug.serving.run_simple": "use_debugger", "werkzeug.run_simple": "use_debugger"}
EVALEX = frozenset({"werkzeug.debug.DebuggedApplication", "werkzeug.DebuggedApplication"})
FIX = "read it from the environment and keep it off in production"


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    if any(full.split(".")[0] in ("pytest", "unittest") for full in [*imports.aliases.values(), *_modules(tree)]):
        return  # a test module turns debug on to test it
    apps = _apps(tree, imports)
    django = _django_settings(tree)
    tests = {id(n) for f in ast.walk(tree) if _is_test(f) for n in ast.walk(f)}
    for node in ast.walk(tree):
        if id(node) in tests:
            continue
        if isinstance(node, ast.Assign) and _true(node.value):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr == "debug" and dotted(target.value) in apps:
                    yield Hit(node, f"{dotted(target)} = True runs the app in debug mode: {FIX}")
                elif _config_key(target) == "DEBUG":
                    yield Hit(node, f"config DEBUG = True runs the app in debug mode: {FIX}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if (
                node.func.attr in ("update", "from_mapping")
                and isinstance(receiver, ast.Attribute)
                and receiver.attr == "config"
                and _sets_debug(node)
            ):
                yield Hit(node, f"config DEBUG = True runs the app in debug mode: {FIX}")
    if django:
        for node in tree.body:
            if isinstance(node, ast.Assign) and _true(node.value) and any(dotted(t) == "DEBUG" for t in node.targets):
                yield Hit(node, f"DEBUG = True in Django settings shows tracebacks and settings to visitors: {FIX}")
    for call, name in calls(tree, imports):
        if name in DEBUGGERS and _true(keyword(call, DEBUGGERS[name])):
            yield Hit(call, f"{name}(use_debugger=True) serves werkzeug's debugger, which runs Python for visitors")
        elif name in EVALEX and _true(keyword(call, "evalex")):
            yield Hit(call, "DebuggedApplication(evalex=True) lets whoever sees an error page run Python on the server")


def _modules(tree: ast.Module) -> list[str]:
    return [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]


def _is_test(node: ast.AST) -> bool:
    """A test function or class, or a pytest fixture."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    fixture = any("fixture" in dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list)
    return fixture or node.name.lower().startswith("test") or node.name.endswith(("Test", "Tests"))


def _apps(tree: ast.Module, imports: Imports) -> set[str]:
    """Names bound to a Flask app: `app = Flask(__name__)`, and `app`/`application` in a module importing flask."""
    names = {
        dotted(target)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        and imports.called(node.value).startswith(FLASK_APPS)
        for target in node.targets
    } - {""}  # fmt: skip
    if any(full.split(".")[0] in ("flask", "quart") for full in imports.aliases.values()):
        names |= {"app", "application"}
    return names


def _django_settings(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Assign) and any(dotted(t) in DJANGO_MARKS for t in node.targets) for node in tree.body
    )


def _config_key(target: ast.expr) -> object:
    """The key of `<x>.config[key]`: "DEBUG" for `app.config["DEBUG"]`."""
    if (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "config"
        and isinstance(target.slice, ast.Constant)
    ):
        return target.slice.value
    return None


def _sets_debug(call: ast.Call) -> bool:
    if any(k.arg == "DEBUG" and _true(k.value) for k in call.keywords):
        return True
    pairs = [pair for a in call.args if isinstance(a, ast.Dict) for pair in zip(a.keys, a.values, strict=True)]
    return any(isinstance(k, ast.Constant) and k.value == "DEBUG" and _true(v) for k, v in pairs)


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
