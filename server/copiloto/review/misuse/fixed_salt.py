"""A salt written in the code (CWE-760): `hashlib.pbkdf2_hmac("sha256", pw, b"salt", n)`, `hashlib.scrypt(...,
salt=SALT)` with `SALT = b"..."`, cryptography's `PBKDF2HMAC(salt=...)` / `Scrypt(salt=...)`, `bcrypt.hashpw(pw,
b"$2b$12$...")`. A salt is only worth its randomness: one salt for every password lets an attacker build one
table for the whole database, and equal passwords get equal hashes."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, fixed, keyword, own_nodes, scopes

RULE = Rule("CM-FIXED-SALT", 760, "error", "fixed_salt")
# what derives a key from a password → (position, keyword) of its salt; position -1: keyword only
SALTED: dict[str, tuple[int, str]] = {
    "hashlib.pbkdf2_hmac": (2, "salt"),
    "hashlib.scrypt": (-1, "salt"),
    "bcrypt.hashpw": (1, "salt"),
    "django.contrib.auth.hashers.make_password": (1, "salt"),
}
CRYPTOGRAPHY_KDF = {"PBKDF2HMAC": (2, "salt"), "Scrypt": (0, "salt")}


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for scope, known in scopes(tree):
        for call in (n for n in own_nodes(scope) if isinstance(n, ast.Call)):
            name = imports.called(call)
            where = SALTED.get(name) or (
                CRYPTOGRAPHY_KDF.get(name.rsplit(".", 1)[-1]) if name.startswith("cryptography.") else None
            )
            if where is None:
                continue
            index, word = where
            salt = argument(call, index, word) if index >= 0 else keyword(call, word)
            if fixed(salt, known):
                yield Hit(
                    salt or call,
                    f"{name} is given a salt written in the code: draw a new one per password with os.urandom(16) "
                    "(or bcrypt.gensalt()) and store it beside the hash",
                )
