"""A block cipher in ECB mode (CWE-327): PyCryptodome's `AES.new(key, AES.MODE_ECB)` (any cipher module's
`MODE_ECB`). Equal blocks of plaintext give equal blocks of ciphertext, so the data's patterns show through and
blocks can be cut and pasted. Bandit reads ECB in `cryptography` (B305), not here. Use an authenticated mode:
`AES.MODE_GCM` with a fresh nonce."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls, dotted

RULE = Rule("CM-ECB-MODE", 327, "error", "block_cipher_ecb_mode")


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if not name.endswith(".new"):
            continue
        mode = argument(call, 1, "mode")
        if mode is not None and dotted(mode).endswith(".MODE_ECB"):
            yield Hit(call, f"{name} in ECB mode shows the data's patterns: use MODE_GCM with a fresh nonce")
