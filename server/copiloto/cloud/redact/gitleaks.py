"""gitleaks' provider rules (rules/gitleaks.toml, MIT, rules/LICENSE-gitleaks), read once and run with Python's `re`.

Each rule keeps what gitleaks does with it: its keywords gate the regex (a text that holds none of them is not
searched), its capture group is the secret (`secretGroup`, else the first group that matched, else the whole
match), a secret below the rule's `entropy` is not one, and the rule's and the global allow-lists (regexes on
the secret, the match or the line; stop words) drop known non-secrets. Rules that match file paths only are left
out: a path is what `cloud.exclude` is for.

RE2 is not Python's syntax in four places, translated at load: an inline `(?i)` after the start applies to the
rest of its group (Python wants it scoped: `(?i:...)`), `\\z` is `\\Z`, a POSIX class such as `[[:alnum:]]` is
spelt out, and a `[` inside a class is escaped.
`python -m copiloto.cloud.redact.refresh` replaces the vendored file with gitleaks' current one.
"""

from __future__ import annotations

import functools
import re
import tomllib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copiloto.cloud.redact import plausible
from copiloto.cloud.redact.plausible import entropy

RULES_FILE = Path(__file__).with_name("rules") / "gitleaks.toml"


@dataclass(frozen=True)
class AllowList:
    regexes: tuple[re.Pattern[str], ...]
    target: str  # "secret", "match" or "line"
    stopwords: tuple[str, ...]

    def allows(self, secret: str, match: str, line: str) -> bool:
        text = {"match": match, "line": line}.get(self.target, secret)
        if any(pattern.search(text) for pattern in self.regexes):
            return True
        lowered = secret.lower()
        return any(word in lowered for word in self.stopwords)


@dataclass(frozen=True)
class ProviderRule:
    id: str
    pattern: re.Pattern[str]
    prefix: int  # how many name characters the rule's leading `[\w.-]{0,50}?` took before the match (0: none)
    keywords: tuple[str, ...]
    entropy: float
    secret_group: int
    allow: tuple[AllowList, ...]


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    kind: str


_POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "xdigit": "0-9a-fA-F",
    "upper": "A-Z",
    "lower": "a-z",
    "space": "\\s",
    "word": "\\w",
    "punct": "!-/:-@\\[-`{-~",
}


def translate(pattern: str) -> str:
    """An RE2 pattern as Python `re` reads it the same way."""
    pattern = pattern.replace(r"\z", r"\Z")
    out: list[str] = []
    scoped = [0]  # per open group (the whole pattern first): flag groups opened in it, closed with it
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif in_class and (posix := re.match(r"\[:(\w+):\]", pattern[i:])):
            out.append(_POSIX_CLASSES[posix.group(1)])
            i += posix.end()
        elif in_class:
            in_class = c != "]"
            out.append("\\[" if c == "[" else c)
            i += 1
        elif c == "[":
            opening = re.match(r"\[\^?\]?", pattern[i:])
            assert opening is not None
            out.append(opening.group(0).replace("]", "\\]"))  # a leading ] is literal
            i += opening.end()
            in_class = True
        elif (flags := re.match(r"\(\?([a-z]+)\)", pattern[i:])) and i > 0:
            out.append(f"(?{flags.group(1)}:")  # RE2: to the end of the group; Python: only scoped
            scoped[-1] += 1
            i += flags.end()
        else:
            if c == "(":
                scoped.append(0)
            elif c == ")" and len(scoped) > 1:
                out.append(")" * scoped.pop())
            out.append(c)
            i += 1
    out.append(")" * scoped[0])
    return "".join(out)


_LAZY_PREFIX = r"[\w.-]{0,50}?"


