from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    """
    from flask import Flask
    app = Flask(__name__)
    app.debug = True
    """,
    """
    import flask
    application = flask.Flask(__name__)
    application.config["DEBUG"] = True
    """,
    """
    from flask import Flask
    server = Flask(__name__)
    server.config.update(DEBUG=True, SECRET_KEY=load())
    """,
    # a Django settings module
    """
    DEBUG = True
    ROOT_URLCONF = "site.urls"
    INSTALLED_APPS = ["django.contrib.admin"]
    """,
    # werkzeug's debugger served
    """
    from werkzeug.serving import run_simple
    run_simple("0.0.0.0", 8000, app, use_debugger=True, use_reloader=True)
    """,
    """
    from werkzeug.debug import DebuggedApplication
    wsgi = DebuggedApplication(app, evalex=True)
    """,
]
CLEAN = [
    # from the environment
    """
    import os
    DEBUG = os.environ.get("DEBUG") == "1"
    ROOT_URLCONF = "site.urls"
    """,
    """
    from flask import Flask
    app = Flask(__name__)
    app.debug = False
    """,
    # a constant named DEBUG in no settings module
    """
    DEBUG = True
    def trace(message):
        if DEBUG:
            print(message)
    """,
    # some other object's debug
    """
    class Parser:
        def __init__(self):
            self.debug = True
    """,
    # bandit's B201 reports app.run(debug=True)
    """
    from flask import Flask
    app = Flask(__name__)
    app.run(debug=True)
    """,
    # a test turns it on to test it
    """
    import pytest
    from flask import Flask
    def test_debug_page():
        app = Flask(__name__)
        app.debug = True
    """,
    """
    from werkzeug.serving import run_simple
    run_simple("127.0.0.1", 8000, app, use_reloader=True)
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-DEBUG"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
