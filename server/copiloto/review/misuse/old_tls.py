"""A TLS context that allows a broken protocol version (CWE-327): `ssl.SSLContext(ssl.PROTOCOL_SSLv2)` (also
SSLv3, TLSv1, TLSv1.1, positional or `protocol=`), or `context.minimum_version` set to one of them. Bandit's
B502-B504 read `ssl_version=` arguments, not the context's own protocol or minimum version. Use
`ssl.create_default_context()` or `PROTOCOL_TLS_CLIENT` with `minimum_version = ssl.TLSVersion.TLSv1_2`."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls, dotted

RULE = Rule("CM-OLD-TLS", 327, "error", "broken_tls_version")
BROKEN = frozenset({"SSLv2", "SSLv3", "TLSv1", "TLSv1_1"})  # not SSLv23: an old name of PROTOCOL_TLS


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if name in ("ssl.SSLContext", "OpenSSL.SSL.Context"):
            version = _version(argument(call, 0, "protocol" if name == "ssl.SSLContext" else "method"), imports)
            if version:
                yield Hit(call, f"{name} allows {version}, which is broken: use ssl.create_default_context()")
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "minimum_version" for t in node.targets
        ):
            version = _version(node.value, imports)
            if version:
                yield Hit(node, f"the context accepts {version} and up: set minimum_version to TLSVersion.TLSv1_2")


def _version(node: ast.AST | None, imports: Imports) -> str | None:
    """The broken version `node` names: ssl.PROTOCOL_TLSv1, ssl.TLSVersion.SSLv3, SSL.TLSv1_METHOD."""
    name = imports.canonical(dotted(node)) if node is not None else ""
    last = name.rsplit(".", 1)[-1].removeprefix("PROTOCOL_").removesuffix("_METHOD")
    return last if name.startswith(("ssl.", "OpenSSL.")) and last in BROKEN else None
