from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # a literal salt, positional
    """
    import hashlib
    def store(password):
        return hashlib.pbkdf2_hmac("sha256", password.encode(), b"pepper-salt", 600_000)
    """,
    # through a module constant, by keyword, imported by name
    """
    from hashlib import pbkdf2_hmac as derive
    SALT = b"\\x00" * 16
    def store(password):
        return derive("sha256", password.encode(), salt=SALT, iterations=600_000)
    """,
    # scrypt with a salt bound in the function
    """
    import hashlib
    def store(password):
        salt = "static".encode()
        return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    """,
    # cryptography's PBKDF2HMAC
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    def key(password):
        kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=b"fixed", iterations=480_000)
        return kdf.derive(password)
    """,
    # cryptography's Scrypt, salt first; a zero salt sized by a name
    """
    from cryptography.hazmat.primitives.kdf import scrypt
    def key(password, size):
        return scrypt.Scrypt(b"\\0" * size, 32, 2**14, 8, 1).derive(password)
    """,
    # bcrypt with a salt pasted from an earlier run
    """
    import bcrypt
    def store(password):
        return bcrypt.hashpw(password.encode(), b"$2b$12$abcdefghijklmnopqrstuu")
    """,
]
CLEAN = [
    """
    import hashlib, os
    def store(password):
        return hashlib.pbkdf2_hmac("sha256", password.encode(), os.urandom(16), 600_000)
    """,
    # a module constant shadowed by a random salt in the function
    """
    import hashlib, secrets
    salt = b"fixed"
    def store(password):
        salt = secrets.token_bytes(16)
        return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    """,
    # a salt parameter, read from the stored hash
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    def key(password, salt):
        return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=480_000).derive(password)
    """,
    """
    import bcrypt
    def store(password):
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    """,
    # checking a password against its stored hash passes the hash as the salt
    """
    import bcrypt
    def check(password, stored):
        return bcrypt.hashpw(password.encode(), stored) == stored
    """,
    # a salt bound twice is not a constant
    """
    import hashlib, os
    SALT = b"dev"
    SALT = os.urandom(16)
    def store(password):
        return hashlib.pbkdf2_hmac("sha256", password.encode(), SALT, 600_000)
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-FIXED-SALT"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
