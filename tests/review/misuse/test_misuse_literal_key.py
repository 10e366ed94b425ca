from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # pycryptodome with the key in the call
    """
    from Crypto.Cipher import AES
    def seal(data, nonce):
        return AES.new(b"0123456789abcdef", AES.MODE_GCM, nonce=nonce).encrypt_and_digest(data)
    """,
    # Fernet, imported under another name
    """
    from cryptography.fernet import Fernet as Box
    box = Box(b"ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=")
    """,
    # hmac with a literal key, encoded
    """
    import hmac, hashlib
    def sign(message):
        return hmac.new("webhook-secret".encode(), message, hashlib.sha256).hexdigest()
    """,
    # PyJWT, the key by keyword
    """
    import jwt
    def token(user):
        return jwt.encode({"sub": user.id}, key="change-me", algorithm="HS256")
    """,
    # python-jose
    """
    from jose import jwt
    def claims(token):
        return jwt.decode(token, "change-me", algorithms=["HS256"])
    """,
    # cryptography's cipher algorithm
    """
    from cryptography.hazmat.primitives.ciphers import algorithms
    def cipher():
        return algorithms.AES(b"k" * 32)
    """,
    # itsdangerous
    """
    from itsdangerous import URLSafeTimedSerializer
    signer = URLSafeTimedSerializer("not-so-secret", salt="reset")
    """,
]
CLEAN = [
    # the key from the environment or configuration
    """
    import os
    from Crypto.Cipher import AES
    def seal(data, nonce):
        return AES.new(bytes.fromhex(os.environ["KEY"]), AES.MODE_GCM, nonce=nonce).encrypt_and_digest(data)
    """,
    """
    from cryptography.fernet import Fernet
    def box(settings):
        return Fernet(settings.FERNET_KEY)
    """,
    # a key by name: bandit's finding at the assignment, not this one
    """
    import jwt
    SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"
    def token(user):
        return jwt.encode({"sub": user.id}, SECRET_KEY, algorithm="HS256")
    """,
    # a literal message, the key a parameter
    """
    import hmac, hashlib
    def sign(key):
        return hmac.new(key, b"payload", hashlib.sha256).hexdigest()
    """,
    """
    from itsdangerous import URLSafeTimedSerializer
    def signer(app):
        return URLSafeTimedSerializer(app.secret_key, salt="cookie-session")
    """,
    # the "none" algorithm takes no key (CM-JWT's business, if decoded)
    """
    import jwt
    def unsigned(claims):
        return jwt.encode(claims, "", algorithm="none")
    """,
    # a string's encode and a json decode are no crypto
    """
    import json
    def load(text):
        return json.loads("{}"), "abc".encode("utf-8")
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-LITERAL-KEY"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    """Silent for this rule: the unsigned token's empty key is no key written in the code, though the token is
    CM-JWT's finding (algorithm "none")."""
    assert [code for _, code in codes(source) if code == "CM-LITERAL-KEY"] == []
