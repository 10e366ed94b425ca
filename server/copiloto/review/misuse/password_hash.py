"""A password hashed with a fast hash (CWE-916): `hashlib.sha256(password)`, `hashlib.new("md5", password)`,
or `h.update(password)` on such a hash made in the same function. One round of a hash built for speed is
brute-forced at billions of guesses a second once the table leaks; passwords need a slow, salted key
derivation (scrypt, argon2, bcrypt, PBKDF2). Only values named as passwords count: hashing a random token
or an API key with SHA-256 is the right thing to do, and so is hashing a file."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls, dotted, functions, names_secret

RULE = Rule("CM-PASSWORD-HASH", 916, "error", "password_fast_hash")
FAST = frozenset(
    f"hashlib.{name}"
    for name in (
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_224",
        "sha3_256",
        "sha3_384",
        "sha3_512",
        "blake2b",
        "blake2s",
    )
)
# the last part of a name that holds a password: password, user_password, newPassword, passwd, pwd, pass
PASSWORD = re.compile(r"(?i)(pass(word|wd|phrase)|(^|_)(pass|pwd))$|[a-z](Pass(word|wd|phrase)?|Pwd)$")


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        data = _data(call, name)
        secret = names_secret(data, PASSWORD) if data is not None else None
        if secret:
            yield Hit(call, _message(secret, name))
    for function in functions(tree):
        hashes = _hash_objects(function, imports)
        for call, _ in calls(function, imports):
            if isinstance(call.func, ast.Attribute) and call.func.attr == "update" and call.args:
                made_by = hashes.get(dotted(call.func.value))
                secret = names_secret(call.args[0], PASSWORD)
                if made_by and secret:
                    yield Hit(call, _message(secret, made_by))


def _data(call: ast.Call, name: str) -> ast.expr | None:
    """What a fast hash is given to hash at its creation, if anything."""
    if name in FAST:
        return argument(call, 0, "data") or argument(call, 0, "string")
    if name == "hashlib.new":
        return argument(call, 1, "data") or argument(call, 1, "string")
    return None


def _hash_objects(function: ast.AST, imports: Imports) -> dict[str, str]:
    """Names bound in `function` to a fast hash object: `h = hashlib.sha256()` → {"h": "hashlib.sha256"}."""
    made: dict[str, str] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            name = imports.called(node.value)
            if name in FAST or name == "hashlib.new":
                for target in node.targets:
                    if dotted(target):
                        made[dotted(target)] = name
    return made


def _message(secret: str, name: str) -> str:
    return f"password {secret} hashed with one round of {name}: use hashlib.scrypt, argon2 or bcrypt with a random salt"
