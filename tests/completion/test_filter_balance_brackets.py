"""balance_brackets: close what the completion opens, drop closers the line suffix provides."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import FilterContext
from copiloto.completion.filters.balance_brackets import balance_brackets


def ctx(prefix: str = "", suffix: str = "", *, prev: tuple[str, ...] = ()) -> FilterContext:
    return FilterContext(prefix, suffix, prev, (), False)


CASES = [
    ("empty", "", ctx("f(", ")"), ""),
    ("nothing to do", "x + 1", ctx("y = g(", ")"), "x + 1"),
    ("closer the suffix provides", "x + 1)", ctx("y = g(", ")"), "x + 1"),
    ("two extra closers", "x))", ctx("print(", ")"), "x"),
    ("a closer the completion needs is kept", "f()", ctx("print(", ")"), "f()"),
    ("trailing space after the closer", "x) ", ctx("f(", ")"), "x"),
    ("a closer of another kind is not the suffix's", "x]", ctx("f(", ")"), "x]"),
    ("suffix with several closers", "0])", ctx("f(a[", "]);"), "0"),
    ("closes an opener on a previous line", ")", ctx("    a", ")", prev=("x = foo(bar(",)), ")"),
    ("no closer in the suffix: nothing removed", "x)", ctx("f(", ""), "x)"),
    ("closer inside a string is not counted", "')')", ctx("print(", ")"), "')'"),
    ("floor division is not a comment", "total // (n + 1))", ctx("avg = f(", ")"), "total // (n + 1)"),
    ("unclosed opener on the first line", "foo(a, ", ctx("x = "), ""),
    ("unclosed opener on a later line", "x = 1\ny = foo(\n    a,", ctx(""), "x = 1"),
    ("opener ending the completion is fine", "if ($x) {", ctx("    "), "if ($x) {"),
    ("opener before a comment is fine", "items = [  # values (ints)", ctx(""), "items = [  # values (ints)"),
    ("opener closed by the suffix", "foo(a", ctx("x = ", ")"), "foo(a"),
    ("bracket in a # comment", "x = 1  # (note", ctx(""), "x = 1  # (note"),
    ("bracket in a // comment", "x = 1; // (todo", ctx(""), "x = 1; // (todo"),
    ("bracket in a string", "print('(')", ctx(""), "print('(')"),
    ("bracket in a triple-quoted string", '"""(doc"""', ctx(""), '"""(doc"""'),
    ("cursor inside a string", 'world")', ctx('print("hello '), 'world")'),
    ("CRLF", "a,\r\n    b)", ctx("f(", ")"), "a,\n    b"),
    ("unicode", "'ü')", ctx("p(", ")"), "'ü'"),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_balance_brackets(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert balance_brackets(text, context) == expected
