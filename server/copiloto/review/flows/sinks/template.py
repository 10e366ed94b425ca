"""Templates made from outside data (CWE-1336, server-side template injection), and outside data marked as
safe HTML or sent back as HTML (CWE-79)."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

SOURCES = frozenset(
    {
        "render_template_string",
        "flask.render_template_string",
        "Template",
        "jinja2.Template",
        "django.template.Template",
        "mako.template.Template",
    }
)
MARKUP = frozenset({"Markup", "markupsafe.Markup", "flask.Markup", "mark_safe", "HttpResponse", "HTMLResponse"})


def sinks(call: Call) -> Hits:
    if call.name in SOURCES or (call.method and call.last == "from_string"):
        return one(call.arg(0, "source", "template_string", "template"), Sink("template", call.name))
    if call.name in MARKUP:
        return one(call.arg(0, "content", "base", "s"), Sink("xss", call.name))
    return []
