"""Nothing secret leaves the machine: redaction of text bound for Claude, and files that are never sent.

`redact(text)` replaces every secret it recognises with `[REDACTED:<kind>]` and counts them by kind. Layers, each
in its own module, all run on the original text; overlapping finds are merged into one redaction:
1. `providers` and `gitleaks`: credentials by their shape — Copiloto's own rules, then gitleaks' rule set
   (rules/gitleaks.toml, MIT; `python -m copiloto.cloud.redact.refresh` updates it);
2. `contexts`: values by where they stand — a secret-sounding name in any syntax (code, config, YAML, JSON, XML,
   `.env`, shell, headers, query strings, connection strings), URL and DSN credentials, every `Authorization`
   scheme, cookies, command-line passwords, and the password arguments of well-known calls (also in the PHP
   backtraces of GLPI's logs);
3. `blocks`: private keys (PEM, PuTTY, JWK), base64 that decodes to a secret, and a catch-all for long generated
   tokens whatever they are called;
4. with `env_file=True` (a `.env` file), every value.
`plausible` holds the false-positive controls: placeholders, URLs without credentials, prose, dotted names,
validation rules and enum-like constants stay, so that Claude sees the user's code.
What it cannot recognise it cannot redact: that is what `is_excluded` is for — files that are never sent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from copiloto.cloud.redact import blocks, contexts, gitleaks, providers
from copiloto.cloud.redact.gitleaks import Hit
from copiloto.cloud.redact.plausible import entropy, is_made_up, is_reference
from copiloto.excludes import DEFAULT_EXCLUDES, is_excluded

MARK = "[REDACTED:{}]"
_MARK = re.compile(r"\[REDACTED:[\w-]+\]")
_ENV_LINE = re.compile(r"(?m)^[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*=[ \t]*(?P<secret>\S.*?)[ \t]*$")


@dataclass
class Redacted:
    text: str
    found: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.found.values())


def redact(text: str, *, env_file: bool = False) -> Redacted:
    """`text` with every recognised secret replaced by `[REDACTED:<kind>]`, and what was found."""
    hits = list(_hits(text, decode=True))
    if env_file:
        hits += [Hit(*m.span("secret"), "env-value") for m in _ENV_LINE.finditer(text)]
    marks = [m.span() for m in _MARK.finditer(text)]
    hits = [
        h
        for h in hits
        if h.end > h.start
        and not any(h.start < end and start < h.end for start, end in marks)
        and (h.kind in _WHATEVER_IT_HOLDS or not _placeholder(text[h.start : h.end], h.kind))
    ]
    found: Counter[str] = Counter()
    pieces, at = [], 0
    for start, end, kind in _merged(hits):
        pieces += [text[at:start], MARK.format(kind)]
        found[kind] += 1
        at = end
    pieces.append(text[at:])
    return Redacted("".join(pieces), found)


_WHATEVER_IT_HOLDS = frozenset({"private-key", "encoded-secret", "env-value"})
_BY_NAME = frozenset({"generic-api-key", "hashicorp-tf-password", "password-or-token"})  # rules that go by a name


def _placeholder(secret: str, kind: str) -> bool:
    """`PASSWORD = "password"`, `token: ${TOKEN}`: what a rule matched is a placeholder, not a value. (A provider's
    shape filled with x's is redacted all the same: harmless if it was documentation.)"""
    secret = secret.strip("\"'`")
    return is_reference(secret) or (kind in _BY_NAME and is_made_up(secret))


def _hits(text: str, *, decode: bool) -> Iterator[Hit]:
    """What every layer finds, most specific first (the first layer's kind names a merged redaction)."""
    yield from providers.find(text)
    yield from gitleaks.find(text)
    yield from blocks.private_keys(text)
    yield from contexts.find(text)
    if decode:
        yield from blocks.encoded_secrets(text, lambda inner: any(_hits(inner, decode=False)))
    yield from blocks.generated_tokens(text)


def _merged(hits: Iterable[Hit]) -> list[tuple[int, int, str]]:
    """Overlapping hits as one span, named by the earliest hit among them."""
    ranked = sorted(enumerate(hits), key=lambda item: (item[1].start, item[0]))
    merged: list[tuple[int, int, str, int]] = []
    for rank, hit in ranked:
        if merged and hit.start < merged[-1][1]:
            start, end, kind, best = merged[-1]
            merged[-1] = (start, max(end, hit.end), kind if best <= rank else hit.kind, min(best, rank))
        else:
            merged.append((hit.start, hit.end, hit.kind, rank))
    return [(start, end, kind) for start, end, kind, _ in merged]


__all__ = ["DEFAULT_EXCLUDES", "MARK", "Redacted", "entropy", "is_excluded", "redact"]
