"""Documented examples: which docstring lines state what a call gives, in every form docstrings use."""

from __future__ import annotations

import pytest

from copiloto.testgen.examples import Example, documented_examples

CASES = [
    # (docstring, function name, expected (call, value) pairs)
    (">>> add(2, 3)\n5\n", "add", [("add(2, 3)", "5")]),
    ("Sum.\n\n>>> add(1, 1)\n2\n>>> add(-1, 1)\n0\n", "add", [("add(1, 1)", "2"), ("add(-1, 1)", "0")]),
    (">>> add([1], [2])\n[1,\n 2]\n", "add", [("add([1], [2])", "[1, 2]")]),  # wrapped output, joined
    ("add(2, 3) ==> 5", "add", [("add(2, 3)", "5")]),
    ("For example:\n    add(2, 3) -> 5\n    add(0, 0) == 0", "add", [("add(2, 3)", "5"), ("add(0, 0)", "0")]),
    ("add('a', 'b') ➞ 'ab'", "add", [("add('a', 'b')", "'ab'")]),
    ("add(1, 2) returns 3.", "add", [("add(1, 2)", "3")]),
    ("- add(1.5, 1) should return 2.5", "add", [("add(1.5, 1)", "2.5")]),
    (">>> obj.push(3)\nTrue", "push", [("obj.push(3)", "True")]),  # a method through its object
    # Not examples of `add`: another function, prose, output that is not a value, a statement.
    (">>> sub(2, 3)\n-1\n", "add", []),
    ("add(x, y) returns their sum", "add", []),
    (">>> add(Point(1), Point(2))\nPoint(3)\n", "add", []),  # not a literal: cannot be compared as written
    (">>> x = add(1, 2)\n", "add", []),
    (">>> add(1, 2)\n", "add", []),  # no output shown
    ("tri(1) = 3\ntri(n) = 1 + n / 2, if n is even.", "tri", []),  # definitions, not calls and results
    ("add(1, 1) is 2", "add", []),
    ("", "add", []),
    (None, "add", []),
]


@pytest.mark.parametrize(("docstring", "name", "expected"), CASES)
def test_documented_examples(docstring: str | None, name: str, expected: list[tuple[str, str]]) -> None:
    assert [(e.call, e.expected) for e in documented_examples(docstring, name)] == expected


def test_one_example_per_call_the_first_saying_wins() -> None:
    docstring = ">>> add(1, 1)\n2\n\nAlso add(1, 1) == 3\n"
    assert documented_examples(docstring, "add") == [Example("add(1, 1)", "2", 0)]


def test_lines_are_where_the_call_is_written() -> None:
    docstring = "Sum.\n\nExamples:\n    >>> add(1, 2)\n    3\n\n    add(2, 2) -> 4\n"
    assert [e.line for e in documented_examples(docstring, "add")] == [3, 6]


def test_a_malformed_doctest_does_not_hide_the_informal_examples() -> None:
    docstring = "  >>> add(1, 2)\n 3\nadd(2, 2) -> 4"  # the output is less indented than the prompt
    assert [(e.call, e.expected) for e in documented_examples(docstring, "add")] == [("add(2, 2)", "4")]
