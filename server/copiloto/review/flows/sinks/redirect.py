"""Redirect targets (CWE-601): flask/django/starlette redirects to a place the request chose."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

REDIRECTS = frozenset(
    {
        "redirect",
        "flask.redirect",
        "shortcuts.redirect",
        "HttpResponseRedirect",
        "HttpResponsePermanentRedirect",
        "RedirectResponse",
        "web.HTTPFound",
        "HTTPFound",
    }
)


def sinks(call: Call) -> Hits:
    if call.name in REDIRECTS:
        return one(call.arg(0, "location", "url", "to", "redirect_to"), Sink("redirect", call.name))
    return []
