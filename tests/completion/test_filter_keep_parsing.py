"""keep_parsing: a multi-line completion keeps its longest run of whole lines that parses with the code around it."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import FilterContext
from copiloto.completion.filters.keep_parsing import keep_parsing, parse_errors


def ctx(before: str, after: str, *, prefix: str = "", suffix: str = "", language: str = "python") -> FilterContext:
    return FilterContext(prefix, suffix, (), (), True, "    ", before=before, after=after, language_id=language)


BODY = ctx("def total(xs):\n    s = 0\n", "    return s\n")
LOOP_HEADER = ctx("def total(xs):\n    s = 0\n    for x in xs:\n", "    return s\n")
PHP = ctx("<?php\nfunction total($xs) {\n    $s = 0;\n", "    return $s;\n}\n", language="php")

CASES = [
    ("whole lines that parse are kept", "    for x in xs:\n        s += x", BODY, "    for x in xs:\n        s += x"),
    (
        "stopped by the token limit mid-call: the broken line goes",
        "    for x in xs:\n        s += x\n    print(s,",
        BODY,
        "    for x in xs:\n        s += x",
    ),
    (
        "a line that cannot stand before the suffix goes",
        "    s = sum(xs)\n    else:\n        s = 1",
        BODY,
        "    s = sum(xs)",
    ),
    (
        "a body the suffix needs is what makes it parse",
        "        s += x\n        s *= 2",
        LOOP_HEADER,
        "        s += x\n        s *= 2",
    ),
    (
        "nothing fits a definition that parsed without it: nothing shown",
        "    else:\n    elif:",
        BODY,
        "",
    ),
    (
        "nothing parses and the definition did not either: left to the other filters",
        "    else:\n    elif:",
        ctx("def total(xs):\n    s = (\n", "    return s\n"),
        "    else:\n    elif:",
    ),
    ("one broken line on a blank line is not shown", "    print(s,", BODY, ""),
    ("one line that fits is", "    print(s)", BODY, "    print(s)"),
    ("mid-line, one line is not its business", "print(s,", ctx(BODY.before, BODY.after, prefix="    x = "), "print(s,"),
    (
        "PHP: an unclosed tail goes",
        "    foreach ($xs as $x) {\n        $s += $x;\n    }\n    echo f($s,",
        PHP,
        "    foreach ($xs as $x) {\n        $s += $x;\n    }",
    ),
    (
        "a language without a grammar is left alone",
        "x := 1\ny := (",
        ctx("package main\n", "", language="go"),
        "x := 1\ny := (",
    ),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_keep_parsing(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert keep_parsing(text, context) == expected


def test_single_line_completions_are_left_alone() -> None:
    single = FilterContext("    ", "", (), (), False, "    ", before="def f():\n", after="", language_id="python")
    assert keep_parsing("x = (\n    1,", single) == "x = (\n    1,"


def test_parse_errors_counts_error_nodes() -> None:
    assert parse_errors("def f():\n    return 1\n", "python") == 0
    assert (parse_errors("def f(:\n    return (\n", "python") or 0) > 0
    assert parse_errors("anything", "cobol") is None
