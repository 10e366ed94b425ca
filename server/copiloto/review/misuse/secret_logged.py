"""A secret written to the log (CWE-532): a `logging` call or a logger's (`log`, `logger`, `self.log`,
`app.logger`) whose arguments carry a password, token, API key or secret by name — `log.info("login %s %s",
user, password)`, `logger.debug(f"token={token}")`, `logging.info("pw: " + user.password)`. Logs are kept, copied
and read by many more people than the secret's owner; log that the event happened, not the value. The word in
the message text, `len(password)` and `password is None` reveal nothing and stay silent."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import SECRET_NAME, Hit, Imports, Rule, calls, dotted, names_secret
from copiloto.review.names import LOG_LEVELS, is_log_call

RULE = Rule("CM-SECRET-LOGGED", 532, "warning", "secret_in_log")
# what reveals nothing of the secret: its length, whether it is set, its type
HARMLESS = frozenset({"len", "bool", "type", "isinstance", "hasattr", "id", "mask", "redact", "censor"})
QUIET = frozenset({"exc_info", "stack_info", "stacklevel"})


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if _logs(call, name):
            values = [*call.args, *(k.value for k in call.keywords if k.arg not in QUIET)]
            secret = next((s for v in values if (s := _secret(v))), None)
            if secret:
                yield Hit(call, f"the log message carries {secret}: log that the event happened, not the secret")


def _logs(call: ast.Call, name: str) -> bool:
    """`logging.info(...)`, `log.warning(...)`, `self.logger.error(...)`, `app.logger.debug(...)`, and
    `logging.getLogger(__name__).info(...)`."""
    if not isinstance(call.func, ast.Attribute):
        return False
    if isinstance(call.func.value, ast.Call):
        return call.func.attr in LOG_LEVELS and dotted(call.func.value.func).endswith("getLogger")
    return is_log_call(name)


def _secret(node: ast.expr) -> str | None:
    """The secret named in `node`, outside string literals and the calls and tests that reveal nothing of it."""
    if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
        called = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        if called in HARMLESS or called.startswith(("mask", "redact", "hash", "sha")):
            return None
    if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return None
    if isinstance(node, ast.Subscript):  # `config["password"]`, `passwords[user]`; not the index `rows[pwd_column]`
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and SECRET_NAME.search(key.value):
            return key.value
        return _secret(node.value)
    if isinstance(node, (ast.Name, ast.Attribute)) and (found := names_secret(node)):
        return found
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr) and (found := _secret(child)):
            return found
    return None
