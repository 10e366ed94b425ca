"""Redaction by context and its false-positive controls: one row per shape of syntax, each with a fake value made
from a seeded generator (no realistic credential is written in this file), and ordinary code that must come back
unchanged. The public corpus and its figures are in bench/redaction.py; this table pins the shapes."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from copiloto.cloud.redact import redact

_RANDOM = random.Random(18)


def fake(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    """A made-up value of generated shape: at least one lower, upper and digit, so it reads as a token."""
    chars = [_RANDOM.choice(alphabet) for _ in range(length - 3)]
    return "".join([*chars, _RANDOM.choice("abcdefgh"), _RANDOM.choice("JKLMNP"), _RANDOM.choice("2345")])


def lower_token(length: int) -> str:
    return "".join(_RANDOM.choice(string.ascii_lowercase + string.digits) for _ in range(length))


TOKEN, TOKEN2, GLPI_USER, GLPI_APP, GLPI_SESSION = fake(28), fake(40), lower_token(40), lower_token(40), lower_token(26)
PASSWORD = "Gl" + "pi-" + fake(6) + "!"

# (where it was seen, the text, the secret that must not survive)
SECRETS: list[tuple[str, str, str]] = [
    ("flask subscript", f'app.config["SECRET_KEY"] = "{PASSWORD}"', PASSWORD),
    # pytest's failure line: `AssertionError:` must not read as the name and `db_password` as its annotation
    ("after an exception name", f'E       AssertionError: db_password = "{PASSWORD}"', PASSWORD),
    ("os.environ subscript", f'os.environ["DB_PASSWORD"] = "{PASSWORD}"', PASSWORD),
    ("php define", f"define('DB_PASSWORD', '{PASSWORD}');", PASSWORD),
    ("getenv default", f'db = os.getenv("DB_PASS", "{PASSWORD}")', PASSWORD),
    ("environ.get default", f"token = os.environ.get('API_TOKEN', '{TOKEN}')", TOKEN),
    ("ini with spaces", f"[database]\nhost = db\npassword = {PASSWORD}\n", PASSWORD),
    ("ini plain word", "[database]\nhost = db\npassword = glpiadmin\n", "glpiadmin"),
    ("properties", f"spring.datasource.password={PASSWORD}", PASSWORD),
    ("compose list", f"environment:\n  - MYSQL_PASSWORD={PASSWORD}\n", PASSWORD),
    ("dockerfile ENV space", f"ENV DB_PASSWORD {PASSWORD}", PASSWORD),
    ("dockerfile ENV =", f"ENV API_TOKEN={TOKEN}", TOKEN),
    ("shell prefix", f"PGPASSWORD={PASSWORD} psql -h db -U app", PASSWORD),
    ("export", f"export MYSQL_PWD={PASSWORD}", PASSWORD),
    ("jdbc query", f"jdbc:mysql://db:3306/glpi?user=glpi&password={PASSWORD}&useSSL=false", PASSWORD),
    ("ado.net", f'"Server=db;Database=glpi;User Id=sa;Password={PASSWORD};"', PASSWORD),
    ("libpq dsn", f"psycopg2.connect('host=db dbname=app user=app password={PASSWORD}')", PASSWORD),
    (
        "libpq dsn, & in the password",
        "psycopg2.connect('dbname=app password=ab&^bds^P1zDlV!8 host=db')",
        "^bds^P1zDlV!8",
    ),
    ("xml element", f"<password>{PASSWORD}</password>", PASSWORD),
    ("xml add key", f'<add key="ApiKey" value="{TOKEN}" />', TOKEN),
    ("cookie header", f"Cookie: sessionid={TOKEN}; theme=dark", TOKEN),
    ("set-cookie", f"Set-Cookie: PHPSESSID={GLPI_SESSION}; path=/; HttpOnly", GLPI_SESSION),
    ("basic auth", "Authorization: Basic " + "dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    ("glpi user_token", f"Authorization: user_token {GLPI_USER}", GLPI_USER),
    ("glpi App-Token", f"App-Token: {GLPI_APP}", GLPI_APP),
    ("glpi Session-Token", f"curl -H 'Session-Token: {GLPI_SESSION}' http://glpi/apirest.php/Ticket", GLPI_SESSION),
    ("glpi headers dict", f"headers = {{'App-Token': '{GLPI_APP}', 'Session-Token': '{GLPI_SESSION}'}}", GLPI_APP),
    ("requests auth tuple", f"r = requests.get(url, auth=('admin', '{PASSWORD}'))", PASSWORD),
    ("HTTPBasicAuth", f"auth = HTTPBasicAuth('admin', '{PASSWORD}')", PASSWORD),
    ("curl -u", f"curl -u admin:{PASSWORD} https://glpi/apirest.php", PASSWORD),
    ("mysql -p", f"mysql -u root -p{PASSWORD} glpi < dump.sql", PASSWORD),
    ("mysqldump quoted", f"mysqldump -uroot -p'{PASSWORD}' glpi", PASSWORD),
    ("sshpass", f"sshpass -p '{PASSWORD}' ssh deploy@host", PASSWORD),
    ("long flag", f"glpi-cli --db-password={PASSWORD} --verbose", PASSWORD),
    ("smtplib login", f"server.login('me@example.org', '{PASSWORD}')", PASSWORD),
    ("ldap_bind", f"ldap_bind($ds, 'cn=admin,dc=example,dc=org', '{PASSWORD}');", PASSWORD),
    ("new PDO", f'$pdo = new PDO("mysql:host=db;dbname=glpi", "glpi", "{PASSWORD}");', PASSWORD),
    ("new mysqli", f"$db = new mysqli('localhost', 'glpi', '{PASSWORD}', 'glpi');", PASSWORD),
    ("go dsn", f'dsn := "glpi:{PASSWORD}@tcp(127.0.0.1:3306)/glpi"', PASSWORD),
    ("pgpass line", f"db.example.org:5432:glpi:glpi:{PASSWORD}", PASSWORD),
    (
        "glpi php-errors backtrace",
        "[2026-11-30 10:02:11] glpiphplog.CRITICAL:   *** Uncaught Exception mysqli_sql_exception: Access denied\n"
        "  Backtrace :\n"
        f"  #0 /var/www/glpi/src/DBmysql.php(159): mysqli->real_connect('localhost', 'glpi', '{PASSWORD}', 'glpi')\n"
        "  #1 /var/www/glpi/inc/db.function.php(61): DBmysql->connect()\n",
        PASSWORD,
    ),
    (
        "php trace cut",
        "#0 src/DBmysql.php(159): mysqli->real_connect('localhost', 'glpi', 'averylongpasswo...')",
        "averylongpasswo",
    ),
    ("pymysql positional", f"conn = pymysql.connect('db', 'app', '{PASSWORD}', 'glpi')", PASSWORD),
    ("psycopg2 kwarg", f"conn = psycopg2.connect(host='db', user='app', password='{PASSWORD}')", PASSWORD),
    ("boto3 kwarg", f"boto3.client('s3', aws_secret_access_key='{TOKEN2}')", TOKEN2),
    ("client positional key", f"client = SomeApiClient('{TOKEN}')", TOKEN),
    ("jwt.encode key", f"jwt.encode(payload, '{PASSWORD}', algorithm='HS256')", PASSWORD),
    ("php property", f"$this->password = '{PASSWORD}';", PASSWORD),
    ("php array plain word", "'password' => 'glpi',", "glpi"),
    ("yaml plain word", "database:\n  password: glpiadmin\n", "glpiadmin"),
    ("bare token name", f"token={TOKEN}", TOKEN),
    ("x-api-key header", f"headers = {{'X-API-Key': '{TOKEN}'}}", TOKEN),
    (
        "kubeconfig client-key-data",
        "client-key-data: "
        + "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpN"
        + "SUlFb3dJQkFBS0NBUUVBN3gKLS0tLS1FTkQgUlNBIFBSSVZBVEUgS0VZLS0tLS0K",
        "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpN",
    ),
    ("private jwk", '{"kty":"RSA","n":"0vx7agoebGc","e":"AQAB","d":"' + TOKEN2 + '"}', TOKEN2),
    ("generated token, no telling name", f"CALLBACK = register('{TOKEN2}')", TOKEN2),
    ("app password with spaces", "mail:\n  password: sxkg xcnv oate lpwp\n", "sxkg xcnv oate lpwp"),
    ("triple quotes", f'password = """{PASSWORD}"""', PASSWORD),
    ("symbols first", 'Password: "!v*bHEcR!e#PvWIak",', "!v*bHEcR!e#PvWIak"),
    ("base64 starting with a slash", f'"helpcrunch_secret": "/+I/{TOKEN2}"', TOKEN2),
    ("jdbc getConnection", f'DriverManager.getConnection(url, "glpi", "{PASSWORD}");', PASSWORD),
    ("NetworkCredential", f'var c = new NetworkCredential("svc", "{PASSWORD}");', PASSWORD),
    ("pika credentials", f"pika.PlainCredentials('app', '{PASSWORD}')", PASSWORD),
    ("powershell", f'$pw = ConvertTo-SecureString "{PASSWORD}" -AsPlainText -Force', PASSWORD),
    ("net use", f"net use \\\\srv\\share /user:CORP\\svc {PASSWORD}", PASSWORD),
    ("docker login", f"docker login -u ci -p {PASSWORD} registry.example.org", PASSWORD),
    ("ldapsearch", f"ldapsearch -x -D cn=admin,dc=example,dc=org -w '{PASSWORD}' -b dc=example,dc=org", PASSWORD),
    ("sql create user", f"CREATE USER 'glpi'@'localhost' IDENTIFIED BY '{PASSWORD}';", PASSWORD),
    ("sql insert", f"INSERT INTO glpi_users (name, password) VALUES ('glpi', '{PASSWORD}');", PASSWORD),
    ("kubernetes env", f'env:\n  - name: DB_PASSWORD\n    value: "{PASSWORD}"\n', PASSWORD),
    ("postman", f'{{"key": "apiKey", "value": "{TOKEN}"}}', TOKEN),
    ("har cookie", f'"cookies": [{{"name": "glpi_8ac3914e6e3d", "value": "{GLPI_SESSION}"}}]', GLPI_SESSION),
    ("xml property", f'<property name="hibernate.connection.password">{PASSWORD}</property>', PASSWORD),
    ("wpa psk", f'network={{\n    ssid="Office"\n    psk="{PASSWORD}"\n}}', PASSWORD),
    ("apache SetEnv", f"SetEnv DB_PASS {PASSWORD}", PASSWORD),
    ("redis requirepass", "bind 127.0.0.1\nrequirepass foobared2\n", "foobared2"),
    ("netrc", f"machine glpi.example.org login glpi password {PASSWORD}", PASSWORD),
    ("setter", f'ds.setPassword("{PASSWORD}");', PASSWORD),
    ("builder", f'Client.builder().username("u").password("{PASSWORD}").build()', PASSWORD),
    ("mongo shell", f"mongo admin -u root -p {PASSWORD} --authenticationDatabase admin", PASSWORD),
    ("smbclient", f"smbclient //srv/share -U 'CORP\\\\svc%{PASSWORD}'", PASSWORD),
    ("snmp v3", f"snmpwalk -v3 -l authPriv -u mon -a SHA -A {PASSWORD} -x AES -X x{PASSWORD} host", "x" + PASSWORD),
    ("go basic auth", f'req.SetBasicAuth("deploy", "{PASSWORD}")', PASSWORD),
    ("php curl userpwd", f'curl_setopt($ch, CURLOPT_USERPWD, "glpi:{PASSWORD}");', PASSWORD),
    (
        "ruby constructor",
        f'Twilio::REST::Client.new(account_sid, "{lower_token(32)[:0]}0123456789abcdef0123456789abcdef")',
        "0123456789abcdef0123456789abcdef",
    ),
    ("java system property", f'JAVA_OPTS="-Djavax.net.ssl.keyStorePassword={PASSWORD} -Xmx1g"', PASSWORD),
    ("totp seed", 'totp = pyotp.TOTP("JBSWY3DPEHPK3PXP")', "JBSWY3DPEHPK3PXP"),
    ("prose", f"the new admin password for glpi is {PASSWORD} - change it", PASSWORD),
    ("prose, French", f"Mot de passe : {PASSWORD}", PASSWORD),
    ("prose, German, backticks", f"Passwort `{PASSWORD}`", PASSWORD),
    ("name in another language", f'"contraseña": "{PASSWORD}"', PASSWORD),
    ("newrelic, no name", f'default = "NRAK-{fake(27, string.ascii_uppercase + string.digits)}"', "NRAK-"),
]


@pytest.mark.parametrize(("shape", "text", "secret"), SECRETS, ids=[s for s, _, _ in SECRETS])
def test_the_secret_in_each_context_is_removed(shape: str, text: str, secret: str) -> None:
    done = redact(text)
    assert secret not in done.text, done.text
    assert done.count >= 1
    assert redact(done.text).text == done.text, "redacting twice changes nothing"


ORDINARY: list[tuple[str, str]] = [
    ("url without credentials", 'TOKEN_URL = "https://auth.example.com/oauth/token"'),
    ("token type", 'token_type = "Bearer"'),
    ("i18n label", '"password": "Mot de passe",'),
    ("laravel rules", "'password' => 'required|string|min:8|confirmed',"),
    ("laravel single rule", "'password_confirmation' => 'same:password',"),
    ("dotted model", 'AUTH_USER_MODEL = "accounts.User"'),
    ("cipher", 'cipher = "AES-256-CBC"'),
    ("lowercase cipher", 'ENCRYPTION_CIPHER = "aes-256-gcm"'),
    ("jwt algorithm", "JWT_ALGORITHM = 'HS256'"),
    ("key path", 'ssh_key_path = "~/.ssh/id_rsa"'),
    ("column type", "password_column_type = 'VARCHAR(255)'"),
    ("orm field", "password = models.CharField(max_length=128)"),
    ("form value", "password = request.form['password']"),
    ("method call", "token = self._get_token()"),
    ("env placeholder", 'api_key = "${API_KEY}"'),
    ("format string", "password = '%s'"),
    ("format call", "secret = '{}'.format(value)"),
    ("actions expression", "token: ${{ secrets.GITHUB_TOKEN }}"),
    ("dotted list", "PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']"),
    ("function", "def login(self, user, password):\n    return self._auth(user, password)"),
    ("php post", "$password = $_POST['password'];"),
    ("glpi request", "$DB->request(['FROM' => 'glpi_users', 'WHERE' => ['name' => $login]]);"),
    ("git sha", "commit = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4'"),
    ("sri", 'integrity="sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+5ycGEB5P0Ak5NpZCfBIRjNqJ6Urm"'),
    ("key word", "primary_key = 'ticket_id'"),
    ("secret name", "secret_name = 'glpi-db'"),
    ("auth type", "AUTH_TYPE = 'ldap'"),
    ("identifier", "getUserAccessTokenFromRequestHandler2 = None"),
    ("version", "API_VERSION = 'v2.1.0'"),
    ("kwargs pass-through", "connect(host=host, user=user, password=password)"),
    ("env lookup", "api_key = os.environ.get('API_KEY')"),
    ("redirect", "redirect_uri = 'http://localhost:8080/callback'"),
    ("message", "msg = _('Your password has expired')"),
    ("label", "label = 'Password:'"),
    ("glpi random", "$token = Toolbox::getRandomString(40);"),
    ("uuid", "uuid = '550e8400-e29b-41d4-a716-446655440000'"),
    ("secretKeyRef", "secretKeyRef:\n  name: db\n  key: password"),
    ("import", "from myapp.auth.tokens import PasswordResetTokenGenerator"),
    ("log call", "logger.info('token refreshed for %s', user)"),
    ("shell variable", 'mysql -u "$DB_USER" -p"$DB_PASSWORD" glpi'),
    ("template", "password: {{ .Values.db.password }}"),
    ("changeme", "DB_PASSWORD=changeme"),
    ("email", "smtp_user = 'alerts@example.org'"),
    ("host", "auth_host = 'ldap.example.org'"),
    ("html input", '<input type="password" name="password" id="password" autocomplete="current-password">'),
    ("go struct tag", 'APIKey string `json:"api_key" env:"API_KEY,required"`'),
    ("ssh public key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@glpi"),
    ("prose in a config", "# Choose a strong\npassword combination.\n"),
    ("docstring", "ftp.login() # default, i.e.: user anonymous, passwd anonymous@"),
    ("docstring call", "\"\"\"splitpasswd('user:passwd') -> 'user', 'passwd'.\"\"\""),
    ("version snapshot", "COMMUNICATION_API_VERSION=rc0.13.0_20230412_0712-SNAPSHOT"),
    ("lockfile", '"integrity": "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+5ycGEB5P0Ak5NpZCfBIRjNqJ6Urm"'),
    ("php decrypt", "$CFG_GLPI['smtp_passwd'] = Toolbox::sodiumDecrypt($CFG_GLPI['smtp_passwd']);"),
    ("compose reference", "environment:\n  MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD}\n"),
    ("cache key", 'CACHE_KEY = "tickets:4fb2a74b423f01e67daffdbad2cd9157"'),
    ("sql insert without secrets", "INSERT INTO glpi_tickets (name, content) VALUES ('Printer', 'Jammed again');"),
    ("prose about passwords", "The password is required.\nYour password is too short.\npassword is incorrect for glpi"),
    ("jvm flags", 'JAVA_OPTS="-Xmx1g -Dfile.encoding=UTF-8"'),
    ("dict of credentials", '_extra = {"credentials": resolved_credentials, **extra}'),
]


@pytest.mark.parametrize(("shape", "code"), ORDINARY, ids=[s for s, _ in ORDINARY])
def test_ordinary_code_comes_back_unchanged(shape: str, code: str) -> None:
    done = redact(code)
    assert done.text == code, done.text
    assert done.count == 0


HEX = "0123456789abcdef"
_TLS_KEY = base64.b64encode(
    ("-----BEGIN " + "PRIVATE KEY-----\n" + fake(64) + "\n-----END " + "PRIVATE KEY-----\n").encode()
)
_DOCKER_AUTH = base64.b64encode(b"ci:" + fake(16).encode()).decode()
_DOCKERCONFIG = base64.b64encode(json.dumps({"auths": {"registry.example.org": {"auth": _DOCKER_AUTH}}}).encode())

# Formats the issue found missing, by provider or file: (format, text, the random part that must go).
PROVIDERS: list[tuple[str, str, str]] = [
    (kind, template.format(secret), secret)
    for kind, template, secret in [
        ("stripe webhook secret", "endpoint = '{}'", "whsec_" + fake(32)),
        ("slack app token", "x = '{}'", "xapp-1-A" + fake(10, string.ascii_uppercase + string.digits) + "-" + fake(13)),
        ("vault token", "VAULT = '{}'", "hvs." + fake(90)),
        ("grafana service account", "g = '{}'", "glsa_" + fake(32) + "_" + fake(8, HEX)),
        ("docker pat", "DOCKER = '{}'", "dckr_pat_" + fake(27)),
        ("gitlab feature-flag token", "x = '{}'", "glft-" + fake(20)),
        ("gitlab ci build token", "x = '{}'", "glcbt-" + fake(5) + "_" + fake(20)),
        ("atlassian", "x = '{}'", "ATATT3xFfGF0" + fake(180)),
        ("heroku", "x = '{}'", "HRKU-" + fake(60)),
        ("artifactory", "x = '{}'", "AKCp" + fake(69)),
        ("azure ad client secret", "secret = '{}'", fake(3) + "8Q~" + fake(34)),
        ("discord webhook", "url = 'https://discord.com/api/webhooks/123456789012345678/{}'", fake(68)),
        ("age key", "{}", "AGE-SECRET-KEY-1" + fake(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")),
        ("putty private lines", "Private-Lines: 1\n{}\nPrivate-MAC: " + "ab" * 32, fake(44)),
        ("private jwk", '{{"kty":"EC","crv":"P-256","d":"{}"}}', fake(43)),
        ("kubeconfig client-key-data", "users:\n- name: x\n  user:\n    client-key-data: {}", _TLS_KEY.decode()),
        ("kubernetes tls.key", "kind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.key: {}", _TLS_KEY.decode()),
        ("dockerconfigjson", "data:\n  .dockerconfigjson: {}", _DOCKERCONFIG.decode()),
        ("docker config auth", '{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}}}}}}', _DOCKER_AUTH),
    ]
]


@pytest.mark.parametrize(("kind", "text", "secret"), PROVIDERS, ids=[k for k, _, _ in PROVIDERS])
def test_each_provider_format_is_removed(kind: str, text: str, secret: str) -> None:
    done = redact(text)
    assert secret not in done.text, done.text
    assert done.count >= 1


def test_a_query_string_keeps_what_follows_the_secret() -> None:
    done = redact(f'url = "https://glpi.example.org/callback?token={TOKEN}&next=/front/central.php"')
    assert TOKEN not in done.text and done.text.endswith('&next=/front/central.php"'), done.text
