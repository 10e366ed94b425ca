"""drop_repetition: cut model loops and degenerate repeated-character tails."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import FilterContext
from copiloto.completion.filters.drop_repetition import drop_repetition


def ctx(prefix: str = "", suffix: str = "", *, prev: tuple[str, ...] = ()) -> FilterContext:
    return FilterContext(prefix, suffix, prev, (), True)


LOOP = "a, b = b, a + b\n    a, b = b, a + b\n    a, b = b, a + b\n    a, b = b, a + b"

CASES = [
    ("empty", "", ctx(), ""),
    ("whitespace only: left to trim", "   ", ctx(), "   "),
    ("nothing to cut", "a = 1\nb = 2", ctx(), "a = 1\nb = 2"),
    ("a line twice is allowed", "x += 1\nx += 1", ctx(), "x += 1\nx += 1"),
    ("same line again and again: keep one", LOOP, ctx("    "), "a, b = b, a + b"),
    ("blank lines do not break a run", "log()\n\nlog()\n\nlog()", ctx(), "log()"),
    ("indentation matters", "}\n    }\n        }", ctx(), "}\n    }\n        }"),
    (
        "only repeats the document's line above",
        "total += x\n    total += x",
        ctx("    ", prev=("    total += x",)),
        "",
    ),
    (
        "one copy of the line above is allowed",
        "total += x\n    return total",
        ctx("    ", prev=("    total += x",)),
        "total += x\n    return total",
    ),
    (
        "mid-line: the document's lines do not count",
        "x\n    total += x",
        ctx("    total += ", prev=("    total += x",)),
        "x\n    total += x",
    ),
    ("block repeated", "a = f()\nb = g(a)\na = f()\nb = g(a)\n", ctx(), "a = f()\nb = g(a)"),
    ("block repeated, last copy cut short", "a()\nb()\na()\nb()\na()", ctx(), "a()\nb()"),
    (
        "block repeated from the document",
        "x = load()\ny = parse(x)\nz = 1",
        ctx(prev=("x = load()", "y = parse(x)")),
        "",
    ),
    ("punctuation-only blocks are not loops", "},\n{\n},\n{", ctx(), "},\n{\n},\n{"),
    ("degenerate closers", "print('hi'))))))))))))", ctx(), "print('hi')"),
    ("comment ruler kept", "# " + "=" * 70, ctx(), "# " + "=" * 70),
    ("runaway ruler", "# " + "=" * 150, ctx(), "# ="),
    ("runaway digits", "x = 0." + "0" * 40, ctx(), "x = 0.0"),
    ("a 64-bit zero constant is fine", "mask = 0x" + "0" * 16, ctx(), "mask = 0x" + "0" * 16),
    ("runaway list items", "items = [" + "1, " * 20, ctx(), "items = [1, 1,"),
    (
        "only the last line's tail counts",
        "a = '" + "-" * 8 + "'\nb = 1",
        ctx(),
        "a = '" + "-" * 8 + "'\nb = 1",
    ),
    ("CRLF", "go()\r\ngo()\r\ngo()\r\n", ctx(), "go()"),
    ("tabs", "\tx()\n\tx()\n\tx()", ctx(), "\tx()"),
    ("unicode", "s = '" + "ñ" * 40, ctx(), "s = 'ñ"),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_drop_repetition(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert drop_repetition(text, context) == expected
