"""Secret redaction on a HELD-OUT corpus, built without reading the redactor or the tuned corpus of bench/redaction.py.

    .venv/bin/python bench/heldout_redaction.py [--seed 20261207] [--no-baseline] [--refresh-real-code]

Secret-bearing snippets: bench/corpus/heldout/secrets.toml, shapes taken from TruffleHog detector test fixtures,
secretlint rule shapes, GLPI's installer and REST API documentation, framework documentation and the config files,
shell histories, CI logs, HTTP captures and error logs real projects hold. Every secret value is generated at run
time from a fixed seed (provider prefixes are assembled in code; no realistic token is written in a file).
Ordinary snippets: bench/corpus/heldout/ordinary.toml (hand-written shapes of real code) and ordinary_real.jsonl
(1-6-line windows sampled from PyPI wheels not installed in .venv; `--refresh-real-code` downloads and re-samples).

A secret counts as removed when its exact value no longer appears in the output (beyond the times the same text
appears in the snippet as a non-secret, e.g. user 'glpi' with password 'glpi'); multi-line values (PEM bodies)
count as removed when none of their lines remains. An ordinary snippet counts as altered when output != input.
Arms: the working tree's `copiloto.cloud.redact.redact`, and the module at git revision 721c64a.
Writes bench/results/heldout-redaction-<date>.json; the JSON holds no secret value (misses are masked).
"""

from __future__ import annotations

import argparse
import base64
import datetime
import importlib.util
import io
import json
import random
import re
import string
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus" / "heldout"
RESULTS = ROOT / "bench" / "results"
BASELINE_REV = "721c64a"
SEED = 20261207
TARGET_RECALL = 0.98
TARGET_FP = 0.03

# --------------------------------------------------------------------------------------------------------------
# Value generator

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
B62 = LOWER + UPPER + DIGITS
HEX = "0123456789abcdef"
B64 = B62 + "+/"
B64URL = B62 + "-_"
SAFE_SYMBOLS = "!#%*+-._~^"
WORDS = [
    "apple", "river", "stone", "cloud", "tiger", "maple", "orbit", "candle", "violet", "harbor", "pepper", "silver",
    "meadow", "falcon", "copper", "winter", "garden", "rocket", "summer", "lemon", "anchor", "forest", "marble",
    "pixel", "ocean", "thunder", "velvet", "bridge", "castle",
]
SEASONS = ["Summer", "Winter", "Spring", "Autumn", "Printemps", "Hiver"]
NAMES = ["Marseille", "Bonjour", "Soleil", "Dragon", "Monkey", "Charlie", "Liverpool", "Azerty", "Qwerty", "Welcome"]
DEFAULT_PW = ["glpi", "postgres", "root", "admin", "changeme", "secret", "mysql", "password", "toor", "admin123"]


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64(rng: random.Random, nbytes: int, *, url: bool = False, pad: bool = True) -> str:
    raw = bytes(rng.getrandbits(8) for _ in range(nbytes))
    out = (base64.urlsafe_b64encode(raw) if url else base64.b64encode(raw)).decode()
    return out if pad else out.rstrip("=")


def _human(rng: random.Random, i: int) -> str:
    shapes: list[Callable[[], str]] = [
        lambda: f"{rng.choice(SEASONS)}{rng.randint(2015, 2026)}!",
        lambda: rng.choice(["P@ssw0rd", "P@$$w0rd", "Passw0rd!", "P@ssword1"]) + str(rng.randint(0, 99)),
        lambda: f"{rng.choice(NAMES)}{rng.randint(1, 9999)}{rng.choice('!*#.')}",
        lambda: f"{rng.choice(WORDS)}{rng.randint(10, 99)}",
        lambda: f"{rng.choice(WORDS).capitalize()}_{rng.choice(WORDS)}{rng.randint(1, 9)}",
        lambda: f"{rng.choice(NAMES).lower()}{rng.randint(1950, 2010)}",
    ]
    return shapes[i % len(shapes)]()


