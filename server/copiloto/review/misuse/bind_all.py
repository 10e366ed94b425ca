"""A server bound to every network interface by an empty or IPv6 wildcard host (CWE-1327): `("", port)` or
`("::", port)` given to `socket.bind`, `socket.create_server`, `socketserver.*Server`, `http.server.*Server`.
Bandit's B104 knows the text "0.0.0.0" only. Anyone who can reach the machine reaches the service: bind to
127.0.0.1 unless it is meant to be public, and say so."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, own_nodes, scopes

RULE = Rule("CM-BIND-ALL", 1327, "warning", "bind_all_interfaces")
WILDCARDS = frozenset({"", "::", "0:0:0:0:0:0:0:0"})
SERVERS = ("Server", "HTTPServer")  # socketserver.TCPServer, http.server.ThreadingHTTPServer, ...


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    module = _values(tree)
    for scope, constants in scopes(tree):
        known = {**module, **_values(scope), **constants}
        for call in (node for node in own_nodes(scope) if isinstance(node, ast.Call)):
            name = imports.called(call)
            binds = (isinstance(call.func, ast.Attribute) and call.func.attr == "bind") or name in (
                "socket.create_server",
            )
            serves = name.startswith(("socketserver.", "http.server.")) and name.endswith(SERVERS)
            address = argument(call, 0, "address" if binds else "server_address") if binds or serves else None
            host = _host(address, known)
            if host is not None:
                yield Hit(call, f'the host "{host}" listens on every interface: bind to 127.0.0.1 unless it is public')


def _host(address: ast.AST | None, known: dict[str, ast.expr]) -> str | None:
    if isinstance(address, ast.Name):
        address = known.get(address.id, address)
    if not isinstance(address, ast.Tuple) or not address.elts:
        return None
    host = address.elts[0]
    if isinstance(host, ast.Name):
        host = known.get(host.id, host)
    return host.value if isinstance(host, ast.Constant) and host.value in WILDCARDS else None


def _values(scope: ast.AST) -> dict[str, ast.expr]:
    """Names bound once in `scope` to a tuple or by unpacking one: `ADDRESS = ("", 80)`, `HOST, PORT = "", 80`."""
    found: dict[str, ast.expr] = {}
    for node in own_nodes(scope):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and isinstance(value, ast.Tuple):
            found[target.id] = value
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            found |= {t.id: v for t, v in zip(target.elts, value.elts, strict=True) if isinstance(t, ast.Name)}
    stores = Counter(n.id for n in own_nodes(scope) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return {name: value for name, value in found.items() if stores[name] == 1}  # a name bound twice is not known
