"""Third blind corpus for secret redaction: a number to report, built without sight of the redactor or earlier corpora.

Secret-bearing snippets (about 250) take their shapes from GitHub's secret-scanning partner formats, the
whispers (Skyscanner) and GitGuardian detector families, and the configuration, infrastructure, command-line,
log and note idioms of a team running GLPI with Python tooling. Every secret value is drawn at run time from a
fixed-seed generator (provider prefixes are assembled in code; no token is written literally in this file).

Ordinary snippets (about 200) are 1-6-line windows from ten PyPI packages that the project does not install
(stored in bench/corpus/blind2/ordinary_windows.json; `--rebuild` downloads them again with `pip download
--no-deps` into a temporary folder and re-extracts), plus hand-written shapes that real projects hold.

A secret value counts as removed when its exact value (for a multi-line value: every line of 16 characters or
more) is gone from the output; an ordinary snippet counts as altered when the output differs from the input.
Both arms run: the working tree (`server/`) and the original stdlib-only redactor at git revision 721c64a.

    .venv/bin/python bench/blind2_redaction.py            # writes bench/results/blind2-redaction-<date>.json
"""

from __future__ import annotations

import argparse
import base64
import datetime
import importlib.util
import json
import random
import re
import string
import subprocess
import sys
import tempfile
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus" / "blind2"
WINDOWS_FILE = CORPUS / "ordinary_windows.json"
RESULTS = ROOT / "bench" / "results"
BASELINE_REV = "721c64a"
SEED = 20261207

# Packages whose code windows make the ordinary half: none is installed in .venv.
PACKAGES = [
    "django-allauth==65.22.1",
    "Flask-Login==0.6.3",
    "python-jose==3.5.0",
    "hvac==2.4.0",
    "msal==1.39.0",
    "google-auth==2.63.1",
    "pyotp==2.12.1",
    "smbprotocol==1.17.0",
    "ldap3==2.9.1",
    "PyMySQL==1.2.4",
]
WINDOWS_PER_PACKAGE = 15

# ---------------------------------------------------------------------------------------------------------------
# Value generators (fixed seed)
# ---------------------------------------------------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "-_"
PUNCT = ALNUM + "!%*+-.=?^_~"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"

