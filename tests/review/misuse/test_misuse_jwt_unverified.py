from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # PyJWT 2: the options dict turns the signature check off
    """
    import jwt
    def user(token):
        return jwt.decode(token, options={"verify_signature": False})
    """,
    # PyJWT 1 spelling, imported under another name
    """
    from jwt import decode as read
    def user(token, key):
        return read(token, key, verify=False)
    """,
    # the none algorithm accepted
    """
    import jwt
    def user(token, key):
        return jwt.decode(token, key, algorithms=["HS256", "none"])
    """,
    # python-jose
    """
    from jose import jwt
    def user(token):
        return jwt.get_unverified_claims(token)
    """,
    # a token made with no signature
    """
    import jwt
    def issue(user_id):
        return jwt.encode({"sub": user_id}, None, algorithm="none")
    """,
]
CLEAN = [
    """
    import jwt
    def user(token, key):
        return jwt.decode(token, key, algorithms=["HS256"])
    """,
    # other options, the signature still checked
    """
    import jwt
    def user(token, key):
        return jwt.decode(token, key, algorithms=["RS256"], options={"verify_exp": False, "verify_signature": True})
    """,
    # a signed token
    """
    import jwt
    def issue(user_id, key):
        return jwt.encode({"sub": user_id}, key, algorithm="HS256")
    """,
    # a bytes decode is no JWT
    """
    def text(data):
        return data.decode("utf-8")
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-JWT"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
