from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # a module logger, %-style arguments
    """
    import logging
    log = logging.getLogger(__name__)
    def login(user, password):
        log.info("login %s %s", user, password)
    """,
    # an f-string
    """
    import logging
    logger = logging.getLogger(__name__)
    def call(access_token):
        logger.debug(f"token={access_token}")
    """,
    # the logging module, an attribute concatenated
    """
    import logging
    def login(user):
        logging.info("pw: " + user.password)
    """,
    # a logger attribute of self, a subscript key
    """
    class Client:
        def connect(self, config):
            self.logger.warning("connecting with %s", config["api_key"])
    """,
    # app.logger, a method called on the secret
    """
    from flask import Flask
    app = Flask(__name__)
    def rotate(secret):
        app.logger.error("rotated to %s", secret.strip())
    """,
    # getLogger inline, the module imported under another name
    """
    import logging as lg
    def setup(db_password):
        lg.getLogger("db").info("dsn=postgres://app:%s@db/app", db_password)
    """,
]
CLEAN = [
    # the word only in the message text
    """
    import logging
    log = logging.getLogger(__name__)
    def changed(user):
        log.info("password changed for %s", user)
    """,
    """
    import logging
    logger = logging.getLogger(__name__)
    logger.info("token expired")
    """,
    # its length, whether it is set
    """
    import logging
    log = logging.getLogger(__name__)
    def check(password):
        log.debug("%s", len(password))
        log.debug("set: %s", password is not None)
    """,
    # print is no log
    """
    def show(password):
        print(password)
    """,
    # a secret-named container indexed by something else, outside logging
    """
    def login(user, password):
        return check(user, password)
    """,
    # a logger's other methods
    """
    import logging
    log = logging.getLogger(__name__)
    log.setLevel(password_level)
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-SECRET-LOGGED"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