HUMAN = [
    "Summer2024!",
    "glpi",
    "admin123",
    "Passw0rd",
    "Welcome1!",
    "P@ssw0rd",
    "Glpi2025#",
    "Tr0ub4dor&3",
    "correct-horse-battery-staple",
    "Qwerty123",
    "letmein22",
    "S3cur3P4ss",
    "Winter2023",
    "helpdesk",
    "Ch@ngeMe2024",
    "MotDePasse!1",
    "Contraseña2024",
    "Azerty1234",
    "iloveyou2",
    "Printemps2025",
]


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def s(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def b64(self, nbytes: int, urlsafe: bool = False) -> str:
        raw = self.rng.randbytes(nbytes)
        return (base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)).decode()

    def b64url_nopad(self, nbytes: int) -> str:
        return self.b64(nbytes, urlsafe=True).rstrip("=")

    def jwt(self) -> str:
        def part(obj: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

        header = part({"alg": self.rng.choice(["HS256", "RS256"]), "typ": "JWT"})
        payload = part(
            {
                "sub": str(self.rng.randint(1000, 99999)),
                "name": self.rng.choice(["jdoe", "tech01", "svc-sync"]),
                "iat": 1733500000 + self.rng.randint(0, 10**6),
                "scope": "tickets:read",
            }
        )
        return f"{header}.{payload}.{self.b64url_nopad(32)}"

    def pem_body(self, nbytes: int) -> list[str]:
        body = self.b64(nbytes)
        return [body[i : i + 64] for i in range(0, len(body), 64)]

    def pem(self, label: str, nbytes: int) -> str:
        lines = [f"-----BEGIN {label}-----", *self.pem_body(nbytes), f"-----END {label}-----"]
        return "\n".join(lines)


G = Gen(SEED)


def _human() -> str:
    return G.rng.choice(HUMAN)


def _human_url() -> str:
    return G.rng.choice([h for h in HUMAN if not set(h) & set("@:/#&ñ")])


def _openssh() -> str:
    # An openssh-key-v1 blob opens with the magic "openssh-key-v1\0" in base64.
    head = base64.b64encode(b"openssh-key-v1\x00" + G.rng.randbytes(33)).decode()
    body = head + G.b64(300)
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join(["-----BEGIN OPENSSH " + "PRIVATE KEY-----", *lines, "-----END OPENSSH " + "PRIVATE KEY-----"])


def _pem_json() -> str:
    # A service-account JSON holds the PEM with literal \n escapes.
    lines = ["-----BEGIN " + "PRIVATE KEY-----", *G.pem_body(600), "-----END " + "PRIVATE KEY-----", ""]
    return "\\n".join(lines)


def _b64_userpass() -> str:
    return base64.b64encode(f"deploy:{G.s(ALNUM, 18)}".encode()).decode()


def _b64_human() -> str:
    return base64.b64encode(_human().encode()).decode()


def _b64_pem() -> str:
    return base64.b64encode(G.pem("EC " + "PRIVATE KEY", 120).encode() + b"\n").decode()


def _django() -> str:
    return "django-insecure-" + G.s(string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)", 50)


# Provider formats: name -> generator. Prefixes are joined in code.
PROVIDERS: dict[str, Callable[[], str]] = {
    "github-classic-pat": lambda: "gh" + "p_" + G.s(ALNUM, 36),
    "github-oauth": lambda: "gh" + "o_" + G.s(ALNUM, 36),
    "github-app-install": lambda: "gh" + "s_" + G.s(ALNUM, 36),
    "github-fine-grained-pat": lambda: "github" + "_pat_" + G.s(UPPER_ALNUM, 22) + "_" + G.s(ALNUM, 59),
    "gitlab-pat": lambda: "gl" + "pat-" + G.s(URLSAFE, 20),
    "gitlab-runner": lambda: "gl" + "rt-" + G.s(URLSAFE, 20),
    "slack-bot": lambda: "xo" + "xb-" + f"{G.s(string.digits, 12)}-{G.s(string.digits, 13)}-{G.s(ALNUM, 24)}",
    "slack-user": lambda: "xo" + "xp-" + "-".join(G.s(string.digits, 12) for _ in range(3)) + "-" + G.s(HEX, 32),
    "slack-app": lambda: "xa" + "pp-1-" + f"A{G.s(UPPER_ALNUM, 10)}-{G.s(string.digits, 13)}-{G.s(HEX, 64)}",
    "stripe-secret": lambda: "sk" + "_live_" + G.s(ALNUM, 99),
    "stripe-restricted": lambda: "rk" + "_live_" + G.s(ALNUM, 24),
    "stripe-webhook": lambda: "wh" + "sec_" + G.s(ALNUM, 32),
    "openai-project": lambda: "sk-" + "proj-" + G.s(URLSAFE, 74) + "T3Blbk" + "FJ" + G.s(URLSAFE, 74),
    "anthropic": lambda: "sk-" + "ant-api03-" + G.s(URLSAFE, 93) + "AA",
    "huggingface": lambda: "h" + "f_" + G.s(ALNUM, 34),
    "npm": lambda: "np" + "m_" + G.s(ALNUM, 36),
    "pypi": lambda: "py" + "pi-AgEIcHlwaS5vcmc" + G.s(URLSAFE, 150),
    "rubygems": lambda: "ruby" + "gems_" + G.s(HEX, 48),
    "nuget": lambda: "oy" + "2" + G.s(string.ascii_lowercase + string.digits, 43),
    "aws-access-key-id": lambda: "AK" + "IA" + G.s(UPPER_ALNUM.replace("0", "").replace("1", ""), 16),
    "aws-secret": lambda: G.s(ALNUM + "+/", 40),
    "google-api-key": lambda: "AI" + "za" + G.s(URLSAFE, 35),
    "google-oauth-secret": lambda: "GOC" + "SPX-" + G.s(URLSAFE, 28),
    "google-refresh-token": lambda: "1//" + "0g" + G.s(URLSAFE, 100),
    "google-access-token": lambda: "ya" + "29." + G.s(URLSAFE, 150),
    "firebase-fcm-server-key": lambda: "AAAA" + G.s(URLSAFE, 7) + ":" + "APA91b" + G.s(URLSAFE, 134),
    "sendgrid": lambda: "S" + "G." + G.s(URLSAFE, 22) + "." + G.s(URLSAFE, 43),
    "mailgun": lambda: "ke" + "y-" + G.s(HEX, 32),
    "brevo": lambda: "xke" + "ysib-" + G.s(HEX, 64) + "-" + G.s(ALNUM, 16),
    "twilio-api-key-sid": lambda: "S" + "K" + G.s(HEX, 32),
    "telegram-bot": lambda: G.s(string.digits, 10) + ":" + "AA" + G.s(URLSAFE, 33),
    "discord-bot": lambda: "MT" + G.s(ALNUM, 22) + "." + G.s(URLSAFE, 6) + "." + G.s(URLSAFE, 38),
    "azure-client-secret": lambda: G.s(URLSAFE + "~.", 3) + "8Q~" + G.s(URLSAFE + "~.", 34),
    "azure-storage-key": lambda: G.b64(64),
    "azure-devops-pat": lambda: G.s("abcdefghijklmnopqrstuvwxyz234567", 52),
    "atlassian": lambda: "ATA" + "TT3xFfGF0" + G.s(URLSAFE, 180) + "=" + G.s(HEX.upper(), 8),
    "bitbucket-app-password": lambda: "AT" + "BB" + G.s(ALNUM, 32),
    "docker-hub-pat": lambda: "dck" + "r_pat_" + G.s(URLSAFE, 27),
    "jfrog": lambda: "AK" + "Cp" + G.s(ALNUM, 69),
    "sonarqube": lambda: "sq" + "u_" + G.s(HEX, 40),
    "vault-service-token": lambda: "hv" + "s." + G.s(URLSAFE, 90),
    "terraform-cloud": lambda: G.s(ALNUM, 14) + ".atlas" + "v1." + G.s(URLSAFE, 67),
    "doppler": lambda: "dp" + ".st.prd." + G.s(ALNUM, 40),
    "dynatrace": lambda: "dt0" + "c01." + G.s(UPPER_ALNUM, 24) + "." + G.s(UPPER_ALNUM, 64),
    "grafana-service-account": lambda: "gl" + "sa_" + G.s(ALNUM, 32) + "_" + G.s(HEX, 8),
    "postman": lambda: "PM" + "AK-" + G.s(HEX, 24) + "-" + G.s(HEX, 34),
    "pulumi": lambda: "pu" + "l-" + G.s(HEX, 40),
    "databricks": lambda: "da" + "pi" + G.s(HEX, 32),
    "linear": lambda: "lin" + "_api_" + G.s(ALNUM, 40),
    "notion": lambda: "nt" + "n_" + G.s(ALNUM, 46),
    "figma": lambda: "fi" + "gd_" + G.s(URLSAFE, 40),
    "tailscale": lambda: "tskey" + "-auth-" + G.s(ALNUM, 12) + "CNTRL-" + G.s(ALNUM, 33),
    "sentry-auth": lambda: "sn" + "trys_" + G.b64url_nopad(120),
    "shopify": lambda: "sh" + "pat_" + G.s(HEX, 32),
    "new-relic": lambda: "NR" + "AK-" + G.s(UPPER_ALNUM, 27),
    "digitalocean": lambda: "do" + "p_v1_" + G.s(HEX, 64),
    "supabase": lambda: "sb" + "p_" + G.s(HEX, 40),
    "fly": lambda: "fo" + "1_" + G.s(URLSAFE, 43),
    "prefect": lambda: "pn" + "u_" + G.s(ALNUM, 36),
    "groq": lambda: "gs" + "k_" + G.s(ALNUM, 52),
    "replicate": lambda: "r" + "8_" + G.s(ALNUM, 37),
    "perplexity": lambda: "pp" + "lx-" + G.s(ALNUM, 48),
    "langsmith": lambda: "ls" + "v2_pt_" + G.s(HEX, 32) + "_" + G.s(HEX, 10),
    "pinecone": lambda: "pc" + "sk_" + G.s(ALNUM, 5) + "_" + G.s(ALNUM, 64),
    "square": lambda: "EA" + "AA" + G.s(URLSAFE, 60),
    "easypost": lambda: "EZ" + "AK" + G.s(ALNUM, 54),
    "alibaba": lambda: "LT" + "AI" + G.s(ALNUM, 20),
    "heroku": lambda: "HR" + "KU-" + str(uuid.UUID(int=G.rng.getrandbits(128))),
    "planetscale": lambda: "pscale" + "_pw_" + G.s(URLSAFE, 43),
    "clojars": lambda: "CLO" + "JARS_" + G.s(HEX, 60),
    "mapbox": lambda: "sk" + ".eyJ" + G.s(URLSAFE, 60) + "." + G.s(URLSAFE, 22),
    "typeform": lambda: "tf" + "p_" + G.s(URLSAFE, 59),
    "shippo": lambda: "shippo" + "_live_" + G.s(HEX, 40),
    "duffel": lambda: "duffel" + "_live_" + G.s(URLSAFE, 43),
    "frameio": lambda: "fio" + "-u-" + G.s(URLSAFE, 64),
    "adafruit": lambda: "ai" + "o_" + G.s(ALNUM, 28),
    "yandex": lambda: "y0" + "_" + G.s(URLSAFE, 55),
    "cloudflare-api-token": lambda: G.s(URLSAFE, 40),
    "okta": lambda: "00" + G.s(URLSAFE, 40),
    "age-secret-key": lambda: "AGE-SECRET" + "-KEY-1" + G.s(BECH32, 58),
}

FACTORIES: dict[str, tuple[str, Callable[[], str]]] = {
    "human": ("human-password", _human),
    "human_url": ("human-password", _human_url),
    "rand_alnum": ("random-password", lambda: G.s(ALNUM, G.rng.randint(12, 24))),
    "rand_punct": ("random-password", lambda: G.s(PUNCT, G.rng.randint(14, 22))),
    "rand_lower": ("random-password", lambda: G.s(string.ascii_lowercase, 12)),
    "rand_digits": ("random-password", lambda: G.s(string.digits, 8)),
    "rand_urlsafe": ("random-password", lambda: G.s(URLSAFE, G.rng.randint(32, 43))),
    "hex32": ("hex-key", lambda: G.s(HEX, 32)),
    "hex40": ("hex-key", lambda: G.s(HEX, 40)),
    "hex64": ("hex-key", lambda: G.s(HEX, 64)),
    "hex128": ("hex-key", lambda: G.s(HEX, 128)),
    "b64_32": ("base64-key", lambda: G.b64(32)),
    "b64_48": ("base64-key", lambda: G.b64(48)),
    "b64_64": ("base64-key", lambda: G.b64(64)),
    "fernet": ("base64-key", lambda: G.b64(32, urlsafe=True)),
    "b64_userpass": ("base64-credential", _b64_userpass),
    "b64_human": ("base64-credential", _b64_human),
    "django": ("framework-secret", _django),
    "uuid": ("uuid-token", lambda: str(uuid.UUID(int=G.rng.getrandbits(128), version=4))),
    "base32": ("totp-seed", lambda: G.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32)),
    "glpi_token": ("glpi-api-token", lambda: G.s(ALNUM, 40)),
    "session_id": ("session-id", lambda: G.s("abcdefghijklmnopqrstuv0123456789", 26)),
    "jwt": ("jwt", G.jwt),
    "pem_rsa": ("private-key", lambda: G.pem("RSA " + "PRIVATE KEY", 1190)),
    "pem_openssh": ("private-key", _openssh),
    "pem_json": ("private-key", _pem_json),
    "b64_pem": ("private-key", _b64_pem),
    "pgp": ("private-key", lambda: G.pem("PGP " + "PRIVATE KEY BLOCK", 700)),
    "slack_webhook": ("webhook-url", lambda: f"T{G.s(UPPER_ALNUM, 8)}/B{G.s(UPPER_ALNUM, 10)}/{G.s(ALNUM, 24)}"),
    "discord_webhook": ("webhook-url", lambda: f"{G.s(string.digits, 18)}/{G.s(URLSAFE, 68)}"),
}
for _name, _fn in PROVIDERS.items():
    FACTORIES[_name] = ("provider-token", _fn)

# ---------------------------------------------------------------------------------------------------------------
# Secret-bearing templates: (context, shape, text with @@A@@ / @@B@@ scored, @@X@@ / @@K@@ not, A-factories, B)
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class T:
    context: str
    shape: str
    text: str
    a: tuple[str, ...]
    b: str | None = None


