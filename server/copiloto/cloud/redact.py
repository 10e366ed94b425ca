"""Nothing secret leaves the machine: redaction of text bound for Claude, and files that are never sent.

`redact(text)` replaces every secret it recognises with `[REDACTED:<kind>]` and counts them by kind. It knows:
- provider credentials by their shape (Anthropic, OpenAI, AWS, GitHub, GitLab, Slack, Stripe, Google,
  Hugging Face, npm, PyPI, SendGrid, Mailgun, Twilio, Azure, DigitalOcean, Shopify, Telegram, Discord…);
- private key blocks (PEM, OpenSSH, PGP) and JWTs;
- passwords and tokens in assignments (`password = "…"`, `'db_pass' => '…'`, `$dbpassword = '…'`, YAML/JSON
  `"token": "…"`, `.env`/ini `API_KEY=…`), credentials in connection strings (`mysql://user:pass@host`) and
  `Authorization` headers;
- high-entropy strings assigned to suspicious names (`salt`, `signing_key`, `session_secret`…);
- in `.env` files (`env_file=True`) every value.
What it cannot recognise it cannot redact: that is what `is_excluded` is for — files that are never sent.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

MARK = "[REDACTED:{}]"

# Files never sent, whatever they hold (matched against the file name and the path).
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "id_*",
    "*.ppk",
    "secrets.*",
    "*secrets*.y*ml",
    "settings.*",
    "local_settings.*",
    "credentials*",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
    "config_db.php",  # GLPI's database password
    "glpicrypt.key",  # GLPI's encryption key
)


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    secret_group: int | str = 0  # the part of the match that is the secret


def _rule(kind: str, pattern: str, group: int | str = 0, flags: int = 0) -> Rule:
    return Rule(kind, re.compile(pattern, flags), group)


# Names that say a value is a secret, for assignments in any language or config format.
_SECRET_NAME = (
    r"[A-Za-z0-9_$.-]*(?:passw(?:or)?d|passwd|pwd|pass(?:phrase)?|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"auth[_-]?key|private[_-]?key|client[_-]?secret|credentials?|db_?pass)[A-Za-z0-9_-]*"
)
_ASSIGN = r"\s*[\"']?\s*(?:=|:|=>|:=|\?=)\s*"

RULES: tuple[Rule, ...] = (
    _rule(
        "private-key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
    ),
    _rule("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    _rule("anthropic-key", r"\bsk-ant-[A-Za-z0-9_-]{20,}"),
    _rule("openai-key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"),
    _rule("aws-access-key-id", r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b"),
    _rule(
        "aws-secret-key",
        r"(?i:aws_?secret_?(?:access_?)?key|secretaccesskey)" + _ASSIGN + r"[\"']?([A-Za-z0-9/+=]{40})\b",
        1,
    ),
    _rule("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    _rule("gitlab-token", r"\bgl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,}"),
    _rule("slack-token", r"\bxox[abposre]-[A-Za-z0-9-]{10,}"),
    _rule("slack-webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]+"),
    _rule("stripe-key", r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"),
    _rule("google-api-key", r"\bAIza[0-9A-Za-z_-]{35}"),
    _rule("google-oauth-secret", r"\bGOCSPX-[A-Za-z0-9_-]{20,}"),
    _rule("huggingface-token", r"\bhf_[A-Za-z0-9]{30,}"),
    _rule("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    _rule("pypi-token", r"\bpypi-[A-Za-z0-9_-]{50,}"),
    _rule("sendgrid-key", r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"),
    _rule("mailgun-key", r"\bkey-[0-9a-zA-Z]{32}\b"),
    _rule("twilio-key", r"\bSK[0-9a-fA-F]{32}\b"),
    _rule("azure-storage-key", r"(?i:AccountKey)=([A-Za-z0-9+/=]{40,})", 1),
    _rule("digitalocean-token", r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
    _rule("shopify-token", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
    _rule("telegram-bot-token", r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b"),
    _rule("discord-token", r"\b[MN][A-Za-z\d]{23,25}\.[\w-]{6}\.[\w-]{27,38}\b"),
    _rule("square-token", r"\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,}"),
    _rule("databricks-token", r"\bdapi[a-f0-9]{32}\b"),
    _rule("url-credentials", r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@\"'<>]*:([^\s@/\"'<>]+)@", 1),
    _rule(
        "authorization-header",
        r"(?i:\b(?:Authorization|Proxy-Authorization)[\"']?\s*[:=]\s*[\"']?(?:Bearer|Basic|Token|Digest)\s+)([A-Za-z0-9._~+/=-]{8,})",
        1,
    ),
    _rule("bearer-token", r"(?i:\bBearer\s+)([A-Za-z0-9._~+/=-]{20,})", 1),
    # `password = "…"`, `'db_pass' => '…'`, `"token": "…"`: a quoted value after a secret-looking name.
    _rule(
        "password-or-token",
        r"(?i:" + _SECRET_NAME + r")" + _ASSIGN + r"([\"'])(?P<secret>(?:(?!\1)[^\n]){3,})\1",
        "secret",
    ),
    # `.env` / ini / shell `DB_PASSWORD=hunter2`, `export API_TOKEN=…` (no spaces around `=`: in code that is an
    # assignment of an expression), YAML `password: hunter2` — an unquoted value that ends the line.
    _rule(
        "password-or-token",
        r"(?im:^\s*(?:export\s+)?" + _SECRET_NAME + r"(?:=|:[ \t]+))"
        r"(?!(?:str|int|bool|bytes|None|null|true|false|Optional|SecretStr)\b)(?P<secret>[^\s\"'#][^\s#]{2,})[ \t]*$",
        "secret",
        re.MULTILINE,
    ),
)

# High-entropy strings are secrets only under a suspicious name (elsewhere they are hashes, ids, test data).
_SUSPICIOUS = re.compile(
    r"(?i:[A-Za-z0-9_$.-]*(?:salt|signing|signature|hmac|seed|cookie|session|nonce|cipher|encrypt|key|auth|cred)"
    r"[A-Za-z0-9_-]*)" + _ASSIGN + r"([\"'])(?P<secret>[A-Za-z0-9+/=_.~-]{20,})\1"
)
MIN_ENTROPY_BITS = 3.5  # bits per character: English prose ~2.5–3, random base64 ~5.5
_ENV_LINE = re.compile(r"(?m)^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*)(?P<secret>\S.*?)\s*$")


@dataclass
class Redacted:
    text: str
    found: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.found.values())


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def redact(text: str, *, env_file: bool = False) -> Redacted:
    """`text` with every recognised secret replaced by `[REDACTED:<kind>]`, and what was found."""
    found: Counter[str] = Counter()
    for rule in RULES:
        text = rule.pattern.sub(_replacer(rule, found), text)
    text = _SUSPICIOUS.sub(lambda m: _replace_if_random(m, found), text)
    if env_file:
        text = _ENV_LINE.sub(lambda m: _replace(m, "secret", "env-value", found), text)
    return Redacted(text, found)


def _replacer(rule: Rule, found: Counter[str]) -> Callable[[re.Match[str]], str]:
    return lambda match: _replace(match, rule.secret_group, rule.kind, found)


def _replace(match: re.Match[str], group: int | str, kind: str, found: Counter[str]) -> str:
    secret = match.group(group)
    if not secret or secret.startswith("[REDACTED:"):
        return match.group(0)
    found[kind] += 1
    start, end = match.span(group)
    offset = match.start(0)
    whole = match.group(0)
    return whole[: start - offset] + MARK.format(kind) + whole[end - offset :]


def _replace_if_random(match: re.Match[str], found: Counter[str]) -> str:
    if entropy(match.group("secret")) < MIN_ENTROPY_BITS:
        return match.group(0)
    return _replace(match, "secret", "high-entropy-string", found)


def is_excluded(path: str | PurePath, patterns: Iterable[str] = DEFAULT_EXCLUDES) -> bool:
    """Whether the file is never sent: its path, or any tail of it ("files/_log/x.log", "x.log"), matches one
    of `patterns` (fnmatch, any case), and no `!pattern` (as in .gitignore: sent after all) matches it."""
    parts = PurePath(path).as_posix().lower().split("/")
    tails = ["/".join(parts[i:]) for i in range(len(parts))]  # the workspace root is not known here

    def matches(pattern: str) -> bool:
        return any(fnmatch.fnmatchcase(tail, pattern.lower()) for tail in tails)

    patterns = list(patterns)
    kept_back = any(matches(p) for p in patterns if not p.startswith("!"))
    return kept_back and not any(matches(p[1:]) for p in patterns if p.startswith("!"))