def _compile(pattern: str) -> re.Pattern[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": RE2 patterns are not Python's
        return re.compile(translate(pattern))


def _allow_list(raw: dict[str, Any]) -> AllowList:
    if raw.get("paths") and raw.get("condition", "OR").upper() == "AND":
        # Only with a path (which redaction never has): it never applies here.
        return AllowList((), "secret", ())
    return AllowList(
        regexes=tuple(_compile(r) for r in raw.get("regexes", [])),
        target=raw.get("regexTarget", "secret"),
        stopwords=tuple(w.lower() for w in raw.get("stopwords", [])),
    )


@functools.cache
def load(path: Path = RULES_FILE) -> tuple[tuple[ProviderRule, ...], AllowList]:
    """The rules with a regex, and the global allow-list; read and compiled once."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = tuple(
        ProviderRule(
            id=raw["id"],
            # A leading lazy `[\w.-]{0,50}?` only moves where a match starts; for Python's backtracking engine it
            # multiplies the work at every position (RE2 runs it in linear time), so it is taken out and the match
            # is widened back over those characters afterwards, for the allow-lists that read the whole match.
            pattern=_compile(raw["regex"].replace(_LAZY_PREFIX, "")),
            prefix=50 * raw["regex"].count(_LAZY_PREFIX),
            keywords=tuple(k.lower() for k in raw.get("keywords", [])),
            entropy=float(raw.get("entropy", 0.0)),
            secret_group=int(raw.get("secretGroup", 0)),
            allow=tuple(_allow_list(a) for a in raw.get("allowlists", [])),
        )
        for raw in data.get("rules", [])
        if raw.get("regex")
    )
    return rules, _allow_list(data.get("allowlist", {}))


SEGMENT = 2048  # characters searched at once: Python's regexes backtrack, so a long text is searched in pieces
OVERLAP = 512  # ... that overlap, so that a match across a boundary is still found whole


def find(text: str) -> Iterator[Hit]:
    """Every secret gitleaks' rules find in `text`, as the span of the secret itself."""
    rules, everywhere = load()
    seen: set[tuple[int, int, str]] = set()
    for start, end in segments(text):
        lowered = text[start:end].lower()
        for rule in rules:
            if rule.keywords and not any(k in lowered for k in rule.keywords):
                continue
            for match in rule.pattern.finditer(text, start, end):
                hit = _hit(text, match, rule, everywhere)
                if hit is not None and (hit.start, hit.end, hit.kind) not in seen:
                    seen.add((hit.start, hit.end, hit.kind))
                    yield hit


def segments(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) pieces of at most SEGMENT characters covering `text`, each starting OVERLAP before the previous
    one ends, cut at a line's end where one is near."""
    start = 0
    while True:
        end = min(len(text), start + SEGMENT)
        if end < len(text):
            newline = text.rfind("\n", start + SEGMENT // 2, end)
            end = newline + 1 if newline >= 0 else end
        yield start, end
        if end >= len(text):
            return
        start = max(start + 1, end - OVERLAP)


def _hit(text: str, match: re.Match[str], rule: ProviderRule, everywhere: AllowList) -> Hit | None:
    span = _secret_span(match, rule.secret_group)
    if span is None:
        return None
    secret = text[span[0] : span[1]]
    if rule.entropy and entropy(secret) < rule.entropy:
        return None
    first = match.start()
    while rule.prefix and first > 0 and match.start() - first < rule.prefix and _NAME_CHAR.match(text[first - 1]):
        first -= 1
    whole = text[first : match.end()]
    line = _line_at(text, first, match.end())
    if any(a.allows(secret, whole, line) for a in (*rule.allow, everywhere)):
        return None
    if rule.id.startswith("generic") and not _generic_holds(whole, secret):
        return None
    return Hit(span[0], span[1], rule.id)


_NAME_CHAR = re.compile(r"[\w.-]")
_LAST_NAME = re.compile(
    r"([A-Za-z_][\w.-]*)(?:[ \t]+(?:string|\[\]byte|String|str))?"  # Go's `token string = …`
    r"[\"'\]\s]*(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'\"\s=]*$"
)


def _generic_holds(whole: str, secret: str) -> bool:
    """The name-only rule's find stands when its value is not plainly something else and the name before it says
    secret the way Copiloto reads names (`OAUTH_CLIENT_ID` does not: an id)."""
    name = _LAST_NAME.search(whole[: max(0, whole.rfind(secret))])
    return plausible.could_be_generated(secret) and (name is None or plausible.name_strength(name.group(1)) is not None)


def _secret_span(match: re.Match[str], group: int) -> tuple[int, int] | None:
    if group and group <= (match.re.groups or 0):
        return match.span(group) if match.group(group) else None
    for index in range(1, (match.re.groups or 0) + 1):
        if match.group(index):
            return match.span(index)
    return match.span(0) if match.group(0) else None


def _line_at(text: str, start: int, end: int) -> str:
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return text[first : last if last >= 0 else len(text)]