TEMPLATES: list[T] = [
    # Python
    T("python", "django settings.py", 'DATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.mysql",\n'
      '        "NAME": "helpdesk",\n        "USER": "hd_app",\n        "PASSWORD": "@@A@@",\n        "HOST": "db01",\n'
      "    }\n}", ("human", "rand_punct")),
    T("python", "django SECRET_KEY", "SECRET_KEY = '@@A@@'\nDEBUG = False", ("django",)),
    T("python", "config.ini", "[api]\nurl = https://support.acme.test/apirest.php\napp_token = "
          "@@A@@\nuser_token = @@B@@",
      ("glpi_token",), "glpi_token"),
    T("python", "alembic.ini", "[alembic]\nscript_location = migrations\nsqlalchemy.url = "
          "mysql+pymysql://alembic:@@A@@@db."
      "internal/helpdesk", ("human_url", "rand_alnum")),
    T("python", "celeryconfig.py", 'broker_url = "amqp://celery:@@A@@@rabbit.internal:5672/hd"\n'
      "result_backend = 'rpc://'", ("rand_urlsafe", "human_url")),
    T("python", "celeryconfig.py redis", "result_backend = 'redis://:@@A@@@redis:6379/1'", ("hex32",)),
    T("python", "traceback with locals", 'Traceback (most recent call last):\n  File '
          '"/opt/sync/ldap_sync.py", line 42, '
      "in bind\n    conn = ldap3.Connection(server, user=bind_dn, password=bind_pw, auto_bind=True)\n"
      "ldap3.core.exceptions.LDAPBindError: automatic bind not successful - invalidCredentials\n"
      "    bind_dn = 'cn=svc-sync,ou=svc,dc=acme,dc=test'\n    bind_pw = '@@A@@'", ("human", "rand_punct")),
    T("python", "requests bearer", 'resp = requests.get(url, headers={"Authorization": "Bearer @@A@@"}, timeout=10)',
      ("openai-project", "huggingface", "jwt")),
    T("python", "hvac client", 'client = hvac.Client(url="https://vault.acme.test:8200", token="@@A@@")',
      ("vault-service-token",)),
    T("python", "anthropic client", 'client = anthropic.Anthropic(api_key="@@A@@")', ("anthropic",)),
    T("python", "smtplib login", 'with smtplib.SMTP("smtp.acme.test", 587) as s:\n    s.starttls()\n'
      '    s.login("notif@acme.test", "@@A@@")', ("human", "rand_alnum")),
    T("python", "pymysql connect", 'conn = pymysql.connect(host="db", user="report_ro", passwd="@@A@@", db="glpi")',
      ("human", "rand_punct")),
    T("python", "logged dict", "2025-03-04 10:00:01,201 DEBUG sync.client payload={'username': 'jdoe', "
      "'password': '@@A@@', 'remember': True}", ("human", "rand_alnum")),
    T("python", "aws constants", 'AWS_ACCESS_KEY_ID = "@@A@@"\nAWS_SECRET_ACCESS_KEY = "@@B@@"', ("aws-access-key-id",),
      "aws-secret"),
    T("python", "boto3 client", "s3 = boto3.client('s3', aws_access_key_id='@@A@@',\n"
      "                  aws_secret_access_key='@@B@@')", ("aws-access-key-id",), "aws-secret"),
    T("python", "ldap simple bind", 'l.simple_bind_s("cn=admin,dc=acme,dc=test", "@@A@@")', ("human", "rand_punct")),
    T("python", "pyotp seed", 'totp = pyotp.TOTP("@@A@@")\nprint(totp.now())', ("base32",)),
    T("python", "fernet key", 'FERNET_KEY = b"@@A@@"\ncipher = Fernet(FERNET_KEY)', ("fernet",)),
    T("python", ".pypirc", "[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = @@A@@",
      ("pypi",)),
    T("python", "pip.conf", "[global]\nindex-url = https://deploy:@@A@@@nexus.acme.test/repository/pypi/simple",
      ("rand_alnum", "human_url")),
    T("python", "os.environ default", 'API_KEY = os.environ.get("MAILGUN_API_KEY", "@@A@@")', ("mailgun",)),
    T("python", "settings EMAIL", 'EMAIL_HOST = "smtp.office365.com"\nEMAIL_HOST_USER = "noreply@acme.test"\n'
      'EMAIL_HOST_PASSWORD = "@@A@@"', ("human", "rand_alnum")),
    # PHP / GLPI
    T("php", "GLPI config_db.php", "<?php\nclass DB extends DBmysql {\n   public $dbhost = 'localhost';\n"
      "   public $dbuser = 'itsm_usr';\n   public $dbpassword = '@@A@@';\n   public $dbdefault = 'itsmdb';\n}",
      ("human", "rand_punct", "rand_alnum")),
    T("php", "define constant", "define('HELPDESK_API_APP_TOKEN', '@@A@@');", ("glpi_token",)),
    T("php", "symfony parameters.php", "$container->setParameter('mailer_password', '@@A@@');",
      ("human", "rand_alnum")),
    T("php", "config array", "'smtp' => [\n    'host' => 'smtp.acme.test',\n    'username' => 'notif',\n"
      "    'password' => \"@@A@@\",\n],", ("human",)),
    T("log", "GLPI php-errors backtrace", "[2025-01-14 09:12:44] glpiphplog.CRITICAL:   *** Uncaught Exception "
      "mysqli_sql_exception: Access denied for user 'itsm_rw'@'10.0.3.4' (using password: YES) in "
      "/var/www/html/src/DBmysql.php at line 237\n  Backtrace :\n  ./src/DBmysql.php:237                  "
      "mysqli->real_connect('10.0.3.5', 'itsm_rw', '@@A@@', 'itsm_prod', 3306)\n  ./src/DBmysql.php:183   "
      "               DBmysql->connect()", ("human", "rand_punct")),
    T("log", "GLPI sql-errors api_token", "[2025-02-03 14:01:09] glpisqllog.ERROR: DBmysql::doQuery() in "
      "/var/www/html/src/DBmysql.php line 376\n  *** MySQL query error:\n  SQL: UPDATE `glpi_users` SET `api_token` = "
      "'@@A@@', `api_token_date` = '2025-02-03 14:01:09' WHERE `id` = '7'\n  Error: Lock wait timeout exceeded",
      ("glpi_token",)),
    T("log", "GLPI sql-errors ldap", "[2025-02-03 14:05:11] glpisqllog.ERROR: DBmysql::doQuery()\n  SQL: UPDATE "
      "`glpi_authldaps` SET `rootdn_passwd` = '@@A@@' WHERE `id` = '2'\n  Error: Deadlock found", ("b64_48",)),
    T("php", "glpi-agent.cfg", "server = https://itsm.acme.test/\nuser = agent\npassword = @@A@@\nno-ssl-check = 0",
      ("human", "rand_alnum")),
    T("php", "PDO", "$pdo = new PDO('mysql:host=db;dbname=helpdesk', 'helpdesk', '@@A@@');", ("human", "rand_punct")),
    T("php", "laravel .env APP_KEY", "APP_NAME=Helpdesk\nAPP_ENV=production\nAPP_KEY=base64:@@A@@\nAPP_DEBUG=false",
      ("b64_32",)),
    T("php", "curl USERPWD", 'curl_setopt($ch, CURLOPT_USERPWD, "sync-bot:@@A@@");', ("human", "rand_alnum")),
    T("php", "GLPI API headers", "$headers = [\n    'Content-Type: application/json',\n    'Authorization: user_token "
      "@@A@@',\n    'App-Token: @@B@@',\n];", ("glpi_token",), "glpi_token"),

    # Go
    T("go", "sql.Open DSN", 'db, err := sql.Open("mysql", "report:@@A@@@tcp(10.1.2.3:3306)/itsm?parseTime=true")',
      ("human_url", "rand_alnum")),
    T("go", "const token", 'const slackToken = "@@A@@"', ("slack-bot",)),
    T("go", "github client", 'client := github.NewClient(nil).WithAuthToken("@@A@@")', ("github-fine-grained-pat",)),
    T("go", "basic auth", 'req.SetBasicAuth("deploy", "@@A@@")', ("rand_alnum", "human")),
    T("go", "var key", 'var stripeKey = "@@A@@"', ("stripe-secret",)),
    T("go", "struct literal", 'cfg := &Config{User: "svc", Password: "@@A@@", Addr: "ldap.acme.test:636"}',
      ("human", "rand_punct")),
    # Java
    T("java", "application.properties", "spring.datasource.url=jdbc:mysql://db:3306/itsm\n"
      "spring.datasource.username=reporting\nspring.datasource.password=@@A@@", ("human", "rand_punct")),
    T("java", "application.yml mail", "spring:\n  mail:\n    host: smtp.office365.com\n    username: "
          "noreply@acme.test\n"
      "    password: '@@A@@'", ("human",)),
    T("log", "Java stack trace JDBC", "Caused by: java.sql.SQLException: Cannot create PoolableConnectionFactory "
      "(Access denied)\n\tat org.apache.commons.dbcp2.BasicDataSource.createPoolableConnectionFactory("
      "BasicDataSource.java:669)\n  url=jdbc:postgresql://pg01:5432/assets?user=assets&password=@@A@@&ssl=true",
      ("human_url", "rand_alnum")),
    T("java", "static final", 'private static final String API_KEY = "@@A@@";', ("google-api-key", "sendgrid")),
    T("java", "DriverManager", 'Connection c = DriverManager.getConnection("jdbc:sqlserver://sql01;databaseName=CMDB;'
      'user=sa;password=@@A@@;");', ("human", "rand_alnum")),
    T("java", "jwt.secret property", "jwt.secret=@@A@@\njwt.expiration=3600", ("b64_64", "rand_alnum")),
    T("java", "JAVA_OPTS keystore", 'JAVA_OPTS="-Xmx2g -Djavax.net.ssl.keyStore=/etc/app/ks.jks '
      '-Djavax.net.ssl.keyStorePassword=@@A@@"', ("human", "rand_alnum")),
    # C#
    T("csharp", "appsettings.json", '{\n  "ConnectionStrings": {\n    "Default": "Server=sql01;Database=Helpdesk;'
      'User Id=hd_app;Password=@@A@@;TrustServerCertificate=True"\n  }\n}', ("human", "rand_alnum")),
    T("csharp", "user-secrets secrets.json", '{\n  "Authentication:AzureAd:ClientSecret": "@@A@@"\n}',
      ("azure-client-secret",)),
    T("csharp", "azure storage connection", '"AzureStorage": "DefaultEndpointsProtocol=https;AccountName=hdfiles;'
      'AccountKey=@@A@@;EndpointSuffix=core.windows.net"', ("azure-storage-key",)),
    T("csharp", "NetworkCredential", 'var smtp = new SmtpClient("smtp.acme.test") { Credentials = '
      'new NetworkCredential("helpdesk-bot", "@@A@@") };', ("human", "rand_punct")),
    T("csharp", "appsettings Jwt", '"Jwt": {\n  "Key": "@@A@@",\n  "Issuer": "itsm-bridge"\n}',
      ("rand_alnum", "b64_32")),
    # Node
    T("node", "config/production.json", '{\n  "db": { "host": "pg", "user": "app", "password": "@@A@@" },\n'
      '  "sendgrid": { "apiKey": "@@B@@" }\n}', ("human",), "sendgrid"),
    T("node", ".env", "DATABASE_URL=postgres://app:@@A@@@pg.internal:5432/app\nSESSION_SECRET=@@B@@\nPORT=3000",
      ("rand_urlsafe",), "hex64"),
    T("node", "stripe require", "const stripe = require('stripe')('@@A@@');", ("stripe-restricted",)),
    T("node", "mongoose", "mongoose.connect('mongodb+srv://admin:@@A@@@cluster0.ab1cd.mongodb.net/itsm-sync')",
      ("human_url", "rand_alnum")),
    T("node", ".npmrc", "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=@@A@@", ("npm",)),
    T("node", "octokit", "const octokit = new Octokit({ auth: '@@A@@' });", ("github-classic-pat",)),
    T("node", "fetch header", "const res = await fetch(url, { headers: { 'X-Api-Key': '@@A@@' } });",
      ("hex32", "linear")),
    T("node", "discord login", "client.login('@@A@@');", ("discord-bot",)),
    # Ruby
    T("ruby", "database.yml ENV default", "production:\n  adapter: mysql2\n  database: helpdesk_prod\n"
      '  username: rails\n  password: <%= ENV.fetch("DB_PASS", "@@A@@") %>', ("human", "rand_alnum")),
    T("ruby", "secrets.yml", "production:\n  secret_key_base: @@A@@", ("hex128",)),
    T("ruby", "twilio client", 'client = Twilio::REST::Client.new("AC@@X@@", "@@A@@")', ("hex32",)),
    T("ruby", "action_mailer smtp", "config.action_mailer.smtp_settings = {\n  user_name: 'apikey',\n"
      "  password: '@@A@@',\n  address: 'smtp.sendgrid.net'\n}", ("sendgrid",)),
    T("ruby", "gem credentials", "---\n:rubygems_api_key: @@A@@", ("rubygems",)),
    # Infrastructure
    T("infra", "terraform aws provider", 'provider "aws" {\n  region     = "eu-west-3"\n  access_key = "@@A@@"\n'
      '  secret_key = "@@B@@"\n}', ("aws-access-key-id",), "aws-secret"),
    T("infra", "terraform.tfvars", 'db_password          = "@@A@@"\ncloudflare_api_token = "@@B@@"',
      ("human", "rand_punct"), "cloudflare-api-token"),
    T("infra", "terraform github provider", 'provider "github" {\n  owner = "acme"\n  token = "@@A@@"\n}',
      ("github-classic-pat",)),
    T("infra", "terraform datadog provider", 'provider "datadog" {\n  api_key = "@@A@@"\n  app_key = "@@B@@"\n}',
      ("hex32",), "hex40"),
    T("infra", "ansible group_vars", "itsm_db_host: db01\nitsm_db_password: @@A@@\nitsm_ldap_bind_password: \"@@B@@\"",
      ("human",), "rand_punct"),
    T("infra", "ansible inventory", "web01 ansible_host=10.0.0.4 ansible_user=deploy ansible_become_pass=@@A@@",
      ("human", "rand_alnum")),
    T("infra", "helm values", "mariadb:\n  auth:\n    rootPassword: \"@@A@@\"\n    username: itsm\n    password: @@B@@",
      ("rand_alnum",), "human"),
    T("infra", "k8s Secret stringData", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: itsm-db\ntype: Opaque\n"
      'stringData:\n  MARIADB_PASSWORD: "@@A@@"', ("human", "rand_alnum")),
    T("infra", "k8s Secret data base64", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: itsm-db\ndata:\n"
      "  username: aXRzbQ==\n  password: @@A@@", ("b64_human",)),
    T("infra", "k8s env value", "env:\n  - name: HELPDESK_API_TOKEN\n    value: \"@@A@@\"", ("glpi_token",)),
    T("infra", "systemd Environment", "[Service]\nEnvironment=\"DB_PASSWORD=@@A@@\"\nEnvironment=SENTRY_AUTH_TOKEN="
      "@@B@@\nExecStart=/opt/sync/bin/run", ("human", "rand_alnum"), "sentry-auth"),
    T("infra", "cron mysqldump", "15 2 * * * root mysqldump -u backup -p'@@A@@' itsm | gzip > /srv/backup/itsm.sql.gz",
      ("human", "rand_punct")),
    T("infra", "docker run -e", "docker run -d --name itsm-db -e MARIADB_ROOT_PASSWORD=@@A@@ -e MARIADB_DATABASE=itsm "
      "mariadb:10.11", ("human", "rand_alnum")),
    T("infra", "kubectl from-literal", "kubectl create secret generic itsm-api --from-literal=app-token=@@A@@ "
      "--from-literal=user-token=@@B@@", ("glpi_token",), "glpi_token"),
    T("infra", "docker-compose env", "services:\n  grafana:\n    image: grafana/grafana:11.1.0\n    environment:\n"
      "      GF_SECURITY_ADMIN_PASSWORD: @@A@@\n      - POSTGRES_PASSWORD=@@B@@", ("human",), "rand_alnum"),
    T("infra", "Dockerfile ENV", "FROM python:3.12-slim\nENV GITHUB_TOKEN=@@A@@\nRUN pip install -r requirements.txt",
      ("github-oauth",)),
    T("infra", "Dockerfile ARG", "ARG NPM_TOKEN=@@A@@\nRUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > "
      ".npmrc", ("npm",)),
    T("infra", "docker config.json", '{\n  "auths": {\n    "registry.acme.test": {\n      "auth": '
          '"@@A@@"\n    }\n  }\n}',
      ("b64_userpass",)),
    T("infra", "aws credentials file", "[default]\naws_access_key_id = @@A@@\naws_secret_access_key = @@B@@\n"
      "region = eu-west-3", ("aws-access-key-id",), "aws-secret"),
    T("infra", "CI slack webhook", "env:\n  SLACK_WEBHOOK: https://hooks.slack.com/services/@@A@@", ("slack_webhook",)),
    T("infra", ".netrc", "machine api.github.com\n  login bot\n  password @@A@@", ("github-classic-pat", "human")),
    T("infra", "nginx basic auth header", 'proxy_set_header Authorization "Basic @@A@@";', ("b64_userpass",)),
    T("infra", "redis.conf", "bind 127.0.0.1\nrequirepass @@A@@\nmaxmemory 256mb", ("rand_alnum", "human")),
    T("infra", "my.cnf", "[client]\nuser=backup\npassword=\"@@A@@\"\nhost=db01", ("human", "rand_punct")),
    T("infra", ".pgpass", "db.internal:5432:itsm_dw:etl:@@A@@", ("rand_alnum", "human_url")),
    T("infra", "s3cfg", "[default]\naccess_key = @@A@@\nsecret_key = @@B@@\nhost_base = s3.amazonaws.com",
      ("aws-access-key-id",), "aws-secret"),
    T("infra", "gitlab-ci variables", 'variables:\n  SONAR_HOST_URL: "https://sonar.acme.test"\n  SONAR_TOKEN: "@@A@@"',
      ("sonarqube",)),
    T("infra", "maven settings.xml", "<server>\n  <id>nexus</id>\n  <username>deploy</username>\n"
      "  <password>@@A@@</password>\n</server>", ("human", "rand_alnum")),
    T("infra", "NuGet.config", '<packageSourceCredentials>\n  <acme>\n    <add key="Username" value="ci" />\n'
      '    <add key="ClearTextPassword" value="@@A@@" />\n  </acme>\n</packageSourceCredentials>',
      ("azure-devops-pat", "rand_alnum")),
    T("infra", "consul token", "export CONSUL_HTTP_ADDR=https://consul.acme.test:8501\nexport CONSUL_HTTP_TOKEN=@@A@@",
      ("uuid",)),
    T("infra", "grafana.ini", "[security]\nadmin_user = admin\nadmin_password = @@A@@\nsecret_key = @@B@@",
      ("human",), "rand_alnum"),
    # Command lines
    T("cli", "mysqladmin", "mysqladmin -u root -p@@A@@ processlist", ("human", "rand_punct")),
    T("cli", "PGPASSWORD pg_dump", "PGPASSWORD=@@A@@ pg_dump -h pg01 -U reporting -Fc helpdesk > helpdesk.dump",
      ("human", "rand_alnum")),
    T("cli", "mongo -p", "mongo --host mongo01 -u admin -p @@A@@ --authenticationDatabase admin", ("human",)),
    T("cli", "redis-cli -a", "redis-cli -h cache01 -a @@A@@ --no-auth-warning INFO", ("rand_alnum",)),
    T("cli", "ldapwhoami -w", "ldapwhoami -x -H ldaps://dc01.acme.test -D \"cn=svc-sync,ou=Services,dc=acme,dc=test\" "
      "-w '@@A@@'", ("human", "rand_punct")),
    T("cli", "smbclient -U user%pass", "smbclient //fs01/itsm-docs -U 'ACME\\svc_backup%@@A@@' -c 'ls'",
      ("human", "rand_alnum")),
    T("cli", "wget --password", "wget --user=ci --password=@@A@@ https://nexus.acme.test/repository/raw/plugins.tgz",
      ("human", "rand_alnum")),
    T("cli", "git clone gitlab oauth2", "git clone https://oauth2:@@A@@@gitlab.acme.test/helpdesk/plugins.git",
      ("gitlab-pat",)),
    T("cli", "git clone x-access-token", "git clone https://x-access-token:@@A@@@github.com/acme/itsm-sync.git",
      ("github-app-install",)),
    T("cli", "curl -u", "curl -u admin:@@A@@ https://itsm.acme.test/apirest.php/initSession",
      ("human_url", "rand_alnum")),
    T("cli", "curl bearer", 'curl -H "Authorization: Bearer @@A@@" https://api.acme.test/v1/tickets',
      ("jwt", "google-access-token")),
    T("cli", "export token", "export GITLAB_TOKEN=@@A@@", ("gitlab-pat", "gitlab-runner")),
    T("cli", "export openai", "export OPENAI_API_KEY=@@A@@", ("openai-project",)),
    T("cli", "sshpass", "sshpass -p '@@A@@' ssh admin@10.0.0.9 'systemctl restart php-fpm'", ("human", "rand_punct")),
    T("cli", "htpasswd -b", "htpasswd -b /etc/nginx/.htpasswd support @@A@@", ("human",)),
    T("cli", "mysql --password", "mysql -h db -u itsm_admin --password=@@A@@ -e 'SELECT 1'", ("rand_punct", "human")),
    T("cli", "az login", "az login --service-principal -u 6b1d7a40-2f1c-4d5e-9a8b-1c2d3e4f5a6b -p @@A@@ "
      "--tenant acme.onmicrosoft.com", ("azure-client-secret",)),
    T("cli", "docker login -p", "docker login -u acmebot -p @@A@@ registry.acme.test",
      ("docker-hub-pat", "rand_alnum")),
    T("cli", "psql conninfo", 'psql "host=pg01 dbname=itsm_dw user=etl password=@@A@@ sslmode=require"',
      ("human", "rand_punct")),
    T("cli", "openssl passout", "openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 "
          "-passout pass:@@A@@",
      ("human", "rand_alnum")),
    T("cli", "snmpwalk v3", "snmpwalk -v3 -u monitor -l authPriv -a SHA -A @@A@@ -x AES -X @@B@@ sw-core-01",
      ("human",), "rand_alnum"),
    T("cli", "mysqldump --password", "mysqldump --user=backup --password='@@A@@' --single-transaction itsm > itsm.sql",
      ("human", "rand_digits")),
    T("cli", "vault login", "vault login @@A@@", ("vault-service-token",)),
    T("cli", "gh auth", "echo @@A@@ | gh auth login --with-token", ("github-classic-pat",)),
    # Logs
    T("log", "nginx access session_token", '10.0.4.21 - - [12/Mar/2025:08:14:02 +0100] "GET /apirest.php/getMyProfiles?'
      'session_token=@@A@@ HTTP/1.1" 200 512 "-" "python-requests/2.31.0"', ("session_id",)),
    T("log", "apache access api_key", '10.0.4.22 - - [12/Mar/2025:08:15:40 +0100] "GET /api/v2/export?api_key=@@A@@&'
      'format=csv HTTP/1.1" 200 18231', ("hex32", "rand_alnum")),
    T("log", "access log access_token", '192.168.1.10 - - [02/Apr/2025:17:01:09 +0000] "GET /oauth/callback?'
      'access_token=@@A@@&token_type=bearer HTTP/2.0" 302 0', ("jwt",)),
    T("log", "php-errors HTTP_COOKIE", "  $_SERVER['HTTP_COOKIE'] = 'glpi_40e6b5a1c2f0e8d7=@@A@@; "
      "glpi_40e6b5a1c2f0e8d7_rememberme=%5B%2212%22%2C%22@@B@@%22%5D'", ("session_id",), "hex40"),
    T("log", "spring hikari", "2025-04-01 11:02:33.918 ERROR 1 --- [main] com.zaxxer.hikari.pool.HikariPool : "
      "HikariPool-1 - Exception during pool initialization.\njava.sql.SQLException: Access denied for user 'cmdb'@"
      "'10.2.0.7' (using password: YES)\n\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:"
      "129)\nhikari.jdbcUrl=jdbc:mysql://cmdb:@@A@@@mysql01:3306/cmdb", ("human_url", "rand_alnum")),
    T("log", "httpx debug headers", "DEBUG:httpcore.http11:send_request_headers.started request=<Request [b'POST']> "
      "headers=[(b'Host', b'api.acme.test'), (b'Authorization', b'Bearer @@A@@')]", ("anthropic", "openai-project")),
    T("log", "docker inspect env", '"Env": [\n    "MYSQL_PASSWORD=@@A@@",\n    '
          '"PATH=/usr/local/sbin:/usr/local/bin"\n]',
      ("rand_alnum", "human")),
    T("log", "syslog cron", "Mar 12 10:00:01 itsm01 CRON[1234]: (root) CMD (/usr/bin/mysqldump -uroot -p@@A@@ itsm > "
      "/backup/itsm.sql)", ("human", "rand_alnum")),
    T("log", "CI log PRIVATE-TOKEN", 'Run curl --header "PRIVATE-TOKEN: @@A@@" '
          'https://gitlab.acme.test/api/v4/projects',
      ("gitlab-pat",)),
    T("log", "php ldap_bind stack", "#0 /var/www/html/src/AuthLDAP.php(1540): ldap_bind(Object(LDAP\\Connection), "
      "'cn=itsm-bind,ou=svc,dc=acme,dc=test', '@@A@@')\n#1 /var/www/html/src/AuthLDAP.php(1610): "
      "AuthLDAP::connectToServer()", ("human", "rand_punct")),
    T("log", "sqlalchemy traceback", "sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (2003, \"Can't "
      "connect to MySQL server\")\n  engine = create_engine('mysql+pymysql://etl:@@A@@@10.0.0.12/itsm')",
      ("human_url", "rand_alnum")),
    T("log", "uvicorn header dump", "INFO:     10.0.0.7:51234 - \"POST /hooks/github HTTP/1.1\" 401\n"
      "WARNING  bad signature; expected secret=@@A@@", ("stripe-webhook", "hex40")),
    # Notes and chat
    T("notes", "README token", "## Setup\n\nUse the shared bot token `@@A@@` for the staging API (rotate next month).",
      ("slack-bot", "github-classic-pat")),
    T("notes", "chat password", "hey, the new admin password for the helpdesk is @@A@@ (don't share it)",
      ("human", "rand_punct")),
    T("notes", "markdown table", "| env | user | password |\n|---|---|---|\n| staging | itsm_admin | @@A@@ |",
      ("human", "rand_alnum")),
    T("notes", "french ticket", "Mot de passe du compte de service : @@A@@", ("human", "rand_alnum")),
    T("notes", "spanish note", "Usuario: soporte\nContraseña: @@A@@", ("rand_alnum", "human")),
    T("notes", "api key note", "API key for the team account: @@A@@", ("openai-project", "groq")),
    T("notes", "email paste", "Username: jdupont\nTemporary password: @@A@@\nPlease change it at first login.",
      ("human", "rand_lower")),
    T("notes", "md code block", "```bash\nexport HF_TOKEN=@@A@@\nhuggingface-cli whoami\n```", ("huggingface",)),
    T("notes", "german note", "Zugangsdaten Testsystem: Benutzer `admin`, Passwort `@@A@@`", ("human", "rand_alnum")),
    # Private keys
    T("keys", "PEM RSA file", "@@A@@", ("pem_rsa",)),
    T("keys", "OpenSSH key in note", "Deploy key for the backup host:\n\n@@A@@\n", ("pem_openssh",)),
    T("keys", "GCP service account", '{\n  "type": "service_account",\n  "project_id": "acme-itsm",\n'
      '  "private_key_id": "@@K@@",\n  "private_key": "@@A@@",\n  "client_email": '
      '"sync@acme-itsm.iam.gserviceaccount.com"\n}', ("pem_json",)),
    T("keys", "k8s tls secret", "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: "
      "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n  tls.key: @@A@@", ("b64_pem",)),
    T("keys", "PGP block", "@@A@@", ("pgp",)),
    T("keys", "age key file", "# created: 2025-01-10T10:00:00Z\n# public key: age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp\n"
      "@@A@@", ("age-secret-key",)),
    T("keys", "discord webhook", "WEBHOOK = 'https://discord.com/api/webhooks/@@A@@'", ("discord_webhook",)),
]

