"""Whether a name says "secret", and whether a value could be one: the false-positive controls.

A value is not a secret because of the name next to it. Claude must see the user's code, so a value is kept
when it is plainly something else: a placeholder or a reference (`${DB_PASSWORD}`, `%s`, `{}`, `{{ secrets.X }}`,
`$password`), a URL or path without credentials, text with spaces, a dotted identifier (`accounts.User`), a
validation rule (`required|min:8`), an enum-like constant (`Bearer`, `HS256`, `AES-256-CBC`), an expression
in code (`os.environ[...]`, `get_secret()`), a short word.

Names come in two strengths: a *password* name (`password`, `DB_PASS`, `$dbpassword`, `secret`, `client_secret`)
makes any literal beyond a placeholder a secret, since people choose words as passwords; a *token* name
(`api_key`, `auth`, `token`, `session_id`, `App-Token`) needs a value that also looks generated.

One module, over 400 lines: every false-positive control in one place, so each finder asks the same questions.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from typing import Literal

Strength = Literal["password", "token"]

# Compact names (lower case, no separators) that say password: `dbpassword`, `smtp_passwd`, `PGPASS`, `passphrase`.
_PASSWORD = re.compile(
    r"passw(?:or)?[dt]|passwd|pwd|pw$|contrase(?:n|ñ)a|motdepasse|senha|wachtwoord|l(?:o|ö)senord|parola|has(?:l|ł)o|"
    r"salasana|adgangskode|пароль|passphrase|passcode|pass$|secret|privatekey|masterkey$|apikey|api_?key|"
    r"accesskey|authkey|secretkey|clientsecret|encryptionkey|signingkey|credential|creds$"
)
_PASSWORD_WORDS = frozenset({"pw", "pwd", "pass", "passwd", "pword", "pin", "psk", "passkey"})
_NOT_PASSWORD = re.compile(r"(?:bypass|compass|overpass|underpass|passthrough|passive|passage|passenger)$")
_TOKEN = re.compile(
    r"token|apikey|api_key|accesskey|authkey|secretkey|signingkey|encryptionkey|cryptkey|credential|creds|"
    r"(?:^|_)auth$|authorization|bearer|cookie|sess(?:ion)?_?id$|sessid|sid$|salt$|hmac|dsn$|^key$|_key$|apitoken|"
    r"connectionstring|connstr|webhook"
)
# Words that make any name about something public or harmless: `public_key`, `csrf_token`, `keyVaultToStoreSecrets`.
_NOT_SECRET_QUALIFIERS = frozenset({"public", "pub", "csrf", "xsrf", "secrets", "tokens", "passwords", "keys"})
_NOT_SECRET_KEYS = frozenset(
    re.findall(
        r"\w+",
        "cache primary foreign sort lookup partition index dict map registry translation column field unique "
        "composite hot shortcut keyboard route redis storage idempotency dedup namespace group object bucket prefix "
        "config setting meta metadata label message row table hash natural sequence schema dedupe",
    )
)
# The last word of a name that makes it about a secret, not the secret itself: `password_min_length`, `TOKEN_URL`.
_NOT_A_SECRET_WORD = frozenset(
    [
        "url",
        "uri",
        "urls",
        "endpoint",
        "host",
        "hostname",
        "path",
        "paths",
        "file",
        "filename",
        "files",
        "dir",
        "directory",
        "folder",
        "name",
        "names",
        "type",
        "types",
        "id",
        "ids",
        "length",
        "len",
        "size",
        "min",
        "max",
        "minimum",
        "maximum",
        "policy",
        "field",
        "fields",
        "label",
        "hint",
        "model",
        "class",
        "header",
        "headers",
        "prefix",
        "suffix",
        "expiry",
        "expires",
        "expiration",
        "ttl",
        "lifetime",
        "timeout",
        "rule",
        "rules",
        "regex",
        "pattern",
        "hash",
        "hashed",
        "count",
        "reset",
        "env",
        "var",
        "variable",
        "format",
        "mode",
        "enabled",
        "disabled",
        "required",
        "algorithm",
        "alg",
        "cipher",
        "method",
        "scheme",
        "strategy",
        "provider",
        "version",
        "store",
        "storage",
        "manager",
        "backend",
        "service",
        "handler",
        "validator",
        "serializer",
        "form",
        "input",
        "prompt",
        "message",
        "msg",
        "text",
        "error",
        "errors",
        "help",
        "placeholder",
        "column",
        "table",
        "query",
        "param",
        "params",
        "index",
        "idx",
        "ref",
        "arn",
        "location",
        "source",
        "kind",
        "list",
        "map",
        "keys",
        "fn",
        "func",
        "function",
        "callback",
        "hook",
        "id_token_hint",
        "characters",
        "chars",
        "label_text",
        "confirm_text",
        "location_id",
        "mask",
        "masked",
        "visible",
        "visibility",
        "changed",
        "change",
        "reminder",
        "question",
        "questions",
        "strength",
        "complexity",
        "attempts",
        "retries",
        "tries",
        "limit",
        "page",
        "route",
        "view",
        "template",
        "enc",
        "encoding",
        "charset",
        "box",
        "modal",
        "dialog",
        "generator",
        "flag",
        "flags",
        "option",
        "options",
        "setting",
        "settings",
        "config",
        "cfg",
        "parameter",
        "parameters",
        "schema",
        "property",
        "properties",
        "lifetime_seconds",
        "display",
        "widget",
        "button",
        "link",
        "repo",
        "repository",
        "bucket",
        "region",
        "account",
        "user",
        "username",
        "login",
        "email",
        "mail",
    ]
)

_PLACEHOLDER = re.compile(
    r"""(?ix)^(?:
        \$\{[^}]*\}.* | \$\{\{.*\}\} | \{\{.*\}\} | \{%.*%\} | <%.*%> | \$\([^)]*\)     # templates, env, shell
      | \$[A-Za-z_].* | %[A-Za-z_]\w*% | @[A-Za-z_]\w*@ # variables
      | <[^<>]+> | \[[^\[\]]+\] | \#\{[^}]*\}                                          # <password>, [REDACTED]
      | [x*._#-]+ | \?+ | 0+                                                            # xxxxx, *****
      | none | null | nil | undefined | true | false | yes | no | on | off | n/?a | tbd | todo | fixme
      | change_?(?:me|it|_?this) | redacted | password | passwd
      | (?:your|my|the)[_ -]?(?:password|passwd|pass|pwd|secret|key|token|api[_ -]?key|app[_ -]?\w+)[a-z_ -]*
      | example | sample | dummy | test | fake | placeholder | \.\.\. | pass | pwd | token | key | value | user
      | y{3,} | z{3,} | \$\d+ | \$\{\d+\}
      | [$%]?\{[^}]*\(.* | \$[{(].* | <.* | ![!A-Za-z][\w!]*(?:\s.*)?  # ${X, $(cmd, {f(x)}, <value, !tag
    )$"""
)
# A value that says it is made up: `somefakekey`, `my-example-token`, `xxxx-xxxx`.
_MADE_UP = re.compile(r"(?i)fake|dummy|example|sample|placeholder|changeme|redacted|xxxx|\*\*\*\*")
_FORMAT = re.compile(
    r"%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?[sdrifxX](?![A-Za-z0-9])"  # %s, %(name)s, %-5d
    r"|\{\d*\}|\{[A-Za-z_][\w.]*(?:\[[^\]]*\])*(?:![rsa])?(?::[^{}]*)?\}"  # {}, {0}, {name!r}, {attrs[2]:>4}
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_URL_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s]+@")
_PATH = re.compile(r"^(?:~|\.\.?)?(?:/[\w.@ -]*)+$|^[A-Za-z]:\\|^\\\\|^[\w.-]+/[\w./-]*\.\w{1,5}$")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z_]*\d{0,3}(?:\.[A-Za-z_][A-Za-z_]*\d{0,3})+$")
_HOST_OR_EMAIL = re.compile(r"^(?:[\w.+-]+@)?(?:[a-z0-9-]+\.)+[a-z]{2,12}$")  # written in lower case
_VERSION = re.compile(r"^v?\d+(?:\.\d+)+(?:[-+.\w]*)$")
_VALIDATION_RULE = re.compile(r"^[A-Za-z_]+(?::[^|\s]*)?(?:\|[A-Za-z_]+(?::[^|\s]*)?)+$")
_LARAVEL_RULE = re.compile(
    r"^(?:required\w*|nullable|sometimes|string|min|max|same|different|confirmed|email|unique|exists|in|not_in|"
    r"regex|size|between|alpha\w*|numeric|integer|boolean|date\w*|current_password|password|gt|gte|lt|lte)(?::\S*)?$"
)
_CONSTANT = re.compile(r"^[A-Z][A-Z_]*[A-Z]$")  # ENV_NAME, HS_ALGO: a name, not a value
_TYPE_LIKE = re.compile(r"^\w+\(\d+(?:,\s*\d+)?\)$|^(?:VAR)?CHAR\b", re.IGNORECASE)
# An algorithm, cipher or scheme: letters and digits in dash-separated parts (`AES-256-CBC`, `HS256`, `sha512`).
_ALGORITHM_NAME = (
    r"(?:aes|des|3des|rsa|ecdsa|ecdh|ed25519|x25519|hs|rs|es|ps|sha|md5|hmac|bcrypt|argon2(?:id|i|d)?|pbkdf2|scrypt|"
    r"blowfish|chacha20|poly1305|gcm|cbc|ctr|ecb|cfb|ofb|pkcs\d*|oaep|pss|p|secp|base64|hex|utf|basic|bearer|"
    r"digest|oauth|jwt|saml|ldap|plain|none|sha\d+|hs\d+|rs\d+|es\d+|ps\d+)"
)
# An algorithm, cipher or scheme: known names and numbers in parts (`AES-256-CBC`, `HS256`, `sha512`, `OAuth2`).
_ALGORITHM = re.compile(rf"(?i)^{_ALGORITHM_NAME}(?:[-_/]?(?:\d+|{_ALGORITHM_NAME}))*$")
_KEYWORD = frozenset(
    [
        "str",
        "int",
        "bool",
        "bytes",
        "float",
        "None",
        "True",
        "False",
        "null",
        "nil",
        "undefined",
        "Optional",
        "SecretStr",
        "string",
        "number",
        "boolean",
        "self",
        "this",
        "new",
        "return",
        "await",
        "yield",
        "lambda",
        "function",
        "fn",
        "def",
    ]
)
_EXPRESSION = re.compile(r"^[A-Za-z_$@][\w$@]*(?:(?:\.|->|::|\?\.)[A-Za-z_$][\w$]*)*(?:\(.*|\[.*)?$")
# The letter pairs that make 95 % of those in English words and identifiers (counted over the standard library's
# source): a word's pairs are nearly all among them, a random string's about a third.
_ENGLISH_BIGRAMS = frozenset(
    re.findall(
        "..",
        "abacadagaiakalamanaparasatauavaybabebjblbobubycacechcickclcocrctcudadddedidldodrdsdueaecedeeefegelem"
        "enepeqeresetevewexeyfafefffiflfofrfugegigngrgsguhahehihoiaibicidieifigiliminioipirisitivixizjekelald"
        "lelflilllolsltlulymambmemimmmompmsmunancndnenfngninnnonsntnunvobocodogokolomonoooporosotouovowpapepi"
        "plpoppprptpupyqurarcrdrergrirmrnrorrrsrtrurysascseshsisospssstsusytatctethtitotrtstttutyubueufuiulum"
        "unupurusutvaveviwawhwiwowrxcxtypysytze",
    )
)
_WORD_RUN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def could_be_generated(value: str) -> bool:
    """Not plainly something else: no placeholder, plain value, name made of words."""
    v = value.strip()
    return not (is_reference(v) or is_plain_value(v) or is_name(v) or is_wordy(v))


def name_strength(name: str) -> Strength | None:
    """How strongly `name` says its value is a secret, or None when it does not."""
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)]
    if not words:
        return None
    if (words[-1] in _NOT_A_SECRET_WORD and len(words) > 1) or _NOT_SECRET_QUALIFIERS.intersection(words):
        return None
    if len(words) > 2 and words[-2] in _NOT_A_SECRET_WORD and words[-1] in {"id", "key"}:
        return None
    compact = "".join(words) if name.isascii() else re.sub(r"[\W_]", "", name.lower())  # contraseña, пароль
    snake = "_".join(words)
    if _PASSWORD_WORDS.intersection(words) or (_PASSWORD.search(compact) and not _NOT_PASSWORD.search(compact)):
        return "password"
    if words[-1] == "key" and _NOT_SECRET_KEYS.intersection(words):
        return None  # CACHE_KEY, primary_key, sort_key: keys into something, not keys to it
    if _TOKEN.search(snake) or _TOKEN.search(compact):
        return "token"
    return None


def is_made_up(value: str) -> bool:
    """A value that says it is not real: `somefakekey`, `my-example-token`, `dummy`."""
    return bool(_MADE_UP.search(value))


def is_reference(value: str) -> bool:
    """A value that names or points at a secret instead of being one: placeholders, templates, format strings."""
    v = value.strip()
    return (
        not v or v.startswith("[REDACTED:") or bool(_PLACEHOLDER.match(v)) or bool(_FORMAT.search(v)) or v in _KEYWORD
    )


def is_plain_value(value: str) -> bool:
    """Something other than a secret whatever the name: a URL or path without credentials, prose, a dotted name,
    a host or e-mail address, a version, a validation rule, a constant's name, a column type or an algorithm."""
    v = value.strip()
    if _URL.match(v):
        return not _URL_USERINFO.match(v)
    return bool(
        _is_prose(v)
        or (v.isalpha() and not v.isascii())  # a word in another language: 'Contraseña'
        or ("/" in v and is_name(v))  # some/dir/a/file
        or _PATH.match(v)
        or (_DOTTED.match(v) and is_name(v))
        or _HOST_OR_EMAIL.match(v)
        or _VERSION.match(v)
        or _VALIDATION_RULE.match(v)
        or _LARAVEL_RULE.match(v)
        or _CONSTANT.match(v)
        or _TYPE_LIKE.match(v)
        or _ALGORITHM.match(v)
    )


# Short words that prose has and random groups do not (English, French, Spanish, German).
_FUNCTION_WORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the in of to is for and or on with at by not be are this that it your de la le les du des en et un une "
        "el los las y con der die das und mit ist",
    )
)


def _is_prose(value: str) -> bool:
    """Text with spaces made of words ('Mot de passe', 'thirty minutes'); not random groups ('xkqz wpfm rtbn')."""
    if " " not in value:
        return False
    if _FUNCTION_WORDS.intersection(value.lower().split()):
        return True
    words = re.findall(r"[A-Za-z]{3,}", value)
    return not words or sum(_pronounceable(w, 0.6) for w in words) >= 0.5 * len(words)


def is_code(value: str) -> bool:
    """An unquoted value that reads as an expression in code (`pw`, `args.password`, `get_secret()`, `$pass`,
    `(a, b)`, `[x]`)."""
    v = value.strip()
    if v[:1] in ("(", "[", "{"):
        return True
    if not _EXPRESSION.match(v):
        return False
    # `hunter2` is a word with digits (a password); `hashlib.sha256(…)`, `cfg.db2` are code.
    return any(c in v for c in "(.[>:") or not any(c.isdigit() for c in v[-4:])


def looks_generated(value: str) -> bool:
    """Whether a value looks machine-made: long enough, mixed, and not made of words."""
    v = value.strip().rstrip("=")
    if _UUID.match(v):
        return True  # Heroku's and many services' keys are UUIDs; under a secret's name, one is a key
    if len(v) < 8 or is_reference(v) or is_plain_value(v) or is_name(v):
        return False
    classes = sum(
        (any(c.islower() for c in v), any(c.isupper() for c in v), any(c.isdigit() for c in v), not v.isalnum())
    )
    if classes < 2 or entropy(v) < 2.8:
        return False
    return not is_wordy(v)


def is_name(value: str) -> bool:
    """A name made of parts (`force_zip64`, `win32api.RegOpenKeyEx`, `my-app-secret`): every part between `_`, `-`,
    `.` or `/` is a word or short; a generated value has at least one long random part."""
    parts = [p for p in re.split(r"[_./-]", value) if p]
    return len(parts) > 1 and all(_is_name_part(p) for p in parts)


def _is_name_part(part: str) -> bool:
    """`Gost28147`, `x64`, `20231217`, `SNAPSHOT`: letters and digits in few runs, as people write them."""
    if part.isdigit() or len(part) <= 6:
        return True
    if len(part) > 16:
        return False
    if part.isalpha() or is_wordy(part):
        return True
    changes = sum(a.isdigit() != b.isdigit() or a.isupper() != b.isupper() for a, b in itertools.pairwise(part))
    letters = [run for run in re.findall(r"[A-Za-z]{3,}", part)]
    return changes < 0.35 * len(part) and all(_pronounceable(run, 0.5) for run in letters)


def is_wordy(value: str) -> bool:
    """Made mostly of word-like runs (`getUserToken`, `my-app-secret`): written by a person, not generated."""
    letters = [run for run in _WORD_RUN.findall(value) if not run.isdigit()]
    wordy = sum(len(run) for run in letters if len(run) >= 4 and _pronounceable(run))
    return wordy >= 0.6 * max(1, sum(map(len, letters)))  # digits (`WebFetchTool20260309Param`) do not count


def _pronounceable(run: str, share: float = 0.75) -> bool:
    """A run of letters whose letter pairs are mostly ones English words use (random letters rarely manage it)."""
    lower = run.lower()
    pairs = [lower[i : i + 2] for i in range(len(lower) - 1)]
    has_vowel = any(c in "aeiouy" for c in lower)
    return has_vowel and sum(pair in _ENGLISH_BIGRAMS for pair in pairs) >= share * len(pairs)


def looks_like_password(value: str) -> bool:
    """A word that is not one: letters mixed with digits and symbols (`M4pl3&22`, `Tr0ub4dor&3`)."""
    v = value.strip()
    classes = sum(
        (any(c.isalpha() for c in v), any(c.isdigit() for c in v), any(not c.isalnum() and c != "_" for c in v))
    )
    code = any(c in v for c in "{}[]()")  # `{attrs[2]}`: an expression, not a password
    return len(v) >= 6 and classes == 3 and not code and not is_plain_value(v) and not is_reference(v)


def is_label(value: str) -> bool:
    """A label, not a value: a name made of words, one of them a secret's (`"xet-auth"`, `"x-api-key"`,
    `"session_token"`): the name of a header, field or setting."""
    words = {w.lower() for w in re.split(r"[_.\-/ ]", value) if w}
    return is_name(value) and not any(c.isdigit() for c in value) and bool(words & _SECRET_WORDS)


_SECRET_WORDS = frozenset({"auth", "key", "token", "secret", "password", "passwd", "pass", "api", "session", "cookie"})


_CLASS_NAME = re.compile(r"^(?:[A-Z][a-z]+|[A-Z]{2,}(?=[A-Z][a-z])){2,}[A-Za-z]*$")  # LDAPInvalidCredentialsResult


def is_bare_constant(value: str) -> bool:
    """Unquoted, a number or a class name is a constant in code: `MUST_CHANGE_PASSWORD = 1820`,
    `INVALID_CREDENTIALS: InvalidCredentialsResult`."""
    v = value.strip().rstrip(",")
    return v.lstrip("-").isdigit() or bool(_CLASS_NAME.match(v) and is_wordy(v))


def is_secret_value(value: str, strength: Strength, *, quoted: bool) -> bool:
    """Whether `value`, found under a name of `strength`, should be redacted."""
    v = value.strip()
    if not quoted and is_bare_constant(v):
        return False
    if len(v) < 3 or is_reference(v) or is_plain_value(v) or _MADE_UP.search(v) or is_label(v):
        return False
    if not quoted and is_code(v):
        return False
    if strength == "password":
        return len(v) >= 4 or any(not c.isalpha() for c in v)
    return looks_generated(v)