def _jwt(rng: random.Random) -> str:
    def enc(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

    header = enc({"alg": "HS256", "typ": "JWT"})
    iat = rng.randint(1_600_000_000, 1_800_000_000)
    payload = enc({"sub": str(rng.randint(10**6, 10**7)), "name": rng.choice(NAMES), "iat": iat})
    return f"{header}.{payload}.{_b64(rng, 32, url=True, pad=False)}"


def _pem_lines(rng: random.Random) -> list[str]:
    body = _b64(rng, 600)
    return [body[i : i + 64] for i in range(0, len(body), 64)]


class Gen:
    """Fake values, one kind each; provider prefixes are assembled here, never written whole in a file."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = 0

    def value(self, kind: str) -> str:
        r = self.rng
        self.count += 1
        i = self.count
        m = re.fullmatch(r"(b62|hex|digits|lower|upper)_?(\d+)", kind)
        if m:
            alpha = {"b62": B62, "hex": HEX, "digits": DIGITS, "lower": LOWER + DIGITS, "upper": UPPER + DIGITS}
            return _pick(r, alpha[m[1]], int(m[2]))
        m = re.fullmatch(r"b64(url)?_(\d+)", kind)
        if m:
            return _pick(r, B64URL if m[1] else B64, int(m[2]))
        human_url = _human(r, i).replace("@", "%40").replace("$", "%24").replace("#", "%23")
        simple: dict[str, Callable[[], str]] = {
            "human": lambda: _human(r, i),
            "human_url": lambda: human_url,
            "default_pw": lambda: r.choice(DEFAULT_PW),
            "sym": lambda: _pick(r, B62 + SAFE_SYMBOLS, r.randint(16, 24)),
            "phrase": lambda: "-".join(r.sample(WORDS, 4)),
            "phrase_sp": lambda: " ".join(r.sample(WORDS, 4)),
            "app_pw": lambda: " ".join(_pick(r, LOWER, 4) for _ in range(4)),
            "uuid": lambda: "-".join(_pick(r, HEX, n) for n in (8, 4, 4, 4, 12)),
            "uuid_upper": lambda: "-".join(_pick(r, HEX, n) for n in (8, 4, 4, 4, 12)).upper(),
            "glpi40": lambda: _pick(r, LOWER + DIGITS, 40),
            "sess26": lambda: _pick(r, LOWER + DIGITS, 26),
            "basic_b64": lambda: base64.b64encode(f"{r.choice(['glpi', 'admin', 'deploy'])}:{_human(r, i)}".encode())
            .decode(),
            "k8s_b64": lambda: base64.b64encode(_human(r, i).encode()).decode(),
            "b64_admin": lambda: base64.b64encode(b"admin").decode(),
            "b64_32bytes": lambda: _b64(r, 32),
            "b64_64bytes": lambda: _b64(r, 64),
            "pybytes": lambda: "".join(f"\\x{r.getrandbits(8):02x}" for _ in range(16)),
            "django_key": lambda: _pick(r, LOWER + DIGITS + "!@#%^&*(-_=+)", 50),
            "django_insecure": lambda: "django-" + "insecure-" + _pick(r, LOWER + DIGITS + "!@#%^&*(-_=+)", 50),
            "wp_salt": lambda: _pick(r, B62 + "!#%&()*+,-./:;<=>?@[]^_`{|}~", 64),
            "apr1": lambda: "$apr1$" + _pick(r, B62 + "./", 8) + "$" + _pick(r, B62 + "./", 22),
            "bcrypt": lambda: "$2y$10$" + _pick(r, B62 + "./", 53),
            "google_client_id": lambda: f"{r.randint(10**11, 10**12)}-{_pick(r, LOWER + DIGITS, 32)}"
            ".apps.googleusercontent.com",
            "gocspx": lambda: "GOC" + "SPX-" + _pick(r, B62 + "-_", 28),
            "aws_akid": lambda: "AK" + "IA" + _pick(r, UPPER + "234567", 16),
            "aws_secret": lambda: _pick(r, B64, 40),
            "azure_storage": lambda: _b64(r, 64),
            "sas_sig": lambda: _b64(r, 32).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"),
            "gcp_api": lambda: "AI" + "za" + _pick(r, B62 + "-_", 35),
            "ghp": lambda: "gh" + "p_" + _pick(r, B62, 36),
            "gho": lambda: "gh" + "o_" + _pick(r, B62, 36),
            "github_pat": lambda: "github" + "_pat_" + _pick(r, B62, 22) + "_" + _pick(r, B62, 59),
            "glpat": lambda: "gl" + "pat-" + _pick(r, B62 + "-_", 20),
            "npm": lambda: "np" + "m_" + _pick(r, B62, 36),
            "pypi": lambda: "py" + "pi-" + "AgEIcHlwaS5vcmc" + _pick(r, B64URL, 140),
            "docker_pat": lambda: "dckr" + "_pat_" + _pick(r, B62 + "-_", 27),
            "stripe_sk": lambda: "sk" + "_live_" + _pick(r, B62, 99),
            "stripe_rk": lambda: "rk" + "_live_" + _pick(r, B62, 99),
            "slack_bot": lambda: "xo" + "xb-" + f"{r.randint(10**10, 10**11)}-{r.randint(10**12, 10**13)}-"
            + _pick(r, B62, 24),
            "slack_user": lambda: "xo" + "xp-" + f"{r.randint(10**10, 10**11)}-{r.randint(10**10, 10**11)}-"
            + f"{r.randint(10**12, 10**13)}-" + _pick(r, HEX, 32),
            "slack_webhook_path": lambda: "T" + _pick(r, UPPER + DIGITS, 10) + "/B" + _pick(r, UPPER + DIGITS, 10)
            + "/" + _pick(r, B62, 24),
            "discord_token": lambda: _pick(r, B62 + "-_", 68),
            "telegram": lambda: f"{r.randint(10**9, 10**10)}:AA" + _pick(r, B62 + "-_", 33),
            "sendgrid": lambda: "S" + "G." + _pick(r, B62 + "-_", 22) + "." + _pick(r, B62 + "-_", 43),
            "shopify": lambda: "shp" + "at_" + _pick(r, HEX, 32),
            "openai": lambda: "sk-" + "proj-" + _pick(r, B62 + "-_", 48) + "T3Blbk" + "FJ" + _pick(r, B62 + "-_", 48),
            "anthropic": lambda: "sk-" + "ant-api03-" + _pick(r, B62 + "-_", 93) + "AA",
            "linear": lambda: "lin" + "_api_" + _pick(r, B62, 40),
            "hf": lambda: "h" + "f_" + _pick(r, B62, 34),
            "do": lambda: "do" + "p_v1_" + _pick(r, HEX, 64),
            "vault": lambda: "hv" + "s." + _pick(r, B62, 24),
            "mailgun": lambda: "ke" + "y-" + _pick(r, HEX, 32),
            "jenkins_token": lambda: "11" + _pick(r, HEX, 32),
            "jwt": lambda: _jwt(r),
            "ssh_ed25519_pub": lambda: "AAAAC3NzaC1lZDI1NTE5AAAAI" + _pick(r, B64, 43),
            "pem_block": lambda: "\n".join(
                ["-----BEGIN " + "PRIVATE KEY-----", *_pem_lines(r), "-----END " + "PRIVATE KEY-----"]
            ),
            "pem_json": lambda: "\\n".join(
                ["-----BEGIN " + "PRIVATE KEY-----", *_pem_lines(r), "-----END " + "PRIVATE KEY-----", ""]
            ),
        }
        if kind not in simple:
            raise KeyError(f"unknown kind {kind!r}")
        return simple[kind]()


FAMILY = {
    "human": "human-password", "human_url": "human-password", "default_pw": "default-password",
    "sym": "random-password", "phrase": "passphrase", "phrase_sp": "passphrase", "app_pw": "app-password",
    "k8s_b64": "base64-encoded-password", "basic_b64": "basic-auth-base64",
    "apr1": "password-hash", "bcrypt": "password-hash", "pem_block": "private-key", "pem_json": "private-key",
    "jwt": "jwt", "glpi40": "glpi-token", "sess26": "session-id", "uuid": "uuid-key",
    "aws_secret": "cloud-secret-key", "azure_storage": "cloud-secret-key", "sas_sig": "cloud-secret-key",
    "django_key": "framework-secret-key", "django_insecure": "framework-secret-key", "wp_salt": "framework-secret-key",
    "b64_32bytes": "framework-secret-key", "b64_64bytes": "framework-secret-key", "pybytes": "framework-secret-key",
    "slack_webhook_path": "webhook-url", "discord_token": "webhook-url", "jenkins_token": "random-hex",
}
PROVIDER = {
    "gocspx", "aws_akid", "gcp_api", "ghp", "gho", "github_pat", "glpat", "npm", "pypi", "docker_pat", "stripe_sk",
    "stripe_rk", "slack_bot", "slack_user", "telegram", "sendgrid", "shopify", "openai", "anthropic", "linear", "hf",
    "do", "vault", "mailgun",
}


def family(kind: str) -> str:
    if kind in PROVIDER:
        return "provider-prefixed-token"
    if kind in FAMILY:
        return FAMILY[kind]
    m = re.fullmatch(r"(b62|hex|lower|b64|b64url|upper|digits)_?\d+", kind)
    if m:
        return {"hex": "random-hex", "b64url": "random-base64", "b64": "random-base64"}.get(m[1], "random-base62")
    return kind


# --------------------------------------------------------------------------------------------------------------
# Corpus

MARK = re.compile(r"«(~?)(\w+):([\w|]+)»")


@dataclass
class Secret:
    value: str
    kind: str
    nonsecret_count: int  # times the same text is in the snippet as a non-secret


@dataclass
class Case:
    id: str
    source: str
    context: str
    text: str
    secrets: list[Secret] = field(default_factory=list)


def instantiate(template: str, gen: Gen, instance: int) -> tuple[str, list[Secret]]:
    """The template with its marks filled, and its secrets."""
    values: dict[str, tuple[str, str, bool]] = {}
    for m in MARK.finditer(template):
        name = m[2]
        if name in values:
            continue
        options = m[3].split("|")
        kind = options[instance % len(options)]
        values[name] = (gen.value(kind), kind, not m[1])
    text = MARK.sub(lambda m: values[m[2]][0], template)
    # The text with every secret blanked: how many times a secret's text also stands there as a non-secret.
    masked = MARK.sub(lambda m: "\x00" if values[m[2]][2] else values[m[2]][0], template)
    secrets = [Secret(v, k, masked.count(v)) for v, k, is_secret in values.values() if is_secret]
    return text, secrets


def secret_cases(gen: Gen) -> list[Case]:
    data = tomllib.loads((CORPUS / "secrets.toml").read_text(encoding="utf-8"))
    cases = []
    seen: Counter[str] = Counter()
    for entry in data["case"]:
        template = entry["text"]
        instances = 2 if any("|" in m[3] for m in MARK.finditer(template)) else 1
        for inst in range(instances):
            text, secrets = instantiate(template, gen, inst)
            seen[entry["context"]] += 1
            cid = f"{entry['context']}#{seen[entry['context']]}"
            cases.append(Case(cid, entry["source"], entry["context"], text, secrets))
    return cases


def ordinary_cases(gen: Gen) -> list[Case]:
    data = tomllib.loads((CORPUS / "ordinary.toml").read_text(encoding="utf-8"))
    cases = []
    for n, entry in enumerate(data["case"], 1):
        text, _ = instantiate(entry["text"], gen, 0)
        cases.append(Case(f"hand#{n}", entry["source"], entry["source"].split(":", 1)[0], text))
    real = CORPUS / "ordinary_real.jsonl"
    for line in real.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if "text" not in row:
            continue
        cases.append(Case(row["id"], row["source"], "pkg", row["text"]))
    return cases


# --------------------------------------------------------------------------------------------------------------
# Real code sampler (--refresh-real-code)

PACKAGES = [
    "django", "flask", "requests-oauthlib", "paramiko", "botocore", "sqlalchemy", "celery", "passlib", "authlib",
]
WORD = re.compile(r"password|passwd|secret|token|key|auth|credential|cookie|session|salt", re.I)
# A line that may hold a literal credential: a secret-ish name assigned or passed a quoted literal of 4+ characters,
# credentials in a URL, or a long mixed-case alphanumeric literal. If in doubt, leave it out.
LITERAL_CRED = re.compile(
    r"""(?ix)
    (pass(word|wd)?|secret|token|api_?key|credential|salt|cookie|session)\w*['"]?\s*(=|:|=>|,)\s*[bru]?['"][^'"\s]{4,}['"]
    | \w+://[^/\s:@]+:[^/\s@]+@
    | ['"][A-Za-z0-9+/_\-]{20,}={0,2}['"]
    | \b(basic|bearer|digest|mac)\s+[A-Za-z0-9+/=._~-]{8,}
    | (pass(word|wd)?|secret|token|code|key|verifier|signature|salt|assertion)\w*=[A-Za-z0-9._~+/%-]{8,}
    | "(access|refresh|id)_token"\s*:\s*"
    | (verifier|token|secret|key|pass(word|wd)?)\W{1,6}['"](?=[\w.-]*\d)(?=[\w.-]*[A-Za-z])[\w.-]{8,}['"]
    | (?<![\w/.])(?=\S*[a-z])(?=\S*[A-Z])(?=\S*\d)[A-Za-z0-9+/._=-]{20,}
    """
)


def refresh_real_code(seed: int, per_package: int = 17) -> None:
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    dropped = 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", tmp, *PACKAGES],
            check=True,
            capture_output=True,
        )
        for wheel in sorted(Path(tmp).glob("*.whl")):
            dist = wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1]
            candidates: list[tuple[str, list[str], int]] = []
            with zipfile.ZipFile(wheel) as zf:
                for name in sorted(zf.namelist()):
                    if not name.endswith(".py") or re.search(r"(^|/)tests?(/|_)", name):
                        continue
                    lines = io.TextIOWrapper(zf.open(name), encoding="utf-8", errors="replace").read().splitlines()
                    for ln, line in enumerate(lines):
                        if WORD.search(line):
                            candidates.append((name, lines, ln))
            rng.shuffle(candidates)
            taken = 0
            for name, lines, ln in candidates:
                if taken >= per_package:
                    break
                size = rng.randint(1, 6)
                start = max(0, ln - rng.randint(0, size - 1))
                window = lines[start : start + size]
                if any(LITERAL_CRED.search(w) for w in window):
                    dropped += 1
                    continue
                if not "".join(window).strip():
                    continue
                taken += 1
                rows.append(
                    {"id": f"{dist}:{name}:{start + 1}", "source": f"pkg:{dist}", "text": "\n".join(window) + "\n"}
                )
    header = {"note": "windows around secret-ish words; tests/ skipped", "packages": PACKAGES, "seed": seed,
              "dropped_windows_with_possible_literal_credentials": dropped}
    with (CORPUS / "ordinary_real.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    print(f"sampled {len(rows)} windows, dropped {dropped} that may hold a literal credential")


# --------------------------------------------------------------------------------------------------------------
# Measurement

RedactFn = Callable[[str], Any]


def load_current() -> RedactFn:
    sys.path.insert(0, str(ROOT / "server"))
    from copiloto.cloud.redact import redact

    fn: RedactFn = redact
    return fn


def load_baseline(rev: str, tmp: Path) -> RedactFn | None:
    try:
        src = subprocess.run(
            ["git", "show", f"{rev}:server/copiloto/cloud/redact.py"], cwd=ROOT, check=True, capture_output=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = tmp / f"redact_{rev}.py"
    path.write_bytes(src)
    spec = importlib.util.spec_from_file_location(f"redact_{rev}", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    fn: RedactFn = module.redact
    return fn


def removed(secret: Secret, output: str) -> bool:
    if secret.kind.startswith("pem"):  # a key body: removed when none of its lines is left
        pieces = [p for p in re.split(r"\n|\\n", secret.value) if len(p) >= 16 and not p.startswith("-----")]
        return not any(p in output for p in pieces)
    return output.count(secret.value) <= secret.nonsecret_count


def partial_leak(secret: Secret, output: str) -> bool:
    """At least half the value (8+ characters, contiguous) still in the output although the whole is gone."""
    value = secret.value
    n = max(8, len(value) // 2)
    if len(value) < 12 or "\n" in value:
        return False
    return any(value[i : i + n] in output for i in range(len(value) - n + 1))


def mask(secret: Secret) -> str:
    return f"<{secret.kind}:{len(secret.value)}>"


def masked_text(case: Case, text: str, limit: int = 600) -> str:
    for s in sorted(case.secrets, key=lambda s: -len(s.value)):
        for piece in re.split(r"\n|\\n", s.value) if s.kind.startswith("pem") else [s.value]:
            if len(piece) >= 4 and not piece.startswith("-----"):
                text = text.replace(piece, mask(s))
    return text[:limit]


def rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def measure(fn: RedactFn, secrets: list[Case], ordinary: list[Case]) -> dict[str, Any]:
    total = hit = partial = 0
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_ctx: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    errors = []
    for case in secrets:
        try:
            out = fn(case.text).text
        except Exception as exc:  # a crash is a miss of every secret in the snippet
            errors.append({"id": case.id, "error": repr(exc)[:200]})
            out = case.text
        for s in case.secrets:
            ok = removed(s, out)
            total += 1
            hit += ok
            cat = family(s.kind)
            by_cat[cat][0] += ok
            by_cat[cat][1] += 1
            by_ctx[case.context][0] += ok
            by_ctx[case.context][1] += 1
            if ok and partial_leak(s, out):
                partial += 1
            if not ok:
                misses.append({"id": case.id, "source": case.source, "category": cat, "secret": mask(s),
                               "input": masked_text(case, case.text), "output": masked_text(case, out)})
    fp = 0
    by_src: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fps = []
    for case in ordinary:
        try:
            out = fn(case.text).text
        except Exception as exc:
            errors.append({"id": case.id, "error": repr(exc)[:200]})
            out = case.text
        altered = out != case.text
        fp += altered
        src = case.source.split(":")[0] + (":" + case.source.split(":")[1].split("-")[0] if ":" in case.source else "")
        by_src[src][0] += altered
        by_src[src][1] += 1
        if altered:
            fps.append({"id": case.id, "source": case.source, "input": case.text[:600], "output": out[:600]})
    return {
        "recall": rate(hit, total), "secrets_removed": hit, "secrets_total": total,
        "partial_leaks_among_removed": partial,
        "recall_by_category": {
            k: {"removed": v[0], "total": v[1], "recall": rate(*v)} for k, v in sorted(by_cat.items())
        },
        "recall_by_context": {
            k: {"removed": v[0], "total": v[1], "recall": rate(*v)} for k, v in sorted(by_ctx.items())
        },
        "fp_rate": rate(fp, len(ordinary)), "ordinary_altered": fp, "ordinary_total": len(ordinary),
        "fp_by_source": {k: {"altered": v[0], "total": v[1], "rate": rate(*v)} for k, v in sorted(by_src.items())},
        "meets_targets": bool(total and hit / total >= TARGET_RECALL and fp / max(1, len(ordinary)) <= TARGET_FP),
        "misses": misses, "false_positives": fps, "errors": errors,
    }


def print_summary(arms: dict[str, dict[str, Any]]) -> None:
    names = list(arms)
    print(f"\n{'':38}" + "".join(f"{n:>22}" for n in names))
    first = arms[names[0]]

    def row(label: str, get: Callable[[dict[str, Any]], str]) -> None:
        print(f"{label[:38]:38}" + "".join(f"{get(arms[n]):>22}" for n in names))

    row("recall (secret values removed)", lambda a: f"{a['secrets_removed']}/{a['secrets_total']} {a['recall']:.1%}")
    row("ordinary snippets altered", lambda a: f"{a['ordinary_altered']}/{a['ordinary_total']} {a['fp_rate']:.1%}")
    row("partial leaks among removed", lambda a: str(a["partial_leaks_among_removed"]))
    tables = (("recall_by_category", "removed"), ("recall_by_context", "removed"), ("fp_by_source", "altered"))
    for table, num in tables:
        print("\n" + table.replace("_", " "))
        for key in first[table]:

            def cell(a: dict[str, Any], t: str = table, k: str = key, n: str = num) -> str:
                got = a[t].get(k)
                return f"{got[n]}/{got['total']}" if got else "-"

            row("  " + key, cell)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--refresh-real-code", action="store_true", help="download the wheels and re-sample windows")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.refresh_real_code:
        refresh_real_code(args.seed)
    gen = Gen(args.seed)
    secrets = secret_cases(gen)
    ordinary = ordinary_cases(gen)
    header = json.loads((CORPUS / "ordinary_real.jsonl").read_text(encoding="utf-8").splitlines()[0])
    arms: dict[str, dict[str, Any]] = {}
    arms["working-tree"] = measure(load_current(), secrets, ordinary)
    if not args.no_baseline:
        with tempfile.TemporaryDirectory() as tmp:
            fn = load_baseline(BASELINE_REV, Path(tmp))
            if fn is not None:
                arms[BASELINE_REV] = measure(fn, secrets, ordinary)
            else:
                print(f"baseline {BASELINE_REV} unavailable (no git?)", file=sys.stderr)
    corpus = {
        "seed": args.seed,
        "secret_snippets": len(secrets),
        "secret_values": sum(len(c.secrets) for c in secrets),
        "secret_values_by_category": dict(sorted(Counter(family(s.kind) for c in secrets for s in c.secrets).items())),
        "secret_snippets_by_context": dict(sorted(Counter(c.context for c in secrets).items())),
        "secret_snippet_sources": sorted({c.source for c in secrets}),
        "ordinary_snippets": len(ordinary),
        "ordinary_by_source": dict(sorted(Counter(c.source for c in ordinary).items())),
        "real_code_dropped_windows": header.get("dropped_windows_with_possible_literal_credentials"),
    }
    report = {"date": datetime.date.today().isoformat(), "targets": {"recall": TARGET_RECALL, "fp_rate": TARGET_FP},
              "corpus": corpus, "arms": arms}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = args.out or RESULTS / f"heldout-redaction-{report['date']}.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"corpus: {corpus['secret_snippets']} secret snippets ({corpus['secret_values']} values), "
          f"{corpus['ordinary_snippets']} ordinary snippets")
    print_summary(arms)
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
