"""An IV or nonce written in the code (CWE-329): pycryptodome's `AES.new(key, AES.MODE_CBC, b"0" * 16)` or
`nonce=NONCE`, cryptography's `modes.CBC(IV)` / `modes.GCM(...)` / `modes.CTR(...)`, `ChaCha20(key, nonce)`,
`AESGCM(key).encrypt(b"...", data, None)`. The same IV under the same key shows which messages start alike
(CBC); the same nonce in CTR, GCM or ChaCha20 repeats the keystream, so two ciphertexts give away both
plaintexts, and in GCM the authentication key as well."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, dotted, fixed, keyword, own_nodes, scopes

RULE = Rule("CM-FIXED-IV", 329, "error", "fixed_iv_or_nonce")
PYCRYPTODOME = ("Crypto.Cipher.", "Cryptodome.Cipher.")
STREAM = frozenset({"ChaCha20", "XChaCha20", "Salsa20", "ChaCha20_Poly1305"})  # new(key, nonce)
# cryptography: class → (position, keyword) of its IV or nonce
MODES = {
    "CBC": (0, "initialization_vector"),
    "CFB": (0, "initialization_vector"),
    "CFB8": (0, "initialization_vector"),
    "OFB": (0, "initialization_vector"),
    "GCM": (0, "initialization_vector"),
    "CTR": (0, "nonce"),
    "ChaCha20": (1, "nonce"),
}
AEAD = frozenset({"AESGCM", "AESCCM", "AESOCB3", "AESGCMSIV", "ChaCha20Poly1305"})  # .encrypt(nonce, data, aad)


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for scope, known in scopes(tree):
        aeads = _aead_objects(scope, imports)
        for call in (n for n in own_nodes(scope) if isinstance(n, ast.Call)):
            name = imports.called(call)
            iv = _iv(call, name, imports, aeads)
            if iv is not None and fixed(iv, known):
                what = name or "encrypt"
                yield Hit(
                    iv,
                    f"{what} is given an IV or nonce written in the code: draw a fresh one per message "
                    "with os.urandom (or get_random_bytes) and send it with the ciphertext",
                )


def _iv(call: ast.Call, name: str, imports: Imports, aeads: set[str]) -> ast.expr | None:
    """The IV or nonce `call` is given, if it is a cipher that takes one."""
    if name.startswith(PYCRYPTODOME) and name.endswith(".new"):
        cipher = name.rsplit(".", 2)[-2]
        if cipher in STREAM:
            return argument(call, 1, "nonce")
        return argument(call, 2, "iv") or keyword(call, "nonce") or keyword(call, "IV")
    if name.startswith("cryptography.") and name.rsplit(".", 1)[-1] in MODES:
        index, word = MODES[name.rsplit(".", 1)[-1]]
        return argument(call, index, word)
    if isinstance(call.func, ast.Attribute) and call.func.attr == "encrypt":
        made = call.func.value
        if (isinstance(made, ast.Call) and _aead(imports.called(made))) or dotted(made) in aeads:
            return argument(call, 0, "nonce")
    return None


def _aead(name: str) -> bool:
    return name.startswith("cryptography.") and name.rsplit(".", 1)[-1] in AEAD


def _aead_objects(scope: ast.AST, imports: Imports) -> set[str]:
    """Names bound in `scope` to an AEAD cipher: `box = AESGCM(key)` → {"box"}."""
    return {
        dotted(target)
        for node in own_nodes(scope)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _aead(imports.called(node.value))
        for target in node.targets
        if dotted(target)
    }
