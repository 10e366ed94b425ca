"""A JWT read without checking its signature (CWE-347): PyJWT's `options={"verify_signature": False}` or
`verify=False` (PyJWT 1), the `none` algorithm accepted, python-jose's `get_unverified_claims`. Whoever sent
the token then chooses its claims. A token made with `algorithm="none"` carries no signature at all: whoever
reads it cannot tell it from a forged one."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, calls, keyword

RULE = Rule("CM-JWT", 347, "error", "jwt_signature_not_checked")
DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode", "jwt.PyJWT.decode"})
ENCODERS = frozenset({"jwt.encode", "jose.jwt.encode", "jwt.api_jwt.encode", "jwt.PyJWT.encode"})
UNVERIFIED = frozenset({"jose.jwt.get_unverified_claims", "jwt.get_unverified_claims"})


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if name in UNVERIFIED:
            yield Hit(call, f"{name} returns the token's claims without checking its signature")
        elif name in ENCODERS and _none(keyword(call, "algorithm")):
            yield Hit(call, f'{name} with algorithm "none" makes a token with no signature: sign it (HS256, RS256)')
        elif name in DECODERS or (name.endswith(".decode") and name.split(".")[0] in ("jwt", "jose")):
            why = _unchecked(call)
            if why:
                yield Hit(call, f"{name} {why}: whoever made the token chooses its claims")


def _unchecked(call: ast.Call) -> str | None:
    verify = keyword(call, "verify")
    if isinstance(verify, ast.Constant) and verify.value is False:
        return "is told verify=False"
    options = keyword(call, "options")
    if isinstance(options, ast.Dict):
        for key, value in zip(options.keys, options.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and key.value == "verify_signature"
                and isinstance(value, ast.Constant)
                and value.value is False
            ):
                return "skips the signature check (verify_signature False)"
    algorithms = keyword(call, "algorithms")
    if isinstance(algorithms, (ast.List, ast.Tuple)) and any(_none(a) for a in algorithms.elts):
        return 'accepts the "none" algorithm'
    return None


def _none(algorithm: ast.expr | None) -> bool:
    return isinstance(algorithm, ast.Constant) and str(algorithm.value).lower() == "none"
