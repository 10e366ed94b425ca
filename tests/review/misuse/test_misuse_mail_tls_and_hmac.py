"""Three rules of the standard library's defaults, each case beside a clean twin: mail and FTP clients over TLS
that fall back to an unverified context, an HMAC over a deprecated digest, network clients with no timeout."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

MAIL_TLS = [
    # (source, expected codes)
    ("import imaplib\nm = imaplib.IMAP4_SSL('imap.example.com', timeout=5)\n", ["CM-MAIL-TLS-UNCHECKED"]),
    ("import smtplib\ns = smtplib.SMTP_SSL('smtp.example.com', 465, context=None)\n", ["CM-MAIL-TLS-UNCHECKED"]),
    ("from poplib import POP3_SSL\nPOP3_SSL('pop.example.com', timeout=5)\n", ["CM-MAIL-TLS-UNCHECKED"]),
    ("import ftplib\nwith ftplib.FTP_TLS('ftp.example.com') as ftp:\n    ftp.login()\n", ["CM-MAIL-TLS-UNCHECKED"]),
    ("import nntplib\nn = nntplib.NNTP_SSL('news.example.com')\n", ["CM-MAIL-TLS-UNCHECKED"]),
    ("import smtplib\ndef send(host):\n    s = smtplib.SMTP(host)\n    s.starttls()\n", ["CM-MAIL-TLS-UNCHECKED"]),
    ("import imaplib\nm = imaplib.IMAP4('mx.example.com')\nm.starttls(ssl_context=None)\n", ["CM-MAIL-TLS-UNCHECKED"]),
    ("import poplib\nwith poplib.POP3('pop.example.com') as p:\n    p.stls()\n", ["CM-MAIL-TLS-UNCHECKED"]),
    # clean twins: a context given, possibly given, or a connection to this machine
    ("import imaplib, ssl\nm = imaplib.IMAP4_SSL('imap.example.com', ssl_context=ssl.create_default_context())\n", []),
    ("import smtplib\ns = smtplib.SMTP_SSL('smtp.example.com', 465, context=ctx)\n", []),
    ("import smtplib\ns = smtplib.SMTP_SSL(host, port, **connection_params)\n", []),  # Django's mail backend
    ("import ftplib\nftp = ftplib.FTP_TLS(host, user, passwd, acct, keyfile, certfile, ctx)\n", []),  # positional
    ("import smtplib\ns = smtplib.SMTP(host)\ns.starttls(context=ctx)\n", []),
    ("import smtplib\ns = smtplib.SMTP_SSL('localhost')\n", []),
    ("import smtplib\ns = smtplib.SMTP('127.0.0.1')\ns.starttls()\n", []),
    ("import imaplib\nm = imaplib.IMAP4('imap.example.com')\nm.login(user, password)\n", []),  # CLEARTEXT-LOGIN's
    ("server.starttls()\n", []),  # not a connection this module made
]  # fmt: skip

WEAK_HMAC = [
    ("import hmac, hashlib\nhmac.new(key, msg, hashlib.md5)\n", ["CM-WEAK-HMAC"]),
    ("import hmac\nhmac.digest(key, msg, digest='md5')\n", ["CM-WEAK-HMAC"]),
    ("import hmac\nhmac.new(key, digestmod='MD4')\n", ["CM-WEAK-HMAC"]),
    ("from hashlib import md5\nfrom hmac import HMAC\nHMAC(key, msg, md5).hexdigest()\n", ["CM-WEAK-HMAC"]),
    ("import hmac, hashlib\nhmac.new(key, msg, digestmod=lambda: hashlib.md5())\n", ["CM-WEAK-HMAC"]),
    # clean twins: strong digests, SHA-1 (sound as an HMAC, required by TOTP), a digest chosen elsewhere
    ("import hmac, hashlib\nhmac.new(key, msg, hashlib.sha256)\n", []),
    ("import hmac\nhmac.digest(key, msg, digest='sha512')\n", []),
    ("import hmac, hashlib\nhmac.new(secret, counter, hashlib.sha1)\n", []),
    ("import hmac\nhmac.new(key, msg, digestmod=algorithm)\n", []),
    ("import hashlib\nhashlib.md5(data, usedforsecurity=False)\n", []),  # not an HMAC: bandit's to judge
]  # fmt: skip


NO_TIMEOUT = [
    ("import socket\nsocket.create_connection((host, 25))\n", ["CM-NO-TIMEOUT"]),
    ("import smtplib\ns = smtplib.SMTP('smtp.example.com', 587, timeout=None)\n", ["CM-NO-TIMEOUT"]),
    ("from ftplib import FTP\nftp = FTP(host)\n", ["CM-NO-TIMEOUT"]),
    ("import http.client\nc = http.client.HTTPSConnection('api.example.com')\n", ["CM-NO-TIMEOUT"]),
    ("import ssl\nssl.get_server_certificate(('example.com', 443))\n", ["CM-NO-TIMEOUT"]),
    ("import imaplib\nm = imaplib.IMAP4()\n", ["CM-NO-TIMEOUT"]),  # connects to this machine at once
    # clean twins: a timeout given or possibly given, a global default, no host yet (connect() takes one)
    ("import socket\nsocket.create_connection((host, 25), timeout=10)\n", []),
    ("import socket\nsocket.create_connection((host, 25), 10)\n", []),
    ("import smtplib\ns = smtplib.SMTP(host, port, **options)\n", []),
    ("import socket, smtplib\nsocket.setdefaulttimeout(30)\ns = smtplib.SMTP('smtp.example.com')\n", []),
    ("import ftplib\nftp = ftplib.FTP()\nftp.connect(host, timeout=10)\n", []),
    ("import smtplib\ns = smtplib.SMTP()\n", []),
]  # fmt: skip


TABLES = {"CM-MAIL-TLS-UNCHECKED": MAIL_TLS, "CM-WEAK-HMAC": WEAK_HMAC, "CM-NO-TIMEOUT": NO_TIMEOUT}


@pytest.mark.parametrize(
    ("rule", "source", "expected"), [(rule, *row) for rule, rows in TABLES.items() for row in rows]
)
def test_rule(rule: str, source: str, expected: list[str], codes: Codes) -> None:
    """Each table speaks for its own rule: a row may well hold another rule's finding too."""
    assert [code for _, code in codes(source) if code == rule] == expected
