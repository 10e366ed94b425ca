from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # script blocks stripped
    """
    import re
    def clean(text):
        return re.sub(r"<script.*?>.*?</script>", "", text, flags=re.S)
    """,
    # detected, compiled once
    """
    import re
    SCRIPT = re.compile("<script", re.I)
    """,
    # event handler attributes, the function imported by name
    """
    from re import sub
    def clean(html):
        return sub(r"\\son\\w+\\s*=", " ", html)
    """,
    # javascript: URLs, re imported under another name
    """
    import re as regex_module
    def safe(url):
        return not regex_module.match(r"\\s*javascript:", url, regex_module.I)
    """,
    # iframes, with the regex module
    """
    import regex
    def clean(html):
        return regex.subn(r"</?iframe[^>]*>", "", html)
    """,
    # a compiled filter used later
    """
    import re
    def strip(html):
        return re.compile(r"<\\s*script[^>]*>", re.IGNORECASE).sub("", html)
    """,
]
CLEAN = [
    # an HTML sanitiser
    """
    import nh3
    def clean(html):
        return nh3.clean(html)
    """,
    # escaping on output
    """
    import html
    def show(text):
        return html.escape(text)
    """,
    # a regex without markup
    """
    import re
    WORDS = re.compile(r"[a-z]+(?:-[a-z]+)*")
    """,
    # tags stripped for a plain-text summary: no script filter
    """
    import re
    def summary(html):
        return re.sub(r"<[^>]*>", "", html)
    """,
    # a word that only looks like a handler
    """
    import re
    ONION = re.compile(r"\\.onion$")
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-HTML-FILTER-REGEX"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
