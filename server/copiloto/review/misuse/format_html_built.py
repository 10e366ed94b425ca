"""Django's `format_html` given text already formatted (CWE-79): `format_html(f"<b>{name}</b>")`,
`format_html("<b>%s</b>" % name)`, `format_html("<b>{}</b>".format(name))`, `format_html("<b>" + name + "</b>")`.
format_html escapes only its own arguments and marks the result safe, so what was put into the text beforehand
reaches the page unescaped, behind a call that looks safe. Bandit reports `mark_safe` but not this. Not flagged: a
format string made of literals alone (`"hello " "{}"`, `"a" + "{}"`), whatever the arguments."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls

RULE = Rule("CM-FORMAT-HTML", 79, "warning", "format_html_preformatted")
FORMAT_HTML = frozenset({"django.utils.html.format_html", "django.utils.safestring.format_html"})


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if name in FORMAT_HTML and (how := _built(argument(call, 0, "format_string"))):
            yield Hit(
                call,
                f"format_html() is given text already built with {how}: what went into it is not escaped; pass the "
                'values as its own arguments, format_html("<b>{}</b>", value)',
            )


def _built(node: ast.expr | None) -> str | None:
    """How the format string was filled in before format_html saw it, or None when it is literals alone."""
    if isinstance(node, ast.JoinedStr) and any(isinstance(part, ast.FormattedValue) for part in node.values):
        return "an f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and not isinstance(node.right, ast.Constant):
        return "%"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and (node.args or node.keywords)
    ):
        return ".format()"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and not _literals(node):
        return "+"
    return None


def _literals(node: ast.expr) -> bool:
    """`"a" + "{}"`: a concatenation of string literals only."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literals(node.left) and _literals(node.right)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
