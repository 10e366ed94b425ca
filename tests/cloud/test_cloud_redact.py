"""Redaction before anything leaves the machine: a corpus of secret shapes (none may survive) and of ordinary
code (nothing may be touched), plus the files that are never sent."""

from __future__ import annotations

import pytest

from copiloto.cloud.redact import DEFAULT_EXCLUDES, entropy, is_excluded, redact
from copiloto.config import CloudSettings

# Fake secrets, built from pieces so that no scanner mistakes this file for a leak.
B64 = "Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9w"
HEX32 = "0123456789abcdef0123456789abcdef"
ALNUM36 = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk"
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x\nq2Vx\n-----END RSA " + "PRIVATE KEY-----"

# (line of code or config, the secret that must not survive, the kind reported)
SECRETS: list[tuple[str, str, str]] = [
    (f'ANTHROPIC = "sk-ant-api03-{ALNUM36}"', f"sk-ant-api03-{ALNUM36}", "anthropic-key"),
    (f"client = OpenAI(api_key='sk-proj-{ALNUM36}')", f"sk-proj-{ALNUM36}", "openai-key"),
    (f"openai.api_key = 'sk-{ALNUM36}'", f"sk-{ALNUM36}", "openai-key"),
    ("aws_access_key_id = AKIA" + "IOSFODNN7EXAMPLE", "AKIA" + "IOSFODNN7EXAMPLE", "aws-access-key-id"),
    ("key = 'ASIA" + "Y34FZKBOKMUTVV7A'", "ASIA" + "Y34FZKBOKMUTVV7A", "aws-access-key-id"),
    (
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
        "aws-secret-key",
    ),
    (f"GITHUB_TOKEN: ghp_{ALNUM36}", f"ghp_{ALNUM36}", "github-token"),
    (f"token = 'gho_{ALNUM36}'", f"gho_{ALNUM36}", "github-token"),
    (f"git clone https://x:github_pat_11ABCDEFG0{ALNUM36}@github.com/o/r", f"github_pat_11ABCDEFG0{ALNUM36}", ""),
    ("CI_TOKEN=glpat-" + "xYz123AbC456dEf789Gh", "glpat-" + "xYz123AbC456dEf789Gh", ""),
    (
        "slack = 'xoxb-" + "1234567890-0987654321-AbCdEfGhIjKl'",
        "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKl",
        "slack-token",
    ),
    (
        "url = 'https://hooks.slack.com/services/" + "T0000/B0000/XXXXXXXXXXXXXXXX'",
        "T0000/B0000/XXXXXXXXXXXXXXXX",
        "slack-webhook",
    ),
    ("stripe.api_key = 'sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc'", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "stripe-key"),
    ("STRIPE_RESTRICTED: rk_test_" + "51H8sLzB2eZvKYlo2C1aBcDe", "rk_test_" + "51H8sLzB2eZvKYlo2C1aBcDe", ""),
    ("maps_key = 'AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'", "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", ""),
    ("GOOGLE_CLIENT_SECRET=GOCSPX-" + "1a2B3c4D5e6F7g8H9i0JkLmN", "GOCSPX-" + "1a2B3c4D5e6F7g8H9i0JkLmN", ""),
    (f"HF_TOKEN = 'hf_{ALNUM36}'", f"hf_{ALNUM36}", ""),
    (f"//registry.npmjs.org/:_authToken=npm_{ALNUM36}", f"npm_{ALNUM36}", ""),
    (f"password = pypi-AgEIcHlwaS5vcmc{ALNUM36}{ALNUM36}", f"pypi-AgEIcHlwaS5vcmc{ALNUM36}{ALNUM36}", ""),
    ("sg = 'SG." + "ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr'", "TwL2iGABf9DHoTf", ""),
    (f"MAILGUN_API_KEY = 'key-{HEX32}'", f"key-{HEX32}", ""),
    (f"twilio_secret = 'SK{HEX32}'", f"SK{HEX32}", ""),
    (
        "conn = 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=" + B64 + "=='",
        B64,
        "",
    ),
    (f"DO_TOKEN = 'dop_v1_{HEX32}{HEX32}'", f"dop_v1_{HEX32}{HEX32}", ""),
    (f"shop = 'shpat_{HEX32}'", f"shpat_{HEX32}", ""),
    ("bot = '1234567890:AA" + "FhZ_8YbLJ5W0pVQwzT2rGkQ3tN9mXs4uE'", "AA" + "FhZ_8YbLJ5W0pVQwzT2rGkQ3tN9mXs4uE", ""),
    (f"DATABRICKS = 'dapi{HEX32}'", f"dapi{HEX32}", ""),
    ("square = 'sq0atp-" + "ABCDEFGHIJKLMNOPQRSTUV1234'", "sq0atp-" + "ABCDEFGHIJKLMNOPQRSTUV1234", ""),
    (PEM, "MIIEowIBAAKCAQEA7x", "private-key"),
    (
        "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH " + "PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAA",
        "private-key",
    ),
    (
        "-----BEGIN PGP " + "PRIVATE KEY BLOCK-----\nlQOYBF0g\n-----END PGP " + "PRIVATE KEY BLOCK-----",
        "lQOYBF0g",
        "private-key",
    ),
    (f"headers = {{'X-Session': '{JWT}'}}", JWT, "jwt"),
    (f"Authorization: Bearer {B64}", B64, ""),
    ("requests.get(u, headers={'Authorization': 'Basic dXNlcjpodW50ZXIy'})", "dXNlcjpodW50ZXIy", ""),
    (f"curl -H 'Authorization: Token {HEX32}'", HEX32, ""),
    ("DATABASE_URL = 'postgres://app:s3cr3t-Pa55@db:5432/app'", "s3cr3t-Pa55", "url-credentials"),
    ("engine = create_engine('mysql+pymysql://glpi:GlpiDbPass!9@localhost/glpi')", "GlpiDbPass!9", ""),
    ("REDIS = 'redis://:redisPassw0rd@cache:6379/0'", "redisPassw0rd", ""),
    ("amqp://guest:rabbitSecret1@mq:5672/", "rabbitSecret1", ""),
    ('password = "hunter2-correct-horse"', "hunter2-correct-horse", "password-or-token"),
    ("db_password='Tr0ub4dor&3'", "Tr0ub4dor&3", ""),
    ("    public $dbpassword = 'glpi-db-Secret7';", "glpi-db-Secret7", ""),  # GLPI config_db.php
    ("'password' => 'laravel-Pass-99',", "laravel-Pass-99", ""),
    ('{"api_key": "a1b2c3d4e5f6g7h8i9j0"}', "a1b2c3d4e5f6g7h8i9j0", ""),
    ("secret_key: 'django-insecure-abc123xyz789'", "django-insecure-abc123xyz789", ""),
    ("SECRET_KEY = 'k#9f$2@lq!x8z&w'", "k#9f$2@lq!x8z&w", ""),
    ('client_secret := "oauth-client-Secret-42"', "oauth-client-Secret-42", ""),
    ("DB_PASSWORD=unquoted-Secret-1", "unquoted-Secret-1", ""),
    ("export API_TOKEN=tok_live_9a8b7c6d5e", "tok_live_9a8b7c6d5e", ""),
    ("smtp_passwd = 'Mail-Relay-Pass1'", "Mail-Relay-Pass1", ""),
    ('ldap_pass: "LdapBindPw#2024"', "LdapBindPw#2024", ""),
    ("private_key = 'raw-private-key-material-123'", "raw-private-key-material-123", ""),
    ("credentials = 'user:pa55word-xyz'", "user:pa55word-xyz", ""),
    (f"SESSION_SALT = '{B64[:32]}'", B64[:32], "password-or-token"),
    (f'signing_key = "{B64[5:40]}"', B64[5:40], ""),
    ("hmac_seed = 'q8Zr4Lp0Xv2Nk6Tw9Ys1Bm3Jc5'", "q8Zr4Lp0Xv2Nk6Tw9Ys1Bm3Jc5", ""),
]


