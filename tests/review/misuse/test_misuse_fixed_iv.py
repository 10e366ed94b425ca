from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # pycryptodome, a zero IV positional
    """
    from Crypto.Cipher import AES
    def seal(key, data):
        return AES.new(key, AES.MODE_CBC, b"\\0" * 16).encrypt(data)
    """,
    # pycryptodomex, the nonce from a module constant, by keyword
    """
    from Cryptodome.Cipher import AES as Cipher
    NONCE = b"123456789012"
    def seal(key, data):
        return Cipher.new(key, Cipher.MODE_GCM, nonce=NONCE).encrypt_and_digest(data)
    """,
    # triple DES, an IV bound in the function, sized by the cipher
    """
    from Crypto.Cipher import DES3
    def seal(key, data):
        iv = b"\\x00" * DES3.block_size
        return DES3.new(key, DES3.MODE_CBC, iv=iv).encrypt(data)
    """,
    # cryptography's modes
    """
    import os
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    def seal(data):
        return Cipher(algorithms.AES(os.urandom(32)), modes.CBC(b"fixed iv 16 byte")).encryptor().update(data)
    """,
    """
    from cryptography.hazmat.primitives.ciphers.modes import CTR
    COUNTER = bytes(16)
    def mode():
        return CTR(COUNTER)
    """,
    # ChaCha20 with a fixed nonce
    """
    from cryptography.hazmat.primitives.ciphers import algorithms
    def stream(key):
        return algorithms.ChaCha20(key, b"sixteen byte non")
    """,
    # AEAD: the nonce given to encrypt
    """
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    def seal(key, data):
        box = AESGCM(key)
        return box.encrypt(b"twelve bytes", data, None)
    """,
    """
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    def seal(key, data):
        return ChaCha20Poly1305(key).encrypt(bytes(12), data, None)
    """,
]
CLEAN = [
    """
    from Crypto.Cipher import AES
    from Crypto.Random import get_random_bytes
    def seal(key, data):
        iv = get_random_bytes(16)
        return iv + AES.new(key, AES.MODE_CBC, iv).encrypt(data)
    """,
    # a module constant shadowed by a random nonce in the function
    """
    import os
    from Cryptodome.Cipher import AES
    NONCE = b"123456789012"
    def seal(key, data):
        NONCE = os.urandom(12)
        return AES.new(key, AES.MODE_GCM, nonce=NONCE).encrypt_and_digest(data)
    """,
    """
    import os
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    def seal(key, data):
        iv = os.urandom(16)
        return iv + Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor().update(data)
    """,
    # the IV read back from the message when decrypting
    """
    from cryptography.hazmat.primitives.ciphers import modes
    def mode(message):
        return modes.GCM(message[:12], message[-16:])
    """,
    """
    import os
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    def seal(key, data):
        nonce = os.urandom(12)
        return nonce + AESGCM(key).encrypt(nonce, data, b"header")
    """,
    # no nonce given: PyCryptodome draws a random one; an encrypt that is no AEAD
    """
    from Crypto.Cipher import AES
    def seal(key, data, public_key):
        public_key.encrypt(b"fixed", None)
        return AES.new(key, AES.MODE_GCM)
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-FIXED-IV"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
