from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # a module constant that holds the key
    """
    import os
    API_KEY = os.environ["API_KEY"]
    def allowed(request):
        return request.headers.get("X-Api-Key") == API_KEY
    """,
    # a webhook signature against the one computed
    """
    import hmac, hashlib
    def verify(request, key):
        expected_signature = hmac.new(key, request.body, hashlib.sha256).hexdigest()
        return request.headers["X-Signature"] == expected_signature
    """,
    # the HMAC's digest compared directly, imported by name
    """
    from hmac import new as mac_of
    def verify(key, body, sent):
        return mac_of(key, body, "sha256").hexdigest() != sent
    """,
    # an API token from a header against the configured one
    """
    def check(x_token, settings):
        if x_token != settings.api_token:
            raise PermissionError
    """,
    # a password checked in plain text, camelCase
    """
    def login(user, form):
        return form.userPassword == user.password
    """,
    """
    def check(api_key, stored_keys, name):
        return stored_keys[name] == api_key
    """,
]
CLEAN = [
    # a class's constant names a kind of restriction, not a secret (wagtail)
    """
    def kinds(restriction):
        return restriction.restriction_type == BaseViewRestriction.PASSWORD
    """,
    """
    import hmac, hashlib
    def verify(request, key):
        expected_signature = hmac.new(key, request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(request.headers["X-Signature"], expected_signature)
    """,
    """
    import secrets
    def check(x_token, settings):
        return secrets.compare_digest(x_token, settings.api_token)
    """,
    # against a constant, a shape, or nothing: no secret to find a byte at a time
    """
    def check(token, digest):
        if token is None or token == "" or len(token) == 32 or type(digest) == bytes:
            return False
        return digest != b""
    """,
    # a lexer's tokens, a token's kind
    """
    def parse(tokens, token, kind):
        if tokens == [] or token.type == kind:
            return None
    """,
    # a password typed twice by the same user
    """
    def register(password, password2, confirm_password):
        return password != password2 or password == confirm_password
    """,
    # a file's checksum is no secret
    """
    import hashlib
    def unchanged(sha_on_disk, text):
        return sha_on_disk == hashlib.sha256(text.encode()).hexdigest()
    """,
    # an object telling its own tokens apart: a cache, __eq__
    """
    class Cache:
        def invalidate(self, token):
            cached = self._cached
            if token == cached.token:
                self._cached = None
        def __eq__(self, other):
            return self.password == getattr(other, "password", None)
    """,
    # a test's assert
    """
    def test_token(client, expected_token):
        assert client.token == expected_token
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-TIMING-COMPARE"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