@pytest.mark.parametrize(("line", "secret", "kind"), SECRETS, ids=[f"{i:02d}" for i in range(len(SECRETS))])
def test_no_secret_survives(line: str, secret: str, kind: str) -> None:
    done = redact(f"# config\n{line}\nprint('ok')\n")
    assert secret not in done.text, done.text
    assert done.count >= 1 and "[REDACTED:" in done.text
    if kind:
        assert done.found[kind] >= 1, done.found
    assert done.text.startswith("# config\n") and done.text.endswith("print('ok')\n"), "the rest is untouched"


def test_everything_at_once_and_idempotent() -> None:
    text = "\n".join(line for line, _, _ in SECRETS)
    once = redact(text)
    assert not [secret for _, secret, _ in SECRETS if secret in once.text]
    assert redact(once.text).text == once.text, "redacting twice changes nothing"


CLEAN = [
    "def check_password(user, password):\n    return hash_password(password) == user.password_hash\n",
    "token = os.environ['API_TOKEN']\n",
    "password = None\n",
    'password = ""\n',
    "secret = get_secret('db')\n",
    "api_key = settings.ANTHROPIC_API_KEY\n",
    "sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n",
    "url = 'https://example.com/api/v1/tickets?id=42'\n",
    "DATABASE_URL = 'sqlite:///db.sqlite3'\n",
    "uuid = '123e4567-e89b-12d3-a456-426614174000'\n",
    "message = 'Please enter your password below to continue with the signup'\n",
    "PASSWORD_MIN_LENGTH = 12\n",
    "if token is None:\n    raise ValueError('missing token')\n",
    "key = 'status'\n",
    "session_timeout = 'thirty minutes of idle'\n",
    '$query = "SELECT * FROM glpi_users WHERE name = \'" . $name . "\'";\n',
]