# Provider tokens rotated through variable-name and neutral wrappers.
WRAPPERS: list[tuple[str, str]] = [
    ("env", "{NAME}=@@A@@"),
    ("yaml", "{name}: \"@@A@@\""),
    ("json", '{{"{name}": "@@A@@"}}'),
    ("python", '{NAME} = "@@A@@"'),
    ("node", "const {camel} = '@@A@@';"),
    ("terraform", 'variable "{name}" {{\n  default = "@@A@@"\n}}'),
    ("neutral", 'args = ["--value", "@@A@@"]'),
    ("neutral", "x = '@@A@@'"),
]
ROTATED = [
    "atlassian", "postman", "doppler", "dynatrace", "grafana-service-account", "pulumi", "databricks", "notion",
    "figma", "tailscale", "sentry-auth", "shopify", "telegram-bot", "new-relic", "digitalocean", "supabase", "fly",
    "prefect", "replicate", "perplexity", "langsmith", "pinecone", "terraform-cloud", "bitbucket-app-password",
    "jfrog", "nuget", "square", "brevo", "easypost", "alibaba", "heroku", "planetscale", "clojars", "mapbox",
    "typeform", "shippo", "duffel", "frameio", "adafruit", "yandex", "firebase-fcm-server-key",
    "google-oauth-secret", "google-refresh-token", "okta", "twilio-api-key-sid", "slack-user", "slack-app",
]


