"""A cryptographic key written into the call itself (CWE-321): `AES.new(b"0123456789abcdef", ...)`,
`Fernet(b"...")`, `hmac.new(b"secret", msg, ...)`, `jwt.encode(payload, "secret", ...)`, cryptography's
`algorithms.AES(b"...")`, itsdangerous' `URLSafeTimedSerializer("secret")`. Whoever reads the source (a
repository, a wheel, a decompiled binary) can decrypt or forge everything. Only literals count: a key passed
by name (`SECRET_KEY = "..."` then `jwt.encode(payload, SECRET_KEY)`) is bandit's hardcoded-password finding
at the assignment, and usually a settings value."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls, written_out

RULE = Rule("CM-LITERAL-KEY", 321, "error", "literal_crypto_key")
PYCRYPTODOME = ("Crypto.Cipher.", "Cryptodome.Cipher.", "Crypto.Hash.HMAC.", "Cryptodome.Hash.HMAC.")
# canonical name → (position, keyword) of the key
KEYED: dict[str, tuple[int, str]] = {
    "hmac.new": (0, "key"),
    "hmac.HMAC": (0, "key"),
    "hmac.digest": (0, "key"),
    "cryptography.fernet.Fernet": (0, "key"),
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "jose.jwt.encode": (1, "key"),
    "jose.jwt.decode": (1, "key"),
}
# cryptography classes keyed by their first argument: ciphers, AEADs, MACs
CRYPTOGRAPHY = frozenset(
    {
        "AES",
        "AES128",
        "AES256",
        "Camellia",
        "ChaCha20",
        "TripleDES",
        "SM4",
        "AESGCM",
        "AESCCM",
        "AESOCB3",
        "AESSIV",
        "AESGCMSIV",
        "ChaCha20Poly1305",
        "HMAC",
        "CMAC",
        "Poly1305",
    }
)
ITSDANGEROUS = frozenset(
    {
        "Signer",
        "TimestampSigner",
        "Serializer",
        "TimedSerializer",
        "URLSafeSerializer",
        "URLSafeTimedSerializer",
        "JSONWebSignatureSerializer",
        "TimedJSONWebSignatureSerializer",
    }
)


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        key = _key(call, name)
        if key is not None and written_out(key) and not _empty(key):
            yield Hit(
                key,
                f"{name} is given a key written in the code: read it from the environment or a secrets store "
                "so that it can be kept out of the source and rotated",
            )


def _key(call: ast.Call, name: str) -> ast.expr | None:
    """The key argument of `call`, when it is a keyed cryptographic call."""
    if name in KEYED:
        return argument(call, *KEYED[name])
    last = name.rsplit(".", 1)[-1]
    if name.startswith(PYCRYPTODOME) and last == "new":
        return argument(call, 0, "key")
    if name.startswith("cryptography.") and last in CRYPTOGRAPHY:
        return argument(call, 0, "key")
    if name.startswith("itsdangerous.") and last in ITSDANGEROUS:
        return argument(call, 0, "secret_key")
    return None


def _empty(node: ast.AST) -> bool:
    """`""` or `b""`: no key at all (as with jwt's "none" algorithm), not a key given away."""
    return isinstance(node, ast.Constant) and node.value in ("", b"")
