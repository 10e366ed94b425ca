"""B306 (blacklist, mktemp_q): `tempfile.mktemp(...)` → `tempfile.NamedTemporaryFile(delete=False, ...).name`.

`mktemp` returns a name nobody owns yet, which another process can take first; the rewrite returns the path
of a file created atomically (mode 0600) with the same suffix/prefix/dir, still a `str`. The difference the
caller sees: the file exists (empty) afterwards, and is not deleted for it.

It refuses for a bare `mktemp(...)` (from-imported: `NamedTemporaryFile` may not be imported), for `*args` or
`**kwargs`, or for arguments other than mktemp's own (suffix, prefix, dir).
"""

from __future__ import annotations

import ast

from copiloto.review.fixes._edit import Source, replace
from copiloto.review.security import SecurityFinding

CODE = "B306"
TITLE = "use tempfile.NamedTemporaryFile(delete=False).name"
_PARAMETERS = ("suffix", "prefix", "dir")


def _is_mktemp(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "mktemp"


def rewrite(text: str, finding: SecurityFinding) -> str | None:
    source = Source.parse(text)
    if source is None:
        return None
    call = source.call_at(finding.line, finding.column, _is_mktemp)
    if call is None or not isinstance(call.func, ast.Attribute):
        return None
    if len(call.args) > len(_PARAMETERS) or any(isinstance(arg, ast.Starred) for arg in call.args):
        return None
    given = [(name, source.expression(arg)) for name, arg in zip(_PARAMETERS, call.args, strict=False)]
    for kw in call.keywords:
        if kw.arg not in _PARAMETERS or any(kw.arg == name for name, _ in given):
            return None
        given.append((kw.arg, source.expression(kw.value)))
    module = source.segment(call.func.value)
    arguments = ", ".join(["delete=False", *(f"{name}={value}" for name, value in given)])
    first, last = source.span(call)
    if source.has_comment(first, last):
        return None
    return replace(text, [(first, last, f"{module}.NamedTemporaryFile({arguments}).name")])