@dataclass
class SecretCase:
    id: str
    context: str
    shape: str
    text: str
    values: list[tuple[str, str, str]] = field(default_factory=list)  # (category, kind, value)


def _draw(factory: str, forbidden: str) -> tuple[str, str, str]:
    category, fn = FACTORIES[factory]
    for _ in range(50):
        value = fn()
        if value not in forbidden and len(value) >= 4:
            return category, factory, value
    raise RuntimeError(f"cannot draw a unique value for {factory}")


def _fill(text: str, a: str, b: str | None) -> tuple[str, list[tuple[str, str, str]]]:
    skeleton = text
    for ph in ("@@A@@", "@@B@@", "@@X@@", "@@K@@"):
        skeleton = skeleton.replace(ph, "\x00")
    values: list[tuple[str, str, str]] = []
    va = _draw(a, skeleton)
    values.append(va)
    out = text.replace("@@A@@", va[2])
    if "@@B@@" in text:
        assert b is not None
        vb = _draw(b, skeleton + va[2])
        values.append(vb)
        out = out.replace("@@B@@", vb[2])
    out = out.replace("@@X@@", G.s(HEX, 32)).replace("@@K@@", G.s(HEX, 40))  # identifiers, not scored
    for _, _, v in values:
        if out.count(v) != 1:
            raise RuntimeError(f"value not unique in snippet: {text[:40]!r}")
    return out, values


