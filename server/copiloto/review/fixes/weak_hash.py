"""B324 (hashlib): a weak hash (`hashlib.md5`, `sha1`, `md4`, `hashlib.new("md5")`) used where bandit assumes
it guards something. Two rewrites, offered side by side:

* `not_for_security`: add `usedforsecurity=False` (Python 3.9+), saying the digest is a checksum or a cache
  key. The digest is unchanged; only right when it is indeed not a security use, hence the wording of its
  title. Refuses when `usedforsecurity` is already given or `**kwargs` could hold it.
* `sha256`: `hashlib.md5(...)` → `hashlib.sha256(...)`, `hashlib.new("md5", ...)` → `hashlib.new("sha256", ...)`.
  The digest changes (length too): stored or compared digests no longer match. Refuses for a bare `md5(...)`
  (from-imported: `sha256` may not be) and for a hash name that is not a literal.

bandit 1.9 reports these as B324 on Python 3.9+; B303 is left to the `Crypto`/`cryptography` MD5 classes,
which get no rewrite.
"""

from __future__ import annotations

import ast

from copiloto.review.fixes._edit import Source, adding_keyword, attribute_name_span, keyword, last_name, replace
from copiloto.review.security import SecurityFinding

CODE = "B324"
NOT_FOR_SECURITY_TITLE = "mark the hash as not for security (usedforsecurity=False)"
SHA256_TITLE = "use SHA-256 instead (changes the digest)"
_WEAK = {"md4", "md5", "sha", "sha1", "md5-sha1", "ripemd160"}


def _hash_name(call: ast.Call) -> ast.Constant | None:
    """The literal name given to `hashlib.new`."""
    node = call.args[0] if call.args else (kw.value if (kw := keyword(call, "name")) else None)
    return node if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_weak(call: ast.Call) -> bool:
    name = last_name(call)
    if name == "new":
        literal = _hash_name(call)
        return literal is None or str(literal.value).lower() in _WEAK
    return name in _WEAK


def _call(text: str, finding: SecurityFinding) -> tuple[Source, ast.Call] | None:
    source = Source.parse(text)
    if source is None:
        return None
    call = source.call_at(finding.line, finding.column, _is_weak)
    return None if call is None else (source, call)


def not_for_security(text: str, finding: SecurityFinding) -> str | None:
    found = _call(text, finding)
    if found is None:
        return None
    source, call = found
    if keyword(call, "usedforsecurity") is not None or any(kw.arg is None for kw in call.keywords):
        return None
    edit = adding_keyword(source, call, "usedforsecurity=False")
    return None if edit is None else replace(text, [edit])


def sha256(text: str, finding: SecurityFinding) -> str | None:
    found = _call(text, finding)
    if found is None:
        return None
    source, call = found
    if not isinstance(call.func, ast.Attribute):
        return None
    if call.func.attr == "new":
        literal = _hash_name(call)
        if literal is None:
            return None
        first, last = source.span(literal)
        quote = source.text[first]
        if quote not in "'\"" or source.text[last - 1] != quote:
            return None  # a prefixed or implicitly concatenated literal
        return replace(text, [(first, last, f"{quote}sha256{quote}")])
    name = attribute_name_span(source, call.func)
    return None if name is None else replace(text, [(name[0], name[1], "sha256")])
