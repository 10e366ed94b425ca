"""The standard library's mail and FTP clients over TLS without a context (CWE-295): `imaplib.IMAP4_SSL`,
`poplib.POP3_SSL`, `smtplib.SMTP_SSL`, `nntplib.NNTP_SSL` and `ftplib.FTP_TLS` made without `context=` /
`ssl_context=` (or given None), and `.starttls()` / `.stls()` on such a connection without one. Unlike urllib,
these fall back to `ssl._create_stdlib_context()`, which is `_create_unverified_context()`: the session is
encrypted to whoever answers, so anyone on the path can read the password and the mail. Bandit has no test for
it. Left alone: a call with `**kwargs` or enough positional arguments to hold the context (it may be there), and
a connection to localhost."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import (
    Hit,
    Imports,
    Rule,
    argument,
    bound_calls,
    calls,
    dotted,
    functions,
    to_this_machine,
    unpacks,
)

RULE = Rule("CM-MAIL-TLS-UNCHECKED", 295, "error", "mail_tls_certificate_not_checked")
# TLS client → (its context keyword, the positional index of that keyword in Python 3.9-3.11)
TLS_CLIENTS = {
    "imaplib.IMAP4_SSL": ("ssl_context", 4),
    "poplib.POP3_SSL": ("context", 5),
    "smtplib.SMTP_SSL": ("context", 7),
    "nntplib.NNTP_SSL": ("ssl_context", 4),
    "ftplib.FTP_TLS": ("context", 6),
}
# connection class → (its upgrade method, the method's context keyword, its positional index)
UPGRADES = {
    "smtplib.SMTP": ("starttls", "context", 2),
    "smtplib.SMTP_SSL": ("starttls", "context", 2),
    "imaplib.IMAP4": ("starttls", "ssl_context", 0),
    "poplib.POP3": ("stls", "context", 0),
    "nntplib.NNTP": ("starttls", "context", 0),
}
USE = "ssl.create_default_context()"


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if name in TLS_CLIENTS and not to_this_machine(call):
            word, index = TLS_CLIENTS[name]
            if _unset(call, word, index):
                yield Hit(
                    call,
                    f"{name}() without {word}= checks no certificate (the standard library's default "
                    f"context for it is unverified): pass {word}={USE}",
                )
    for function in (tree, *functions(tree)):  # a script's top level is a scope too
        connections = bound_calls(function, imports, UPGRADES.keys())
        for call, _ in calls(function, imports):
            if not isinstance(call.func, ast.Attribute):
                continue
            owner = dotted(call.func.value)
            made = connections.get(owner)
            if made is None or to_this_machine(made):
                continue
            method, word, index = UPGRADES[imports.called(made)]
            if call.func.attr == method and _unset(call, word, index):
                yield Hit(
                    call,
                    f"{owner}.{method}() without {word}= checks no certificate (the standard library's "
                    f"default context for it is unverified): pass {word}={USE}",
                )


def _unset(call: ast.Call, word: str, index: int) -> bool:
    """No context given: not by keyword, not by position, not possibly inside `**kwargs` — or given as None."""
    if unpacks(call):
        return False
    given = argument(call, index, word)
    return given is None or (isinstance(given, ast.Constant) and given.value is None)