def build_secret_cases() -> list[SecretCase]:
    cases: list[SecretCase] = []
    for t in TEMPLATES:
        for a in t.a:
            text, values = _fill(t.text, a, t.b)
            cases.append(SecretCase(f"s{len(cases):03d}", t.context, t.shape, text, values))
    for i, provider in enumerate(ROTATED):
        wctx, wrapper = WRAPPERS[i % len(WRAPPERS)]
        name = provider.replace("-", "_") + "_token"
        camel = "".join(p.capitalize() if j else p for j, p in enumerate(name.split("_")))
        text = wrapper.format(NAME=name.upper(), name=name, camel=camel)
        filled, values = _fill(text, provider, None)
        cases.append(SecretCase(f"s{len(cases):03d}", f"rotated-{wctx}", f"{provider} in {wctx}", filled, values))
    return cases


# ---------------------------------------------------------------------------------------------------------------
# Ordinary snippets
# ---------------------------------------------------------------------------------------------------------------

KEYWORDS = re.compile(r"(?i)password|passwd|secret|token|key|auth|credential|cookie|session")
LITERAL_ASSIGN = re.compile(
    r"""(?i)(pass(word|wd)?|secret|token|api_?key|credential|auth)\w*["']?\s*[:=]\s*[bru]?["']([^"'\s]{6,})["']"""
)
URL_CREDS = re.compile(r"://[^/\s:@]+:[^@\s/]+@")
LONG_RANDOM = re.compile(r"[A-Za-z0-9+/=_\-]{32,}")
KNOWN_PREFIX = re.compile(r"\b(ghp_|gho_|github_pat_|glpat-|xox[abp]-|sk-|AKIA|AIza|eyJ[A-Za-z0-9_-]{10,}\.)")


def _credential_reason(window: str) -> str | None:
    """Why a library window holds a literal credential (and is dropped), or None."""
    if "PRIVATE KEY" in window and "-----BEGIN" in window:
        return "private-key block"
    if URL_CREDS.search(window):
        return "credentials in URL"
    if KNOWN_PREFIX.search(window):
        return "provider-token shape"
    for m in LITERAL_ASSIGN.finditer(window):
        v = m.group(3)
        if re.fullmatch(r"[a-z_][a-z0-9_.\-]*", v) or v.startswith(("http", "%", "{", "$", "<", "/")):
            continue  # an identifier, a URL or a placeholder
        if re.search(r"\d", v) and re.search(r"[A-Za-z]", v):
            return "literal credential-like value"
    for m in LONG_RANDOM.finditer(window):
        tok = m.group()
        if re.search(r"\d", tok) and re.search(r"[a-z]", tok) and re.search(r"[A-Z]", tok):
            return "long random literal"
    return None


def extract_windows(pkg_dir: Path) -> tuple[list[dict[str, str]], Counter[str]]:
    windows: list[dict[str, str]] = []
    dropped: Counter[str] = Counter()
    for wheel in sorted(pkg_dir.glob("*.whl")):
        rng = random.Random(f"{SEED}:{wheel.name}")
        dist = wheel.name.split("-")[0] + "==" + wheel.name.split("-")[1]
        candidates: list[tuple[str, int, list[str]]] = []
        with zipfile.ZipFile(wheel) as zf:
            for name in sorted(zf.namelist()):
                low = name.lower()
                if not name.endswith(".py") or "/tests/" in low or "/test/" in low or "test_" in low.rsplit("/", 1)[-1]:
                    continue
                if "conftest" in low or "/testing/" in low:
                    continue
                lines = zf.read(name).decode("utf-8", "replace").splitlines()
                for i, line in enumerate(lines):
                    if KEYWORDS.search(line) and line.strip():
                        candidates.append((name, i, lines))
        rng.shuffle(candidates)
        taken = 0
        seen: set[str] = set()
        for name, i, lines in candidates:
            if taken >= WINDOWS_PER_PACKAGE:
                break
            k = rng.randint(1, 6)
            start = max(0, i - rng.randint(0, k - 1))
            text = "\n".join(lines[start : start + k]).rstrip()
            if not text.strip() or text in seen:
                continue
            reason = _credential_reason(text)
            if reason:
                dropped[reason] += 1
                continue
            seen.add(text)
            windows.append({"source": f"{dist}:{name}:{start + 1}", "text": text})
            taken += 1
    return windows, dropped


