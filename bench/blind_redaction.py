"""A second blind corpus for secret redaction: a number to report, nothing to tune on.

Built without reading the redaction code under test, its corpora or its other benches. Two halves:

- ~200 secret-bearing snippets in shapes that real repositories and logs hold (PHP application configs —
  GLPI, Drupal, Joomla, Magento, Laravel, WordPress —, .env files, Rails/Symfony/Helm/CI/Ansible YAML,
  dot-files and INI configs, JSON and XML configs, connection URIs, client code in several languages,
  provider tokens in the formats public secret scanners document, key material, logs, HTTP dumps, shell
  history). Every value comes from a fixed-seed generator at run time; provider prefixes are assembled in code.
- ~200 ordinary snippets: 1-6-line windows of real code from packages downloaded with `pip download --no-deps`
  (stored in bench/corpus/blind/packages.json with their origin; `--resample DIR` rebuilds that file from the
  wheels in DIR), plus hand-written shapes that real projects hold (hashes, UUIDs, plain URLs, translations,
  form and ORM fields, validation rules, placeholders, env lookups, GLPI code, clean log lines, base64 images).

A secret counts as removed when its exact value no longer appears in the output; an ordinary snippet counts as
altered when the output differs from the input. The same corpus is run through the working tree's
`copiloto.cloud.redact.redact` and through the original module at git revision 721c64a.

    .venv/bin/python bench/blind_redaction.py            # writes bench/results/blind-redaction-<date>.json
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
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
CORPUS_DIR = ROOT / "bench" / "corpus" / "blind"
PACKAGES_FILE = CORPUS_DIR / "packages.json"
RESULTS_DIR = ROOT / "bench" / "results"
BASELINE_REV = "721c64a"
SEED = 20261207

# --------------------------------------------------------------------------------------------------------------
# Value generators (fixed seed)
# --------------------------------------------------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = string.ascii_letters + string.digits + "+/"
B64URL = string.ascii_letters + string.digits + "-_"
HUMAN_PASSWORDS = (
    "Summer2024!",
    "glpi",
    "admin123",
    "P@ssw0rd",
    "Welcome1",
    "Azerty123",
    "Motdepasse1!",
    "Glpi2023!",
    "Helpdesk#2022",
    "Ch@ngeMe123",
    "qwerty123",
    "letmein",
    "toor",
    "Bonjour2023",
    "Soleil#88",
    "Passw0rd!",
    "Hiver2025*",
    "Support01",
    "Rh3lpd3sk!",
    "Printemps2024",
    "Jenkins!2023",
    "Mysql_root1",
    "Octobre10!",
)


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def s(self, n: int, alphabet: str = ALNUM) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def hex(self, n: int) -> str:
        return self.s(n, HEX)

    def choice(self, items: Any) -> Any:
        return self.r.choice(items)

    def randint(self, a: int, b: int) -> int:
        return self.r.randint(a, b)

    def human(self) -> str:
        return str(self.r.choice(HUMAN_PASSWORDS))

    def random_pw(self, n: int | None = None, symbols: str = "!#%*+-_.@^~") -> str:
        n = n or self.r.randint(10, 22)
        alphabet = ALNUM + symbols
        while True:
            value = self.s(n, alphabet)
            if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
                return value

    def url_pw(self) -> str:
        """A password that can sit in a URL's userinfo without escaping."""
        return (
            self.random_pw(symbols="-_.~")
            if self.r.random() < 0.6
            else self.choice(
                ("glpi", "admin123", "Welcome1", "letmein", "Azerty123", "toor", "Support01", "Printemps2024")
            )
        )

    def any_pw(self) -> str:
        return self.human() if self.r.random() < 0.5 else self.random_pw()

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(nbytes))).decode()

    def b64url(self, nbytes: int) -> str:
        return base64.urlsafe_b64encode(bytes(self.r.getrandbits(8) for _ in range(nbytes))).decode().rstrip("=")

    def user(self) -> str:
        return str(
            self.choice(
                (
                    "glpi_user",
                    "svc_helpdesk",
                    "dbadmin",
                    "appuser",
                    "jdupont",
                    "m.martin",
                    "backup",
                    "reporting",
                    "helpdesk",
                    "sa",
                    "deploy",
                    "nagios",
                    "zabbix",
                    "webapp",
                    "etl",
                )
            )
        )

    def host(self) -> str:
        return str(
            self.choice(
                (
                    "localhost",
                    "127.0.0.1",
                    "db.internal",
                    "mysql01.corp.local",
                    "10.20.0.14",
                    "glpi-db",
                    "pg.prod.example.org",
                    "sql.helpdesk.lan",
                    "mariadb",
                )
            )
        )

    def jwt(self) -> str:
        header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
        payload = json.dumps(
            {
                "sub": str(self.randint(1000, 99999)),
                "name": "Jean Dupont",
                "iat": 1733500000 + self.randint(0, 10**6),
                "scope": "tickets:write",
            },
            separators=(",", ":"),
        )
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{header}.{body}.{self.b64url(32)}"


def tok_github(g: Gen) -> str:
    return g.choice(("gh" + "p_", "gh" + "o_", "gh" + "s_", "gh" + "u_")) + g.s(36)


def tok_github_fine(g: Gen) -> str:
    return "github" + "_pat_" + g.s(22) + "_" + g.s(59)


def tok_gitlab(g: Gen) -> str:
    return "glp" + "at-" + g.s(20, ALNUM + "-_")


def tok_slack(g: Gen) -> str:
    return "xox" + g.choice(("b-", "p-")) + f"{g.randint(10**10, 10**11)}-{g.randint(10**11, 10**12)}-" + g.s(24)


def tok_stripe(g: Gen) -> str:
    return g.choice(("sk" + "_live_", "rk" + "_live_")) + g.s(g.choice((24, 99)))


def tok_aws_id(g: Gen) -> str:
    return "AK" + "IA" + g.s(16, string.ascii_uppercase + "234567")


def tok_aws_secret(g: Gen) -> str:
    return g.s(40, ALNUM + "+/")


def tok_google(g: Gen) -> str:
    return "AI" + "za" + g.s(35, ALNUM + "-_")


def tok_sendgrid(g: Gen) -> str:
    return "S" + "G." + g.s(22, ALNUM + "-_") + "." + g.s(43, ALNUM + "-_")


def tok_twilio(g: Gen) -> str:
    return "S" + "K" + g.hex(32)


def tok_npm(g: Gen) -> str:
    return "np" + "m_" + g.s(36)


def tok_pypi(g: Gen) -> str:
    return "pyp" + "i-AgEIcHlwaS5vcmc" + g.s(120, ALNUM + "-_")


def tok_openai(g: Gen) -> str:
    return "sk-" + "proj-" + g.s(64, ALNUM + "-_") + "T3Blbk" + "FJ" + g.s(64, ALNUM + "-_")


def tok_anthropic(g: Gen) -> str:
    return "sk-" + "ant-api03-" + g.s(93, ALNUM + "-_") + "AA"


def tok_hf(g: Gen) -> str:
    return "h" + "f_" + g.s(34, string.ascii_letters)


def tok_mailgun(g: Gen) -> str:
    return "key-" + g.hex(32)


def tok_mailchimp(g: Gen) -> str:
    return g.hex(32) + f"-us{g.randint(1, 21)}"


def tok_do(g: Gen) -> str:
    return "dop" + "_v1_" + g.hex(64)


def tok_shopify(g: Gen) -> str:
    return "shp" + "at_" + g.hex(32)


def tok_telegram(g: Gen) -> str:
    return f"{g.randint(10**8, 10**10)}:" + "AA" + g.s(33, ALNUM + "-_")


def tok_dockerhub(g: Gen) -> str:
    return "dckr" + "_pat_" + g.s(27, ALNUM + "-_")


def tok_grafana(g: Gen) -> str:
    return "gl" + "sa_" + g.s(32) + "_" + g.hex(8)


def tok_postman(g: Gen) -> str:
    return "PMAK-" + g.hex(24) + "-" + g.hex(34)


def tok_vault(g: Gen) -> str:
    return "hv" + "s." + g.s(24, ALNUM + "-_")


def tok_databricks(g: Gen) -> str:
    return "dap" + "i" + g.hex(32)


def tok_newrelic(g: Gen) -> str:
    return "NR" + "AK-" + g.s(27, string.ascii_uppercase + string.digits)


