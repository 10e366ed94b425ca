"""`logging.config.listen()` with no `verify` (CWE-94): the listener takes a logging configuration from any
process that can reach its port, and a configuration can name classes to build — code execution. Bandit's B612
reads `listen()` without arguments; `verify=None` is the same and is read here. Pass a `verify` function that
checks a signature, or configure logging from a file."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, calls, keyword

RULE = Rule("CM-CONFIG-LISTEN", 94, "error", "logging_config_listen_unverified")


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if name != "logging.config.listen":
            continue
        verify = keyword(call, "verify") if len(call.args) < 2 else call.args[1]
        if isinstance(verify, ast.Constant) and verify.value is None:
            yield Hit(call, "logging.config.listen(verify=None) runs any configuration sent to its port: pass a "
                      "verify function that checks a signature")  # fmt: skip
