"""limit_scope: a multi-line completion stays in the block where it starts."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import FilterContext
from copiloto.completion.filters.limit_scope import limit_scope


def ctx(prefix: str = "", suffix: str = "", *, indent_unit: str = "    ") -> FilterContext:
    return FilterContext(prefix, suffix, (), (), True, indent_unit)


def blank_line(prev: tuple[str, ...], nxt: tuple[str, ...] = ()) -> FilterContext:
    """The cursor on an empty line between `prev` and `nxt`."""
    return FilterContext("", "", prev, nxt, True, "    ")


DOCSTRING_ONLY = ("def f(a):", '    """Sum of a.', "", '    More words.', '    """')
IF_OPENED = ("def f(xs):", "    if not xs:")


CASES = [
    (
        "dedent out of scope: it starts outside the body that has only its docstring",
        "def main():\n    print(f(1))",
        blank_line(DOCSTRING_ONLY),
        "",
    ),
    (
        "a module docstring is no body: a top-level line stays",
        "def main():\n    pass",
        blank_line(("import os", '"""Tools."""')),
        "def main():\n    pass",
    ),
    ("the body after a docstring stays", "    return sum(a)", blank_line(DOCSTRING_ONLY), "    return sum(a)"),
    ("one line outside the block the header opened is dropped", "    return False", blank_line(IF_OPENED), ""),
    ("one line in it stays", "        return []", blank_line(IF_OPENED), "        return []"),
    (
        "closing the if and going on at the following line's level is kept",
        "        return None\n\n    top = max(xs)\nprint(f([]))",
        blank_line(IF_OPENED, ("    for x in xs:",)),
        "        return None\n\n    top = max(xs)",
    ),
    (
        "below the following line's level is cut",
        "        return None\nprint(f([]))",
        blank_line(IF_OPENED, ("    for x in xs:",)),
        "        return None",
    ),
    (
        "a following top-level definition does not let the body's end dedent",
        "    y = x + 1\n\nif __name__ == '__main__':\n    f(1)",
        blank_line(("def f(x):", "    x = 1"), ("def g():",)),
        "    y = x + 1",
    ),
    ("empty", "", ctx("    "), ""),
    ("single line untouched", "x = 1", ctx("    "), "x = 1"),
    ("dedent below the block ends it", "x = 1\n    return x\nprint(f())", ctx("    "), "x = 1\n    return x"),
    (
        "deeper lines and siblings are kept",
        "for i in r:\n        s += i\n    return s",
        ctx("    "),
        "for i in r:\n        s += i\n    return s",
    ),
    ("blank-line run ends it", "x = 1\n\n\n    y = 2", ctx("    "), "x = 1"),
    ("one blank line is fine", "x = 1\n\n    y = 2", ctx("    "), "x = 1\n\n    y = 2"),
    (
        "Python block opened by the prefix: body only",
        "\n    a, b = 0, 1\n    return a\n\n# Example usage\nprint(fib(10))",
        ctx("def fib(n):"),
        "\n    a, b = 0, 1\n    return a",
    ),
    (
        "Python block opened by the prefix: a top-level sibling ends it",
        "\n    return 1\ndef g():\n    pass",
        ctx("def f():"),
        "\n    return 1",
    ),
    (
        "Python header typed on the line: body only",
        "):\n    return 1\n\nprint(f(1))",
        ctx("def f(x"),
        "):\n    return 1",
    ),
    (
        "PHP block opened by the prefix keeps its closing brace",
        "\n    return 1;\n}\n\nfunction g() {",
        ctx("function f() {"),
        "\n    return 1;\n}",
    ),
    (
        "PHP } else { continues the block",
        "\n        a();\n    } else {\n        b();\n    }\n    c();",
        ctx("    if ($x) {"),
        "\n        a();\n    } else {\n        b();\n    }",
    ),
    (
        "Python else: continues the block",
        "\n        a()\n    else:  # otherwise\n        b()\n    c()",
        ctx("    if x:"),
        "\n        a()\n    else:  # otherwise\n        b()",
    ),
    ("closer of the enclosing block, even badly indented", "x();\n}\nfoo();", ctx(""), "x();"),
    ("PHP closer below the block", "return 1;\n}", ctx("    "), "return 1;"),
    (
        "the prefix's own bracket may be closed",
        "\n    a,\n    b,\n)\ny = 2",
        ctx("x = foo("),
        "\n    a,\n    b,\n)\ny = 2",
    ),
    (
        "blank cursor line: reference from the first content line",
        "\n    x = 1\nprint(x)",
        ctx("    "),
        "\n    x = 1",
    ),
    ("blank completion lines only", "\n\n", ctx("    "), "\n\n"),
    (
        "a comment ending in ':' opens nothing",
        "\n    y = 2\n    z = 3",
        ctx("    x = 1  # note:"),
        "\n    y = 2\n    z = 3",
    ),
    ("tabs", "x = 1\n\treturn x\nprint(1)", ctx("\t", indent_unit="\t"), "x = 1\n\treturn x"),
    ("two-space indent unit", "x\n  y\nz", ctx("  ", indent_unit="  "), "x\n  y"),
    ("CRLF", "x = 1\r\n    y\r\nz", ctx("    "), "x = 1\n    y"),
    ("unicode", "msg = 'ü'\n    return msg\nprint('ü')", ctx("    "), "msg = 'ü'\n    return msg"),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_limit_scope(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert limit_scope(text, context) == expected