def tok_age(g: Gen) -> str:
    return "AGE-SECRET" + "-KEY-1" + g.s(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")


def tok_azure_storage(g: Gen) -> str:
    return g.b64(64)


def tok_azure_client_secret(g: Gen) -> str:
    return g.s(3) + "8Q~" + g.s(31, ALNUM + "-_.~")


def tok_okta(g: Gen) -> str:
    return "00" + g.s(40, ALNUM + "-_")


def tok_linear(g: Gen) -> str:
    return "lin" + "_api_" + g.s(40)


def tok_doppler(g: Gen) -> str:
    return "dp" + ".pt." + g.s(43)


def tok_square(g: Gen) -> str:
    return "sq0" + "atp-" + g.s(22, ALNUM + "-_")


def tok_atlassian(g: Gen) -> str:
    return "ATATT" + "3xFfGF0" + g.s(180, ALNUM + "-_") + "=" + g.hex(8).upper()


def tok_firebase(g: Gen) -> str:
    return "AAAA" + g.s(7, ALNUM + "-_") + ":APA91b" + g.s(134, ALNUM + "-_")


PROVIDERS: dict[str, Callable[[Gen], str]] = {
    "github": tok_github,
    "github-fine": tok_github_fine,
    "gitlab": tok_gitlab,
    "slack": tok_slack,
    "stripe": tok_stripe,
    "aws-secret": tok_aws_secret,
    "google-api": tok_google,
    "sendgrid": tok_sendgrid,
    "twilio": tok_twilio,
    "npm": tok_npm,
    "pypi": tok_pypi,
    "openai": tok_openai,
    "anthropic": tok_anthropic,
    "huggingface": tok_hf,
    "mailgun": tok_mailgun,
    "mailchimp": tok_mailchimp,
    "digitalocean": tok_do,
    "shopify": tok_shopify,
    "telegram": tok_telegram,
    "dockerhub": tok_dockerhub,
    "grafana": tok_grafana,
    "postman": tok_postman,
    "vault": tok_vault,
    "databricks": tok_databricks,
    "newrelic": tok_newrelic,
    "age": tok_age,
    "azure-storage": tok_azure_storage,
    "azure-client-secret": tok_azure_client_secret,
    "okta": tok_okta,
    "linear": tok_linear,
    "doppler": tok_doppler,
    "square": tok_square,
    "atlassian": tok_atlassian,
    "firebase": tok_firebase,
}


def pem_body(g: Gen, nlines: int = 6) -> list[str]:
    return [g.s(64, B64) for _ in range(nlines - 1)] + [g.s(g.randint(20, 60), B64) + "=="]


# --------------------------------------------------------------------------------------------------------------
# Snippet templates: «name» markers are filled with Sec (a secret) or plain strings
# --------------------------------------------------------------------------------------------------------------


class Collision(ValueError):
    """A secret value that also appears elsewhere in its snippet: its removal could not be measured."""


@dataclass(frozen=True)
class Sec:
    kind: str
    value: str


@dataclass
class Case:
    id: str
    category: str
    context: str
    text: str
    secrets: list[Sec] = field(default_factory=list)


_MARK = re.compile(r"«(\w+)»")


def T(template: str, **fill: Sec | str) -> tuple[str, list[Sec]]:
    names = _MARK.findall(template)
    missing = [n for n in names if n not in fill]
    if missing:
        raise KeyError(missing)
    secrets = [v for v in fill.values() if isinstance(v, Sec)]

    def render(hide: Sec | None) -> str:
        def one(m: re.Match[str]) -> str:
            v = fill[m.group(1)]
            if isinstance(v, Sec):
                return "\x01" if v is hide else v.value
            return v

        return _MARK.sub(one, template)

    text = render(None)
    for sec in secrets:  # the value must appear only where it was planted, or the measure would be ambiguous
        if sec.value in render(sec):
            raise Collision(f"secret value collides with its context in {template[:60]!r}")
    return text, secrets


Template = Callable[[Gen], tuple[str, list[Sec]]]
TEMPLATES: list[tuple[str, str, int, Template]] = []


def tpl(category: str, context: str, n: int = 2) -> Callable[[Template], Template]:
    def deco(fn: Template) -> Template:
        TEMPLATES.append((category, context, n, fn))
        return fn

    return deco


def pw_sec(g: Gen, value: str | None = None) -> Sec:
    v = value if value is not None else g.any_pw()
    return Sec("password-human" if v in HUMAN_PASSWORDS else "password-random", v)


# ---- PHP application configs ---------------------------------------------------------------------------------


@tpl("php-config", "glpi config_db.php", 4)
def _glpi_config_db(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "<?php\nclass DB extends DBmysql {\n   public $dbhost = '«h»';\n   public $dbuser = '«u»';\n"
        "   public $dbpassword = '«p»';\n   public $dbdefault = 'glpidb';\n   public $use_utf8mb4 = true;\n"
        "   public $allow_myisam = false;\n}\n",
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
    )


@tpl("php-config", "glpi config_db.php (rawurlencoded)", 2)
def _glpi_config_db_enc(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "<?php\nclass DB extends DBmysql {\n   public $dbhost     = '«h»';\n   public $dbuser     = 'glpi';\n"
        "   public $dbpassword = '«p»';\n   public $dbdefault  = 'glpi_prod';\n}\n",
        h=g.host(),
        p=Sec("password-random", g.random_pw(symbols="%")),
    )


@tpl("php-config", "drupal settings.php", 3)
def _drupal(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "$databases['default']['default'] = [\n  'database' => 'drupal',\n  'username' => '«u»',\n"
        "  'password' => '«p»',\n  'prefix' => '',\n  'host' => '«h»',\n  'port' => '3306',\n"
        "  'driver' => 'mysql',\n];\n$settings['hash_salt'] = '«s»';\n",
        u=g.user(),
        p=pw_sec(g),
        h=g.host(),
        s=Sec("hash-salt", g.b64url(55)),
    )


@tpl("php-config", "joomla configuration.php", 3)
def _joomla(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "class JConfig {\n\tpublic $dbtype = 'mysqli';\n\tpublic $host = '«h»';\n\tpublic $user = '«u»';\n"
        "\tpublic $password = '«p»';\n\tpublic $db = 'joomla';\n\tpublic $dbprefix = 'jos_';\n"
        "\tpublic $secret = '«s»';\n\tpublic $smtppass = '«m»';\n}\n",
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
        s=Sec("app-secret", g.s(16)),
        m=pw_sec(g),
    )


@tpl("php-config", "magento app/etc/env.php", 2)
def _magento(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "    'crypt' => [\n        'key' => '«k»'\n    ],\n    'db' => [\n        'table_prefix' => '',\n"
        "        'connection' => [\n            'default' => [\n                'host' => '«h»',\n"
        "                'dbname' => 'magento',\n                'username' => '«u»',\n"
        "                'password' => '«p»',\n                'active' => '1',\n",
        k=Sec("hex-key", g.hex(32)),
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
    )


@tpl("php-config", "laravel config/database.php", 2)
def _laravel_db(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "        'mysql' => [\n            'driver' => 'mysql',\n            'host' => env('DB_HOST', '«h»'),\n"
        "            'database' => env('DB_DATABASE', 'forge'),\n            'username' => env('DB_USERNAME', "
        "'«u»'),\n            'password' => env('DB_PASSWORD', '«p»'),\n",
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
    )


@tpl("php-config", "wordpress wp-config.php", 2)
def _wordpress(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "define( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', '«u»' );\ndefine( 'DB_PASSWORD', '«p»' );\n"
        "define( 'DB_HOST', '«h»' );\ndefine( 'AUTH_KEY',         '«k»' );\n",
        u=g.user(),
        p=pw_sec(g),
        h=g.host(),
        k=Sec("wp-salt", g.s(64, ALNUM + "!#%*+-_.@^~<>[]|:;")),
    )


@tpl("php-config", "php mail/ldap settings array", 2)
def _php_smtp(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "$config['smtp_host'] = 'smtp.office365.com';\n$config[\"smtp_user\"] = 'helpdesk@example.org';\n"
        "$config[\"smtp_pass\"] = \"«p»\";\n$config['ldap_bind_pw'] = '«l»';\n",
        p=pw_sec(g),
        l=pw_sec(g),
    )


# ---- .env files ------------------------------------------------------------------------------------------------


@tpl("env", "laravel .env", 3)
def _laravel_env(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "APP_NAME=Helpdesk\nAPP_ENV=production\nAPP_KEY=base64:«k»\nAPP_DEBUG=false\n\nDB_CONNECTION=mysql\n"
        "DB_HOST=«h»\nDB_PORT=3306\nDB_DATABASE=helpdesk\nDB_USERNAME=«u»\nDB_PASSWORD=«p»\n\n"
        "MAIL_MAILER=smtp\nMAIL_PASSWORD=«m»\n",
        k=Sec("base64-key", g.b64(32)),
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
        m=pw_sec(g),
    )


@tpl("env", "symfony .env.local", 3)
def _symfony_env(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "###> symfony/framework-bundle ###\nAPP_ENV=prod\nAPP_SECRET=«s»\n###< symfony/framework-bundle ###\n"
        'DATABASE_URL="mysql://«u»:«p»@«h»:3306/app?serverVersion=8.0&charset=utf8mb4"\n'
        "MAILER_DSN=smtp://support%40example.org:«m»@smtp.example.org:587\n",
        s=Sec("hex-key", g.hex(32)),
        u=g.user(),
        p=pw_sec(g, g.url_pw()),
        h=g.host(),
        m=pw_sec(g, g.url_pw()),
    )


@tpl("env", "docker/compose .env with provider tokens", 4)
def _env_tokens(g: Gen) -> tuple[str, list[Sec]]:
    k1, k2 = g.r.sample(sorted(PROVIDERS), 2)
    n1 = g.choice(("GITHUB_TOKEN", "API_TOKEN", "SERVICE_KEY", "ACCESS_TOKEN", "CI_TOKEN", "PROVIDER_KEY"))
    n2 = g.choice(("SECOND_KEY", "NOTIFY_TOKEN", "BACKUP_CREDENTIAL", "WEBHOOK_SECRET", "INTEGRATION_KEY"))
    quote = g.choice(("", '"', "'"))
    return T(
        f"# generated\nCOMPOSE_PROJECT_NAME=helpdesk\n{n1}={quote}«a»{quote}\nexport {n2}={quote}«b»{quote}\n",
        a=Sec(k1, PROVIDERS[k1](g)),
        b=Sec(k2, PROVIDERS[k2](g)),
    )


@tpl("env", "django .env / settings", 2)
def _django_env(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "DJANGO_SECRET_KEY='«k»'\nDATABASE_URL=postgres://«u»:«p»@«h»:5432/helpdesk\nEMAIL_HOST_PASSWORD=«m»\n",
        k=Sec("django-secret", g.s(50, string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)")),
        u=g.user(),
        p=pw_sec(g, g.url_pw()),
        h=g.host(),
        m=pw_sec(g),
    )


# ---- YAML -----------------------------------------------------------------------------------------------------


@tpl("yaml", "rails database.yml", 3)
def _rails_db(g: Gen) -> tuple[str, list[Sec]]:
    q = g.choice(("", '"', "'"))
    return T(
        f"production:\n  <<: *default\n  database: app_production\n  username: «u»\n  password: {q}«p»{q}\n"
        f"  host: «h»\n",
        u=g.user(),
        p=pw_sec(g),
        h=g.host(),
    )


@tpl("yaml", "rails credentials.yml (decrypted)", 2)
def _rails_creds(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "secret_key_base: «k»\naws:\n  access_key_id: «a»\n  secret_access_key: «s»\nsmtp:\n  password: «p»\n",
        k=Sec("hex-key", g.hex(128)),
        a=Sec("aws-key-id", tok_aws_id(g)),
        s=Sec("aws-secret", tok_aws_secret(g)),
        p=pw_sec(g),
    )


@tpl("yaml", "symfony parameters.yml", 2)
def _symfony_params(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "parameters:\n    database_host: «h»\n    database_port: null\n    database_name: symfony\n"
        "    database_user: «u»\n    database_password: «p»\n    mailer_transport: smtp\n"
        "    mailer_password: «m»\n    secret: «s»\n",
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
        m=pw_sec(g),
        s=Sec("hex-key", g.hex(40)),
    )


@tpl("yaml", "helm values.yaml", 3)
def _helm(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "mariadb:\n  enabled: true\n  auth:\n    rootPassword: «r»\n    username: glpi\n    password: «p»\n"
        '    database: glpi\nredis:\n  auth:\n    enabled: true\n    password: "«x»"\n',
        r=pw_sec(g),
        p=pw_sec(g),
        x=Sec("password-random", g.random_pw(24, "")),
    )


@tpl("yaml", "gitlab-ci / github actions variables", 3)
def _ci_yaml(g: Gen) -> tuple[str, list[Sec]]:
    k = g.choice(sorted(PROVIDERS))
    return T(
        "variables:\n  DOCKER_DRIVER: overlay2\n  DEPLOY_TOKEN: «t»\n  MYSQL_ROOT_PASSWORD: «p»\n\n"
        "deploy:\n  stage: deploy\n  script:\n    - ./deploy.sh\n",
        t=Sec(k, PROVIDERS[k](g)),
        p=pw_sec(g),
    )


@tpl("yaml", "ansible inventory / group_vars", 3)
def _ansible(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "[glpi_servers]\nglpi01 ansible_host=10.0.3.21 ansible_user=«u» ansible_ssh_pass=«p» ansible_become_pass=«b»\n",
        u=g.user(),
        p=pw_sec(g),
        b=pw_sec(g),
    )


@tpl("yaml", "ansible group_vars yaml", 2)
def _ansible_yaml(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        'glpi_db_name: glpi\nglpi_db_user: «u»\nglpi_db_password: «p»\nmysql_root_password: "«r»"\n'
        "glpi_api_app_token: «a»\n",
        u=g.user(),
        p=pw_sec(g),
        r=pw_sec(g),
        a=Sec("glpi-app-token", g.s(40)),
    )


@tpl("yaml", "docker-compose environment", 3)
def _compose(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "services:\n  db:\n    image: mariadb:10.11\n    environment:\n      - MARIADB_ROOT_PASSWORD=«r»\n"
        "      - MARIADB_USER=glpi\n      - MARIADB_PASSWORD=«p»\n  glpi:\n    image: diouxx/glpi\n",
        r=pw_sec(g),
        p=pw_sec(g),
    )


@tpl("yaml", "kubernetes secret stringData", 2)
def _k8s(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: glpi-db\ntype: Opaque\nstringData:\n"
        "  DB_PASS: «p»\n  api-token: «t»\n",
        p=pw_sec(g),
        t=Sec("random-token", g.s(32)),
    )


@tpl("yaml", "spring application.yml", 2)
def _spring(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "spring:\n  datasource:\n    url: jdbc:mysql://«h»:3306/cmdb\n    username: «u»\n    password: «p»\n"
        "  mail:\n    password: «m»\n",
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
        m=pw_sec(g),
    )


# ---- INI / dot-files -------------------------------------------------------------------------------------------


@tpl("ini", "~/.aws/credentials", 3)
def _aws(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "[default]\naws_access_key_id = «a»\naws_secret_access_key = «s»\nregion = eu-west-3\n",
        a=Sec("aws-key-id", tok_aws_id(g)),
        s=Sec("aws-secret", tok_aws_secret(g)),
    )


@tpl("ini", ".s3cfg", 2)
def _s3cfg(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "[default]\naccess_key = «a»\nsecret_key = «s»\nhost_base = s3.fr-par.scw.cloud\nuse_https = True\n",
        a=Sec("s3-access-key", g.s(20, string.ascii_uppercase + string.digits)),
        s=Sec("uuid-secret", g.uuid()),
    )


@tpl("ini", "rclone.conf", 2)
def _rclone(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "[backup]\ntype = sftp\nhost = nas.lan\nuser = «u»\npass = «p»\n\n[b2]\ntype = b2\naccount = «a»\nkey = «k»\n",
        u=g.user(),
        p=Sec("rclone-obscured", g.b64url(24)),
        a=g.hex(12),
        k=Sec("random-token", g.s(31)),
    )


@tpl("ini", "msmtprc / fetchmailrc", 3)
def _msmtp(g: Gen) -> tuple[str, list[Sec]]:
    if g.r.random() < 0.5:
        return T(
            "account helpdesk\nhost smtp.example.org\nport 587\nauth on\nuser glpi@example.org\n"
            "password «p»\nfrom glpi@example.org\n",
            p=pw_sec(g),
        )
    return T(
        'poll imap.example.org protocol IMAP\n  user "support@example.org" there with password "«p»" '
        "is glpi here\n  ssl\n",
        p=pw_sec(g),
    )


@tpl("ini", "openvpn auth-user-pass file", 2)
def _ovpn(g: Gen) -> tuple[str, list[Sec]]:
    return T("«u»\n«p»\n", u=g.choice(("vpn.jdupont", "helpdesk-vpn", "m.martin")), p=pw_sec(g))


@tpl("ini", "odbc.ini / freetds", 2)
def _odbc(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "[GLPI_DSN]\nDriver = MariaDB Unicode\nServer = «h»\nDatabase = glpi\nUser = «u»\nPassword = «p»\n"
        "Port = 3306\n",
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
    )


@tpl("ini", "my.cnf / .pgpass", 3)
def _mycnf(g: Gen) -> tuple[str, list[Sec]]:
    if g.r.random() < 0.5:
        return T("[client]\nuser=«u»\npassword=«p»\nhost=«h»\n", u=g.user(), p=pw_sec(g), h=g.host())
    return T("«h»:5432:helpdesk:«u»:«p»\n", h=g.host(), u=g.user(), p=pw_sec(g, g.random_pw(symbols="!#%*+-_.@^~")))


@tpl("ini", ".git/config remote with token", 3)
def _gitconfig(g: Gen) -> tuple[str, list[Sec]]:
    k = g.choice(("github", "gitlab", "github-fine"))
    user = g.choice(("oauth2", "x-access-token", "gitlab-ci-token", "jdupont"))
    return T(
        '[core]\n\trepositoryformatversion = 0\n\tbare = false\n[remote "origin"]\n'
        "\turl = https://«u»:«t»@git.example.org/helpdesk/glpi-plugins.git\n"
        "\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
        u=user,
        t=Sec(k, PROVIDERS[k](g)),
    )


@tpl("ini", ".npmrc / pip.conf / composer auth", 3)
def _npmrc(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 2)
    if c == 0:
        return T(
            "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=«t»\n", t=Sec("npm", tok_npm(g))
        )
    if c == 1:
        return T(
            "[global]\nindex-url = https://__token__:«t»@nexus.example.org/repository/pypi/simple\n",
            t=Sec("random-token", g.s(32)),
        )
    return T(
        '{\n    "github-oauth": {\n        "github.com": "«t»"\n    },\n    "http-basic": {\n'
        '        "repo.example.org": {"username": "deploy", "password": "«p»"}\n    }\n}\n',
        t=Sec("github", tok_github(g)),
        p=pw_sec(g),
    )


@tpl("ini", "php.ini / glpi ldap ini / generic ini", 2)
def _ini(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        '[ldap]\nhost = ldaps://dc01.corp.local\nbasedn = "DC=corp,DC=local"\n'
        'rootdn = "CN=svc_glpi,OU=Services,DC=corp,DC=local"\nrootdn_passwd = "«p»"\n',
        p=pw_sec(g),
    )


@tpl("ini", "~/.netrc", 2)
def _netrc(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "machine api.github.com login jdupont password «t»\nmachine ftp.example.org\n  login backup\n  password «p»\n",
        t=Sec("github", tok_github(g)),
        p=pw_sec(g),
    )


# ---- JSON / XML --------------------------------------------------------------------------------------------------


@tpl("json", "~/.docker/config.json", 2)
def _docker_cfg(g: Gen) -> tuple[str, list[Sec]]:
    pw = g.any_pw()
    auth = base64.b64encode(f"deploy:{pw}".encode()).decode()
    return T(
        '{\n\t"auths": {\n\t\t"registry.gitlab.com": {\n\t\t\t"auth": "«a»"\n\t\t}\n\t}\n}\n', a=Sec("basic-b64", auth)
    )


@tpl("json", "gcloud service-account json", 2)
def _gcp(g: Gen) -> tuple[str, list[Sec]]:
    body = pem_body(g, 8)
    key = "-----BEGIN PRIVATE KEY-----\\n" + "\\n".join(body) + "\\n-----END PRIVATE KEY-----\\n"
    # private_key_id names the key (it is not a credential): planted as ordinary text, not counted.
    return T(
        '{\n  "type": "service_account",\n  "project_id": "helpdesk-prod",\n'
        '  "private_key_id": "«i»",\n'
        '  "private_key": "«k»",\n  "client_email": "glpi@helpdesk-prod.iam.gserviceaccount.com",\n'
        '  "client_id": "1048293847562910"\n}\n',
        i=g.hex(40),
        k=Sec("private-key", key),
    )


@tpl("json", "appsettings.json connection string", 2)
def _appsettings(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        '{\n  "ConnectionStrings": {\n    "Default": "Server=«h»;Database=Helpdesk;User Id=«u»;Password=«p»;'
        'TrustServerCertificate=True"\n  },\n'
        '  "Smtp": { "Host": "smtp.example.org", "Pass": "«m»" }\n}\n',
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
        m=pw_sec(g),
    )


@tpl("json", "json config with api keys", 3)
def _json_keys(g: Gen) -> tuple[str, list[Sec]]:
    k = g.choice(sorted(PROVIDERS))
    name = g.choice(("apiKey", "api_key", "accessToken", "clientSecret", "token", "secretKey"))
    return T(
        '{"service": "notify", "endpoint": "https://api.example.com/v2", "' + name + '": "«t»", "timeout": 30}\n',
        t=Sec(k, PROVIDERS[k](g)),
    )


@tpl("xml", "web.config / app.config", 2)
def _webconfig(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        '<connectionStrings>\n  <add name="Helpdesk" connectionString="Data Source=«h»;Initial Catalog=HD;'
        'User ID=«u»;Password=«p»" providerName="System.Data.SqlClient" />\n</connectionStrings>\n'
        '<appSettings>\n  <add key="SmtpPassword" value="«m»" />\n</appSettings>\n',
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
        m=pw_sec(g),
    )


@tpl("xml", "maven settings.xml / tomcat-users.xml / NuGet.config", 3)
def _xmls(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 2)
    if c == 0:
        return T(
            "<servers>\n  <server>\n    <id>nexus</id>\n    <username>deploy</username>\n"
            "    <password>«p»</password>\n  </server>\n</servers>\n",
            p=pw_sec(g),
        )
    if c == 1:
        return T(
            '<tomcat-users>\n  <role rolename="manager-gui"/>\n  <user username="tomcat" password="«p»" '
            'roles="manager-gui"/>\n</tomcat-users>\n',
            p=pw_sec(g),
        )
    return T(
        '<packageSourceCredentials>\n  <internal>\n    <add key="Username" value="deploy" />\n'
        '    <add key="ClearTextPassword" value="«p»" />\n  </internal>\n</packageSourceCredentials>\n',
        p=pw_sec(g),
    )


# ---- URIs / connection strings -----------------------------------------------------------------------------------


@tpl("uri", "database / broker URIs", 8)
def _uris(g: Gen) -> tuple[str, list[Sec]]:
    scheme, port, path = g.choice(
        (
            ("mongodb+srv", "", "/glpi?retryWrites=true&w=majority"),
            ("mongodb", ":27017", "/admin?authSource=admin"),
            ("redis", ":6379", "/0"),
            ("rediss", ":6380", "/1"),
            ("amqp", ":5672", "/%2Fhelpdesk"),
            ("https", ":9200", "/_cat/indices"),
            ("postgresql", ":5432", "/cmdb"),
            ("mysql+pymysql", ":3306", "/glpi"),
            ("ldap", ":389", "/dc=corp,dc=local"),
            ("ftp", "", "/backups/"),
        )
    )
    user = g.choice(("glpi", "elastic", "guest_admin", "svc", "")) if scheme.startswith("redis") else g.user()
    pw = g.url_pw()
    wrapper = g.choice(
        ('BROKER_URL = "{}"\n', "uri: {}\n", "$dsn = '{}';\n", 'conn = create_engine("{}")\n', "  url: '{}'\n", "{}\n")
    )
    return T(wrapper.format(f"{scheme}://«u»:«p»@«h»{port}{path}"), u=user, p=pw_sec(g, pw), h=g.host())


@tpl("uri", "oracle / jdbc / odbc connect strings", 3)
def _oracle(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 2)
    if c == 0:
        return T("sqlplus «u»/«p»@//ora01.corp.local:1521/HELPDESK\n", u=g.user(), p=pw_sec(g))
    if c == 1:
        return T('String url = "jdbc:oracle:thin:«u»/«p»@ora01:1521:ORCL";\n', u=g.user(), p=pw_sec(g))
    return T(
        "conn = pyodbc.connect('DRIVER={ODBC Driver 18 for SQL Server};SERVER=«h»;DATABASE=cmdb;UID=«u»;PWD=«p»')\n",
        h=g.host(),
        u=g.user(),
        p=pw_sec(g),
    )


# ---- client code ---------------------------------------------------------------------------------------------


@tpl("code", "python db/redis/ldap clients", 6)
def _py_clients(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 4)
    if c == 0:
        return T(
            'conn = pymysql.connect(host="«h»", user="«u»", password="«p»", database="glpi")\n',
            h=g.host(),
            u=g.user(),
            p=pw_sec(g),
        )
    if c == 1:
        return T("r = redis.Redis(host='«h»', port=6379, db=0, password='«p»')\n", h=g.host(), p=pw_sec(g))
    if c == 2:
        return T(
            "server = Server('ldaps://dc01.corp.local', get_info=ALL)\n"
            "conn = Connection(server, 'CN=svc_glpi,OU=Services,DC=corp,DC=local', '«p»', auto_bind=True)\n",
            p=pw_sec(g),
        )
    if c == 3:
        return T(
            "with smtplib.SMTP_SSL('smtp.example.org', 465) as s:\n    s.login('glpi@example.org', '«p»')\n",
            p=pw_sec(g),
        )
    return T(
        "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.mysql',\n        'NAME': 'hd',\n"
        "        'USER': '«u»',\n        'PASSWORD': '«p»',\n        'HOST': '«h»',\n    }\n}\n",
        u=g.user(),
        p=pw_sec(g),
        h=g.host(),
    )


@tpl("code", "php ldap / mysqli / PDO", 5)
def _php_code(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 3)
    if c == 0:
        return T(
            "$ds = ldap_connect('ldap://dc01.corp.local');\n$r = ldap_bind($ds, 'cn=admin,dc=corp,dc=local', '«p»');\n",
            p=pw_sec(g),
        )
    if c == 1:
        return T('$mysqli = new mysqli("«h»", "«u»", "«p»", "glpi");\n', h=g.host(), u=g.user(), p=pw_sec(g))
    if c == 2:
        return T(
            "$pdo = new PDO('mysql:host=«h»;dbname=glpi;charset=utf8mb4', '«u»', '«p»');\n",
            h=g.host(),
            u=g.user(),
            p=pw_sec(g),
        )
    return T(
        "$headers = [\n    'Content-Type: application/json',\n    'App-Token: «a»',\n"
        "    'Authorization: user_token «t»',\n];\n",
        a=Sec("glpi-app-token", g.s(40)),
        t=Sec("glpi-user-token", g.s(40)),
    )


@tpl("code", "javascript / typescript clients", 4)
def _js(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 2)
    if c == 0:
        return T(
            "const transporter = nodemailer.createTransport({\n  host: 'smtp.example.org',\n  port: 587,\n"
            "  auth: { user: 'support@example.org', pass: '«p»' },\n});\n",
            p=pw_sec(g),
        )
    if c == 1:
        k = g.choice(sorted(PROVIDERS))
        return T(
            "const client = new ApiClient({ baseUrl: 'https://api.example.com', apiKey: \"«t»\" });\n",
            t=Sec(k, PROVIDERS[k](g)),
        )
    return T("axios.get(url, { headers: { Authorization: `Bearer «t»` } });\n", t=Sec("jwt", g.jwt()))


@tpl("code", "java / c# / go / ruby", 4)
def _other_langs(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 3)
    if c == 0:
        return T(
            'Connection c = DriverManager.getConnection("jdbc:mysql://«h»/glpi", "«u»", "«p»");\n',
            h=g.host(),
            u=g.user(),
            p=pw_sec(g),
        )
    if c == 1:
        return T('private const string ApiSecret = "«s»";\n', s=Sec("hex-key", g.hex(40)))
    if c == 2:
        return T(
            'db, err := sql.Open("mysql", "«u»:«p»@tcp(«h»:3306)/glpi?parseTime=true")\n',
            u=g.user(),
            p=pw_sec(g, g.url_pw()),
            h=g.host(),
        )
    return T(
        "config.action_mailer.smtp_settings = {\n  address: 'smtp.example.org',\n  user_name: 'apikey',\n"
        "  password: '«p»',\n}\n",
        p=Sec("sendgrid", tok_sendgrid(g)),
    )


@tpl("code", "shell scripts", 3)
def _sh(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        '#!/bin/bash\nDB_USER=«u»\nDB_PASS=\'«p»\'\nmysqldump -u"$DB_USER" -p"$DB_PASS" glpi | gzip > /backup/'
        "glpi-$(date +%F).sql.gz\n",
        u=g.user(),
        p=pw_sec(g),
    )


@tpl("code", "Vagrantfile / Jenkinsfile / Dockerfile", 3)
def _build_files(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 2)
    if c == 0:
        return T(
            'Vagrant.configure("2") do |config|\n  config.vm.box = "debian/bookworm64"\n'
            '  config.ssh.password = "«p»"\n  config.vm.provision "shell", inline: "echo '
            "'mysql-server mysql-server/root_password password «r»' | debconf-set-selections\"\nend\n",
            p=pw_sec(g),
            r=pw_sec(g),
        )
    if c == 1:
        return T(
            "pipeline {\n  agent any\n  environment {\n    SONAR_TOKEN = '«t»'\n  }\n  stages { stage('scan') "
            "{ steps { sh 'sonar-scanner' } } }\n}\n",
            t=Sec("sonar", "sq" + "p_" + g.hex(40)),
        )
    return T(
        "FROM php:8.2-apache\nENV GLPI_DB_PASSWORD=«p»\nARG COMPOSER_AUTH_TOKEN=«t»\n",
        p=pw_sec(g),
        t=Sec("github", tok_github(g)),
    )


@tpl("code", "python settings constants", 4)
def _py_consts(g: Gen) -> tuple[str, list[Sec]]:
    k = g.choice(sorted(PROVIDERS))
    name = g.choice(("SLACK_TOKEN", "STRIPE_KEY", "GLPI_USER_TOKEN", "client_secret", "SECRET_KEY", "TOKEN"))
    return T(f'import os\n\nDEBUG = False\n{name} = os.environ.get("{name}", "«t»")\n', t=Sec(k, PROVIDERS[k](g)))


# ---- provider tokens in odd places ------------------------------------------------------------------------------


@tpl("provider-token", "bare tokens in comments, markdown and notes", 12)
def _bare_tokens(g: Gen) -> tuple[str, list[Sec]]:
    k = g.choice(sorted(PROVIDERS))
    wrapper = g.choice(
        (
            "# TODO rotate: «t»\n",
            "// temp key «t» (remove before merge)\n",
            "Use this for the demo: `«t»`\n",
            "<!-- «t» -->\n",
            "    headers = {'X-Api-Key': '«t»'}\n",
            'curl https://api.example.com/v1/ping -H "X-Auth-Token: «t»"\n',
            "| prod | «t» | owner: ops |\n",
            "token «t»\n",
        )
    )
    return T(wrapper, t=Sec(k, PROVIDERS[k](g)))


@tpl("provider-token", "webhook URLs", 3)
def _webhooks(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 2)
    if c == 0:
        v = (
            "https://hooks.slack.com/services/T"
            + g.s(10, string.ascii_uppercase + string.digits)
            + "/B"
            + g.s(10, string.ascii_uppercase + string.digits)
            + "/"
            + g.s(24)
        )
    elif c == 1:
        v = f"https://discord.com/api/webhooks/{g.randint(10**17, 10**18)}/" + g.s(68, ALNUM + "-_")
    else:
        v = (
            "https://outlook.office.com/webhook/"
            + g.uuid()
            + "@"
            + g.uuid()
            + "/IncomingWebhook/"
            + g.hex(32)
            + "/"
            + g.uuid()
        )
    return T("notify:\n  webhook_url: «w»\n", w=Sec("webhook-url", v))


@tpl("provider-token", "azure storage connection string", 2)
def _azure_conn(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        'AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=hdbackups;AccountKey=«k»;'
        'EndpointSuffix=core.windows.net"\n',
        k=Sec("azure-storage", tok_azure_storage(g)),
    )


# ---- key material -------------------------------------------------------------------------------------------


@tpl("key-material", "PEM / OpenSSH private keys", 4)
def _pem(g: Gen) -> tuple[str, list[Sec]]:
    kind = g.choice(
        ("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY")
    )
    body = pem_body(g, g.randint(4, 9))
    lead = g.choice(("", 'key = """\n', "ssl_key: |\n  "))
    sep = "\n  " if lead.startswith("ssl") else "\n"
    text = lead + f"-----BEGIN {kind}-----" + sep + sep.join(body) + sep + f"-----END {kind}-----\n"
    if lead.startswith("key"):
        text += '"""\n'
    return T(text.replace(body[1], "«m»"), m=Sec("private-key-line", body[1]))


@tpl("key-material", "JWTs", 4)
def _jwts(g: Gen) -> tuple[str, list[Sec]]:
    wrapper = g.choice(
        (
            'token = "«j»"\n',
            "Authorization: Bearer «j»\n",
            '{"access_token": "«j»", "token_type": "bearer", "expires_in": 3600}\n',
            "localStorage.setItem('jwt', '«j»');\n",
        )
    )
    return T(wrapper, j=Sec("jwt", g.jwt()))


@tpl("key-material", "hex / base64 keys under suggestive names", 8)
def _keys(g: Gen) -> tuple[str, list[Sec]]:
    name = g.choice(
        (
            "encryption_key",
            "ENCRYPTION_KEY",
            "signing_key",
            "hmac_secret",
            "AES_KEY",
            "cookie_secret",
            "$glpikey",
            "SESSION_SECRET",
            "jwt_secret",
            "master_key",
            "webhook_secret",
            "salt",
        )
    )
    val = g.choice((g.hex(64), g.hex(32), g.b64(32), g.b64(48), g.b64url(32)))
    wrapper = g.choice(
        (
            '{n} = "«v»"\n',
            "{n}: «v»\n",
            "{n}='«v»';\n",
            "define('{n}', '«v»');\n",
            "export {n}=«v»\n",
            '"{n}": "«v»",\n',
        )
    )
    return T(wrapper.format(n=name), v=Sec("key", val))


@tpl("key-material", "glpicrypt-adjacent PHP", 2)
def _glpicrypt(g: Gen) -> tuple[str, list[Sec]]:
    return T(
        "// restored from the old server's config/glpicrypt.key\n$key = base64_decode('«k»');\n"
        "$plain = sodium_crypto_aead_xchacha20poly1305_ietf_decrypt($cipher, $nonce, $nonce, $key);\n",
        k=Sec("base64-key", g.b64(32)),
    )


# ---- logs, dumps, history -------------------------------------------------------------------------------------


@tpl("log", "apache/nginx access logs with tokens in query strings", 6)
def _access(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 2)
    if c == 0:
        return T(
            '10.0.4.17 - - [03/Dec/2026:09:14:22 +0100] "GET /glpi/apirest.php/initSession?user_token=«u»&'
            'app_token=«a» HTTP/1.1" 200 87 "-" "python-requests/2.32.3"\n',
            u=Sec("glpi-user-token", g.s(40)),
            a=Sec("glpi-app-token", g.s(40)),
        )
    if c == 1:
        return T(
            '192.168.1.50 - - [03/Dec/2026:11:02:01 +0000] "GET /api/v1/export.csv?access_token=«t»&'
            'format=csv HTTP/2.0" 200 18812 "-" "curl/8.5.0"\n',
            t=Sec("random-token", g.s(g.randint(24, 48))),
        )
    return T(
        "2026/12/03 10:01:55 [error] 1234#1234: *88 upstream timed out, client: 10.1.1.9, server: helpdesk, "
        'request: "GET /front/document.send.php?docid=12&key=«t» HTTP/1.1"\n',
        t=Sec("hex-key", g.hex(32)),
    )


@tpl("log", "glpi php-errors.log backtraces", 4)
def _glpi_errors(g: Gen) -> tuple[str, list[Sec]]:
    if g.r.random() < 0.5:
        return T(
            "[2026-12-02 08:41:03] glpiphplog.WARNING:   *** PHP Warning (2): mysqli::real_connect(): "
            "(HY000/1045): Access denied for user '«u»'@'10.0.3.21' (using password: YES) in "
            "/var/www/glpi/src/DBmysql.php at line 220\n  Backtrace :\n  ./src/DBmysql.php:220     "
            "mysqli->real_connect('«h»', '«u»', '«p»', 'glpi', NULL, NULL, 0)\n  ./inc/db.function.php:45   "
            "DBmysql->connect()\n",
            u=g.user(),
            h=g.host(),
            p=pw_sec(g),
        )
    return T(
        "PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [1045] Access denied for user '«u»'@'localhost'"
        " in /var/www/app/db.php:12\nStack trace:\n#0 /var/www/app/db.php(12): PDO->__construct('mysql:host=«h»"
        ";...', '«u»', '«p»')\n#1 {main}\n",
        u=g.user(),
        h=g.host(),
        p=pw_sec(g),
    )


@tpl("log", "glpi sql-errors.log / sql debug", 3)
def _sql_errors(g: Gen) -> tuple[str, list[Sec]]:
    if g.r.random() < 0.5:
        return T(
            "[2026-12-02 09:00:12] glpisqllog.ERROR: DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php "
            "line 370\n  *** MySQL query error:\n  SQL: UPDATE `glpi_users` SET `api_token` = '«t»', "
            "`api_token_date` = '2026-12-02 09:00:12' WHERE `id` = '7'\n  Error: Lock wait timeout exceeded\n",
            t=Sec("glpi-user-token", g.s(40)),
        )
    return T("ALTER USER 'glpi'@'%' IDENTIFIED BY '«p»';\nGRANT ALL PRIVILEGES ON glpi.* TO 'glpi'@'%';\n", p=pw_sec(g))


@tpl("log", "python tracebacks with locals / debug logs", 4)
def _py_tb(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 2)
    if c == 0:
        return T(
            'Traceback (most recent call last):\n  File "/opt/sync/ldap_sync.py", line 42, in bind\n'
            "    conn.bind()\n    conn = <ldap3.Connection>\n    user = 'CN=svc_sync,OU=Svc,DC=corp'\n"
            "    password = '«p»'\nldap3.core.exceptions.LDAPBindError: automatic bind not successful\n",
            p=pw_sec(g),
        )
    if c == 1:
        return T(
            "2026-12-03 10:22:41,118 DEBUG glpi_client: POST /apirest.php/initSession payload="
            "{'login': 'jdupont', 'password': '«p»'}\n",
            p=pw_sec(g),
        )
    return T(
        '{"level":"debug","ts":"2026-12-03T10:22:41Z","msg":"login attempt","params":'
        '{"username":"m.martin","password":"«p»","remember":true}}\n',
        p=pw_sec(g),
    )


@tpl("log", "HTTP request dumps", 5)
def _http(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 3)
    if c == 0:
        pw = g.any_pw()
        b = base64.b64encode(f"glpi:{pw}".encode()).decode()
        return T(
            "GET /glpi/apirest.php/initSession HTTP/1.1\nHost: helpdesk.example.org\n"
            "Authorization: Basic «b»\nApp-Token: «a»\nAccept: */*\n",
            b=Sec("basic-b64", b),
            a=Sec("glpi-app-token", g.s(40)),
        )
    if c == 1:
        return T(
            "GET /glpi/apirest.php/Ticket/42 HTTP/1.1\nHost: helpdesk.example.org\nSession-Token: «s»\n"
            "App-Token: «a»\n",
            s=Sec("session-id", g.s(26, string.ascii_lowercase + string.digits)),
            a=Sec("glpi-app-token", g.s(40)),
        )
    if c == 2:
        return T(
            "POST /front/login.php HTTP/1.1\nHost: helpdesk.example.org\nContent-Type: "
            "application/x-www-form-urlencoded\n\nnoAuto=0&redirect=&login_name=jdupont&login_password=«p»&"
            "auth=local&submit=\n",
            p=pw_sec(g, g.random_pw(symbols="-_.~")),
        )
    return T(
        "GET /front/central.php HTTP/1.1\nHost: helpdesk.example.org\nCookie: glpi_«n»=«s»; glpi_«n»_rememberme=«r»\n",
        n=g.hex(32),
        s=Sec("session-id", g.s(26, string.ascii_lowercase + string.digits)),
        r=Sec("remember-token", g.s(40)),
    )


@tpl("log", "shell history", 10)
def _history(g: Gen) -> tuple[str, list[Sec]]:
    c = g.randint(0, 9)
    if c == 0:
        return T("  512  mysql -u root -p«p» glpi < glpi-backup.sql\n", p=pw_sec(g, g.random_pw(symbols="_.-")))
    if c == 1:
        return T(
            "curl -u admin:«p» https://nexus.example.org/service/rest/v1/status\n",
            p=pw_sec(g, g.random_pw(symbols="_.-")),
        )
    if c == 2:
        k = g.choice(sorted(PROVIDERS))
        return T("export GH_TOKEN=«t»\n", t=Sec(k, PROVIDERS[k](g)))
    if c == 3:
        return T("sshpass -p '«p»' ssh root@10.0.3.21 'systemctl restart apache2'\n", p=pw_sec(g))
    if c == 4:
        return T("htpasswd -b /etc/apache2/.htpasswd helpdesk «p»\n", p=pw_sec(g, g.random_pw(symbols="_.-")))
    if c == 5:
        return T(
            "PGPASSWORD=«p» psql -h «h» -U «u» cmdb\n", p=pw_sec(g, g.random_pw(symbols="_.-")), h=g.host(), u=g.user()
        )
    if c == 6:
        return T(
            "git clone https://jdupont:«t»@github.com/acme/glpi-plugin-fields.git\n", t=Sec("github", tok_github(g))
        )
    if c == 7:
        return T("echo '«p»' | docker login registry.example.org -u deploy --password-stdin\n", p=pw_sec(g))
    if c == 8:
        return T(
            "php bin/console glpi:database:install --db-host=«h» --db-name=glpi --db-user=«u» --db-password=«p»\n",
            h=g.host(),
            u=g.user(),
            p=pw_sec(g, g.random_pw(symbols="_.-")),
        )
    return T(
        "sudo:  jdupont : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/mysqladmin -uroot "
        "--password=«p» flush-privileges\n",
        p=pw_sec(g, g.random_pw(symbols="_.-")),
    )


REDRAWS: Counter[str] = Counter()


def build_secret_cases(seed: int = SEED) -> list[Case]:
    """Every template drawn n times; a draw whose secret collides with its context (user `glpi`, password
    `glpi`) is drawn again, and counted in REDRAWS."""
    g = Gen(seed)
    cases: list[Case] = []
    for category, context, n, fn in TEMPLATES:
        for i in range(n):
            for _ in range(50):
                try:
                    text, secrets = fn(g)
                    break
                except Collision:
                    REDRAWS[context] += 1
            else:
                raise RuntimeError(f"{context}: no draw without a collision")
            cases.append(Case(f"s-{fn.__name__.strip('_')}-{i}", category, context, text, secrets))
    return cases


# --------------------------------------------------------------------------------------------------------------
# Ordinary snippets
# --------------------------------------------------------------------------------------------------------------

KEYWORD = re.compile(r"password|secret|token|key|auth|credential|cookie|session", re.I)
# A literal credential: a credential-ish name given a quoted literal that is not empty or a placeholder,
# a URL with user:password@, or a literal passed to something that takes a key.
_LITERAL_CRED = re.compile(
    r"""(?ix)(?:passw(?:or)?d|pwd|secret|token|api_?key|credential|private_key|signing_key)\w*['"]?\s*(?:=|:|=>)\s*
        [rbfu]?(['"])(?!\s*\1)(?![<{$%]).{3,}?\1"""
)
_URL_USERINFO = re.compile(r"://[^/\s:@'\"]+:[^/\s@'\"]+@")
_KEY_CALL = re.compile(
    r"""(?i)(?:Serializer|Signer|jwt\.encode|jwt\.decode|sign|HMAC|login|bind|auth)\w*\(\s*[rbfu]?["'][^"']{3,}"""
)


def literal_credential_reason(text: str) -> str | None:
    if _LITERAL_CRED.search(text):
        return "credential name given a literal"
    if _URL_USERINFO.search(text):
        return "url with user:password@"
    if _KEY_CALL.search(text):
        return "literal passed to a key-taking call"
    return None


def resample_packages(wheel_dir: Path, per_package: int = 14, seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    snippets: list[dict[str, Any]] = []
    dropped: Counter[str] = Counter()
    dropped_by_pkg: Counter[str] = Counter()
    for wheel in sorted(wheel_dir.glob("*.whl")):
        pkg = wheel.name.split("-")[0]
        candidates: list[tuple[str, int, str]] = []
        with zipfile.ZipFile(wheel) as z:
            for name in sorted(z.namelist()):
                if not name.endswith(".py") or re.search(r"(^|/)(tests?|testing)(/|_)|(^|/)test_|conftest", name):
                    continue
                lines = z.read(name).decode("utf-8", "replace").splitlines()
                for i, line in enumerate(lines):
                    if KEYWORD.search(line):
                        size = rng.randint(1, 6)
                        start = max(0, i - rng.randint(0, size - 1))
                        window = "\n".join(lines[start : start + size]) + "\n"
                        if window.strip():
                            candidates.append((name, start + 1, window))
        rng.shuffle(candidates)
        taken: list[dict[str, Any]] = []
        seen: set[str] = set()
        for name, lineno, window in candidates:
            if len(taken) >= per_package:
                break
            if window in seen:
                continue
            seen.add(window)
            reason = literal_credential_reason(window)
            if reason:
                dropped[reason] += 1
                dropped_by_pkg[pkg] += 1
                continue
            taken.append(
                {
                    "id": f"o-{pkg}-{len(taken)}",
                    "source": f"package:{pkg}",
                    "origin": f"{wheel.name}:{name}:{lineno}",
                    "text": window,
                }
            )
        snippets.extend(taken)
    return {
        "wheels": sorted(w.name for w in wheel_dir.glob("*.whl")),
        "seed": seed,
        "per_package": per_package,
        "dropped": dict(dropped),
        "dropped_by_package": dict(dropped_by_pkg),
        "snippets": snippets,
    }


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><path d="M0 0h16v16H0z"/></svg>'


def hand_ordinary(seed: int = SEED) -> list[Case]:
    g = Gen(seed + 1)
    sha = hashlib.sha256(b"glpi-10.0.17.tgz").hexdigest()
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(g.r.getrandbits(8) for _ in range(90))).decode()
    shapes: list[tuple[str, str]] = [
        # hashes, ids, digests
        ("hashes", f"{sha}  glpi-10.0.17.tgz\n"),
        ("hashes", f'"integrity": "sha512-{g.b64(64)}",\n'),
        ("hashes", f'"reference": "{g.hex(40)}",\n            "shasum": ""\n'),
        ("hashes", f"image: registry.example.org/glpi@sha256:{g.hex(64)}\n"),
        ("hashes", f"Merge commit {g.hex(40)} into release/10.0\n"),
        ("hashes", f"md5sum: {g.hex(32)}  backup.tar.gz\n"),
        ("hashes", f"$etag = '\"{g.hex(32)}\"';\n"),
        ("hashes", f'checksum = "sha1:{g.hex(40)}"\n'),
        ("hashes", f"# Fixed in {g.hex(12)} (see #1234)\n"),
        ("hashes", f"go.sum: github.com/go-sql-driver/mysql v1.8.1 h1:{g.b64(32)}\n"),
        # uuids / ids
        ("ids", f"$ticket->update(['id' => 42, 'uuid' => '{g.uuid()}']);\n"),
        ("ids", f'REQUEST_ID = "{g.uuid()}"\n'),
        ("ids", f'  "projectGuid": "{{{g.uuid().upper()}}}",\n'),
        ("ids", f'<PackageReference Include="Dapper" Version="2.1.35" />\n<ProjectGuid>{{{g.uuid()}}}</ProjectGuid>\n'),
        ("ids", f'session_id = request.cookies.get("sessionid")  # e.g. {g.uuid()}\n'),
        # URLs without credentials
        ("urls", "$CFG_GLPI['url_base'] = 'https://helpdesk.example.org/glpi';\n"),
        ("urls", "DATABASE_URL=mysql://db:3306/glpi\n"),
        ("urls", 'OAUTH_AUTHORIZE_URL = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"\n'),
        ("urls", "git remote add upstream https://github.com/glpi-project/glpi.git\n"),
        ("urls", "redirect_uri: https://helpdesk.example.org/front/oauth/callback.php?state=pending\n"),
        ("urls", "Homepage: https://www.python.org/dev/peps/pep-0008/#password-policy\n"),
        ("urls", 'token_url = f"{base_url}/oauth/token"\n'),
        # translations
        ("translations", 'msgid "Password"\nmsgstr "Mot de passe"\n'),
        ("translations", 'msgid "Your password has expired"\nmsgstr "Votre mot de passe a expiré"\n'),
        ("translations", "echo __('Forgotten password?');\n"),
        ("translations", "'auth.failed' => 'These credentials do not match our records.',\n"),
        ("translations", "'password' => 'The provided password is incorrect.',\n"),
        ("translations", '  password_reset_sent: "Un e-mail de réinitialisation a été envoyé"\n'),
        ("translations", "<label for=\"password\">{{ __('Password') }}</label>\n"),
        ("translations", '"login.token.expired": "Your session token has expired, please log in again.",\n'),
        # ORM / forms
        ("orm-forms", 'password = models.CharField(_("password"), max_length=128)\n'),
        ("orm-forms", "api_token = Column(String(40), nullable=True, index=True)\n"),
        ("orm-forms", '<input type="password" name="password" id="password" autocomplete="current-password">\n'),
        ("orm-forms", "$table->string('password');\n$table->rememberToken();\n"),
        ("orm-forms", "protected $hidden = ['password', 'remember_token', 'api_token'];\n"),
        (
            "orm-forms",
            "class LoginForm(FlaskForm):\n    password = PasswordField('Password', validators=[DataRequired()])\n",
        ),
        ("orm-forms", 't.string "encrypted_password", default: "", null: false\n'),
        (
            "orm-forms",
            "CREATE TABLE `glpi_users` (\n  `password` varchar(255) DEFAULT NULL,\n"
            "  `api_token` varchar(255) DEFAULT NULL,\n",
        ),
        # validation rules
        ("validation", "'password' => 'required|string|min:12|confirmed',\n"),
        ("validation", "if (strlen($password) < $CFG_GLPI['password_min_length']) {\n    return false;\n}\n"),
        ("validation", 'PASSWORD_REGEX = r"^(?=.*[A-Z])(?=.*\\d)(?=.*[^\\w]).{12,}$"\n'),
        ("validation", "password: Joi.string().min(8).max(128).required(),\n"),
        (
            "validation",
            "AUTH_PASSWORD_VALIDATORS = [\n    {'NAME': 'django.contrib.auth.password_validation."
            "MinimumLengthValidator'},\n]\n",
        ),
        # placeholders / empties
        ("placeholders", "DB_PASSWORD=\nMAIL_PASSWORD=null\n"),
        ("placeholders", "    password: ${DB_PASSWORD}\n"),
        ("placeholders", 'glpi_db_password: "{{ vault_glpi_db_password }}"\n'),
        ("placeholders", "'password' => env('DB_PASSWORD'),\n"),
        ("placeholders", "api_key: <your-api-key-here>\n"),
        ("placeholders", 'password = getpass.getpass("LDAP password: ")\n'),
        ("placeholders", "$dbpassword = '';\n"),
        ("placeholders", "SECRET_KEY = None  # set in local_settings.py\n"),
        ("placeholders", "token: '%env(GITHUB_TOKEN)%'\n"),
        ("placeholders", 'password = "********"\n'),
        ("placeholders", "Password=<password>;User Id=<user>;\n"),
        ("placeholders", 'export AWS_SECRET_ACCESS_KEY="$(vault kv get -field=secret aws/ci)"\n'),
        # env lookups
        ("env-lookups", 'token = os.environ["GLPI_USER_TOKEN"]\n'),
        ("env-lookups", "$pass = getenv('GLPI_DB_PASS');\n"),
        ("env-lookups", "const secret = process.env.JWT_SECRET;\nif (!secret) throw new Error('JWT_SECRET unset');\n"),
        ("env-lookups", 'password := os.Getenv("SMTP_PASSWORD")\n'),
        ("env-lookups", 'api_key = settings.OPENAI_API_KEY or config.get("openai", "api_key")\n'),
        ("env-lookups", 'String pwd = System.getenv("DB_PASSWORD");\n'),
        # GLPI code
        ("glpi-code", "$input['password'] = (new GLPIKey())->encrypt($input['password']);\n"),
        ("glpi-code", "if (!Session::haveRight('config', UPDATE)) {\n    Html::displayRightError();\n}\n"),
        ("glpi-code", "$token = User::getToken($user->getID(), 'api_token');\n"),
        (
            "glpi-code",
            "$auth = new Auth();\nif ($auth->login($_POST['login_name'], $_POST['login_password'], "
            "true)) {\n    Auth::redirectIfAuthenticated();\n}\n",
        ),
        (
            "glpi-code",
            "$iterator = $DB->request([\n    'SELECT' => ['id', 'name'],\n    'FROM'   => 'glpi_authldaps',\n"
            "    'WHERE'  => ['is_active' => 1],\n]);\n",
        ),
        ("glpi-code", "$rootdn_passwd = (new GLPIKey())->decrypt($this->fields['rootdn_passwd']);\n"),
        ("glpi-code", "Session::checkValidSessionId();\n$_SESSION['glpicronuserrunning'] = '';\n"),
        ("glpi-code", "$key = $this->getKeyFilePath();\nif (!file_exists($key)) {\n    return false;\n}\n"),
        (
            "glpi-code",
            "public static function getSessionCookieName(string $root_doc): string\n{\n"
            "    return 'glpi_' . md5(realpath($root_doc));\n}\n",
        ),
        ("glpi-code", "$app_token = $_SERVER['HTTP_APP_TOKEN'] ?? null;\n"),
        # logs without secrets
        ("clean-logs", "[2026-12-03 09:00:01] glpi.INFO: user jdupont logged in from 10.0.4.17\n"),
        (
            "clean-logs",
            '10.0.4.17 - - [03/Dec/2026:09:14:22 +0100] "GET /front/ticket.form.php?id=4211 HTTP/1.1"'
            ' 200 5312 "-" "Mozilla/5.0"\n',
        ),
        (
            "clean-logs",
            "[2026-12-03 09:05:11] glpiphplog.WARNING: *** PHP Notice: Undefined index: auth_type in "
            "/var/www/glpi/front/login.php at line 57\n",
        ),
        (
            "clean-logs",
            "Dec  3 09:12:01 helpdesk sshd[2211]: Accepted publickey for deploy from 10.0.0.8 port 51122 "
            "ssh2: RSA SHA256:" + g.b64(32).rstrip("=") + "\n",
        ),
        (
            "clean-logs",
            "Dec  3 09:12:03 helpdesk sshd[2219]: Failed password for invalid user admin from "
            "203.0.113.9 port 40022 ssh2\n",
        ),
        (
            "clean-logs",
            "2026-12-03 10:22:41,118 INFO auth: token refreshed for client_id=helpdesk-sync (expires in 3600s)\n",
        ),
        ("clean-logs", "  512  mysql -u root -p glpi < glpi-backup.sql\n"),
        ("clean-logs", "php bin/console glpi:security:change_key --no-interaction\n"),
        # base64 images / data
        ("base64-data", f"background: url(data:image/png;base64,{png}) no-repeat;\n"),
        ("base64-data", f'<img src="data:image/png;base64,{png}" alt="logo">\n'),
        ("base64-data", '"icon": "data:image/svg+xml;base64,' + base64.b64encode(SVG).decode() + '"\n'),
        # ordinary code around secrets vocabulary
        (
            "vocab-code",
            "def check_password(self, raw_password):\n    return check_password(raw_password, self.password)\n",
        ),
        ("vocab-code", "hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())\n"),
        ("vocab-code", 'if not token:\n    raise PermissionDenied("missing token")\n'),
        ("vocab-code", "session['user_id'] = user.id\nsession.permanent = True\n"),
        ("vocab-code", 'cache_key = f"tickets:{user_id}:{page}"\n'),
        ("vocab-code", 'for key, value in sorted(headers.items()):\n    print(f"{key}: {value}")\n'),
        ("vocab-code", "const { password, ...safeUser } = user;\nres.json(safeUser);\n"),
        ("vocab-code", "$this->addField('password', 'password', ['required' => true]);\n"),
        ("vocab-code", "AUTH_TYPE_LDAP = 3\nAUTH_TYPE_MAIL = 2\nAUTH_TYPE_LOCAL = 1\n"),
        ("vocab-code", 'keyring.set_password("glpi", username, password)\n'),
        ("vocab-code", 'ssh-keygen -t ed25519 -C "deploy@helpdesk" -f ~/.ssh/id_ed25519\n'),
        ("vocab-code", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + g.s(43) + " deploy@helpdesk\n"),
        ("vocab-code", "Set-Cookie: glpi_remember=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/\n"),
        ("vocab-code", "const CSRF_HEADER = 'X-Glpi-Csrf-Token';\n"),
        ("vocab-code", 'headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}\n'),
        ("vocab-code", 'curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1/me\n'),
        ("vocab-code", "password_hash($input['password'], PASSWORD_DEFAULT);\n"),
        ("vocab-code", "$table_key = 'glpi_' . strtolower($itemtype) . 's';\n"),
        ("vocab-code", '    <add key="ClientValidationEnabled" value="true" />\n'),
        ("vocab-code", "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\nSESSION_COOKIE_AGE = 1209600\n"),
    ]
    return [Case(f"h-{cat}-{i}", cat, "hand-written", text) for i, (cat, text) in enumerate(shapes)]


def package_ordinary() -> tuple[list[Case], dict[str, Any]]:
    data = json.loads(PACKAGES_FILE.read_text())
    cases = [Case(s["id"], s["source"], s["origin"], s["text"]) for s in data["snippets"]]
    meta = {k: v for k, v in data.items() if k != "snippets"}
    return cases, meta


# --------------------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------------------


def load_working_tree() -> Callable[[str], Any]:
    sys.path.insert(0, str(ROOT / "server"))
    from copiloto.cloud.redact import redact

    return redact


def load_baseline(tmp: Path) -> Callable[[str], Any]:
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BASELINE_REV}:server/copiloto/cloud/redact.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = tmp / f"redact_{BASELINE_REV}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(f"redact_{BASELINE_REV}", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    fn: Callable[[str], Any] = module.redact
    return fn


def mask(text: str, secrets: list[Sec]) -> str:
    for sec in sorted(secrets, key=lambda s: -len(s.value)):
        text = text.replace(sec.value, f"<{sec.kind}:{len(sec.value)}>")
    return text


def rate(num: int, den: int) -> float:
    return round(100.0 * num / den, 2) if den else 0.0


def evaluate(redact: Callable[[str], Any], secret_cases: list[Case], ordinary: list[Case]) -> dict[str, Any]:
    total = removed = 0
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_ctx: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[dict[str, Any]] = []
    snippets_clean = 0
    for case in secret_cases:
        out = redact(case.text).text
        missed = [s for s in case.secrets if s.value in out]
        snippets_clean += not missed
        for sec in case.secrets:
            ok = sec.value not in out
            total += 1
            removed += ok
            for tally, key in ((by_cat, case.category), (by_ctx, case.context), (by_kind, sec.kind)):
                tally[key][0] += ok
                tally[key][1] += 1
        if missed:
            misses.append(
                {
                    "id": case.id,
                    "category": case.category,
                    "context": case.context,
                    "missed": [f"<{s.kind}:{len(s.value)}>" for s in missed],
                    "input": mask(case.text, case.secrets),
                    "output": mask(out, case.secrets),
                }
            )
    altered = 0
    fp_by_src: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fps: list[dict[str, Any]] = []
    for case in ordinary:
        result = redact(case.text)
        changed = result.text != case.text
        altered += changed
        fp_by_src[case.category][0] += changed
        fp_by_src[case.category][1] += 1
        if changed:
            fps.append(
                {
                    "id": case.id,
                    "source": case.category,
                    "origin": case.context,
                    "kinds": dict(result.found),
                    "input": case.text,
                    "output": result.text,
                }
            )

    def table(t: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
        return {k: {"removed": v[0], "total": v[1], "recall_pct": rate(v[0], v[1])} for k, v in sorted(t.items())}

    return {
        "secrets": {
            "values": total,
            "removed": removed,
            "recall_pct": rate(removed, total),
            "snippets": len(secret_cases),
            "snippets_fully_clean": snippets_clean,
            "by_category": table(by_cat),
            "by_context": table(by_ctx),
            "by_kind": table(by_kind),
        },
        "ordinary": {
            "snippets": len(ordinary),
            "altered": altered,
            "fp_pct": rate(altered, len(ordinary)),
            "by_source": {
                k: {"altered": v[0], "total": v[1], "fp_pct": rate(v[0], v[1])} for k, v in sorted(fp_by_src.items())
            },
        },
        "misses": misses,
        "false_positives": fps,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--resample",
        type=Path,
        metavar="WHEEL_DIR",
        help="rebuild bench/corpus/blind/packages.json from the wheels in WHEEL_DIR",
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if args.resample:
        CORPUS_DIR.mkdir(parents=True, exist_ok=True)
        data = resample_packages(args.resample)
        PACKAGES_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {PACKAGES_FILE.relative_to(ROOT)}: {len(data['snippets'])} snippets, dropped {data['dropped']}")

    secret_cases = build_secret_cases()
    pkg_cases, pkg_meta = package_ordinary()
    ordinary = pkg_cases + hand_ordinary()

    arms: dict[str, dict[str, Any]] = {"working-tree": evaluate(load_working_tree(), secret_cases, ordinary)}
    with tempfile.TemporaryDirectory() as tmp:
        arms[BASELINE_REV] = evaluate(load_baseline(Path(tmp)), secret_cases, ordinary)

    today = datetime.date.today().isoformat()
    out = args.out or RESULTS_DIR / f"blind-redaction-{today}.json"
    result: dict[str, Any] = {
        "date": today,
        "command": "python bench/blind_redaction.py",
        "seed": SEED,
        "targets": {"recall_pct_min": 98.0, "fp_pct_max": 3.0},
        "corpus": {
            "secret_snippets": len(secret_cases),
            "secret_values": sum(len(c.secrets) for c in secret_cases),
            "ordinary_snippets": len(ordinary),
            "ordinary_packages": len(pkg_cases),
            "ordinary_hand_written": len(ordinary) - len(pkg_cases),
            "packages": pkg_meta,
            "secret_redraws_on_collision": dict(REDRAWS),
        },
        "arms": arms,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")

    print(
        f"corpus: {len(secret_cases)} secret snippets ({result['corpus']['secret_values']} values), "
        f"{len(ordinary)} ordinary snippets ({len(pkg_cases)} from packages)"
    )
    for name, arm in arms.items():
        s, o = arm["secrets"], arm["ordinary"]
        print(
            f"\n[{name}] recall {s['recall_pct']} % ({s['removed']}/{s['values']} values), "
            f"FP {o['fp_pct']} % ({o['altered']}/{o['snippets']} ordinary snippets altered)"
        )
        weak = {k: v["recall_pct"] for k, v in s["by_category"].items()}
        print("  recall by category:", ", ".join(f"{k} {v}" for k, v in weak.items()))
        print(
            "  FP by source:",
            ", ".join(f"{k} {v['altered']}/{v['total']}" for k, v in o["by_source"].items() if v["altered"]) or "none",
        )
        print(f"  misses in {len(arm['misses'])} snippets: " + ", ".join(sorted({m["context"] for m in arm["misses"]})))
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
