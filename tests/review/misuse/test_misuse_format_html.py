"""CM-FORMAT-HTML: Django's format_html given text that was filled in before it, beside clean twins."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py
IMPORT = "from django.utils.html import format_html\n"

CASES = [
    # (source, expected codes)
    (IMPORT + 'format_html(f"<b>{user.name}</b>")\n', ["CM-FORMAT-HTML"]),
    (IMPORT + 'format_html("<a href=\'%s\'>{}</a>" % url, label)\n', ["CM-FORMAT-HTML"]),
    (IMPORT + 'format_html("<i>{}</i>".format(comment))\n', ["CM-FORMAT-HTML"]),
    (IMPORT + 'format_html("<p>" + note + "</p>")\n', ["CM-FORMAT-HTML"]),
    ("from django.utils import html\nhtml.format_html(format_string=f'<b>{name}</b>')\n", ["CM-FORMAT-HTML"]),
    ("import django.utils.html as h\nh.format_html('<td>%s</td>' % cell)\n", ["CM-FORMAT-HTML"]),
    # clean twins: the values given to format_html itself, a format string of literals alone, another format_html
    (IMPORT + 'format_html("<b>{}</b>", user.name)\n', []),
    (IMPORT + 'format_html("<a href=\'{}\'>{}</a>", url, f"<{label}>")\n', []),  # its arguments are escaped
    (IMPORT + 'format_html("<p>" "{}" "</p>", note)\n', []),
    (IMPORT + 'format_html("<p>" + "{}" + "</p>", note)\n', []),
    (IMPORT + 'format_html("<td>%s</td>" % "{}", cell)\n', []),  # a literal put into a literal
    (IMPORT + "format_html(template, name)\n", []),  # made elsewhere: not seen here
    ('def format_html(text):\n    return text\nformat_html(f"<b>{name}</b>")\n', []),  # not Django's
]  # fmt: skip


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_format_html_given_built_text(source: str, expected: list[str], codes: Codes) -> None:
    assert [code for _, code in codes(source) if code == "CM-FORMAT-HTML"] == expected
