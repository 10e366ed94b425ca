"""A layer-1 diagnostic says which check found it: bandit with its ratings, or our flow or misuse check."""

from __future__ import annotations

from copiloto.lsp.diagnostics import security_diagnostic
from copiloto.review.flows import layer1_findings

TEXT = """\
import jwt
import subprocess
from flask import request


def user(token):
    return jwt.decode(token, options={"verify_signature": False})


def run():
    subprocess.call(request.args["cmd"], shell=True)
    return open(request.args["name"]).read()
"""


def test_each_diagnostic_names_the_check_that_found_it() -> None:
    messages = {f.code: security_diagnostic(f, TEXT).message for f in layer1_findings(TEXT, "app.py")}
    assert messages["CM-JWT"].endswith("(jwt_signature_not_checked, misuse check)")
    assert messages["B602"].endswith("bandit severity high, confidence high)")
    flow = next(m for code, m in messages.items() if code.startswith("CF-"))
    assert flow.endswith(", flow check)")
