"""Credentials sent over plain HTTP (CWE-523): a requests or httpx call, or a requests/httpx/aiohttp session's, to
an `http://` address with `auth=` or an `Authorization` header. Anyone on the path reads the password or token;
use https.
The address counts when it is written in the code with its host (`"http://api.example.com/v1"`,
`f"http://api.example.com/users/{uid}"`, or a name bound once to such a text); an address made at run time, and
this machine (localhost, 127.0.0.1, ::1), are left alone."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from urllib.parse import urlsplit

from copiloto.review.misuse.shapes import (
    LOCALHOST,
    Hit,
    Imports,
    Rule,
    argument,
    bound_calls,
    keyword,
    own_nodes,
    scopes,
)
from copiloto.review.names import HTTP_CLIENTS, HTTP_VERBS

RULE = Rule("CM-AUTH-HTTP", 523, "warning", "credentials_over_http")
METHODS = HTTP_VERBS | {"request"}


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    sessions = bound_calls(tree, imports, HTTP_CLIENTS.keys())
    for scope, known in scopes(tree):
        for node in own_nodes(scope):
            if not isinstance(node, ast.Call) or (method := _method(node, imports, sessions)) is None:
                continue
            url = argument(node, 1, "url") if method == "request" else argument(node, 0, "url")
            host = _plain_host(known.get(url.id) if isinstance(url, ast.Name) else url)
            if host is not None and (what := _credentials(node)) is not None:
                yield Hit(node, f"{what} sent to http://{host}: anyone on the path can read them; use https")


def _method(call: ast.Call, imports: Imports, sessions: dict[str, ast.Call]) -> str | None:
    """The HTTP method of a requests/httpx call (`requests.post`, `session.get`, `httpx.request`), or None."""
    name = imports.called(call)
    module, _, method = name.rpartition(".")
    if module in ("requests", "requests.api", "httpx") and method in METHODS:  # aiohttp: only through a session
        return method
    if isinstance(call.func, ast.Attribute) and call.func.attr in METHODS:
        owner = call.func.value
        made_here = isinstance(owner, ast.Call) and imports.called(owner) in HTTP_CLIENTS
        if made_here or (isinstance(owner, ast.Name) and owner.id in sessions):
            return call.func.attr
    return None


def _plain_host(url: ast.expr | None) -> str | None:
    """The host of an `http://` address written in the code, when it is not this machine."""
    if isinstance(url, ast.Constant) and isinstance(url.value, str):
        text = url.value
    elif isinstance(url, ast.JoinedStr) and url.values and isinstance(url.values[0], ast.Constant):
        text = str(url.values[0].value)
        if "/" not in text.partition("://")[2]:
            return None  # f"http://{host}/..." or f"http://api{suffix}": the host is not all written here
    else:
        return None
    parts = urlsplit(text.strip())
    host = parts.hostname
    if parts.scheme.lower() != "http" or not host or host in LOCALHOST:
        return None
    return host


def _credentials(call: ast.Call) -> str | None:
    auth = keyword(call, "auth")
    if auth is not None and not (isinstance(auth, ast.Constant) and auth.value is None):
        return "credentials (auth=)"
    headers = keyword(call, "headers")
    if isinstance(headers, ast.Dict) and any(
        isinstance(k, ast.Constant) and str(k.value).lower() in ("authorization", "proxy-authorization")
        for k in headers.keys
    ):
        return "an Authorization header"
    return None
