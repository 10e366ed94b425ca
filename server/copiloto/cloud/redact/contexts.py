"""Secrets found by where they stand, not by their shape: the structural contexts.

Each finder reads one family of syntax and yields the span of the secret value in it:
- `assignments`: a name that says secret, then `=`, `:`, `=>`, `:=` and a value — in code, config files, YAML,
  JSON, `.env`, INI/properties, subscripts (`app.config["SECRET_KEY"] = …`, `os.environ["DB_PASS"] = …`),
  `KEY=value` anywhere on a line (`PGPASSWORD=x psql`, compose's `- VAR=x`, `?password=x&`, `Password=x;`);
- `name_value_calls`: `define('DB_PASSWORD', '…')`, `getenv("API_KEY", "default")`, `setdefault(...)`;
- `xml_elements`: `<password>…</password>`, `<add key="Password" value="…"/>`;
- `dockerfile_env`: `ENV DB_PASSWORD secret`;
- `authorization`: every `Authorization` scheme (Bearer, Basic, Token, Digest, GLPI's `user_token`, none);
- `cookies`: the values in `Cookie:` / `Set-Cookie:` headers;
- `url_credentials`: `scheme://user:pw@host`, Go/PDO DSNs `user:pw@tcp(…)`, `.pgpass` lines;
- `command_lines`: `curl -u user:pw`, `mysql -ppw`, `sshpass -p pw`, `redis-cli -a pw`, `--password=pw`;
- `credential_arguments`: the password argument of well-known calls (`mysqli->real_connect`, `new PDO`,
  `ldap_bind`, `smtplib….login`, `HTTPBasicAuth`, `auth=(user, pw)`, `pymysql.connect`, `jwt.encode`), in
  code and in the backtraces PHP writes to GLPI's logs.
Whether a value found there is a secret is `plausible.is_secret_value`'s call.

One module, over 400 lines: the context finders share their readers of names, values and lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from copiloto.cloud.redact.gitleaks import Hit
from copiloto.cloud.redact.plausible import (
    Strength,
    is_bare_constant,
    is_code,
    is_reference,
    is_secret_value,
    looks_generated,
    looks_like_password,
    name_strength,
)

# "…", '…', `…`, """…""", '''…''', and Objective-C's @"…".
_QUOTED = (
    r"\"\"\"[^\n]*?\"\"\"|'''[^\n]*?'''"
    r"|@?\"(?:\\.|[^\"\\\n])*\"|@?'(?:\\.|[^'\\\n])*'|`[^`\n]*`"
)
_UNQUOTED = r"[^\s\"'`,;)\]}<>&|\\]+"

_ASSIGNMENT = re.compile(
    r"(?P<lead>[-?&;]*)(?<![\w$@.-])(?P<name>[A-Za-z_$@][\w$@.-]*?)(?P<close>(?:\[\])?[\"'`]?\]?)"
    r"(?P<space>[ \t]*)(?P<annotation>:[ \t]*[A-Za-z_][\w\[\], .|]*?[ \t]*(?==))?"  # `password: str = "…"`
    r"(?:(?<=[ \t])(?:string|\[\]byte|String|str|char\s*\*|const\s+char\s*\*)[ \t]*(?==))?"  # Go, C: `pw string = "…"`
    r"(?P<sep>=>|:{1,3}=|\?\?=|\|\|=|\?=|(?<![=!<>])=(?![=~>])|(?<!:):(?![:/=]))[ \t]*"
    rf"(?P<value>{_QUOTED}|{_UNQUOTED})"
)
# Context sent to Claude is often numbered ("12: password = x"): a line may start with its number.
_NUMBERED = r"(?:\d+:[ \t])?"
_LINE_START = re.compile(
    rf"^{_NUMBERED}[ \t]*(?:-[ \t]+|export[ \t]+|set[ \t]+|setx[ \t]+|ENV[ \t]+|ARG[ \t]+|SetEnv[ \t]+)?[\"']?$"
)
_INI_SECTION = re.compile(rf"(?m)^{_NUMBERED}[ \t]*\[[^\]\n]+\][ \t]*$")
_CODE_MARKERS = re.compile(
    rf"(?m)^{_NUMBERED}[ \t]*(?:def |class |import |from \S+ import|function |<\?php|public |private |const |let |var "
    r"|#include)"
)
# A name and its value with only a space between: `password 'x'` (a message), `user_token abc…` (GLPI's scheme).
_SPACED = re.compile(
    r"(?i)(?<![\w$@.-])(?P<name>[\w.-]*(?:pass|pwd|pw|secret|token|key|auth|cred|cookie|sess|salt|hmac|dsn)[\w.-]*)"
    rf"(?:[ \t]*(?=@?[\"'`])|[ \t]+)(?P<value>{_QUOTED}|[^\s\"'`,;)\]}}<>|]+)"
)
_PLAIN_NAMES = frozenset({"password", "passwd", "secret", "token", "key", "passphrase", "pin", "pass", "credentials"})
_VERBS = frozenset({"pass", "passes", "key", "keys", "token", "tokens", "auth", "secret", "cookie", "cookies"})
_CONFIG_LINE = re.compile(
    rf"(?m)^{_NUMBERED}[ \t]*(?:export[ \t]+|-[ \t]+)?(?P<name>[\w.-]+)[ \t]*[=:][ \t]*"
    r"(?P<value>[^\s\"'#;|>][^\n,]*?),?[ \t]*$"
)
_CALL_OR_INDEX = re.compile(r"[\w\])]\s*[(\[]")  # `models.CharField(…)`, `request.form['password']`: code
_OR_ELSE = r"\s*(?:\?:|\?\?|\|\||\bor\b)\s*"  # PHP ?: ??, JavaScript ||, Python or
_ENV_FALLBACKS = (
    re.compile(rf"(?:getenv|env|os\.getenv)\(\s*[\"'](?P<name>\w+)[\"'][^)\n]*\){_OR_ELSE}(?P<value>{_QUOTED})"),
    re.compile(
        r"(?:process\.env\.|process\.env\[[\"']|\$_(?:ENV|SERVER)\[[\"']|ENV\[[\"'])(?P<name>\w+)[\"']?\]?"
        rf"{_OR_ELSE}(?P<value>{_QUOTED})"
    ),
)
_ASSIGNED_TO = re.compile(r"(?P<name>[\w$]+)[\"'\]]*\s*(?:=|:=|=>|:)\s*[\"']?$")
_ASSIGNED_CALL = re.compile(r"(?P<name>[\w$]+)[\"'\]]*\s*(?:=|:=|=>|:)\s*[\w.$>:-]*\s*$")
_SHELL_DEFAULT = re.compile(r"\$\{(?P<name>\w+):?[-=](?P<value>[^}\s]+)\}")
_CONSTRUCTOR = re.compile(
    r"(?:\bnew\s+|\b)(?P<callee>(?:\w+(?:\.|::))*[A-Z]\w*[a-z]\w*)(?:\.new)?\s*\("  # not SQL's VALUES (; Ruby .new(
)
_NOT_A_CLIENT = re.compile(r"(?i)uuid|guid|hash|digest|sha|md5|color|colour|version|commit|checksum|bytes|hex|id$")
_HEX_KEY = re.compile(r"^[0-9a-f]{32,}$|^[0-9A-F]{32,}$")
_SPLIT_NAME_VALUE = re.compile(
    r"(?i)[\"']?\b(?:name|key)[\"']?\s*[:=]\s*[\"']?(?P<name>[\w.-]+)[\"']?\s*,?\s*(?:\n[ \t]*)?"
    rf"[\"']?\bvalue[\"']?\s*[:=]\s*(?P<value>{_QUOTED}|[^\s\"',}}]+)"
)
_XML_NAMED_ELEMENT = re.compile(
    r"<(?P<tag>[\w:.-]+)\s[^<>]*?\bname=\"(?P<name>[^\"]+)\"[^<>]*>(?P<value>[^<>\n]{1,200})</(?P=tag)>"
)
_DIRECTIVE = re.compile(
    rf"(?m)^{_NUMBERED}[ \t]*(?:SetEnv[ \t]+|PassEnv[ \t]+|set[ \t]+)?(?P<name>[A-Za-z_][\w.-]*)[ \t]+"
    rf"(?P<value>{_QUOTED}|[^\s\"'=:][^\s]*)[ \t]*$"
)
_NETRC = re.compile(
    rf"(?m)^[ \t]*(?:machine|default)\b[^\n]*?\b(?P<name>password|passwd)[ \t]+(?P<value>{_QUOTED}|\S+)"
)
# `setPassword("…")`, `withApiKey("…")`, `.password("…")`: a setter, or a builder method named for the secret.
_SETTER = re.compile(
    r"(?<![\w$])(?P<name>(?:set|with|use)_?[A-Za-z_]\w*|(?<=\.)(?:password|passwd|secret|apiKey|api_key|token))"
    rf"\s*\(\s*(?P<value>{_QUOTED})\s*\)"  # the only argument: `set_password(service, user, pw)` names first
)
_NOT_A_SETTER = re.compile(
    r"(?i)^(?:get|check|verify|validate|hash|encrypt|decrypt|is|has|find|reset|forgot|compare|match|label|"
    r"translate|gettext|_|n?gettext|trans|lang|t|__)"
)
_SQL_INSERT = re.compile(r"(?i)\bINSERT\s+INTO\s+[\w.`\"\[\]]+\s*\((?P<columns>[^)]{1,500})\)\s*VALUES\s*\(")
_NAME_VALUE_CALL = re.compile(rf"\(\s*([\"'])(?P<name>[\w.-]+)\1\s*,\s*(?P<value>{_QUOTED})")
_XML_ELEMENT = re.compile(r"<(?P<name>[\w:.-]+)(?:\s[^<>]*)?>(?P<value>[^<>\n]{1,200})</(?P=name)>")
_XML_KEY_VALUE = re.compile(
    r"<\w+\s+(?:key|name)\s*=\s*\"(?P<name>[^\"]+)\"\s+value\s*=\s*\"(?P<value>[^\"]*)\"", re.IGNORECASE
)
_DOCKER_ENV = re.compile(rf"(?m)^{_NUMBERED}[ \t]*ENV[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+(?P<value>[^\s=][^\n]*?)[ \t]*$")
_AUTHORIZATION = re.compile(
    r"(?i:\b(?:proxy-)?authori[sz]ation\b)[\"']?\s*(?:[:=,]|=>)\s*[\"']?"
    r"(?:(?P<scheme>[A-Za-z][\w-]*)[ \t]+)?(?P<cred>[^\s\"',;]+)"
)
_COOKIE_HEADER = re.compile(
    r"(?im)(?:\b(?:set-)?cookie[\"']?\s*[:=]\s*|(?<!\S)(?:-b|--cookie)(?:=|[ \t]+))[\"']?(?P<pairs>[^\n\"']+)"
)
_DIGEST_RESPONSE = re.compile(r"(?i)\bresponse\s*=\s*\"?(?P<value>[0-9a-f]{32,})")
_COOKIE_PAIR = re.compile(r"(?P<name>[^=;\s\\]+)=(?P<value>[^;\s\\]+)")
_COOKIE_ATTRIBUTES = frozenset(
    ["path", "domain", "expires", "max-age", "samesite", "secure", "httponly", "priority", "version"]
)
_URL_CREDENTIALS = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@\"'<>]*:(?P<pw>[^\s@/\"'<>]+)@")
_BARE_DSN = re.compile(
    r"(?<![\w/:.@-])[\w.%-]+:(?P<pw>[^\s:@/\"'<>()]{3,})@(?:tcp|unix|udp)?\(?\[?[\w.-]+\]?(?::\d+)?[)/]"
)
_PGPASS = re.compile(rf"(?m)^{_NUMBERED}[\w.*-]+:(?:\d+|\*):[\w.*-]+:[\w.*@-]+:(?P<pw>[^\s:][^\n]*?)[ \t]*$")
_CURL_USER = re.compile(r"(?<!\S)(?:-u|--user)(?:=|[ \t]+)[\"']?[^\s:\"']+[\"']?:[\"']?(?P<pw>[^\s\"'<>]+)")
_MYSQL_P = re.compile(rf"\b(?:mysql\w*|mariadb\w*)\b[^\n;|]*?[ \t]-p(?P<pw>{_QUOTED}|[^\s\"']+)")
_FLAG_VALUE = {
    "mongo": re.compile(
        rf"\bmongo(?:sh|dump|restore|export|import)?\b[^\n;|]*?[ \t]-p[ \t]+(?P<pw>{_QUOTED}|[^\s\"'-][^\s\"']*)"
    ),
    "smbclient": re.compile(
        r"\b(?:smbclient|rpcclient|smbmap|mount\.cifs)\b[^\n;|]*?-U[ \t]*[\"']?[^\s%\"']+%(?P<pw>[^\s\"']+)"
    ),
    "snmp auth": re.compile(rf"\bsnmp\w+\b[^\n;|]*?[ \t]-A[ \t]+(?P<pw>{_QUOTED}|[^\s\"']+)"),
    "snmp privacy": re.compile(rf"\bsnmp\w+\b[^\n;|]*?[ \t]-X[ \t]+(?P<pw>{_QUOTED}|[^\s\"']+)"),
    "curl userpwd": re.compile(r"\bCURLOPT_USERPWD\s*(?:,|=>)\s*[\"'][^\"':]*:(?P<pw>[^\"']+)[\"']"),
    "java property": re.compile(
        rf"(?<![^\s\"'])-D[\w.-]*(?i:password|passwd|secret|token|apikey|api\.key)[\w.-]*=(?P<pw>{_QUOTED}|[^\s\"']+)"
    ),
    "prose": re.compile(
        r"(?i)\b(?:password|passwort|mot de passe|contrase(?:n|ñ)a|senha|wachtwoord|pass(?:phrase|code)?)\b"
        r"(?:[ \t]*:|[^\n.:'\"]{0,40}?\b(?:is|est|es|ist|é)\b:?)"  # "password: X", "the password for glpi is X"
        r"[ \t]*(?P<pw>`[^`\n]+`|\"[^\"\n]+\"|'[^'\n]+'|[^\s`'\"]+)"
    ),
    # Oracle's user/password@host: sqlplus, JDBC thin URLs, connect strings.
    "oracle": re.compile(
        r"(?i)(?:\bsqlplus\s+(?:-\w+\s+)*|jdbc:oracle:\w+:|\bconn(?:ect)?\s+|\b(?:imp|exp|expdp|impdp|rman\s+target)\s+)"
        r"[\w$#.]+/(?P<pw>[^\s@/\"']+)@"
    ),
    "debconf": re.compile(r"[\w.-]+/[\w/-]*password(?:_again)?\s+password\s+(?P<pw>[^\s'\"|]+)"),
    "password-stdin": re.compile(
        rf"\b(?:echo|printf)\s+(?:-\w+\s+)?(?P<pw>{_QUOTED}|[^\s|]+)\s*\|\s*[^|\n]*--password-stdin"
    ),
    "ldap3": re.compile(
        rf"\bConnection\s*\(\s*[^,()]+,\s*(?:user\s*=\s*)?[\"'][^\"']*(?i:cn|uid|dc)=[^\"']*[\"']\s*,\s*"
        rf"(?:password\s*=\s*)?(?P<pw>{_QUOTED})"
    ),
    "docker login": re.compile(
        rf"\b(?:docker|podman|buildah|helm\s+registry|oras)\s+login\b[^\n;|]*?[ \t]-p[ \t]*(?P<pw>{_QUOTED}|[^\s\"']+)"
    ),
    "ldap tools": re.compile(rf"\bldap\w+\b[^\n;|]*?[ \t]-w[ \t]+(?P<pw>{_QUOTED}|[^\s\"']+)"),
    "net use": re.compile(rf"(?i)\bnet\s+use\b[^\n]*?/user:\S+[ \t]+(?P<pw>{_QUOTED}|[^\s\"'/]+)"),
    "powershell": re.compile(rf"(?i)\bConvertTo-SecureString\s+(?:-String\s+)?(?P<pw>{_QUOTED})"),
    "sql": re.compile(
        rf"(?i)\b(?:IDENTIFIED\s+(?:WITH\s+\w+\s+)?BY(?:\s+PASSWORD)?\s*|(?<![\w\"'`])PASSWORD(?:\s+|\s*\(\s*))"
        rf"(?P<pw>{_QUOTED})"
    ),
    "sshpass": re.compile(rf"\bsshpass\b[^\n;|]*?[ \t]-p[ \t]*(?P<pw>{_QUOTED}|[^\s\"']+)"),
    "redis-cli": re.compile(rf"\bredis-cli\b[^\n;|]*?[ \t]-a[ \t]+(?P<pw>{_QUOTED}|[^\s\"']+)"),
    "htpasswd": re.compile(rf"\bhtpasswd\b[^\n;|]*?[ \t]-\w*b\w*[ \t]+\S+[ \t]+\S+[ \t]+(?P<pw>{_QUOTED}|[^\s\"']+)"),
}
_LONG_FLAG = re.compile(rf"(?<!\S)--(?P<name>[A-Za-z][\w-]*)(?:=|[ \t]+)(?P<value>{_QUOTED}|[^\s\"';|&]+)")

# Calls whose nth argument (0-based) is a password or key, whatever it is called in the code.
_CREDENTIAL_CALLS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"(?i)(?:->|::|\.)real_connect\s*\("), 2),
    (re.compile(r"(?i)\bmysqli_real_connect\s*\("), 3),
    (re.compile(r"(?i)\b(?:new\s+\\?mysqli|mysqli_connect|mysql_p?connect|mysqli::__construct)\s*\("), 2),
    (re.compile(r"(?i)\b(?:new\s+\\?PDO|PDO->__construct|PDO::__construct)\s*\("), 2),
    (re.compile(r"(?i)\bldap_bind\s*\("), 2),
    (re.compile(r"(?i)\b(?:oci_p?connect|oci_new_connect)\s*\("), 1),
    (re.compile(r"\.login\s*\("), 1),  # smtplib, imaplib, ftplib, poplib's APOP, Flask-Login style clients
    (re.compile(r"\.pass_\s*\("), 0),
    (re.compile(r"\.(?:simple_)?bind(?:_s)?\s*\("), 1),  # python-ldap
    (re.compile(r"\b(?:HTTPBasicAuth|HTTPDigestAuth|HTTPProxyAuth|BasicAuth|DigestAuth)\s*\("), 1),
    (re.compile(r"\bauth\s*=\s*[(\[]"), 1),
    (re.compile(r"\b(?:pymysql|MySQLdb|mysql\.connector|mariadb|connector)\.connect\s*\("), 2),
    (re.compile(r"\bjwt\.(?:encode|decode)\s*\("), 1),
    (re.compile(r"\bhmac\.new\s*\("), 0),
    (re.compile(r"\bFernet\s*\("), 0),
    (re.compile(r"\bgetConnection\s*\("), 2),  # JDBC DriverManager
    (re.compile(r"\bmysql_real_connect\s*\("), 3),  # MySQL's C API
    (
        re.compile(r"\b(?:PlainCredentials|NetworkCredential|PasswordAuthentication|UsernamePasswordCredentials)\s*\("),
        1,
    ),
    (re.compile(r"\bPlainAuth\s*\("), 2),  # Go net/smtp
    (re.compile(r"\bnew\s+Sequelize\s*\("), 2),
    (re.compile(r"(?i)\b(?:ftp_login|ssh2_auth_password)\s*\("), 2),
    (re.compile(r"\bFTP(?:_TLS)?\s*\("), 2),
    (re.compile(r"\bSetBasicAuth\s*\("), 1),  # Go net/http
    (re.compile(r"\b(?:TOTP|HOTP)\s*\("), 0),  # pyotp: the seed
)
_PHP_TRUNCATED = re.compile(r"^'(?P<value>[^']*)\.\.\.'?$")  # PHP cuts arguments in traces: 'longpasswor...'


def _value_span(match: re.Match[str], group: str) -> tuple[int, int, str, bool]:
    """The span and text of a value without its quotes, and whether it was quoted."""
    start, end = match.span(group)
    value = match.group(group)
    if value.startswith("@") and len(value) > 1 and value[1] in "\"'":
        start, value = start + 1, value[1:]
    if len(value) >= 6 and value[:3] in ('"""', "'''") and value[-3:] == value[:3]:
        return start + 3, end - 3, value[3:-3], True
    if len(value) >= 2 and value[0] in "\"'`" and value[-1] == value[0]:
        return start + 1, end - 1, value[1:-1], True
    return start, end, value, False


