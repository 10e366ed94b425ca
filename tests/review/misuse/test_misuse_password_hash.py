from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # one round of SHA-256 over the password
    """
    import hashlib
    def store(user, password):
        user.hash = hashlib.sha256(password.encode()).hexdigest()
    """,
    # imported by name, salted but still one round, an attribute holding the password
    """
    from hashlib import md5 as digest
    def store(user, salt):
        return digest((salt + user.password).encode()).hexdigest()
    """,
    # hashlib.new with the algorithm by name, the password from a form
    """
    import hashlib
    def register(data):
        return hashlib.new("sha512", data["password"].encode()).hexdigest()
    """,
    # a hash object fed the password afterwards
    """
    import hashlib
    def store(new_password):
        h = hashlib.blake2b()
        h.update(new_password.encode())
        return h.hexdigest()
    """,
    # sha3, keyword data, camelCase name
    """
    import hashlib as hl
    def store(userPassword):
        return hl.sha3_256(data=userPassword.encode()).digest()
    """,
]
CLEAN = [
    # the slow, salted key derivations
    """
    import hashlib, os
    def store(password):
        salt = os.urandom(16)
        return salt + hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    """,
    """
    import hashlib, os
    def store(password):
        salt = os.urandom(16)
        return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)
    """,
    """
    import bcrypt
    def store(password):
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    """,
    """
    from passlib.hash import argon2
    def store(password):
        return argon2.hash(password)
    """,
    # hashing a file, or a random token, with SHA-256 is right
    """
    import hashlib
    def checksum(file_bytes):
        return hashlib.sha256(file_bytes).hexdigest()
    """,
    """
    import hashlib
    def store(api_key, access_token):
        return hashlib.sha256(api_key.encode()).hexdigest(), hashlib.sha256(access_token.encode()).hexdigest()
    """,
    # a hash object fed something else; another function's object
    """
    import hashlib
    def etag(body, password):
        h = hashlib.sha1()
        h.update(body)
        return h.hexdigest()
    def other(h, password):
        h.update(password)
    """,
    # hmac of a message that is not a password
    """
    import hmac, hashlib
    def sign(key, message):
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-PASSWORD-HASH"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
