"""single_line: a single-line hole gets one line and never a line break."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import FilterContext
from copiloto.completion.filters.single_line import single_line


def ctx(prefix: str = "", suffix: str = "", *, multiline: bool = False) -> FilterContext:
    return FilterContext(line_prefix=prefix, line_suffix=suffix, prev_lines=(), next_lines=(), multiline=multiline)


CASES = [
    ("empty", "", ctx("x = "), ""),
    ("no line break: unchanged", "b, a + b", ctx("    a, b = "), "b, a + b"),
    ("multiline mode: untouched", "a = 1\nb = 2", ctx("    ", multiline=True), "a = 1\nb = 2"),
    ("keeps the first line", "b, a + b\n    return a\n\nprint(fib(10))", ctx("    a, b = "), "b, a + b"),
    ("does not eat the next line's break", "foo()\n", ctx("    "), "foo()"),
    ("CRLF", "x = 1\r\ny = 2\r\n", ctx(""), "x = 1"),
    ("unicode", "print('héllo ✓')\nmore()", ctx("    "), "print('héllo ✓')"),
    ("blank cursor line: next content line pulled up", "\n    return 1", ctx("    "), "return 1"),
    (
        "blank cursor line: skips blank and whitespace lines",
        "  \n\n    return 1\n    x",
        ctx("    "),
        "return 1",
    ),
    ("blank cursor line at column 0: keeps deeper indent", "\n    pass", ctx(""), "    pass"),
    ("blank cursor line: dedented content cannot be placed", "\n    return 1", ctx("        "), ""),
    ("tabs", "\n\treturn 1\n", ctx("\t"), "return 1"),
    ("tabs vs spaces mismatch", "\n    return 1", ctx("\t"), ""),
    ("end of a code line: no fusing with the next line", "\n    return 1", ctx("def f():"), ""),
    ("mid-line: line break first means nothing here", "\nx", ctx("foo(", ")"), ""),
    ("blank cursor line with text after it", "\n    x", ctx("    ", "y"), ""),
    ("only line breaks", "\n\n", ctx("    "), ""),
    ("whitespace then break, mid-line", " \n 1", ctx("x ="), ""),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_single_line(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert single_line(text, context) == expected
