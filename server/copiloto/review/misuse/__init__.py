"""Layer 1's third part: misuses bandit has no test for, found without a model, one small rule per module.

Bandit knows dangerous calls (`pickle.loads`, `md5`); it does not know a safe call used unsafely: a password
stored with one round of SHA-256, a JWT decoded without checking its signature, a TLS context told not to
check the host, a view that hands its traceback to the client. Each module here is one such shape of a CWE:
it exports `RULE` (code, CWE, severity) and `check(tree, imports)`, which yields the nodes at fault with a
message; a module in this folder is a rule (no list to edit). Rules read the module as written (names, not
types), through its imports (`sha256` → `hashlib.sha256`). A file that does not parse gets no misuse findings
(bandit skips it too).
"""

from __future__ import annotations

import ast
import importlib
import logging
import pkgutil
from functools import cache
from typing import TYPE_CHECKING

from copiloto.review.misuse.shapes import Hit, Imports, Rule, is_test_module
from copiloto.review.security import SecurityFinding

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["SOURCE", "misuse_findings", "rules"]
log = logging.getLogger(__name__)
SOURCE = "copiloto/misuse"


@cache
def rules() -> tuple[tuple[Rule, Callable[[ast.Module, Imports], Iterable[Hit]]], ...]:
    """Every rule module of this package (all but `shapes`), by name: adding a rule is adding a file."""
    loaded = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name != "shapes":
            module = importlib.import_module(f"{__name__}.{info.name}")
            loaded.append((module.RULE, module.check))
    return tuple(loaded)


def misuse_findings(text: str, filename: str = "module.py") -> list[SecurityFinding]:
    """The misuses in Python `text`, in line order; a rule that fails on this file is logged and skipped. A test
    module gets none: a key or a disabled check there is a fixture."""
    if is_test_module(filename):
        return []
    try:
        tree = ast.parse(text, filename)
    except (SyntaxError, ValueError):
        return []
    imports = Imports.of(tree)
    found: list[SecurityFinding] = []
    for rule, check in rules():
        try:
            found += [finding(rule, hit) for hit in check(tree, imports)]
        except Exception:  # one rule's bug must not take the others with it
            log.exception("misuse rule %s failed on %s", rule.code, filename)
    unique = {(f.line, f.column, f.code): f for f in found}
    return sorted(unique.values(), key=lambda f: (f.line, f.column, f.code))


def finding(rule: Rule, hit: Hit) -> SecurityFinding:
    node = hit.node
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None)
    return SecurityFinding(
        line=line,
        column=getattr(node, "col_offset", 0),
        end_column=getattr(node, "end_col_offset", None) if end_line == line else None,
        severity=rule.severity,
        source=SOURCE,
        code=rule.code,
        name=rule.name,
        message=hit.message,
        cwe=rule.cwe,
        cwe_link=f"https://cwe.mitre.org/data/definitions/{rule.cwe}.html",
        bandit_severity="HIGH" if rule.severity == "error" else "MEDIUM",
        bandit_confidence="MEDIUM",
    )
