from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    """
    import smtplib
    def send(user, password, message):
        server = smtplib.SMTP("smtp.example.com", 587)
        server.login(user, password)
        server.send_message(message)
    """,
    # imported by name, in a with block
    """
    from smtplib import SMTP as Mail
    def send(host, user, password, message):
        with Mail(host) as server:
            server.login(user, password)
            server.send_message(message)
    """,
    # starttls after the login is too late
    """
    import smtplib
    def send(host, user, password):
        server = smtplib.SMTP(host)
        server.login(user, password)
        server.starttls()
    """,
    """
    import imaplib
    def inbox(host, user, password):
        mail = imaplib.IMAP4(host)
        mail.login(user, password)
        return mail.select("INBOX")
    """,
    # POP3: user() then pass_(), one finding
    """
    import poplib
    class Reader:
        def connect(self, host, user, password):
            self.box = poplib.POP3(host)
            self.box.user(user)
            self.box.pass_(password)
    """,
    # a script's top level, and news servers
    """
    import getpass, nntplib
    news = nntplib.NNTP("news.example.org")
    news.login(getpass.getuser(), getpass.getpass())
    """,
]
CLEAN = [
    """
    import nntplib
    news = nntplib.NNTP("news.example.org")
    news.starttls()
    news.login("user", token)
    """,
    """
    import smtplib, ssl
    def send(user, password, message):
        with smtplib.SMTP_SSL("smtp.example.com", 465, context=ssl.create_default_context()) as server:
            server.login(user, password)
            server.send_message(message)
    """,
    # starttls first, also when it is conditional
    """
    import smtplib
    def send(host, user, password, use_tls):
        server = smtplib.SMTP(host, 587)
        if use_tls:
            server.starttls()
        server.login(user, password)
    """,
    # no login: a relay that takes mail without credentials
    """
    import smtplib
    def send(host, message):
        with smtplib.SMTP(host) as server:
            server.send_message(message)
    """,
    # a local relay
    """
    import smtplib
    def send(user, password):
        server = smtplib.SMTP("localhost", 1025)
        server.login(user, password)
    """,
    """
    import imaplib, poplib
    def boxes(host, user, password):
        imap = imaplib.IMAP4_SSL(host)
        imap.login(user, password)
        pop = poplib.POP3(host)
        pop.stls()
        pop.user(user)
        pop.pass_(password)
    """,
    # another object's login
    """
    import smtplib
    def send(client, host, user, password):
        server = smtplib.SMTP(host)
        client.login(user, password)
        server.quit()
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source) if code == "CM-CLEARTEXT-LOGIN"] == ["CM-CLEARTEXT-LOGIN"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    # this rule's twins only: a bare starttls() here is CM-MAIL-TLS-UNCHECKED's (no certificate check)
    assert [found for found in codes(source) if found[1] == "CM-CLEARTEXT-LOGIN"] == []
