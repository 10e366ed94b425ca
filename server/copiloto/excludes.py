"""Files never sent to Claude, whatever they hold: what redaction cannot recognise it cannot redact.

Matched against the file name and every tail of its path, in any case; a backup or editor copy of such a file
(`config_db.php.bak`, `config_db.php~`, `.config_db.php.swp`, `wp-config.php.orig`) is excluded as the file is.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from pathlib import PurePath

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p8",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.keytab",
    "*.kdbx",  # KeePass databases
    "*.ovpn",
    "id_*",
    "*.ppk",
    "secrets.*",
    "*secrets*.y*ml",
    "settings.*",
    "local_settings.*",
    "credentials*",
    "service-account*.json",  # Google Cloud service account keys
    "*service_account*.json",
    "*adminsdk*.json",  # Firebase Admin SDK keys
    "kubeconfig",
    "*.kubeconfig",
    ".kube/config",
    "*.tfstate",
    "*.tfstate.*",
    "*.tfvars",
    "*.tfvars.json",
    ".docker/config.json",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".pgpass",
    ".my.cnf",
    ".htpasswd",
    ".vault_pass*",
    ".vault-pass*",
    "vault_pass*",
    ".git-credentials",
    ".*_history",  # shell and client histories hold passwords typed on the command line
    "wp-config.php",
    "config_db.php",  # GLPI's database password
    "config_db_slave.php",
    "glpicrypt.key",  # GLPI's encryption key
)

# How editors and people name copies: `x~`, `x.bak`, `x.orig`, `x.old`, `x.save`, `x.swp`, `.x.swp`, `#x#`.
_BACKUP = re.compile(
    r"^(?:\.?(?P<swap>.+)\.sw[a-p]|#(?P<emacs>.+)#|(?P<plain>.+?)(?:~|\.(?:bak|orig|old|save|backup|\d+))+)$"
)


def is_excluded(path: str | PurePath, patterns: Iterable[str] = DEFAULT_EXCLUDES) -> bool:
    """Whether the file is never sent: its path, or any tail of it ("files/_log/x.log", "x.log"), or the original
    of a backup copy, matches one of `patterns` (fnmatch, any case), and no `!pattern` (as in .gitignore: sent
    after all) matches it."""
    parts = PurePath(path).as_posix().lower().split("/")
    original = _BACKUP.match(parts[-1])
    names = [parts]
    if original:
        names.append([*parts[:-1], next(g for g in original.groups() if g)])
    tails = ["/".join(p[i:]) for p in names for i in range(len(p))]  # the workspace root is not known here

    def matches(pattern: str) -> bool:
        return any(fnmatch.fnmatchcase(tail, pattern.lower()) for tail in tails)

    patterns = list(patterns)
    kept_back = any(matches(p) for p in patterns if not p.startswith("!"))
    return kept_back and not any(matches(p[1:]) for p in patterns if p.startswith("!"))
