"""HTML output (CWE-79): request data put into a response body or marked safe as markup without escaping, or
given to a Flask template that is not autoescaped. A view's returned text is a sink too; python.py reports that
one, since it is a statement, not a call."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, literal, one

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
# Django's error responses are pages too (text/html), and often echo what was asked for; as written, or as the
# imports name them (django.http.HttpResponseNotFound), like RESPONSES
DJANGO_ERRORS = frozenset(
    f"{prefix}HttpResponse{kind}"
    for prefix in ("", "django.http.")
    for kind in ("BadRequest", "NotFound", "Forbidden", "Gone", "ServerError")
)
PAGES = RESPONSES | DJANGO_ERRORS
TYPE_KEYWORDS = ("mimetype", "content_type", "media_type")
# Django's mail helpers: html_message= is the body of an HTML mail the recipient's client renders
HTML_MAIL = frozenset(
    f"{prefix}{helper}"
    for prefix in ("", "django.core.mail.")
    for helper in ("send_mail", "mail_admins", "mail_managers")
)
RENDER = frozenset({"render_template", "flask.render_template", "quart.render_template"})
# what Flask autoescapes (Flask.select_jinja_autoescape; .svg since 2.3): any other template, `report.txt` or a
# name without a suffix, is filled in as written and served as text/html all the same
ESCAPED_SUFFIXES = (".html", ".htm", ".xml", ".xhtml", ".svg")


def sinks(call: Call) -> Hits:
    if call.name in RENDER:
        return _unescaped_template(call)
    if call.name in HTML_MAIL:
        return one(call.kwargs.get("html_message"), Sink("xss", f"{call.name}(html_message=)"))
    if call.method and call.last == "attach_alternative":  # EmailMultiAlternatives: (content, mimetype)
        return one(call.arg(0, "content"), Sink("xss", call.name, string_only=True))
    if call.name not in PAGES:
        return []
    declared = [call.keyword_text(k) for k in TYPE_KEYWORDS if call.keyword_text(k) is not None]
    if declared and not any("html" in (text or "").lower() for text in declared):
        return []  # JSON, plain text, CSV: the browser does not read it as a page
    return one(call.arg(0, "response", "content", "body"), Sink("xss", call.name, string_only=True))


def _unescaped_template(call: Call) -> Hits:
    """The values given to `render_template("page.txt", name=...)`: no autoescaping for that file's suffix."""
    template = call.arg(0, "template_name_or_list")
    name = literal(template) if template is not None else None
    if name is None or name.lower().endswith(ESCAPED_SUFFIXES):  # None: chosen at run time, its suffix unknown
        return []
    sink = Sink("xss", f'{call.name}("{name}") (not autoescaped)')
    return [(value, sink) for value in call.kwargs.values()]