def rebuild_windows() -> None:
    with tempfile.TemporaryDirectory(prefix="blind2-pkgs-", dir="/tmp") as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d", tmp, *PACKAGES],
            check=True,
        )
        windows, dropped = extract_windows(Path(tmp))
    CORPUS.mkdir(parents=True, exist_ok=True)
    payload = {
        "packages": PACKAGES,
        "seed": SEED,
        "windows_per_package": WINDOWS_PER_PACKAGE,
        "dropped_as_literal_credential": dict(dropped),
        "windows": windows,
    }
    WINDOWS_FILE.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(windows)} windows to {WINDOWS_FILE.relative_to(ROOT)}; dropped {dict(dropped)}")


def _hand_written() -> list[tuple[str, str]]:
    """(source, text): shapes that real projects hold and that carry no secret."""
    g = Gen(SEED + 1)
    h64, h40, h32 = g.s(HEX, 64), g.s(HEX, 40), g.s(HEX, 32)
    u1 = str(uuid.UUID(int=g.rng.getrandbits(128), version=4))
    integrity = "sha512-" + g.b64(64)
    png = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAA" + g.b64(90)
    ssh_pub = "AAAAC3NzaC1lZDI1NTE5AAAAI" + g.b64(32).rstrip("=")
    items = [
        ("hash", f'[[package]]\nname = "bcrypt"\nversion = "4.2.1"\nfiles = [\n    {{file = "bcrypt-4.2.1.tar.gz", '
                 f'hash = "sha256:{h64}"}},\n]'),
        ("hash", f'"node_modules/jsonwebtoken": {{\n  "version": "9.0.2",\n  "integrity": "{integrity}"\n}}'),
        ("hash", f"commit {h40}\nAuthor: Jane Doe <jane@acme.test>\n\n    Session cookie: set SameSite=Lax"),
        ("hash", f"image: ghcr.io/acme/itsm-sync@sha256:{h64}"),
        ("hash", f'<script src="/js/auth.js" integrity="sha384-{g.b64(48)}" crossorigin="anonymous"></script>'),
        ("hash", f"ETag: \"{h32}\"\nSet-Cookie: theme=dark; Path=/; SameSite=Lax"),
        ("hash", f"expected = hashlib.sha1(b'password').hexdigest()  # {h40}"),
        ("uuid", f'TENANT_ID = "{u1}"  # directory id, public'),
        ("uuid", f"INSERT INTO glpi_plugin_sync_runs (uuid, status) VALUES ('{uuid.UUID(int=g.rng.getrandbits(128))}', "
                 "'ok');"),
        ("url", "GLPI_URL = 'https://support.acme.test/apirest.php'\nresp = session.get(f'{GLPI_URL}/initSession')"),
        ("url", "DATABASE_URL = 'postgresql://db.internal:5432/itsm'"),
        ("url", "sqlalchemy.url = driver://user:pass@localhost/dbname"),
        ("url", "spring.datasource.url=jdbc:mysql://db:3306/itsm?useSSL=true&serverTimezone=UTC"),
        ("translation", 'msgid "Password"\nmsgstr "Mot de passe"\n\nmsgid "Forgotten password?"\nmsgstr '
                        '"Mot de passe oublié ?"'),
        ("translation", "'password_forget' => __('Forgotten password?'),\n'token_expired' => __('Your session has "
                        "expired'),"),
        ("translation", '"auth.password.too_short": "La contraseña debe tener al menos 8 caracteres",'),
        ("orm", "password = models.CharField(_('password'), max_length=128)\nlast_login = models.DateTimeField("
                "blank=True, null=True)"),
        ("orm", "$table->string('password');\n$table->rememberToken();\n$table->string('api_token', 80)->unique()"
                "->nullable();"),
        ("orm", "api_token = Column(String(64), nullable=False, index=True)\nsecret_hash = Column(LargeBinary)"),
        ("form", '<input type="password" name="password" id="login_password" autocomplete="current-password" '
                 'required>'),
        ("form", "class LoginForm(forms.Form):\n    password = forms.CharField(widget=forms.PasswordInput)"),
        ("validation", "'password' => 'required|string|min:12|confirmed',\n'token' => 'required|uuid',"),
        ("validation", "if len(password) < 12 or password.lower() == password:\n    raise ValueError('weak password')"),
        ("placeholder", "DB_PASSWORD=\nAPI_TOKEN=\nSECRET_KEY="),
        ("placeholder", "password: ${DB_PASSWORD}\napi_key: ${API_KEY:?must be set}"),
        ("placeholder", 'password: "<your-password>"\ntoken: "<paste your token here>"'),
        ("placeholder", 'itsm_db_password: "{{ vault_itsm_db_password }}"'),
        ("placeholder", "sqlalchemy.url = mysql+pymysql://%(DB_USER)s:%(DB_PASS)s@%(DB_HOST)s/itsm"),
        ("placeholder", "- name: Set token\n  ansible.builtin.set_fact:\n    api_token: \"{{ lookup('env', "
                        "'ITSM_API_TOKEN') }}\""),
        ("env-lookup", 'token = os.environ["ITSM_APP_TOKEN"]\npassword = os.getenv("ITSM_DB_PASSWORD")'),
        ("env-lookup", 'String password = System.getenv("DB_PASSWORD");'),
        ("env-lookup", "const token = process.env.API_TOKEN;\nif (!token) throw new Error('API_TOKEN missing');"),
        ("env-lookup", 'secret_key_base = ENV.fetch("SECRET_KEY_BASE")'),
        ("env-lookup", 'var conn = Environment.GetEnvironmentVariable("ConnectionStrings__Default");'),
        ("env-lookup", 'password := os.Getenv("DB_PASSWORD")\nif password == "" '
                  '{\n\tlog.Fatal("DB_PASSWORD unset")\n}'),
        ("env-lookup", '@Value("${spring.datasource.password}")\nprivate String password;'),
        ("env-lookup", 'var key = builder.Configuration["Jwt:Key"];'),
        ("env-lookup", "password = Rails.application.credentials.dig(:aws, :secret_access_key)"),
        ("glpi-php", "Session::checkRight('config', UPDATE);\n$input['password'] = Auth::getPasswordHash("
                     "$input['password']);"),
        ("glpi-php", "echo Html::hidden('_glpi_csrf_token', ['value' => Session::getNewCSRFToken()]);"),
        ("glpi-php", "$smtp_passwd = (new GLPIKey())->decrypt($CFG_GLPI['smtp_passwd']);"),
        ("glpi-php", "if (!isset($_SESSION['glpiID'])) {\n   Session::redirectIfNotLoggedIn();\n}"),
        ("glpi-php", "$iterator = $DB->request([\n   'SELECT' => ['id', 'name', 'api_token_date'],\n   'FROM'   => "
                     "'glpi_users',\n   'WHERE'  => ['is_active' => 1],\n]);"),
        ("glpi-php", "$auth = new Auth();\nif ($auth->login($_POST['login_name'], $_POST['login_password'])) {\n   "
                     "Auth::redirectIfAuthenticated();\n}"),
        ("log", "[2025-03-12 08:14:02] glpiphplog.WARNING: *** Warning: Undefined array key \"password\" in "
                "/var/www/html/front/login.php at line 54"),
        ("log", '10.0.4.21 - - [12/Mar/2025:08:14:02 +0100] "GET /front/ticket.form.php?id=1234 HTTP/1.1" 200 8812'),
        ("log", "2025-03-04 10:00:01,201 INFO sync.client login ok for user=jdoe session=active tokens_refreshed=3"),
        ("log", "Mar 12 10:00:01 itsm01 sshd[2211]: Accepted publickey for deploy from 10.0.0.5 port 52100 ssh2: "
                "ED25519 SHA256:" + g.b64(32).rstrip("=")),
        ("css-base64", f".logo {{ background: url(data:image/png;base64,{png}); }}"),
        ("ci-yaml", "- name: Deploy\n  env:\n    ITSM_TOKEN: ${{ secrets.ITSM_TOKEN }}\n    AWS_SECRET_ACCESS_KEY: "
                    "${{ secrets.AWS_SECRET_ACCESS_KEY }}\n  run: ./deploy.sh"),
        ("ci-yaml", "variables:\n  DOCKER_AUTH_CONFIG: $DOCKER_AUTH_CONFIG\n  SONAR_TOKEN: $SONAR_TOKEN"),
        ("k8s-ref", "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: itsm-db\n"
                    "        key: password"),
        ("terraform-ref", 'resource "random_password" "db" {\n  length  = 24\n  special = true\n}\n\npassword = '
                          "random_password.db.result"),
        ("terraform-ref", 'provider "aws" {\n  region = var.region\n  access_key = var.access_key\n  secret_key = '
                          "var.secret_key\n}"),
        ("code", "def check_password(raw: str, hashed: bytes) -> bool:\n    return "
                  "bcrypt.checkpw(raw.encode(), hashed)"),
        ("code", "token = secrets.token_urlsafe(32)\nsession['csrf_token'] = token"),
        ("code", "class PasswordResetTokenGenerator:\n    key_salt = 'django.contrib.auth.tokens.PasswordResetToken"
                 "Generator'"),
        ("code", "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\nCSRF_COOKIE_SAMESITE = 'Strict'"),
        ("code", "AUTH_PASSWORD_VALIDATORS = [\n    {'NAME': 'django.contrib.auth.password_validation."
                 "MinimumLengthValidator'},\n]"),
        ("code", "const { token, expiresIn } = await authService.refresh(refreshToken);"),
        ("code", "if err := bcrypt.CompareHashAndPassword(user.PasswordHash, []byte(password)); err != nil {\n\t"
                 "return ErrInvalidCredentials\n}"),
        ("code", "secret = pyotp.random_base32()\nuri = pyotp.totp.TOTP(secret).provisioning_uri(name=email, "
                 "issuer_name='ITSM')"),
        ("code", "key_id = 'kid-2025-01'\nheader = {'alg': 'RS256', 'kid': key_id}"),
        ("code", "color_primary = '#1f6feb'\nversion = '2.63.1'\nsha_short = 'a3f9c21'"),
        ("docs", "Set `ITSM_API_TOKEN` in your environment, then run `make sync`. Never commit the token."),
        ("docs", "The password must be at least 12 characters long and contain a digit."),
        ("public-material", f"ssh-ed25519 {ssh_pub} deploy@ci"),
        ("public-material", f"age1{g.s(BECH32.lower(), 58)}"),
    ]
    return items


