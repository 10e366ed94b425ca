"""A standard-library network client that can wait forever (CWE-1088): `smtplib.SMTP(host)`,
`imaplib.IMAP4_SSL(host)`, `ftplib.FTP(host)`, `socket.create_connection(address)`,
`http.client.HTTPSConnection(host)`... made without `timeout=` or with `timeout=None`. Their default is the socket
module's, which is no timeout at all: a server that stops answering holds the worker (or the request being
served) for good, and enough of them exhaust the pool (CWE-400). It is the standard library's twin of
bandit's B113 (requests without a timeout). Left alone: a module that sets `socket.setdefaulttimeout(...)`, a
call with `**kwargs` or enough positional arguments to hold the timeout, and a client made without a host
(it connects later, through `connect(host, timeout=...)` for some)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls, unpacks

RULE = Rule("CM-NO-TIMEOUT", 1088, "information", "network_call_without_timeout")
# client → (the positional index of `timeout` in Python 3.9-3.11, whether it connects with no host given)
CLIENTS = {
    "socket.create_connection": (1, True),
    "ssl.get_server_certificate": (3, True),
    "http.client.HTTPConnection": (2, False),
    "http.client.HTTPSConnection": (4, False),
    "smtplib.SMTP": (3, False),
    "smtplib.SMTP_SSL": (5, False),
    "smtplib.LMTP": (4, False),
    "imaplib.IMAP4": (2, True),
    "imaplib.IMAP4_SSL": (5, True),
    "poplib.POP3": (2, True),
    "poplib.POP3_SSL": (4, True),
    "nntplib.NNTP": (6, True),
    "nntplib.NNTP_SSL": (7, True),
    "ftplib.FTP": (4, False),
    "ftplib.FTP_TLS": (7, False),
    "telnetlib.Telnet": (2, False),
}


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    found = list(calls(tree, imports))
    if any(name == "socket.setdefaulttimeout" for _, name in found):
        return
    for call, name in found:
        if name in CLIENTS and _waits_forever(call, *CLIENTS[name]):
            yield Hit(
                call,
                f"{name}() has no timeout, so a server that stops answering holds this code for good: "
                "pass timeout= (seconds)",
            )


def _waits_forever(call: ast.Call, index: int, connects_anyway: bool) -> bool:
    if unpacks(call):
        return False
    if not connects_anyway and argument(call, 0, "host") is None:
        return False
    timeout = argument(call, index, "timeout")
    return timeout is None or (isinstance(timeout, ast.Constant) and timeout.value is None)
