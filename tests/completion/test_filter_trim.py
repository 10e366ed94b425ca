"""trim: whitespace clean-up that respects the join with the document."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import FilterContext
from copiloto.completion.filters.trim import trim


def ctx(prefix: str = "", suffix: str = "") -> FilterContext:
    return FilterContext(prefix, suffix, (), (), True)


CASES = [
    ("empty", "", ctx(), ""),
    ("only spaces", "   ", ctx("x = "), ""),
    ("only line breaks and tabs", "\n\t\n", ctx("    "), ""),
    ("nothing to trim", "return a", ctx("    "), "return a"),
    ("mid-line leading space is kept", " 1", ctx("x ="), " 1"),
    ("trailing spaces", "foo()   ", ctx("    "), "foo()"),
    ("each line and trailing blank lines", "a = 1  \n    b = 2\t\n\n  \n", ctx("    "), "a = 1\n    b = 2"),
    ("no final line break before the next line", "x = 1\n", ctx(""), "x = 1"),
    ("leading break after a code line is kept", "\n    return 1", ctx("def f():"), "\n    return 1"),
    (
        "blank cursor line: first content line pulled up",
        "\n\n    return 1\n    x",
        ctx("    "),
        "return 1\n    x",
    ),
    ("blank cursor line: dedented content stays below", "\nreturn 1", ctx("    "), "\nreturn 1"),
    ("text after the cursor: one break and indentation kept", "a,\n\n\n    ", ctx("foo(", ")"), "a,\n    "),
    ("text after the cursor: last line glued to it", "x ", ctx("f(", ")"), "x "),
    ("tabs", "\t\tx = 1\t", ctx(""), "\t\tx = 1"),
    ("CRLF", "a\r\n  b  \r\n", ctx(""), "a\n  b"),
    ("unicode whitespace", "x = 'é'\u00a0", ctx(""), "x = 'é'"),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_trim(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert trim(text, context) == expected
