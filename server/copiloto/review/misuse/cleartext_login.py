"""A mail login sent in clear text (CWE-319): in one function (or a script's top level), an `smtplib.SMTP`,
`imaplib.IMAP4`, `poplib.POP3` or `nntplib.NNTP` connection (not their `_SSL` twins) sent `.login(...)` (POP3:
`.user()` / `.pass_()`) with no `.starttls()` (POP3: `.stls()`) before it. The user name and password cross the
network readable by anyone on the path. (Bandit reports ftplib and telnetlib itself.) A connection to localhost is
left alone."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import (
    Hit,
    Imports,
    Rule,
    bound_calls,
    calls,
    dotted,
    functions,
    to_this_machine,
)

RULE = Rule("CM-CLEARTEXT-LOGIN", 319, "warning", "cleartext_mail_login")
# plain connection class → (its login methods, its upgrade to TLS, what to use instead)
PLAIN = {
    "smtplib.SMTP": (("login",), "starttls", "smtplib.SMTP_SSL"),
    "imaplib.IMAP4": (("login", "login_cram_md5"), "starttls", "imaplib.IMAP4_SSL"),
    "poplib.POP3": (("user", "pass_"), "stls", "poplib.POP3_SSL"),
    "nntplib.NNTP": (("login",), "starttls", "nntplib.NNTP_SSL"),
}


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for function in (tree, *functions(tree)):  # a script's top level is a scope too
        connections = _connections(function, imports)
        if not connections:
            continue
        upgraded: dict[str, int] = {}  # connection → line of its first starttls
        logins: list[tuple[ast.Call, str, str]] = []  # (call, connection, method)
        for call, _ in calls(function, imports):
            if not isinstance(call.func, ast.Attribute) or dotted(call.func.value) not in connections:
                continue
            owner, method = dotted(call.func.value), call.func.attr
            methods, upgrade, _ = PLAIN[connections[owner]]
            if method == upgrade:
                upgraded[owner] = min(upgraded.get(owner, call.lineno), call.lineno)
            elif method in methods:
                logins.append((call, owner, method))
        reported: set[str] = set()  # one finding per connection (POP3's user() then pass_())
        for call, owner, method in sorted(logins, key=lambda found: (found[0].lineno, found[0].col_offset)):
            if owner not in reported and upgraded.get(owner, call.lineno + 1) > call.lineno:
                reported.add(owner)
                kind = connections[owner]
                yield Hit(
                    call,
                    f"{owner}.{method}() sends the credentials over a plain {kind} connection: "
                    f"use {PLAIN[kind][2]} or call {PLAIN[kind][1]}() before logging in",
                )


def _connections(function: ast.AST, imports: Imports) -> dict[str, str]:
    """Names bound in `function` to a plain mail connection to another host, with its class."""
    made = bound_calls(function, imports, PLAIN.keys())
    return {name: imports.called(call) for name, call in made.items() if not to_this_machine(call)}
