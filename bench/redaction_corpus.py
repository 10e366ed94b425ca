"""The corpus of bench/redaction.py: secret-bearing snippets and ordinary ones, built from public sources.

Nothing realistic is stored: the data files under bench/corpus/redaction/ hold TEMPLATES with placeholders
(`<<name>>`) and value SPECS; the values are generated here at run time from a fixed seed.

Sources (bench/README.md, "Redaction"):
- `gitleaks_rules.toml`: one entry per rule of gitleaks' default configuration (MIT; LICENSE-gitleaks beside it),
  derived from ../shared/data/gitleaks/gitleaks.toml by `python bench/redaction_corpus.py --derive-gitleaks`:
  the rule's secret as a regex (a value spec) and the identifier its generator passes to
  `utils.GenerateSampleSecrets`.
- `gitleaks_shapes.toml`: the context templates of `utils.GenerateSampleSecrets`, and the literal true-positive and
  false-positive shapes of gitleaks' generators (cmd/generate/config/rules/*.go), with values turned into specs.
- `detect_secrets.toml`: the shapes of detect-secrets' keyword-plugin tests and test_data files (Apache-2.0).
- `shapes.toml`: the context shapes named in issue 18 (secrets), `ordinary.toml`: its false-positive shapes.
- real code that merely mentions secret-sounding names, sampled by rule from the standard library and installed
  packages (`real_code_cases`), each with its file and line.

Value specs: `re:<regex>` (a string generated from the regex), `password`, `password_url`, `password_shell`,
`password_human`, `password_random`, `pem:<LABEL>` (the base64 body of a PEM block; the template writes the
BEGIN/END lines), `pem_json:<LABEL>` (a whole PEM block with `\\n` escapes, as in a JSON string), `b64pem:<LABEL>`
(a whole PEM block, base64-encoded), `basic:<user>` (base64 of `user:password`), `dockerconfigjson`, `jwt`,
`b64url:<n>`, `ppk_private`, `session_id`, `glpi_token`, `uuid`.
A case's `secrets` are the exact strings it holds that must not leave the machine: for a PEM block its body
(the BEGIN/END lines are not secret), for a webhook URL its token part.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import importlib.util
import json
import random
import re
import string
import sys
import sysconfig
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus" / "redaction"
SEED = 18
PLACEHOLDER = re.compile(r"<<([A-Za-z_][A-Za-z0-9_]*)>>")
_parser: Any = importlib.import_module("re._parser")  # sre_parse: the regex's syntax tree, for generation
_const: Any = importlib.import_module("re._constants")


@dataclass(frozen=True)
class SecretCase:
    id: str
    text: str
    secrets: tuple[str, ...]  # exact values in `text` that must be removed
    kind: str  # provider / format of the secret
    context: str  # python, php, shell, ini, yaml, json, xml, url, header, log, ...
    source: str  # gitleaks:<rule>, detect-secrets:<file>, issue-18:<shape>
    masks: tuple[str, ...] = ()  # per secret: "x" for each random character, "." for a fixed one (a prefix)


@dataclass(frozen=True)
class OrdinaryCase:
    id: str
    text: str
    context: str
    source: str  # gitleaks-fps:<rule>, issue-18:<shape>, stdlib:<file>:<line>, site-packages:<file>:<line>, ...
    origin: str = ""  # file and line of real code


@dataclass
class Corpus:
    secrets: list[SecretCase] = field(default_factory=list)
    ordinary: list[OrdinaryCase] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------------------
# Value generation


class Xeger:
    """Random strings matching a Python regex (its syntax tree from `re._parser`); unbounded repeats are capped."""

    PRINTABLE: ClassVar[list[str]] = list(string.ascii_letters + string.digits + "-_.~+/=!@#$%^&*")
    CATEGORIES: ClassVar[dict[str, str]] = {
        "CATEGORY_DIGIT": string.digits,
        "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
        "CATEGORY_SPACE": " ",
        "CATEGORY_NOT_DIGIT": string.ascii_letters,
        "CATEGORY_NOT_WORD": "-.",
        "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
    }

    def __init__(self, rng: random.Random, cap: int = 24) -> None:
        self.rng = rng
        self.cap = cap
        self._random: list[bool] = []  # per generated character: drawn at random (True) or a literal of the regex
        self.mask = ""  # of the last string generated: "x" for a random character, "." for a literal one

    def generate(self, pattern: str, group: int | None = None) -> str:
        tree = _parser.parse(pattern)
        if group is not None:
            found = self._find_group(list(tree), group)
            if found is None:
                raise ValueError(f"no group {group} in {pattern!r}")
            tree = found
        self._random = []
        text = self._seq(tree)
        self.mask = "".join("x" if r else "." for r in self._random)
        return text

    def _find_group(self, items: list[Any], group: int) -> Any:
        for op, av in items:
            name = str(op)
            if name == "SUBPATTERN":
                if av[0] == group:
                    return av[3]
                found = self._find_group(list(av[3]), group)
            elif name == "BRANCH":
                found = None
                for alt in av[1]:
                    found = self._find_group(list(alt), group)
                    if found is not None:
                        break
            elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
                found = self._find_group(list(av[2]), group)
            elif name == "ATOMIC_GROUP":
                found = self._find_group(list(av), group)
            else:
                found = None
            if found is not None:
                return found
        return None

    def _seq(self, items: Any) -> str:
        return "".join(self._one(op, av) for op, av in items)

    def _one(self, op: Any, av: Any) -> str:
        name = str(op)
        if name == "LITERAL":
            self._random.append(False)
            return chr(av)
        if name == "NOT_LITERAL":
            self._random.append(True)
            return self.rng.choice([c for c in self.PRINTABLE if c != chr(av)])
        if name == "ANY":
            self._random.append(True)
            return self.rng.choice(string.ascii_letters + string.digits)
        if name == "IN":
            self._random.append(True)
            return self._in(av)
        if name == "BRANCH":
            return self._seq(self.rng.choice(av[1]))
        if name == "SUBPATTERN":
            return self._seq(av[3])
        if name == "ATOMIC_GROUP":
            return self._seq(av)
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, high, sub = av
            if high == _const.MAXREPEAT:
                high = max(low, 1) + self.cap
            return "".join(self._seq(sub) for _ in range(self.rng.randint(low, high)))
        if name in {"AT", "ASSERT", "ASSERT_NOT", "GROUPREF", "GROUPREF_EXISTS"}:
            return ""
        if name == "CATEGORY":
            self._random.append(True)
            return self.rng.choice(self.CATEGORIES.get(str(av), "x"))
        raise ValueError(f"cannot generate {name}")

    def _in(self, items: list[Any]) -> str:
        chars: set[str] = set()
        negate = False
        for op, av in items:
            name = str(op)
            if name == "NEGATE":
                negate = True
            elif name == "LITERAL":
                chars.add(chr(av))
            elif name == "RANGE":
                chars.update(chr(c) for c in range(av[0], av[1] + 1))
            elif name == "CATEGORY":
                chars.update(self.CATEGORIES.get(str(av), ""))
        if negate:
            pool = [c for c in self.PRINTABLE if c not in chars]
        else:
            # Only characters that can stand in a snippet unescaped (no quotes, backslashes or blanks).
            pool = sorted(c for c in chars if c.isprintable() and c not in "\"'`\\ \t\r\n")
        return self.rng.choice(pool or ["x"])


_WORDS = [
    "summer",
    "winter",
    "dragon",
    "monkey",
    "sunshine",
    "shadow",
    "master",
    "soccer",
    "hockey",
    "falcon",
    "tiger",
    "orange",
    "banana",
    "purple",
    "coffee",
    "rocket",
    "pirate",
    "wizard",
    "matrix",
    "galaxy",
    "thunder",
    "silver",
    "castle",
    "forest",
    "river",
    "ocean",
    "glacier",
    "maple",
    "cobalt",
    "glpi",
    "helpdesk",
    "postgres",
    "mysql",
    "admin",
    "backup",
    "deploy",
    "jenkins",
    "ticket",
    "support",
    "server",
    "office",
]
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})


def password_human(rng: random.Random) -> str:
    """A password a person chose: words, leet, a year or digits, a symbol (`Tr0ub4dor&3`, `glpi-db-2024!`)."""
    style = rng.randrange(5)
    word = rng.choice(_WORDS)
    other = rng.choice(_WORDS)
    year = str(rng.randint(1975, 2026))
    symbol = rng.choice("!@#$%&*?.")
    if style == 0:
        return word.capitalize().translate(_LEET) + symbol + str(rng.randint(1, 99))
    if style == 1:
        return f"{word}-{other[:2]}-{year}{symbol}"
    if style == 2:
        return word.capitalize() + other.capitalize() + year[2:] + symbol
    if style == 3:
        return "-".join(rng.sample(_WORDS, 4))
    return word.translate(_LEET) + rng.choice("_.") + other.translate(_LEET) + str(rng.randint(10, 999))


def password_random(rng: random.Random, alphabet: str | None = None) -> str:
    alphabet = alphabet or string.ascii_letters + string.digits + "!#$%&*+-.=?@^_~"
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(12, 20)))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


_URL_SAFE = string.ascii_letters + string.digits + "-._~!$*"
_SHELL_SAFE = string.ascii_letters + string.digits + "-._+=%,"


def _password_in(rng: random.Random, alphabet: str) -> str:
    if rng.random() < 0.5:
        human = password_human(rng)
        return "".join(c if c in alphabet else rng.choice("-._") for c in human)
    return password_random(rng, alphabet)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def pem_body(rng: random.Random, label: str) -> str:
    """The base64 body of a PEM block (64-character lines), sized like a key of that kind."""
    size = {"EC PRIVATE KEY": 121, "OPENSSH PRIVATE KEY": 400, "PGP PRIVATE KEY BLOCK": 900}.get(label, 1190)
    size += rng.randint(0, 24)
    data = rng.randbytes(size)
    body = _b64(data)
    return "\n".join(body[i : i + 64] for i in range(0, len(body), 64))


def pem_block(rng: random.Random, label: str) -> tuple[str, str]:
    body = pem_body(rng, label)
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n", body


def jwt(rng: random.Random) -> str:
    header = {"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    payload = {
        "sub": str(rng.randint(1, 99999)),
        "name": rng.choice(["Ana Souza", "John Doe", "glpi-api", "svc-deploy"]),
        "iat": rng.randint(1_600_000_000, 1_800_000_000),
        "exp": rng.randint(1_800_000_000, 1_900_000_000),
    }
    signature = rng.randbytes(32 if header["alg"] == "HS256" else 64)
    return ".".join((_b64url(json.dumps(header).encode()), _b64url(json.dumps(payload).encode()), _b64url(signature)))


def ppk_private(rng: random.Random) -> str:
    body = _b64(rng.randbytes(rng.choice([48, 704])))
    return "\n".join(body[i : i + 64] for i in range(0, len(body), 64))


def value(spec: str, rng: random.Random) -> tuple[str, str, str]:
    """(the text that goes into the snippet, the secret core that must not come back, the core's mask: "x" for
    a character drawn at random, "." for a fixed one such as a provider prefix, which may stay)."""
    if spec.startswith("re:"):
        xeger = Xeger(rng)
        text = xeger.generate(spec[3:])
        return text, text, xeger.mask
    if spec == "jwt":
        text = jwt(rng)
        header = len(text.split(".")[0]) + 1  # the header ({"alg": …, "typ": "JWT"}) is not secret
        return text, text, "." * header + "x" * (len(text) - header)
    text, core = _value(spec, rng)
    return text, core, "x" * len(core)


def _value(spec: str, rng: random.Random) -> tuple[str, str]:
    kind, _, arg = spec.partition(":")
    if kind == "password":
        text = password_human(rng) if rng.random() < 0.5 else password_random(rng)
        return text, text
    if kind == "password_human":
        text = password_human(rng)
        return text, text
    if kind == "password_random":
        text = password_random(rng)
        return text, text
    if kind == "password_url":
        text = _password_in(rng, _URL_SAFE)
        return text, text
    if kind == "password_shell":
        text = _password_in(rng, _SHELL_SAFE)
        return text, text
    if kind == "pem":
        body = pem_body(rng, arg)
        return body, body
    if kind == "pem_json":
        block, body = pem_block(rng, arg)
        escaped = block.replace("\n", "\\n")
        return escaped, body.replace("\n", "\\n")
    if kind == "b64pem":
        block, _ = pem_block(rng, arg)
        text = _b64(block.encode())
        return text, text
    if kind == "basic":
        text = _b64(f"{arg or 'admin'}:{_password_in(rng, _URL_SAFE)}".encode())
        return text, text
    if kind == "dockerconfigjson":
        auth = _b64(f"deploy:{password_random(rng)}".encode())
        text = _b64(json.dumps({"auths": {"registry.example.com": {"auth": auth}}}).encode())
        return text, text
    if kind == "b64url":
        text = _b64url(rng.randbytes(int(arg)))
        return text, text
    if kind == "ppk_private":
        text = ppk_private(rng)
        return text, text
    if kind == "session_id":
        text = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(26))
        return text, text
    if kind == "glpi_token":
        text = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(40))
        return text, text
    if kind == "uuid":
        text = str(uuid.UUID(bytes=rng.randbytes(16), version=4))
        return text, text
    raise ValueError(f"unknown value spec {spec!r}")


# ---------------------------------------------------------------------------------------------------------------
# Templates


def fill(template: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"placeholder <<{name}>> has no value")
        return values[name]

    return PLACEHOLDER.sub(one, template)


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


def _pick_vars(entry: dict[str, Any], rng: random.Random) -> dict[str, str]:
    return {name: rng.choice(options) for name, options in sorted(entry.get("vars", {}).items())}


def _context(contexts: str | list[str], index: int) -> str:
    return contexts if isinstance(contexts, str) else contexts[index % len(contexts)]


def _secret_cases_from(entries: list[dict[str, Any]], source_prefix: str, seed: int) -> Iterator[SecretCase]:
    for entry in entries:
        templates = entry.get("templates") or [entry["template"]]
        count = int(entry.get("variants", len(templates)))
        for k in range(count):
            rng = _rng(seed, source_prefix, entry["id"], k)
            template = templates[k % len(templates)]
            values = _pick_vars(entry, rng)
            cores, masks = [], []
            for name, spec in entry["values"].items():
                text, core, mask = value(spec, rng)
                values[name] = text
                if f"<<{name}>>" in template:
                    cores.append(core)
                    masks.append(mask)
            yield SecretCase(
                id=f"{source_prefix}/{entry['id']}/{k}",
                text=fill(template, values),
                secrets=tuple(cores),
                masks=tuple(masks),
                kind=entry["kind"],
                context=_context(entry["context"], k % len(templates)),
                source=f"{source_prefix}:{entry.get('source', entry['id'])}",
            )


def _ordinary_cases_from(entries: list[dict[str, Any]], source_prefix: str, seed: int) -> Iterator[OrdinaryCase]:
    for entry in entries:
        templates = entry.get("templates") or [entry["template"]]
        count = int(entry.get("variants", len(templates)))
        seen: set[str] = set()
        for k in range(count):
            rng = _rng(seed, source_prefix, entry["id"], k)
            values = _pick_vars(entry, rng)
            for name, spec in entry.get("values", {}).items():
                values[name] = value(spec, rng)[0]
            text = fill(templates[k % len(templates)], values)
            if text in seen:
                continue
            seen.add(text)
            contexts = entry["context"]
            yield OrdinaryCase(
                id=f"{source_prefix}/{entry['id']}/{k}",
                text=text,
                context=_context(contexts, k % len(templates)),
                source=f"{source_prefix}:{entry.get('source', entry['id'])}",
            )


def _load(name: str) -> dict[str, Any]:
    with (CORPUS / name).open("rb") as f:
        return tomllib.load(f)


def gitleaks_cases(seed: int, per_rule: int = 3) -> Iterator[SecretCase]:
    """Every gitleaks rule's secret in `per_rule` of `GenerateSampleSecrets`' contexts (drawn with the seed)."""
    rules = _load("gitleaks_rules.toml")["rule"]
    samples: dict[str, dict[str, str]] = _load("gitleaks_shapes.toml")["sample_secrets"]
    names = sorted(samples)
    for rule in rules:
        if rule.get("skip"):
            continue
        rng = _rng(seed, "gitleaks", rule["id"])
        for k, sample in enumerate(rng.sample(names, per_rule)):
            case_rng = _rng(seed, "gitleaks", rule["id"], k)
            xeger = Xeger(case_rng)
            secret = xeger.generate(rule["value"])
            text = fill(
                samples[sample]["template"],
                {"i": rule["identifier"], "I": rule["identifier"].upper(), "s": secret},
            )
            yield SecretCase(
                id=f"gitleaks/{rule['id']}/{k}",
                text=text,
                secrets=(secret,),
                masks=(xeger.mask,),
                kind=rule["id"],
                context=samples[sample]["context"],
                source=f"gitleaks:{rule['id']}",
            )


def build(seed: int = SEED, real_code: bool = True, real_code_limit: int = 400) -> Corpus:
    corpus = Corpus()
    corpus.secrets.extend(gitleaks_cases(seed))
    shapes = _load("gitleaks_shapes.toml")
    corpus.secrets.extend(_secret_cases_from(shapes.get("secret", []), "gitleaks", seed))
    corpus.ordinary.extend(_ordinary_cases_from(shapes.get("ordinary", []), "gitleaks-fps", seed))
    detect = _load("detect_secrets.toml")
    corpus.secrets.extend(_secret_cases_from(detect.get("secret", []), "detect-secrets", seed))
    corpus.ordinary.extend(_ordinary_cases_from(detect.get("ordinary", []), "detect-secrets", seed))
    corpus.secrets.extend(_secret_cases_from(_load("shapes.toml")["secret"], "issue-18", seed))
    corpus.ordinary.extend(_ordinary_cases_from(_load("ordinary.toml")["ordinary"], "issue-18", seed))
    if real_code:
        real, notes = real_code_cases(seed, real_code_limit)
        corpus.ordinary.extend(real)
        corpus.notes["real_code"] = notes
    return corpus


# ---------------------------------------------------------------------------------------------------------------
# Real code that mentions secret-sounding names (ordinary snippets, extracted by rule, never hand-picked)

MENTION = re.compile(r"(?i)passw|passwd|pwd|token|secret|key|auth|credential|cookie|session")
STDLIB_MODULES = (
    "smtplib.py",
    "getpass.py",
    "http/cookiejar.py",
    "http/cookies.py",
    "urllib/request.py",
    "urllib/parse.py",
    "hmac.py",
    "secrets.py",
    "ssl.py",
    "imaplib.py",
    "ftplib.py",
    "poplib.py",
    "netrc.py",
    "hashlib.py",
    "http/client.py",
    "xmlrpc/client.py",
    "logging/handlers.py",
    "email/utils.py",
)
SITE_PACKAGES = (
    "anthropic",
    "httpx",
    "pydantic",
    "pydantic_settings",
    "pygls",
    "huggingface_hub",
    "urllib3",
    "requests",
    "httpcore",
    "bandit",
    "coverage",
)
PROJECT_FILES = (
    "bench/traces/TicketStatsProvider.php",
    "server/copiloto/demo/project",
)
SKIP_PATH = re.compile(r"(?i)(?:^|/)(?:tests?|testing|_?vendor|examples?)(?:/|$)|test_[^/]*\.py$|_test\.py$|conftest")


def _windows(path: Path, label: str, rng: random.Random, per_file: int) -> Iterator[OrdinaryCase]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError):
        return
    hits = [i for i, line in enumerate(lines) if MENTION.search(line) and line.strip()]
    starts: set[int] = set()
    for i in sorted(rng.sample(hits, min(per_file, len(hits)))):
        width = rng.randint(1, 5)
        start = max(0, i - rng.randint(0, width - 1))
        if start in starts:  # one window per starting line
            continue
        starts.add(start)
        window = lines[start : start + width]
        # a window of code is cut at line ends; blank-only windows say nothing
        text = "\n".join(window).strip("\n")
        if not text.strip():
            continue
        context = {".py": "python", ".php": "php"}.get(path.suffix, path.suffix.lstrip(".") or "text")
        yield OrdinaryCase(
            id=f"{label}:{start + 1}",
            text=text,
            context=context,
            source=_real_source(label),
            origin=f"{label}:{start + 1}",
        )


def _real_source(label: str) -> str:
    """stdlib, site-packages:<package>, project."""
    parts = label.split("/")
    return f"{parts[0]}:{parts[1]}" if parts[0] == "site-packages" else parts[0]


def real_code_cases(seed: int, limit: int) -> tuple[list[OrdinaryCase], dict[str, Any]]:
    """Windows of 1-5 lines around a line that mentions a secret-sounding word, from the standard library's
    network/crypto modules, installed packages (not their tests) and this project's PHP samples."""
    rng = _rng(seed, "real-code")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files: list[tuple[Path, str]] = []
    for rel in STDLIB_MODULES:
        if (stdlib / rel).exists():
            files.append((stdlib / rel, f"stdlib/{rel}"))
    versions: dict[str, str] = {}
    for package in SITE_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        try:
            from importlib.metadata import version

            versions[package] = version(package.replace("_", "-"))
        except Exception:
            versions[package] = "?"
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root.parent).as_posix()
            if not SKIP_PATH.search(rel):
                files.append((path, f"site-packages/{rel}"))
    repo = HERE.parent
    for rel in PROJECT_FILES:
        target = repo / rel
        paths = sorted(target.rglob("*.php")) if target.is_dir() else [target]
        files.extend((p, f"project/{p.relative_to(repo).as_posix()}") for p in paths if p.exists())
    by_group: dict[str, list[tuple[Path, str]]] = {}
    for path, label in files:
        by_group.setdefault(label.split("/")[0], []).append((path, label))
    cases: list[OrdinaryCase] = []
    quota = {"stdlib": limit * 2 // 5, "site-packages": limit * 2 // 5, "project": limit // 5}
    for group, members in sorted(by_group.items()):
        pool: list[OrdinaryCase] = []
        for path, label in members:
            pool.extend(_windows(path, label, _rng(seed, label), per_file=6 if group != "site-packages" else 2))
        seen: set[str] = set()
        unique = [c for c in pool if not (c.text in seen or seen.add(c.text))]  # type: ignore[func-returns-value]
        chosen = rng.sample(unique, min(quota.get(group, 0), len(unique)))
        cases.extend(sorted(chosen, key=lambda c: c.id))
    notes = {
        "python": sys.version.split()[0],
        "packages": versions,
        "files_scanned": len(files),
        "rule": MENTION.pattern,
        "skipped_paths": SKIP_PATH.pattern,
    }
    return cases, notes


# ---------------------------------------------------------------------------------------------------------------
# Deriving gitleaks_rules.toml from gitleaks' own configuration

# Rules whose "secret" is not a value a snippet holds (a file path), or that the shapes cover by hand.
_GITLEAKS_BY_HAND = {
    "pkcs12-file": "a file-name rule",
    "private-key": "PEM blocks: shapes.toml (pem:*)",
    "generic-api-key": "its literal shapes: gitleaks_shapes.toml",
    "curl-auth-header": "its literal shapes: gitleaks_shapes.toml",
    "curl-auth-user": "its literal shapes: gitleaks_shapes.toml",
    "kubernetes-secret-yaml": "its literal shapes: gitleaks_shapes.toml",
    "jwt": "real JWTs: shapes.toml (jwt)",
    "jwt-base64": "real JWTs: shapes.toml (jwt)",
}


# Rules whose capture group is not the secret (a repeated part of a URL, quotes around it): the whole match or
# the value as the rule's own regex spells it, written out.
_GITLEAKS_VALUE = {
    "microsoft-teams-webhook": (
        r"https://(?:contoso|fabrikam|northwind)\.webhook\.office\.com/webhookb2/[a-f0-9]{8}-(?:[a-f0-9]{4}-){3}[a-f0-9]{12}"
        r"@[a-f0-9]{8}-(?:[a-f0-9]{4}-){3}[a-f0-9]{12}/IncomingWebhook/[a-z0-9]{32}/[a-f0-9]{8}-(?:[a-f0-9]{4}-){3}"
        r"[a-f0-9]{12}"
    ),
    "slack-webhook-url": r"https://hooks\.slack\.com/services/T[A-Z0-9]{8}/B[A-Z0-9]{10}/[A-Za-z0-9]{24}",
    "hashicorp-tf-password": r"[a-z0-9=_\-]{8,20}",
}
_POSIX = {"[:alnum:]": "A-Za-z0-9", "[:alpha:]": "A-Za-z", "[:digit:]": "0-9", "[:upper:]": "A-Z", "[:lower:]": "a-z"}


def to_python_regex(pattern: str) -> str:
    """RE2 → Python `re` for generation: global inline flags dropped, `\\z` → `\\Z`, POSIX classes spelled out."""
    for posix, plain in _POSIX.items():
        pattern = pattern.replace(posix, plain)
    return re.sub(r"\(\?[is]+\)", "", pattern).replace("\\z", "\\Z")


def derive_gitleaks(config: Path) -> str:
    with config.open("rb") as f:
        rules = tomllib.load(f)["rules"]
    out = [
        "# Derived from gitleaks' default configuration (gitleaks/gitleaks, MIT: LICENSE-gitleaks beside this file)",
        "# by `python bench/redaction_corpus.py --derive-gitleaks ../shared/data/gitleaks/gitleaks.toml`.",
        "# value: the rule's secret (its capture group, or the whole match) as a Python regex, generated at run",
        "# time; identifier: the name that gitleaks' generator gives utils.GenerateSampleSecrets.",
        "",
    ]
    for rule in rules:
        rid = rule["id"]
        out.append("[[rule]]")
        out.append(f'id = "{rid}"')
        if rid in _GITLEAKS_BY_HAND or "regex" not in rule:
            out.append(f'skip = "{_GITLEAKS_BY_HAND.get(rid, "no regex")}"')
            out.append("")
            continue
        pattern = to_python_regex(rule["regex"])
        compiled = re.compile(pattern)
        group = rule.get("secretGroup") or (1 if compiled.groups else None)
        tree = _parser.parse(pattern)
        sub = Xeger(random.Random(0))._find_group(list(tree), group) if group else tree
        secret_regex = _GITLEAKS_VALUE.get(rid) or _unparse(sub)
        identifier = re.sub(r"[^a-z0-9]", "", rid.split("-")[0].lower()) or "api"
        out.append(f"value = '''{secret_regex}'''")
        out.append(f'identifier = "{identifier}"')
        out.append("")
    return "\n".join(out)


def _unparse(items: Any) -> str:
    """A regex string back from a `re._parser` tree (only what the generator reads)."""
    parts = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            parts.append(re.escape(chr(av)))
        elif name == "NOT_LITERAL":
            parts.append(f"[^{re.escape(chr(av))}]")
        elif name == "ANY":
            parts.append(".")
        elif name == "IN":
            inner: list[str] = []
            for iop, iav in av:
                iname = str(iop)
                if iname == "NEGATE":
                    inner.insert(0, "^")
                elif iname == "LITERAL":
                    inner.append(re.escape(chr(iav)))
                elif iname == "RANGE":
                    inner.append(f"{re.escape(chr(iav[0]))}-{re.escape(chr(iav[1]))}")
                elif iname == "CATEGORY":
                    inner.append(
                        {"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s"}.get(str(iav), r"\w")
                    )
            parts.append("[" + "".join(inner) + "]")
        elif name == "BRANCH":
            parts.append("(?:" + "|".join(_unparse(alt) for alt in av[1]) + ")")
        elif name == "SUBPATTERN":
            parts.append("(?:" + _unparse(av[3]) + ")")
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, high, sub = av
            body = _unparse(sub)
            if len(sub) != 1 or str(sub[0][0]) in {"BRANCH"}:
                body = f"(?:{body})"
            parts.append(body + (f"{{{low},}}" if high == _const.MAXREPEAT else f"{{{low},{high}}}"))
        elif name == "CATEGORY":
            parts.append({"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s"}.get(str(av), r"\w"))
        # anchors and look-arounds say nothing about the value
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--derive-gitleaks", type=Path, metavar="GITLEAKS_TOML")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N cases of each kind")
    args = parser.parse_args()
    if args.derive_gitleaks:
        (CORPUS / "gitleaks_rules.toml").write_text(derive_gitleaks(args.derive_gitleaks))
        return 0
    corpus = build()
    print(f"{len(corpus.secrets)} secret cases, {len(corpus.ordinary)} ordinary")
    for case in corpus.secrets[: args.show]:
        print(case.id, case.context, repr(case.text[:200]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
