"""TLS told not to check the other side (CWE-295): `ctx.check_hostname = False`, `ctx.verify_mode =
ssl.CERT_NONE`, `cert_reqs=ssl.CERT_NONE` / `cert_reqs="CERT_NONE"` (ssl, urllib3), httpx's transports with
`verify=False`, aiohttp's `ssl=False`. The connection is still encrypted, but to whoever answers: anyone on the
path can present their own certificate and read or change the traffic. Bandit already reports requests'
and httpx's `verify=False` calls (B501) and `ssl._create_unverified_context` (B323); they are left to it.
Not flagged, because there the check is the caller's choice or made elsewhere: a turn-off under an `if` that
asks about verification (`if not verify:`, `else` of `if cert_reqs == CERT_REQUIRED`), one on `self` (a
context class setting its own default), one the same function undoes (`saved = ctx.check_hostname` ...
`ctx.check_hostname = saved`, as truststore does while the OS checks the chain)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, calls, dotted, keyword

RULE = Rule("CM-TLS-UNCHECKED", 295, "error", "tls_certificate_not_checked")
CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})
# httpx calls with verify= that bandit's B501 does not know (it knows request, stream, Client, AsyncClient, verbs)
HTTPX = frozenset({"httpx.HTTPTransport", "httpx.AsyncHTTPTransport", "httpx.create_ssl_context"})
AIOHTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "ws_connect"})
# an `if` about verification: the turn-off under it is an option the caller asked for
ASKED = re.compile(r"(?i)verif|cert|secure|ssl|tls|hostname|fingerprint")
USE = "keep the default verification and trust the server's CA with cafile= / load_verify_locations"


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and not _chosen(node, parents):
            for target in node.targets:
                why = _turned_off(target, node.value, imports)
                if why and not _undone(node, target, parents, imports):
                    yield Hit(node, f"{why}: {USE}")
    aiohttp = _imports_aiohttp(tree)
    for call, name in calls(tree, imports):
        if _chosen(call, parents):
            continue
        reqs = keyword(call, "cert_reqs")
        if reqs is not None and _cert_none(reqs, imports):
            yield Hit(call, f"{name or 'this call'} is told cert_reqs=CERT_NONE, so any certificate passes: {USE}")
        elif name in HTTPX and _false(keyword(call, "verify")):
            yield Hit(call, f"{name} is told verify=False, so any certificate passes: {USE}")
        elif aiohttp and (name.startswith("aiohttp.") or _method(call)):
            for word in ("ssl", "verify_ssl"):
                if _false(keyword(call, word)):
                    yield Hit(call, f"aiohttp is told {word}=False, so any certificate passes: {USE}")


def _turned_off(target: ast.expr, value: ast.expr, imports: Imports) -> str | None:
    if not isinstance(target, ast.Attribute) or dotted(target.value) == "self":
        return None
    if target.attr == "check_hostname" and _false(value):
        return "check_hostname = False accepts a valid certificate for any host"
    if target.attr == "verify_mode" and _cert_none(value, imports):
        return "verify_mode = CERT_NONE accepts any certificate"
    return None


def _cert_none(node: ast.expr, imports: Imports) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in ("CERT_NONE", "NONE")
    name = dotted(node)
    return bool(name) and imports.canonical(name) in CERT_NONE


def _false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _method(call: ast.Call) -> bool:
    """A request sent through a session object: `session.get(...)`, `client.request(...)`."""
    return isinstance(call.func, ast.Attribute) and call.func.attr in AIOHTTP_METHODS


def _imports_aiohttp(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(n.name.split(".")[0] == "aiohttp" for n in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "aiohttp":
            return True
    return False


def _chosen(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Under an `if` (in its body or its else) whose test asks about verification, in the same function."""
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        if (
            isinstance(parent, (ast.If, ast.IfExp))
            and child is not parent.test
            and any(ASKED.search(dotted(n)) for n in ast.walk(parent.test))
        ):
            return True
        child, parent = parent, parents.get(parent)
    return False


def _undone(node: ast.Assign, target: ast.expr, parents: dict[ast.AST, ast.AST], imports: Imports) -> bool:
    """The same function sets the same attribute again, to something that is no turn-off: a restore."""
    scope = parents.get(node)
    while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        scope = parents.get(scope)
    name = dotted(target)
    return any(
        isinstance(other, ast.Assign)
        and other is not node
        and any(dotted(t) == name and not _turned_off(t, other.value, imports) for t in other.targets)
        for other in ast.walk(scope or node)
    )
