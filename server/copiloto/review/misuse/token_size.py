"""A security token too short to resist guessing (CWE-331): `secrets.token_hex/urlsafe(n)` with fewer than 16
random bytes (128 bits), or `secrets.token_bytes(n)` kept under a name that is not a nonce, IV or salt (a
12-byte AES-GCM nonce is right). The default (32 bytes) is right for session ids, reset links and API keys."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls, dotted

RULE = Rule("CM-SHORT-TOKEN", 331, "warning", "short_random_token")
TOKENS = frozenset({"secrets.token_bytes", "secrets.token_hex", "secrets.token_urlsafe"})
MINIMUM = 16


NOT_A_TOKEN = re.compile(r"(?i)nonce|\biv\b|_iv\b|^iv|salt|pad")


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        size = argument(call, 0, "nbytes") if name in TOKENS else None
        if name == "secrets.token_bytes" and not _kept_as_token(tree, call):
            continue
        if isinstance(size, ast.Constant) and isinstance(size.value, int) and size.value < MINIMUM:
            yield Hit(call, f"{name}({size.value}) draws only {size.value * 8} random bits: use at least {MINIMUM} "
                      "bytes, or the default")  # fmt: skip


def _kept_as_token(tree: ast.Module, call: ast.Call) -> bool:
    """Random bytes assigned to a name that is not a nonce, IV or salt; bytes used in place are key material
    or a nonce we cannot tell apart, so they are left alone."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.value is call:
            names = [dotted(t) for t in node.targets]
            return all(n and not NOT_A_TOKEN.search(n.rsplit(".", 1)[-1]) for n in names)
    return False