@pytest.mark.parametrize("code", CLEAN)
def test_ordinary_code_is_left_alone(code: str) -> None:
    done = redact(code)
    assert done.text == code and done.count == 0, done.found


def test_env_files_lose_every_value() -> None:
    env = "APP_NAME=dashboard\nDEBUG=true\nSENTRY_DSN=https://abc@o1.ingest.sentry.io/2\n# comment stays\n"
    done = redact(env, env_file=True)
    assert "dashboard" not in done.text and "sentry" not in done.text and "# comment stays" in done.text
    assert done.text.count("[REDACTED:") == 3


def test_entropy() -> None:
    assert entropy("aaaaaaaa") == 0.0
    assert entropy(B64) > 4.5 > entropy("the quick brown fox jumps over the lazy dog")


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        (".env", True),
        ("app/.env.production", True),
        ("deploy/server.pem", True),
        ("/home/u/.ssh/id_ed25519", True),
        ("config/secrets.yaml", True),
        ("project/settings.py", True),
        ("config/config_db.php", True),
        ("files/_log/php-errors.log", False),
        ("src/Ticket.php", False),
        ("glpi_dashboard/tickets.py", False),
        ("Keys.md", False),
        # Files that hold credentials whatever their content looks like.
        ("team/passwords.kdbx", True),
        ("deploy/service-account.json", True),
        ("firebase/myapp-firebase-adminsdk-abc12.json", True),
        ("/home/u/.kube/config", True),
        ("ops/kubeconfig", True),
        ("infra/terraform.tfstate", True),
        ("infra/terraform.tfstate.backup", True),
        ("infra/prod.tfvars", True),
        ("site/wp-config.php", True),
        ("/home/u/.pgpass", True),
        ("/home/u/.my.cnf", True),
        ("/home/u/.docker/config.json", True),
        ("public/.htpasswd", True),
        ("ansible/.vault_pass", True),
        ("/home/u/.bash_history", True),
        # ... and the copies editors and people leave of them.
        ("config/config_db.php.bak", True),
        ("config/config_db.php~", True),
        ("config/.config_db.php.swp", True),
        ("site/wp-config.php.orig", True),
        ("app/.env.save", True),
        # Names that only look alike.
        ("src/docker/config.json", False),
        ("src/Config.php", False),
        ("files/_log/php-errors.log.1", False),
        ("src/service.json", False),
        ("docs/kubernetes.md", False),
    ],
)
def test_files_never_sent(path: str, excluded: bool) -> None:
    assert is_excluded(path) is excluded
    assert is_excluded(path, ()) is False
    assert "config_db.php" in DEFAULT_EXCLUDES


@pytest.mark.parametrize(
    ("user", "path", "excluded"),
    [
        (["*.sql"], "dumps/glpi.sql", True),  # the user's own pattern
        (["*.sql"], "app/.env", True),  # ... does not replace the built-in list
        (["!settings.py"], "project/settings.py", False),  # '!' sends what the built-in list keeps back
        (["!settings.py"], "project/settings.yaml", True),  # ... and nothing else
        (["!*.pem", "deploy/*"], "deploy/server.pem", False),  # a '!' wins over any match
        ([], "src/Ticket.php", False),
        (["files/_log/*.log"], "/var/www/glpi/files/_log/php-errors.log", True),  # relative to any folder
        (["files/_log/*.log"], "/var/www/glpi/files/other.log", False),
    ],
)
def test_the_users_exclude_list_adds_to_the_built_in_one(user: list[str], path: str, excluded: bool) -> None:
    assert is_excluded(path, CloudSettings(exclude=user).never_sent()) is excluded
