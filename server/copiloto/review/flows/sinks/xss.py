"""HTML output (CWE-79): request data put into a response body or marked safe as markup without escaping.
A view's returned text is a sink too; python.py reports that one, since it is a statement, not a call."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

RESPONSES = frozenset(
    {
        "make_response",
        "flask.make_response",
        # not a bare `Response`: DRF's serialises its data (JSON by default); Flask's and Starlette's by name
        "flask.Response",
        "flask.wrappers.Response",
        "starlette.responses.Response",
        "fastapi.Response",
        "fastapi.responses.Response",
        "werkzeug.Response",
        "werkzeug.wrappers.Response",
        "HttpResponse",
        "django.http.HttpResponse",
        "HTMLResponse",
        "fastapi.responses.HTMLResponse",
        "starlette.responses.HTMLResponse",
        "Markup",
        "markupsafe.Markup",
        "flask.Markup",
    }
)
TYPE_KEYWORDS = ("mimetype", "content_type", "media_type")


def sinks(call: Call) -> Hits:
    if call.name not in RESPONSES:
        return []
    declared = [call.keyword_text(k) for k in TYPE_KEYWORDS if call.keyword_text(k) is not None]
    if declared and not any("html" in (text or "").lower() for text in declared):
        return []  # JSON, plain text, CSV: the browser does not read it as a page
    return one(call.arg(0, "response", "content", "body"), Sink("xss", call.name, string_only=True))