@dataclass
class OrdinaryCase:
    id: str
    source: str
    text: str


def build_ordinary_cases() -> tuple[list[OrdinaryCase], dict[str, Any]]:
    if not WINDOWS_FILE.exists():
        rebuild_windows()
    data = json.loads(WINDOWS_FILE.read_text(encoding="utf-8"))
    cases: list[OrdinaryCase] = []
    for w in data["windows"]:
        cases.append(OrdinaryCase(f"o{len(cases):03d}", "pkg:" + w["source"].split(":")[0], w["text"]))
    for source, text in _hand_written():
        cases.append(OrdinaryCase(f"o{len(cases):03d}", "hand:" + source, text))
    meta = {k: data[k] for k in ("packages", "dropped_as_literal_credential")}
    meta["windows"] = len(data["windows"])
    return cases, meta


# ---------------------------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------------------------

FRAGMENT = re.compile(r"[^\s\"'`,;()\[\]{}<>|]{6,}")


def _lines(value: str) -> list[str]:
    parts = re.split(r"\n|\\n", value)
    return [p for p in parts if len(p) >= 16]


def leaked(value: str, out: str) -> bool:
    if value in out:
        return True
    lines = _lines(value)
    return len(lines) > 1 and any(p in out for p in lines)


def partially_leaked(value: str, out: str) -> bool:
    """A half of the value (12 characters or more) survives although the whole does not."""
    if len(value) < 24 or leaked(value, out):
        return False
    half = len(value) // 2
    return value[:half] in out or value[half:] in out


def mask(text: str, values: list[tuple[str, str, str]]) -> str:
    for _, kind, value in sorted(values, key=lambda v: -len(v[2])):
        label = f"<{kind}:{len(value)}>"
        text = text.replace(value, label)
        for p in _lines(value):
            text = text.replace(p, label)

    def frag(m: re.Match[str]) -> str:
        tok = m.group()
        for _, kind, value in values:
            if tok in value or (len(value) >= 6 and value in tok):
                return f"<{kind}:fragment>"
        return tok

    return FRAGMENT.sub(frag, text)


def load_baseline(tmp: Path) -> ModuleType:
    src = subprocess.run(
        ["git", "show", f"{BASELINE_REV}:server/copiloto/cloud/redact.py"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    path = tmp / "redact_721c64a.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("redact_721c64a", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_working_tree() -> ModuleType:
    sys.path.insert(0, str(ROOT / "server"))
    import copiloto.cloud.redact as working

    return working


def _rate(num: int, den: int) -> float:
    return round(100.0 * num / den, 2) if den else 0.0


def evaluate(redact: Callable[[str], Any], secrets: list[SecretCase], ordinary: list[OrdinaryCase]) -> dict[str, Any]:
    total = removed = partial = 0
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_ctx: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[dict[str, Any]] = []
    partials: list[dict[str, Any]] = []
    found: Counter[str] = Counter()
    for case in secrets:
        result = redact(case.text)
        out: str = result.text
        found.update(result.found)
        for category, kind, value in case.values:
            ok = not leaked(value, out)
            total += 1
            removed += ok
            for tally, key in ((by_cat, category), (by_ctx, case.context), (by_kind, kind)):
                tally[key][0] += ok
                tally[key][1] += 1
            entry = {
                "id": case.id, "context": case.context, "shape": case.shape, "category": category, "kind": kind,
                "value": f"<{kind}:{len(value)}>", "input": mask(case.text, case.values),
                "output": mask(out, case.values),
            }
            if not ok:
                misses.append(entry)
            elif partially_leaked(value, out):
                partial += 1
                partials.append(entry)
    altered = 0
    by_src: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fps: list[dict[str, Any]] = []
    for o in ordinary:
        out = redact(o.text).text
        changed = out != o.text
        altered += changed
        by_src[o.source][0] += changed
        by_src[o.source][1] += 1
        if changed:
            fps.append({"id": o.id, "source": o.source, "input": o.text, "output": out})

    def table(d: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
        return {k: {"hit": v[0], "n": v[1], "pct": _rate(v[0], v[1])} for k, v in sorted(d.items())}

    return {
        "secret_values": total,
        "removed": removed,
        "recall_pct": _rate(removed, total),
        "partial_leaks_among_removed": partial,
        "ordinary_snippets": len(ordinary),
        "altered": altered,
        "fp_pct": _rate(altered, len(ordinary)),
        "recall_by_category": table(by_cat),
        "recall_by_context": table(by_ctx),
        "recall_by_kind": table(by_kind),
        "fp_by_source": table(by_src),
        "found_kinds": dict(found.most_common()),
        "misses": misses,
        "partial_leaks": partials,
        "false_positives": fps,
    }


def _summary(name: str, r: dict[str, Any]) -> None:
    print(f"\n== {name}")
    print(f"  secrets: {r['removed']}/{r['secret_values']} values removed = {r['recall_pct']} %"
          f"  (partial leaks among removed: {r['partial_leaks_among_removed']})")
    print(f"  ordinary: {r['altered']}/{r['ordinary_snippets']} altered = {r['fp_pct']} %")
    print("  recall by category: " + ", ".join(
        f"{k} {v['hit']}/{v['n']}" for k, v in r["recall_by_category"].items()))
    print("  recall by context:  " + ", ".join(
        f"{k} {v['hit']}/{v['n']}" for k, v in r["recall_by_context"].items()))
    fp_groups = Counter(fp["source"].split(":")[0] + ":" + fp["source"].split(":")[1] for fp in r["false_positives"])
    print(f"  false positives by source: {dict(fp_groups)}")
    miss_shapes = Counter(f"{m['context']}/{m['shape']}/{m['kind']}" for m in r["misses"])
    for shape, n in sorted(miss_shapes.items()):
        print(f"    miss: {shape} x{n}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="download the packages again and re-extract windows")
    parser.add_argument("--out", type=Path, default=None, help="result file (default: bench/results/...)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the secret values (to see the draw's spread)")
    args = parser.parse_args()
    G.rng.seed(args.seed)
    if args.rebuild:
        rebuild_windows()
    secrets = build_secret_cases()
    ordinary, meta = build_ordinary_cases()
    print(f"corpus: {len(secrets)} secret-bearing snippets ({sum(len(c.values) for c in secrets)} values), "
          f"{len(ordinary)} ordinary snippets ({meta['windows']} package windows)")
    working = load_working_tree()
    arms: dict[str, Any] = {"working-tree": evaluate(working.redact, secrets, ordinary)}
    with tempfile.TemporaryDirectory(prefix="blind2-baseline-") as tmp:
        baseline = load_baseline(Path(tmp))
        arms[BASELINE_REV] = evaluate(baseline.redact, secrets, ordinary)
    for name, r in arms.items():
        _summary(name, r)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    report = {
        "bench": "blind2-redaction",
        "date": datetime.date.today().isoformat(),
        "head": head.strip(),
        "seed": args.seed,
        "targets": {"recall_pct_min": 98.0, "fp_pct_max": 3.0},
        "corpus": {
            "secret_snippets": len(secrets),
            "secret_values": sum(len(c.values) for c in secrets),
            "ordinary_snippets": len(ordinary),
            "ordinary_package_windows": meta["windows"],
            "ordinary_hand_written": len(ordinary) - meta["windows"],
            "packages": meta["packages"],
            "windows_dropped_as_literal_credential": meta["dropped_as_literal_credential"],
        },
        "arms": arms,
    }
    out = args.out or RESULTS / f"blind2-redaction-{report['date']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
