"""Small rules in one table: ECB mode in PyCryptodome, a world-writable chmod bandit does not read, a short
random token, a secret taken on the command line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

CASES = [
    # (source, expected codes)
    ("from Crypto.Cipher import AES\nAES.new(key, AES.MODE_ECB).encrypt(data)\n", ["CM-ECB-MODE"]),
    ("from Cryptodome.Cipher import DES3\nc = DES3.new(key, mode=DES3.MODE_ECB)\n", ["CM-ECB-MODE"]),
    ("from Crypto.Cipher import AES\nAES.new(key, AES.MODE_GCM, nonce=nonce)\n", []),
    ("import hashlib\nh = hashlib.new('sha256')\n", []),
    ("from pathlib import Path\nPath('run.sh').chmod(0o777)\n", ["CM-PERMISSIVE-MODE"]),
    ("import pathlib, stat\npathlib.Path('f').chmod(stat.S_IRUSR | stat.S_IWOTH)\n", ["CM-PERMISSIVE-MODE"]),
    ("from pathlib import Path\np = Path('f')\np.chmod(0o666)\n", ["CM-PERMISSIVE-MODE"]),
    ("from pathlib import Path\nPath('run.sh').chmod(0o755)\n", []),  # others may run it, not change it
    ("from pathlib import Path\nPath('f').chmod(mode)\n", []),  # a mode we cannot read
    ("import os\nos.chmod('f', 0o777)\n", []),  # bandit's B103 has it
    ("import secrets\nsecrets.token_hex(8)\n", ["CM-SHORT-TOKEN"]),
    ("from secrets import token_bytes\nkey = token_bytes(nbytes=4)\n", ["CM-SHORT-TOKEN"]),
    ("import secrets\nsecrets.token_urlsafe(16)\n", []),
    ("import secrets\nnonce = secrets.token_bytes(12)\n", []),  # a 12-byte AES-GCM nonce
    ("import secrets\naesgcm.encrypt(secrets.token_bytes(12), data, None)\n", []),
    ("import secrets\nsession_id = secrets.token_bytes(8)\n", ["CM-SHORT-TOKEN"]),
    ("import secrets\nsecrets.token_hex()\n", []),
    ("import secrets\nsecrets.token_bytes(size)\n", []),
    ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--password')\n", ["CM-SECRET-ARGUMENT"]),
    ("import argparse\np = argparse.ArgumentParser()\np.add_argument('-k', '--api-key', required=True)\n",
     ["CM-SECRET-ARGUMENT"]),
    ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--github-token', type=str)\n",
     ["CM-SECRET-ARGUMENT"]),
    ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--password-file')\n", []),
    ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--password', action='store_true')\n", []),
    ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--tokens', nargs='+')\n", []),
]  # fmt: skip


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_rule(source: str, expected: list[str], codes: Codes) -> None:
    assert [code for _, code in codes(source)] == expected


def test_a_test_module_gets_no_misuse_findings() -> None:
    from copiloto.review.misuse import misuse_findings

    text = "import jwt\ntoken = jwt.encode({'sub': 'u'}, 'secret', algorithm='HS256')\n"
    assert [f.code for f in misuse_findings(text, "app.py")] == ["CM-LITERAL-KEY"]
    for name in ("test_oauth.py", "tests/oauth_test.py", "conftest.py"):
        assert misuse_findings(text, name) == [], name
