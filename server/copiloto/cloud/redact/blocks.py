"""Secrets that are whole blocks or hide in an encoding, and the catch-all for generated tokens.

- private keys: PEM/OpenSSH/PGP blocks (also cut off by the end of the text), PuTTY `.ppk` private lines and MAC,
  the private members of a JSON Web Key (`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`, a symmetric `"k"`);
- base64 that decodes to a secret: a kubeconfig's `client-key-data`, a Kubernetes `tls.key`, a
  `.dockerconfigjson`, any base64 blob whose decoded text holds a private key or something `redact` removes;
- `generated_tokens`: a long token of mixed letter cases and digits with high entropy is redacted whatever it is
  called, unless it reads as words (`getUserAccessToken2`), is a hash (hex), a UUID, an integrity checksum, or
  part of a path or URL without credentials.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from collections.abc import Callable, Iterator

from copiloto.cloud.redact.gitleaks import Hit
from copiloto.cloud.redact.plausible import entropy, is_name, is_wordy

_PEM = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"(?P<body>[\s\S]*?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)"
)
_PPK = re.compile(
    r"(?m)^Private-Lines:[ \t]*\d+[ \t]*\r?\n(?P<body>(?:[A-Za-z0-9+/=]+\r?\n)*[A-Za-z0-9+/=]+)(?=\r?\n|\Z)"
)
_PPK_MAC = re.compile(r"(?m)^Private-(?:MAC|Hash):[ \t]*(?P<mac>[0-9a-fA-F]{20,})")
_JWK_PRIVATE = re.compile(r"\"(?:d|p|q|dp|dq|qi|k)\"\s*:\s*\"(?P<value>[A-Za-z0-9_-]{16,})\"")
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/=_-])(?P<blob>[A-Za-z0-9+/]{40,}={0,2})(?![A-Za-z0-9+/=_-])")
_ENCODED_SECRET = re.compile(
    r"PRIVATE KEY|\"auths?\"\s*:|\"password\"\s*:|aws_secret_access_key|client-key-data", re.IGNORECASE
)
# Runs of token characters, split at what cannot be inside a token.
_TOKEN = re.compile(r"(?<![\w+/~.-])(?P<token>[A-Za-z0-9][A-Za-z0-9_+/~.-]{18,}[A-Za-z0-9+/]={0,2})(?![\w+/=~-])")
_HEX_OR_UUID = re.compile(r"^(?:[0-9a-fA-F]+|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})$")
_CHECKSUM_PREFIX = re.compile(r"(?i)(?:sha\d+|md5|h1|sha1|integrity|sri)[-:=][\"']?$|base64,$")
# `public_key = "…"`, `csrf-token=…`, `ssh-ed25519 AAAA…`, `Request ID: …`: values named public, and ids.
_PUBLIC_NAME = re.compile(
    r"(?i)(?:(?:public|\bpub|csrf|xsrf|(?:request|trace|correlation|message|msg|span|run|job|build|commit|object|"
    r"event|item|user|account|org|workspace|project|client)[_ -]?id)[\w-]*[\"'\]]?\s*(?:=|:|=>)\s*[\"']?"
    r"|\b(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com)\s+)$"
)
# `wrkspc_011CZkZaBF1tNoB5wlCeusgy`, `cus_J3k2…`, `msg_01…`: an API's object ids (a short word, then random);
# secrets shaped so carry a word that says so (`sk_`, `pat_`, `secret_`) or a provider rule knows them.
_OBJECT_ID = re.compile(r"^(?!\w*(?:sk|pat|key|secret|token|pw|auth|priv))[a-z]{2,8}_[A-Za-z0-9]{10,40}$")
_CHECKSUM = re.compile(r"(?i)^(?:sha\d+|md5|h1)[-:]")
_HOST_LIKE = re.compile(r"^(?:[\w-]+\.)+[A-Za-z]{2,6}$")
MIN_TOKEN_ENTROPY = 3.7  # bits per character over a token of 20 or more: base62 at random gives ~4.3-5


def private_keys(text: str) -> Iterator[Hit]:
    for match in _PEM.finditer(text):
        if match.group("body").strip():
            yield Hit(*match.span("body"), "private-key")
    for match in _PPK.finditer(text):
        yield Hit(*match.span("body"), "private-key")
    for match in _PPK_MAC.finditer(text):
        yield Hit(*match.span("mac"), "private-key")
    if '"kty"' in text:
        for match in _JWK_PRIVATE.finditer(text):
            yield Hit(*match.span("value"), "private-key")


def encoded_secrets(text: str, inner: Callable[[str], bool]) -> Iterator[Hit]:
    """Base64 blobs whose decoded text holds a secret; `inner(decoded)` says whether redaction finds one in it."""
    for match in _BASE64_RUN.finditer(text):
        blob = match.group("blob")
        try:
            decoded = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if _ENCODED_SECRET.search(decoded) or inner(decoded):
            yield Hit(*match.span("blob"), "encoded-secret")


def generated_tokens(text: str) -> Iterator[Hit]:
    for match in _TOKEN.finditer(text):
        token = match.group("token")
        before = text[max(0, match.start() - 40) : match.start()]
        if _is_generated(token) and not _CHECKSUM_PREFIX.search(before[-12:]) and not _PUBLIC_NAME.search(before):
            yield Hit(*match.span("token"), "high-entropy-string")


def _is_generated(token: str) -> bool:
    core = token.rstrip("=")
    if len(core) < 20 or len(core) > 512 or _HEX_OR_UUID.match(core) or _HOST_LIKE.match(core) or _CHECKSUM.match(core):
        return False
    if _OBJECT_ID.match(core):
        return False
    lower, upper, digit = (any(test(c) for c in core) for test in (str.islower, str.isupper, str.isdigit))
    if not (lower and upper and digit):
        return False
    if entropy(core) < MIN_TOKEN_ENTROPY or is_wordy(core) or is_name(core) or _is_dotted_name(core):
        return False
    # Random text changes character class often; identifiers and prose change it rarely.
    changes = sum(_kind(a) != _kind(b) for a, b in itertools.pairwise(core))
    return changes >= 0.3 * len(core)


def _is_dotted_name(token: str) -> bool:
    """`win32api.RegOpenKeyEx`, `xml.sax.sax2lib.LexicalHandler`, `static/js/main2Bundle.js`: short parts between
    dots or slashes are names, where random text has long parts."""
    parts = re.split(r"[./]", token)
    return len(parts) > 1 and all(len(p) <= 12 or is_wordy(p) for p in parts)


def _kind(c: str) -> int:
    return 0 if c.islower() else 1 if c.isupper() else 2 if c.isdigit() else 3
