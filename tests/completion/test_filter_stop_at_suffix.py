"""stop_at_suffix: cut where the completion repeats the line suffix or the next lines."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import FilterContext
from copiloto.completion.filters.stop_at_suffix import stop_at_suffix


def ctx(
    prefix: str = "",
    suffix: str = "",
    *,
    prev: tuple[str, ...] = (),
    nxt: tuple[str, ...] = (),
    multiline: bool = True,
    indent_unit: str = "    ",
) -> FilterContext:
    return FilterContext(prefix, suffix, prev, nxt, multiline, indent_unit)


FIB = ctx("        a, b = ", prev=("def fib(n):", "    for _ in range(n):"), nxt=("    return a",))
PHP_FN = ctx("    ", prev=("<?php", "function f($x) {"), nxt=("}",))

CASES = [
    ("empty", "", FIB, ""),
    ("nothing to cut", "b, a + b", FIB, "b, a + b"),
    (
        "instruct echo of the next line and an example",
        "b, a + b\n    return a\n\n# Example usage\nprint(fib(10))",
        FIB,
        "b, a + b",
    ),
    ("compares stripped lines", "x = 1\n  return a", ctx("    ", nxt=("    return a",)), "x = 1"),
    (
        "first non-blank next line",
        "x = 1\n    return a",
        ctx("    ", nxt=("", "   ", "    return a")),
        "x = 1",
    ),
    ("whole first line repeats the next line", "return a\n", ctx("    ", nxt=("    return a",)), ""),
    ("mid-line first line is not compared", "urn a", ctx("    ret", nxt=("    return a",)), "urn a"),
    ("no next lines", "x = 1\ny = 2", ctx(""), "x = 1\ny = 2"),
    ("PHP: closing brace at the same indentation", "return 1;\n}\n\necho f(1);", PHP_FN, "return 1;"),
    (
        "PHP: a closing brace at another indentation is not the next line",
        "if ($x) {\n        return 1;\n    }",
        PHP_FN,
        "if ($x) {\n        return 1;\n    }",
    ),
    (
        "cut refused when it would leave the completion's block open",
        "foreach ($xs as $x) {\n    $total += $x;\n}",
        ctx("", prev=("<?php",), nxt=("$total += $x;",)),
        "foreach ($xs as $x) {\n    $total += $x;\n}",
    ),
    (
        "the next line in other words: the model's own names",
        "total = 0\n    for item in values:\n        total += item",
        ctx("    ", nxt=("    for x in values:", "        total += x")),
        "total = 0",
    ),
    (
        "the next return in other words at its indentation",
        "s = sum(xs)\n    return s",
        ctx("    ", nxt=("    return total",)),
        "s = sum(xs)",
    ),
    (
        "a return deeper than the next line's is not it",
        "if not xs:\n        return 0",
        ctx("    ", nxt=("    return total",)),
        "if not xs:\n        return 0",
    ),
    (
        "same shape but no name in common is not the next line",
        "a = b + 1\n    c = d + 2",
        ctx("    ", nxt=("    x = y + 3",)),
        "a = b + 1\n    c = d + 2",
    ),
    (
        "the first line is never cut for a likeness",
        "for x in values:\n        total += x",
        ctx("    ", nxt=("    for item in values:",)),
        "for x in values:\n        total += x",
    ),
    ("line suffix echoed", "foo(a, b))", ctx("print(", ")"), "foo(a, b)"),
    ("a closer the completion needs is kept", "f()", ctx("print(", ")"), "f()"),
    ("only the suffix", ")", ctx("print(", ")"), ""),
    ("longer suffix", "a, b, c)", ctx("f(", "b, c)"), "a, "),
    ("suffix starting with a space", "_value = 5", ctx("x", " = 5"), "_value"),
    ("Python def: suffix echoed then a body", ", b):\n    return a + b", ctx("def f(a", "):"), ", b"),
    ("suffix echo on its own line joins back", "a, b\n)", ctx("foo(", ")"), "a, b"),
    (
        "hanging layout keeps the suffix on its own line",
        "\n    a,\n    b,\n)",
        ctx("foo(", ")"),
        "\n    a,\n    b,\n",
    ),
    ("closing quote and paren", 'hello")', ctx('print("', '")'), "hello"),
    ("whitespace-only suffix is no echo", "x  ", ctx("y = ", "  "), "x  "),
    ("CRLF", "b, a + b\r\n    return a\r\n", FIB, "b, a + b"),
    ("unicode", "'ñandú'\n    return x", ctx("    y = ", nxt=("    return x",)), "'ñandú'"),
    ("tabs", "b = 2\n\treturn b\n", ctx("\t", nxt=("\treturn b",), indent_unit="\t"), "b = 2"),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_stop_at_suffix(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert stop_at_suffix(text, context) == expected
