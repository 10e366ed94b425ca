"""B501 (request_with_no_cert_validation): drop `verify=False` from a requests/httpx call.

The rewrite removes the `verify=False` keyword (and one comma next to it), so the library's default applies:
certificates are checked. It refuses when `verify` is not the literal False (a variable may be a CA bundle
path), when the callee is not `requests.*`/`httpx.*` (or an alias bandit resolved to them: the attribute
name must be one of theirs), or when a comment sits where text is removed.
"""

from __future__ import annotations

import ast

from copiloto.review.fixes._edit import Source, keyword, last_name, removing_keyword, replace
from copiloto.review.security import SecurityFinding

CODE = "B501"
TITLE = "check TLS certificates (drop verify=False)"
_METHODS = {"get", "options", "head", "post", "put", "patch", "delete", "request", "stream", "Client", "AsyncClient"}


def _flagged(call: ast.Call) -> bool:
    kw = keyword(call, "verify")
    return (
        last_name(call) in _METHODS
        and kw is not None
        and isinstance(kw.value, ast.Constant)
        and kw.value.value is False
    )


def rewrite(text: str, finding: SecurityFinding) -> str | None:
    source = Source.parse(text)
    if source is None:
        return None
    call = source.call_at(finding.line, finding.column, _flagged)
    if call is None:
        return None
    kw = keyword(call, "verify")
    assert kw is not None
    removal = removing_keyword(source, call, kw)
    return None if removal is None else replace(text, [removal])
