"""CSRF protection turned off (CWE-352): a Django view marked `@csrf_exempt` (as a decorator, through
`method_decorator`, or wrapped in `urlpatterns`), a Flask-WTF `CSRFProtect` instance's `@csrf.exempt`, or
`WTF_CSRF_ENABLED = False`. Another site can then make a logged-in user's browser submit the form; keep the check
on and send the token (or authenticate the API by a header, not a cookie). Test configurations (a class named
`Test…`, or a scope that also sets `TESTING = True`) may switch it off."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import FUNCTIONS, Hit, Imports, Rule, dotted, own_nodes

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
RULE = Rule("CM-CSRF-EXEMPT", 352, "warning", "csrf_protection_disabled")
DJANGO_EXEMPT = "django.views.decorators.csrf.csrf_exempt"
PROTECTORS = frozenset({"flask_wtf.CSRFProtect", "flask_wtf.csrf.CSRFProtect"})
SETTING = "WTF_CSRF_ENABLED"
FIX = "keep the check and send the token"


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    protectors = _protectors(tree, imports)
    for node in _marking(tree):
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            if imports.canonical(dotted(node)) == DJANGO_EXEMPT:
                yield Hit(node, f"csrf_exempt turns off Django's CSRF check for this view: {FIX}")
            elif isinstance(node, ast.Attribute) and node.attr == "exempt" and dotted(node.value) in protectors:
                yield Hit(node, f"{dotted(node)} turns off Flask-WTF's CSRF check for this view: {FIX}")
    yield from _disabled(tree)


def _marking(tree: ast.Module) -> Iterator[ast.AST]:
    """Where a module marks its views: decorators, and its top level (`urlpatterns`). A function that wraps any
    view it is given (`return csrf_exempt(view)` in a framework's `as_view`) is the framework's own design."""
    for node in ast.walk(tree):
        if isinstance(node, DEFINITIONS):
            for decorator in node.decorator_list:
                yield from ast.walk(decorator)
    yield from (node for node in own_nodes(tree, (*FUNCTIONS, ast.ClassDef)) if not isinstance(node, DEFINITIONS))


def _protectors(tree: ast.Module, imports: Imports) -> set[str]:
    """Names bound to a `CSRFProtect(...)` instance: `csrf = CSRFProtect(app)`, `self.csrf = CSRFProtect()`."""
    return {
        dotted(target)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        and imports.called(node.value) in PROTECTORS
        for target in node.targets
    } - {""}  # fmt: skip


def _disabled(tree: ast.Module) -> Iterator[Hit]:
    """`WTF_CSRF_ENABLED = False`, `app.config["WTF_CSRF_ENABLED"] = False`, `config.update(WTF_CSRF_ENABLED=False)`."""
    message = "WTF_CSRF_ENABLED = False turns off Flask-WTF's CSRF check for every form: leave it on outside tests"
    for scope in _scopes(tree):
        if _testing(scope):
            continue
        for node in own_nodes(scope, (*FUNCTIONS, ast.ClassDef)):
            if _turns_off(node):
                yield Hit(node, message)


def _turns_off(node: ast.AST) -> bool:
    if isinstance(node, ast.Assign):
        return _false(node.value) and any(dotted(t) == SETTING or _key(t) == SETTING for t in node.targets)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("update", "from_mapping")
    ):
        return any(k.arg == SETTING and _false(k.value) for k in node.keywords)
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return any(isinstance(k, ast.Constant) and k.value == SETTING and _false(v) for k, v in pairs)
    return False


def _false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node


def _testing(scope: ast.AST) -> bool:
    """A test configuration: a class or function named for tests, or a scope that sets TESTING = True."""
    name = getattr(scope, "name", "")
    if name.lower().startswith("test") or name.endswith(("Test", "Tests", "TestConfig", "TestingConfig")):
        return True
    for node in own_nodes(scope, (*FUNCTIONS, ast.ClassDef)):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and node.value.value is True
            and any(dotted(t) == "TESTING" or _key(t) == "TESTING" for t in node.targets)
        ):
            return True
        if isinstance(node, ast.keyword) and node.arg == "TESTING":
            return True
    return False


def _key(target: ast.expr) -> object:
    return target.slice.value if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) else None
