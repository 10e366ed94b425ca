"""Layer 1's second half: source → sink flows that bandit cannot see, found without a model.

Bandit looks at one call at a time; it cannot tell `cursor.execute(query)` with a constant query from one
built from `request.args`. This package follows request data (and the local user's input) through each
function to the calls that must not get it — SQL text, a shell, a file path, a redirect, an outbound URL, a
template, a deserialiser, code, an LDAP or XPath query, a regular expression — for Python, and for PHP (GLPI)
`$_GET`/`$_POST`/... into queries, output and includes. Python routes that change state with no check of the
caller, where the module checks callers elsewhere, and PHP scripts that write request data with no rights
check, are reported too (flows/auth.py). Its findings are
`SecurityFinding`s with source "copiloto/flows".
"""

from __future__ import annotations

import logging

from copiloto.review.flows.rules import SOURCE, finding
from copiloto.review.security import SecurityFinding, security_findings

__all__ = ["SOURCE", "flow_findings", "layer1_findings"]
log = logging.getLogger(__name__)
PYTHON_SUFFIXES = (".py", ".pyw", ".pyi")
PHP_SUFFIXES = (".php", ".inc", ".phtml")


def flow_findings(text: str, filename: str = "module.py") -> list[SecurityFinding]:
    """The source → sink flows of `text` as findings; the language comes from the file name (Python unless
    it ends in .php)."""
    if filename.lower().endswith(PHP_SUFFIXES):
        from copiloto.review.flows.auth import unchecked_php_script
        from copiloto.review.flows.php import php_flows

        return [finding(flow) for flow in php_flows(text)] + unchecked_php_script(text)
    from copiloto.review.flows.auth import unchecked_routes
    from copiloto.review.flows.python import python_flows
    from copiloto.review.names import is_test_module

    # a test module's views are fixtures: whether they check their caller says nothing about the app
    return [finding(flow) for flow in python_flows(text)] + ([] if is_test_module(filename) else unchecked_routes(text))


def layer1_findings(text: str, filename: str = "module.py") -> list[SecurityFinding]:
    """Layer 1 of the review: bandit's findings (Python only), then the flows and misuses (review/misuse, Python
    only) bandit did not already flag on the same line for the same CWE, in line order."""
    from copiloto.review.misuse import misuse_findings

    php = filename.lower().endswith(PHP_SUFFIXES)
    bandit = [] if php else security_findings(text, filename)
    ours: list[SecurityFinding] = []
    for check in [flow_findings] if php else [flow_findings, misuse_findings]:
        try:
            ours += check(text, filename)
        except Exception:  # a bug of ours must not take bandit's findings with it
            log.exception("%s failed on %s", check.__name__, filename)
    flagged = {(f.line, f.cwe) for f in bandit}
    kept = [f for f in ours if (f.line, f.cwe) not in flagged]
    return sorted([*bandit, *kept], key=lambda f: (f.line, f.column, f.code))
