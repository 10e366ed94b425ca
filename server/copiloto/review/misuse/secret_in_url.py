"""A secret written into an absolute URL (CWE-598): `https://user:password@host/...`, or a query string that
carries `password=`, `api_key=`, `token=`, `secret=`. (A relative path is left alone: a test client's
`get("/items?token=x")` exercises the app's own API.) URLs end up in server logs, proxies, browser history and Referer
headers. Send credentials in a header (Authorization) or the body instead."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule

RULE = Rule("CM-SECRET-IN-URL", 598, "warning", "secret_in_url")
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>`]+", re.IGNORECASE)  # an absolute URL, up to a quote or space
USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@", re.IGNORECASE)
QUERY = re.compile(
    r"[?&](pass(word|wd)?|pwd|api[-_]?key|apikey|access[-_]?token|auth[-_]?token|token|secret|client[-_]secret)=",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"^(\*+|x+|<[^>]*>|\{[^}]*\}|\$\w+|%s|\.\.\.)$", re.IGNORECASE)


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in ast.walk(tree):
        text = None if id(node) in parts else _start(node)  # an f-string is read whole, not part by part
        if text is None:
            continue
        for url in URL.findall(text):
            user = USERINFO.match(url)
            if user and not PLACEHOLDER.match(user.group(1)):
                yield Hit(node, "the URL carries a password: send it in an Authorization header, not the address")
                break
            if (query := QUERY.search(url)) is not None:
                yield Hit(node, f"the URL's query carries {query.group(1)}=: logs and proxies keep URLs, send it "
                          "in a header or the body")  # fmt: skip
                break


def _start(node: ast.AST) -> str | None:
    """The text of a string literal, or of an f-string's constant parts with `{}` for the values."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None
