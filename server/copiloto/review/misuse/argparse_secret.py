"""A secret taken as a command-line option (CWE-214): `--password`, `--api-key`, `--token` given on the
command line are visible to every user in the process list and kept in the shell's history. Read them from the
environment, a file or a prompt (getpass) instead; flags (`store_true`) and `--password-file` are fine."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, keyword

RULE = Rule("CM-SECRET-ARGUMENT", 214, "warning", "secret_on_command_line")
SECRET_OPTION = re.compile(r"(?i)^--?([\w-]*[-_])?(pass(word|wd|phrase)?|pwd|secret|api[-_]?key|token|private[-_]key)$")
FLAG_ACTIONS = frozenset({"store_true", "store_false", "count", "help", "version", "store_const"})


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "add_argument":
            continue
        options = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        secret = next((o for o in options if SECRET_OPTION.match(o)), None)
        action = keyword(node, "action")
        if secret is None or (isinstance(action, ast.Constant) and action.value in FLAG_ACTIONS):
            continue
        yield Hit(node, f"{secret} takes a secret on the command line, where the process list and shell history "
                  "show it: read it from the environment, a file or getpass")  # fmt: skip
