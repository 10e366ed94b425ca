"""A security token too short to resist guessing (CWE-331): `secrets.token_bytes/hex/urlsafe(n)` with fewer
than 16 random bytes (128 bits). The default (32 bytes) is right for session ids, reset links and API keys."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls

RULE = Rule("CM-SHORT-TOKEN", 331, "warning", "short_random_token")
TOKENS = frozenset({"secrets.token_bytes", "secrets.token_hex", "secrets.token_urlsafe"})
MINIMUM = 16


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        size = argument(call, 0, "nbytes") if name in TOKENS else None
        if isinstance(size, ast.Constant) and isinstance(size.value, int) and size.value < MINIMUM:
            yield Hit(call, f"{name}({size.value}) draws only {size.value * 8} random bits: use at least {MINIMUM} "
                      "bytes, or the default")  # fmt: skip
