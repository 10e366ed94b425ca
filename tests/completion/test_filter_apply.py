"""apply_filters end to end, on raw output shaped like what (instruct) models really produce."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import (
    DEFAULT_FILTERS,
    FilterContext,
    apply_filters,
    balance_brackets,
    drop_prefix_echo,
    drop_repetition,
    drop_trailing_comment,
    first_statement,
    keep_parsing,
    limit_scope,
    single_line,
    stop_at_suffix,
    trim,
)


def ctx(
    prefix: str,
    suffix: str = "",
    *,
    prev: tuple[str, ...] = (),
    nxt: tuple[str, ...] = (),
    multiline: bool = False,
) -> FilterContext:
    return FilterContext(prefix, suffix, prev, nxt, multiline)


FIB_PREV = ("def fib(n):", "    a, b = 0, 1", "    for _ in range(n):")
FIB_RAW = "b, a + b\n    return a\n\n# Example usage\nprint(fib(10))"
PHP_CLASS = ("<?php", "class Sign {", "    public function of($x) {")

CASES = [
    (
        "fib hole, single-line",
        FIB_RAW,
        ctx("        a, b = ", prev=FIB_PREV, nxt=("    return a",)),
        "b, a + b",
    ),
    (
        "fib hole, multi-line",
        FIB_RAW,
        ctx("        a, b = ", prev=FIB_PREV, nxt=("    return a",), multiline=True),
        "b, a + b",
    ),
    ("fib hole at 4 spaces, as in the brief", FIB_RAW, ctx("    a, b = ", nxt=("    return a",)), "b, a + b"),
    (
        "CRLF raw output",
        "b, a + b\r\n    return a\r\n",
        ctx("        a, b = ", nxt=("    return a",)),
        "b, a + b",
    ),
    ("auto-closed paren echoed", "fib(10))\n", ctx("    print(", ")"), "fib(10)"),
    ("mid-line after '=': leading space kept", " compute(y)\n", ctx("    x ="), " compute(y)"),
    (
        "single-line hole on a blank line, model starts with a newline",
        "\n    return 42\n",
        ctx("    ", prev=("def answer():",)),
        "return 42",
    ),
    (
        "instruct model on a blank line: body, then a test section",
        "\n    result = compute(x)\n    return result\n\n\n# Test\nprint(f(1))",
        ctx("    ", prev=("def f(x):",), nxt=("",), multiline=True),
        "result = compute(x)\n    return result",
    ),
    (
        "header typed by the user: body only",
        ":\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint(fib(10))",
        ctx("def fib(n)", multiline=True),
        ":\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)",
    ),
    (
        "PHP function body: the closing brace is already there",
        "$a + $b;\n}\n\necho add(1, 2);",
        ctx("    return ", prev=("<?php", "function add($a, $b) {"), nxt=("}",), multiline=True),
        "$a + $b;",
    ),
    (
        "PHP method: if/else block kept, class closers and usage dropped",
        "if ($x > 0) {\n            return 1;\n        } else {\n            return -1;\n        }\n    }\n}"
        "\n\n$s = new Sign();",
        ctx("        ", prev=PHP_CLASS, nxt=("    }", "}"), multiline=True),
        "if ($x > 0) {\n            return 1;\n        } else {\n            return -1;\n        }",
    ),
    (
        "PHP call with auto-closed ');'",
        "$user->name);\n",
        ctx("    echo htmlspecialchars(", ");", prev=PHP_CLASS),
        "$user->name",
    ),
    (
        "Python dict after an auto-closed brace",
        "\n        'a': 1,\n        'b': 2,\n    }\n    return config",
        ctx("    config = {", nxt=("    }",), multiline=True),
        "\n        'a': 1,\n        'b': 2,",
    ),
    (
        "small-model loop",
        "x = x + 1\n    x = x + 1\n    x = x + 1\n    x = x + 1",
        ctx("    ", multiline=True),
        "x = x + 1",
    ),
    ("runaway list cut back to nothing", "total = sum([" + "0, " * 30, ctx("    "), ""),
    ("only whitespace", "  \n\t\n", ctx("    ", multiline=True), ""),
    ("empty", "", ctx("x = "), ""),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_apply_filters(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert apply_filters(text, context) == expected


def test_default_order() -> None:
    expected = (
        single_line,
        drop_prefix_echo,
        drop_trailing_comment,
        stop_at_suffix,
        limit_scope,
        drop_repetition,
        first_statement,
        keep_parsing,
        balance_brackets,
        trim,
    )
    assert expected == DEFAULT_FILTERS


def test_custom_filters() -> None:
    assert apply_filters("x = 1  \r\nmore\r\n", ctx(""), [trim]) == "x = 1\nmore"
    assert apply_filters("a\r\nb", ctx(""), []) == "a\nb"


def test_filters_are_idempotent_on_their_output() -> None:
    for _, text, context, _ in CASES:
        once = apply_filters(text, context)
        assert apply_filters(once, context) == once
