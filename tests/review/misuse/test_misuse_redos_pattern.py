from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # with DOTALL `.` crosses the line break, so the anchors no longer separate the rounds
    """
    import re
    re.match(r"(?ms)(^#.*$\\s?)+", text)
    """,
    # the pattern bound to a name first
    """
    import re
    PATTERN = r"(a+)+"
    def check(text):
        return re.match(PATTERN, text)
    """,
    # a repeat of a repeat
    """
    import re
    NAME = re.compile(r"^(a+)+$")
    """,
    # the separator optional
    """
    import re
    def words(text):
        return re.match(r"^(\\w+\\s?)*$", text)
    """,
    # the separator part of what the inner repeat matches
    """
    from re import search
    def find(text):
        return search(r"(.*a){2,}", text)
    """,
    # two empty alternatives, re imported under another name
    """
    import re as r
    def same(text):
        return r.fullmatch(r"(a|a)*", text)
    """,
    # a quoted string whose runs can split anywhere
    """
    import re
    STRING = re.compile(r'"(?:[^"\\\\]+|\\\\.)*"')
    """,
    # the classic e-mail pattern
    """
    import re
    EMAIL = re.compile(r"^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}([a-z]{2,3})$")
    """,
    # verbose pattern
    """
    import re
    SPACED = re.compile(
        r'''
        ( \\d+ \\s? )+   # numbers, spaces optional
        $''',
        re.VERBOSE,
    )
    """,
]
CLEAN = [
    # rounds that each take a whole line: `.` stops at the line break the anchors demand (PEP 723's pattern)
    """
    import re
    REGEX = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\\s(?P<content>(^#(| .*)$\\s)+)^# ///$"
    re.finditer(REGEX, script)
    """,
    # a name bound twice is not known
    """
    import re
    pattern = r"(a+)+"
    pattern = r"a+"
    re.match(pattern, text)
    """,
    """
    import re
    NUMBER = re.compile(r"^\\d+$")
    """,
    # a literal separates the rounds
    """
    import re
    VERSION = re.compile(r"(\\d+\\.)+\\d+")
    """,
    """
    import re
    EMAIL = re.compile(r"[a-z]+@[a-z]+")
    """,
    # a repeat without a repeat inside
    """
    import re
    PAIRS = re.compile(r"(?:ab)+")
    """,
    # CPython merges one-character alternatives into a class
    """
    import re
    ALNUM = re.compile(r"(\\w|\\d)+")
    """,
    # disjoint alternatives
    """
    import re
    STRING = re.compile(r'"(?:[^"\\\\]|\\\\.)*"')
    """,
    # rounds separated by what the inner repeat cannot match
    """
    import re
    PATH = re.compile(r"^(?:[^/]+/)*[^/]*$")
    WORDS = re.compile(r"(?:\\s+\\w+)*")
    """,
    # not a literal pattern
    """
    import re
    def compile_user(pattern):
        return re.compile(pattern)
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-REDOS"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