LINE_WINDOW = 400  # characters of a line looked at on each side (a minified line must not cost its square)


def _line_of(text: str, index: int) -> tuple[str, str]:
    """The text of `index`'s line before it and after it, at most LINE_WINDOW characters each."""
    floor = max(0, index - LINE_WINDOW)
    first = text.rfind("\n", floor, index) + 1 or floor
    last = text.find("\n", index, index + LINE_WINDOW)
    return text[first:index], text[index : last if last >= 0 else min(len(text), index + LINE_WINDOW)]


def _inside_string(before: str) -> bool:
    """Whether a position follows an odd number of unescaped quotes of one kind on its line."""
    return any(len(re.findall(rf"(?<!\\){q}", before)) % 2 == 1 for q in "\"'")


class _Text:
    """The text under redaction, with the facts finders ask about it computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.config_like = bool(_INI_SECTION.search(text)) or not _CODE_MARKERS.search(text)


def assignments(doc: _Text) -> Iterator[Hit]:
    yield from _assignments_within(doc, 0, len(doc.text), inside_string=False)


def _assignments_within(doc: _Text, begin: int, stop: int, *, inside_string: bool) -> Iterator[Hit]:
    """Assignments in doc.text[begin:stop], and in the strings assigned to other names (a connection string's
    `Password=…;`, a JDBC URL's `&password=…`): everything inside a string is a literal."""
    for match in _ASSIGNMENT.finditer(doc.text, begin, stop):
        strength = name_strength(match.group("name"))
        start, end, value, quoted = _value_span(match, "value")
        before = doc.text[begin : match.start("name")] if inside_string else _line_of(doc.text, match.start("name"))[0]
        if match.group("close")[:1] in ("'", '"', "`"):
            before = before[:-1]  # the name's own opening quote
        in_string = inside_string or _inside_string(before)
        if in_string and not quoted and "?" not in before:
            end = _to_space(doc.text, end, stop)  # libpq's `password=a&b c=d`: no query string, `&` is a character
            value = doc.text[start:end]
        literal = quoted or inside_string or _reads_as_literal(doc, match, value)
        if not quoted and not inside_string and _pass_through(match.group("name"), value, match.group(0)):
            continue
        if strength is not None and is_secret_value(value, strength, quoted=literal):
            yield Hit(start, end, "password-or-token")
        elif quoted and end - start > 3 and ("=" in value or ":" in value):
            yield from _assignments_within(doc, start, end, inside_string=True)
        if strength is None and match.group("annotation"):
            # What read as an annotation may be a message's assignment: `AssertionError: db_password = "…"`.
            yield from _assignments_within(doc, match.start("annotation") + 1, match.end(), inside_string=inside_string)


def _to_space(text: str, index: int, stop: int) -> int:
    while index < stop and not text[index].isspace() and text[index] not in "\"';\\":
        index += 1
    return index


def _pass_through(name: str, value: str, whole: str) -> bool:
    """Code, not a value: `authkey=authkey`, `password=password` (a name passed on), `MUST_CHANGE_PASSWORD = 1820`
    (a numeric constant), `INVALID_CREDENTIALS: InvalidCredentialsResult` (a class)."""
    bare = name.rsplit(".", 1)[-1].lstrip("$").lower()
    spaced_number = value.isdigit() and " " in whole
    return value.lower() == bare or spaced_number or (not value.isdigit() and is_bare_constant(value))


def _reads_as_literal(doc: _Text, match: re.Match[str], value: str) -> bool:
    """Whether an unquoted value is a literal (config, shell, a query string) rather than an expression in code."""
    name, sep, lead = match.group("name"), match.group("sep"), match.group("lead")
    before, after = _line_of(doc.text, match.start("name"))
    if match.group("close")[:1] in ("'", '"', "`"):
        before = before[:-1]  # the name's own opening quote: $input['password'] = …
    rest = doc.text[match.end("value") : match.end("value") + len(after)].split("\n", 1)[0].strip()
    if sep == ":" and re.match(r"[ \t]+[A-Za-z]", rest and doc.text[match.end("value") : match.end("value") + 8]):
        return False  # prose: "pwd: expected bytes, got %s"
    if lead or _inside_string(before):
        return True  # `--password=x`, `?token=x&`, `;Password=x;`, "host=db password=x"
    tight = (
        not doc.text[match.start("sep") - 1].isspace()
        and not doc.text[match.end("sep") : match.end("value")][:1].isspace()
    )
    in_config = doc.config_like and not ({"(", "["} & set(value)) and before.count("(") <= before.count(")")
    if sep == "=" and tight and (name.isupper() or rest[:1] in ("", ";", "&") or in_config):
        return True  # DB_PASSWORD=x, PGPASSWORD=x psql, password=x at the end of a line
    at_line_start = bool(_LINE_START.match(before))
    ends_line = rest == "" or rest.startswith(("#", ";"))
    if at_line_start and ends_line and sep in (":", "="):
        # YAML, INI, .env; in a file of code the same line may be an annotation (`password: PasswordType`).
        return doc.config_like or not is_code(value)
    return False


def spaced_pairs(doc: _Text) -> Iterator[Hit]:
    for match in _SPACED.finditer(doc.text):
        strength = name_strength(match.group("name"))
        if strength is None or match.group("name").lower() in _VERBS:
            continue
        start, end, value, quoted = _value_span(match, "value")
        if quoted and doc.text[match.start() - 1 : match.start()] in ("'", '"', "`"):
            continue  # `"password" name="…"`: the quote after a quoted name closes it, it opens no value
        unquoted_secret = not value.startswith("-") and (  # `-Xmx1g`: the next flag, not a value
            looks_generated(value) or (strength == "password" and looks_like_password(value))
        )
        if is_secret_value(value, strength, quoted=True) if quoted else unquoted_secret:
            yield Hit(start, end, "password-or-token")


def config_lines(doc: _Text) -> Iterator[Hit]:
    """`NAME = value` to the end of the line in a config file (INI, properties, .env, YAML): the value may hold any
    character (`bindpw = ^~w^t=HH5…`, `my_password= &$PFB~%…`)."""
    if not doc.config_like:
        return
    for match in _CONFIG_LINE.finditer(doc.text):
        strength = name_strength(match.group("name"))
        name, value = match.group("name"), match.group("value")
        # `MUST_CHANGE_PASSWORD = 1820` is a constant in code; `DB_PASSWORD=123456` in a .env file is a password.
        python_constant = name.isupper() and " " in match.group(0) and value.isdigit()
        if strength is None or _CALL_OR_INDEX.search(value) or python_constant:
            continue
        if (
            (not value.isdigit() and is_bare_constant(value))
            or _pass_through(name, value, "")
            or name.startswith("self.")
        ):
            continue
        if is_secret_value(value, strength, quoted=True):
            yield Hit(*match.span("value"), "password-or-token")


def _assigned_name(text: str, index: int) -> str:
    """The name a call's result is assigned to: `db_pass` in `db_pass = os.environ.get(…)`."""
    before = _line_of(text, index)[0]
    target = _ASSIGNED_TO.search(before) or _ASSIGNED_CALL.search(before)
    return target.group("name") if target else ""


def _stronger(*names: str) -> Strength | None:
    strengths = [name_strength(n) for n in names if n]
    return "password" if "password" in strengths else "token" if "token" in strengths else None


def env_defaults(doc: _Text) -> Iterator[Hit]:
    """The fallback after an environment lookup: `getenv('X') ?: 'pw'`, `process.env.X || "pw"`, `${X:-pw}`."""
    for pattern in (*_ENV_FALLBACKS, _SHELL_DEFAULT):
        for match in pattern.finditer(doc.text):
            strength = _stronger(match.group("name"), _assigned_name(doc.text, match.start()))
            start, end, value, _ = _value_span(match, "value")
            if strength is not None and is_secret_value(value, strength, quoted=True):
                yield Hit(start, end, "password-or-token")


def constructor_keys(doc: _Text) -> Iterator[Hit]:
    """A key passed by position to a client's constructor: `Github("…")`, `new Mailchimp('…')`, `Client(sid, key)`."""
    for match in _CONSTRUCTOR.finditer(doc.text):
        if _NOT_A_CLIENT.search(match.group("callee")):
            continue
        for start, end in _arguments(doc.text, match.end()):
            hit = _literal_hit(doc.text, start, end)
            if hit is not None and _key_like(doc.text[hit.start : hit.end]):
                yield hit


def _key_like(value: str) -> bool:
    return bool(_HEX_KEY.match(value)) or (len(value) >= 20 and looks_generated(value))


def split_name_value(doc: _Text) -> Iterator[Hit]:
    """A name and its value in two fields: Kubernetes `- name: DB_PASSWORD` / `value: …`, a HAR's or Postman's
    `{"name"|"key": …, "value": …}`, `<property name="…password">…</property>`. Cookies in such lists are
    redacted by their value's shape, whatever they are called."""
    for pattern in (_SPLIT_NAME_VALUE, _XML_NAMED_ELEMENT):
        for match in pattern.finditer(doc.text):
            start, end, value, _ = _value_span(match, "value")
            strength = name_strength(match.group("name").split(".")[-1])
            if strength is None and "cookie" in doc.text[max(0, match.start() - 300) : match.start()].lower():
                strength = "token"
            if strength is not None and is_secret_value(value, strength, quoted=True):
                yield Hit(start, end, "password-or-token")


def directive_lines(doc: _Text) -> Iterator[Hit]:
    """`requirepass x` (redis.conf), `SetEnv DB_PASS x` (Apache), `machine h login u password x` (.netrc): a name
    and its value separated by spaces, in a config file."""
    if not doc.config_like:
        return
    for pattern in (_DIRECTIVE, _NETRC):
        for match in pattern.finditer(doc.text):
            name = match.group("name")
            strength = name_strength(name)
            start, end, value, quoted = _value_span(match, "value")
            if strength is None or not is_secret_value(value, strength, quoted=True):
                continue
            # A plain word for a name ("password combination.") may be prose: then the value must look like one.
            prose_risk = pattern is _DIRECTIVE and not quoted and name.lower() in _PLAIN_NAMES
            if not prose_risk or looks_like_password(value) or looks_generated(value):
                yield Hit(start, end, "password-or-token")


def secret_setters(doc: _Text) -> Iterator[Hit]:
    """A literal handed to a call named for a secret: `setPassword("…")`, `.password("…")`, `withApiKey("…")`."""
    for match in _SETTER.finditer(doc.text):
        name = match.group("name")
        if _NOT_A_SETTER.match(name):
            continue
        strength = name_strength(re.sub(r"^(?:set|with|use)(?=[A-Z_])", "", name))
        start, end, value, _ = _value_span(match, "value")
        if strength is not None and is_secret_value(value, strength, quoted=True):
            yield Hit(start, end, "password-or-token")


def sql_inserts(doc: _Text) -> Iterator[Hit]:
    """`INSERT INTO t (name, password) VALUES ('glpi', 'x')`: the value in the column named for a secret."""
    for match in _SQL_INSERT.finditer(doc.text):
        columns = [c.strip(' `"[]') for c in match.group("columns").split(",")]
        secret_columns = [i for i, c in enumerate(columns) if name_strength(c) is not None]
        if not secret_columns:
            continue
        values = _arguments(doc.text, match.end())
        for index in secret_columns:
            if index < len(values):
                hit = _literal_hit(doc.text, *values[index])
                if hit is not None and is_secret_value(doc.text[hit.start : hit.end], "password", quoted=True):
                    yield hit


def name_value_calls(doc: _Text) -> Iterator[Hit]:
    for match in _NAME_VALUE_CALL.finditer(doc.text):
        strength = _stronger(match.group("name"), _assigned_name(doc.text, match.start()))
        start, end, value, _ = _value_span(match, "value")
        if strength is not None and is_secret_value(value, strength, quoted=True):
            yield Hit(start, end, "password-or-token")


def xml_elements(doc: _Text) -> Iterator[Hit]:
    for pattern in (_XML_ELEMENT, _XML_KEY_VALUE):
        for match in pattern.finditer(doc.text):
            strength = name_strength(match.group("name").split(":")[-1])
            value = match.group("value")
            if strength is not None and is_secret_value(value, strength, quoted=True):
                yield Hit(*match.span("value"), "password-or-token")


def dockerfile_env(doc: _Text) -> Iterator[Hit]:
    for match in _DOCKER_ENV.finditer(doc.text):
        strength = name_strength(match.group("name"))
        start, end, value, _ = _value_span(match, "value")
        if strength is not None and is_secret_value(value, strength, quoted=True):
            yield Hit(start, end, "password-or-token")


def authorization(doc: _Text) -> Iterator[Hit]:
    for match in _AUTHORIZATION.finditer(doc.text):
        cred = match.group("cred")
        if match.group("scheme") is None and not looks_generated(cred):
            continue  # `("authorization", "x-api-key")`: a bare value must look like a credential
        if not is_reference(cred) and len(cred) >= 3 and not cred.endswith(("(", "[")):
            yield Hit(*match.span("cred"), "authorization-header")


def digest_responses(doc: _Text) -> Iterator[Hit]:
    """HTTP Digest authentication: the response hash stands for the password."""
    if "digest" in doc.text.lower():
        for match in _DIGEST_RESPONSE.finditer(doc.text):
            yield Hit(*match.span("value"), "authorization-header")


def cookies(doc: _Text) -> Iterator[Hit]:
    for header in _COOKIE_HEADER.finditer(doc.text):
        offset = header.start("pairs")
        for pair in _COOKIE_PAIR.finditer(header.group("pairs")):
            value = pair.group("value")
            if pair.group("name").lower() in _COOKIE_ATTRIBUTES or not (looks_generated(value) or len(value) >= 16):
                continue
            yield Hit(offset + pair.start("value"), offset + pair.end("value"), "cookie")


def url_credentials(doc: _Text) -> Iterator[Hit]:
    for pattern in (_URL_CREDENTIALS, _BARE_DSN, _PGPASS, _CURL_USER):
        for match in pattern.finditer(doc.text):
            if not is_reference(match.group("pw")):
                yield Hit(*match.span("pw"), "url-credentials")


def command_lines(doc: _Text) -> Iterator[Hit]:
    prose = _FLAG_VALUE["prose"]
    for pattern in (_MYSQL_P, *_FLAG_VALUE.values()):
        for match in pattern.finditer(doc.text):
            start, end, value, quoted = _value_span(match, "pw")
            if pattern is prose and not quoted and not (looks_like_password(value) or looks_generated(value)):
                continue  # "the password is required": a bare word in prose must look like a password
            if is_secret_value(value, "password", quoted=True):
                yield Hit(start, end, "password-or-token")
    for match in _LONG_FLAG.finditer(doc.text):
        strength = name_strength(match.group("name"))
        start, end, value, _ = _value_span(match, "value")
        if strength is not None and is_secret_value(value, strength, quoted=True):
            yield Hit(start, end, "password-or-token")


def credential_arguments(doc: _Text) -> Iterator[Hit]:
    for pattern, index in _CREDENTIAL_CALLS:
        for match in pattern.finditer(doc.text):
            arguments = _arguments(doc.text, match.end())
            if index >= len(arguments):
                continue
            start, end = arguments[index]
            hit = _literal_hit(doc.text, start, end)
            if hit is not None:
                yield hit


def _literal_hit(text: str, start: int, end: int) -> Hit | None:
    """The inside of a string literal argument (`'pw'`, `b"key"`, PHP's cut `'longpass...'`) when it is a secret."""
    raw = text[start:end]
    stripped = raw.lstrip("bBrRuU")
    start += len(raw) - len(stripped)
    truncated = _PHP_TRUNCATED.match(stripped)
    if truncated:
        value = truncated.group("value")
        return Hit(start + 1, start + 1 + len(value), "password-or-token") if value else None
    if len(stripped) < 2 or stripped[0] not in "\"'" or stripped[-1] != stripped[0]:
        return None
    value = stripped[1:-1]
    if not value or is_reference(value):
        return None
    return Hit(start + 1, start + len(stripped) - 1, "password-or-token")


def _arguments(text: str, start: int, limit: int = 2000) -> list[tuple[int, int]]:
    """The spans of the top-level arguments of a call whose `(` ends just before `start`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    depth, quote, begin, i = 0, "", start, start
    end = min(len(text), start + limit)
    while i < end:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}" and depth:
            depth -= 1
        elif c in ")]}" or c == ",":
            spans.append(_trimmed(text, begin, i))
            if c != ",":
                return spans
            begin = i + 1
        i += 1
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


FINDERS: tuple[Callable[[_Text], Iterator[Hit]], ...] = (
    assignments,
    spaced_pairs,
    config_lines,
    env_defaults,
    constructor_keys,
    split_name_value,
    directive_lines,
    secret_setters,
    sql_inserts,
    name_value_calls,
    xml_elements,
    dockerfile_env,
    authorization,
    digest_responses,
    cookies,
    url_credentials,
    command_lines,
    credential_arguments,
)


def find(text: str) -> Iterator[Hit]:
    doc = _Text(text)
    for finder in FINDERS:
        yield from finder(doc)


__all__ = ["FINDERS", "Strength", "find"]
