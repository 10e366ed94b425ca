"""An HMAC over a broken digest (CWE-328): `hmac.new(key, msg, hashlib.md5)`, `hmac.digest(key, msg, "md5")`,
`hmac.HMAC(key, digestmod="md4")`. MD5, MD4, MD2 and SHA-0 are deprecated for new MACs (RFC 6151); a protocol
made today should use SHA-256. Bandit reports `hashlib.md5(...)` calls but not a digest handed to hmac. Not
flagged: HMAC-SHA1, which holds (RFC 2104, NIST SP 800-107) and which TOTP, OAuth 1 and many webhooks require."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls, dotted

RULE = Rule("CM-WEAK-HMAC", 328, "warning", "hmac_weak_digest")
# hmac function → (its digest keyword, the digest's positional index)
HMAC_CALLS = {"hmac.new": ("digestmod", 2), "hmac.HMAC": ("digestmod", 2), "hmac.digest": ("digest", 2)}
WEAK = frozenset({"md2", "md4", "md5", "sha", "mdc2"})


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if name in HMAC_CALLS:
            word, index = HMAC_CALLS[name]
            weak = _weak(argument(call, index, word), imports)
            if weak:
                yield Hit(call, f"{name}() with {weak.upper()}, a digest deprecated for MACs: use hashlib.sha256")


def _weak(digest: ast.expr | None, imports: Imports) -> str | None:
    """The weak digest's name, from `"md5"`, `hashlib.md5`, `md5` (imported from hashlib) or a lambda over one."""
    if isinstance(digest, ast.Constant) and isinstance(digest.value, str):
        name = digest.value.lower().replace("-", "")
        return name if name in WEAK else None
    if isinstance(digest, ast.Lambda) and isinstance(digest.body, ast.Call):
        return _weak(digest.body.func, imports)
    canonical = imports.canonical(dotted(digest)) if digest is not None and dotted(digest) else ""
    module, _, name = canonical.rpartition(".")
    return name if module in ("hashlib", "Crypto.Hash", "Cryptodome.Hash") and name.lower() in WEAK else None
