"""Docstrings written by the real tiny model into each style's layout: every parameter named, the file
parsing, ruff's D rules passing; and the small text repairs applied to what the model writes."""

from __future__ import annotations

import ast
import difflib

import pytest

from copiloto.docstrings import DocstringError, coverage_problems, find_by_qualname, lint_lines, ruff_problems
from copiloto.docstrings.generate import document, imperative, tidy, verb_of
from copiloto.engine.local import LocalEngine

SOURCE = """import json


class Cart:
    def __init__(self, owner):
        self.owner = owner
        self.items = {}

    def add_item(self, name, price, quantity=1):
        if price < 0:
            raise ValueError("negative price")
        self.items[name] = self.items.get(name, 0) + price * quantity
        return self.items[name]


def parse_header(line, sep=":"):
    key, _, value = line.partition(sep)
    if not key:
        raise KeyError(line)
    return key.strip().lower(), value.strip()
"""


@pytest.fixture(scope="module")
def engine(tiny_engine: LocalEngine) -> LocalEngine:
    return tiny_engine


@pytest.mark.model
@pytest.mark.parametrize(
    ("style", "qualname"),
    [("google", "parse_header"), ("numpy", "Cart.add_item"), ("sphinx", "Cart.add_item"), ("google", "Cart")],
)
def test_the_model_fills_a_docstring_that_passes_every_check(engine: LocalEngine, style: str, qualname: str) -> None:
    done = document(engine, SOURCE, qualname, style)  # type: ignore[arg-type]
    ast.parse(done.source)
    placed = find_by_qualname(done.source, qualname)
    assert placed.docstring is not None
    assert coverage_problems(done.docstring, placed, style) == []  # type: ignore[arg-type]
    assert ruff_problems(done.source, style, lint_lines(placed)) == []  # type: ignore[arg-type]
    for param in placed.params:
        assert param in done.docstring
    assert "TODO" not in done.docstring
    changes = [line for line in difflib.ndiff(SOURCE.splitlines(), done.source.splitlines()) if line[:1] in "+-"]
    assert changes and all(line.startswith("+") for line in changes), "lines were only added"


@pytest.mark.model
def test_a_cancelled_action_stops_before_the_next_sentence(engine: LocalEngine) -> None:
    with pytest.raises(DocstringError, match="cancelled"):
        document(engine, SOURCE, "parse_header", "google", cancelled=lambda: True)


@pytest.mark.parametrize(
    ("text", "summary", "expected"),
    [
        ("  returns the sum  ", True, "Returns the sum."),
        ("Add two numbers. It takes a and b.", True, "Add two numbers."),
        ("e.g. the thing works. More", True, "E.g. the thing works."),
        ("ValueError: ValueError: If the price is negative.", False, "If the price is negative."),
        ("Str: The owner of the cart.", False, "The owner of the cart."),
        ("Str: The owner", True, "Str: The owner."),  # a summary keeps its words
        ("Parse the options:", True, "Parse the options."),
        ("TODO", True, ""),
        ("...", False, ""),
        ("- the value", False, "The value."),
    ],
)
def test_tidy(text: str, summary: bool, expected: str) -> None:
    assert tidy(text, summary) == expected


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("Returns the sum.", "Return the sum."),
        ("This function parses x.", "Parse x."),
        ("Applies y.", "Apply y."),
        ("Matches z.", "Match z."),
        ("Does it.", "Do it."),
        ("Process data.", "Process data."),
        ("Status of x.", "Status of x."),
        ("Add it.", "Add it."),
        ("The Function checks if two are close.", "Check if two are close."),
        ("The function has_close returns True if so.", "Return True if so."),
        ("The function `has_close()` is used to compare.", "Compare."),
        ("The Function to find the maximum.", "Find the maximum."),
        ("This returns x.", "Return x."),
        ("The sum of a and b.", "The sum of a and b."),  # a noun phrase stays
        ("The function other_name returns x.", "The function other_name returns x."),  # not the target's name
    ],
)
def test_imperative(summary: str, expected: str) -> None:
    assert imperative(summary, "has_close") == expected


@pytest.mark.parametrize(
    ("qualname", "verb"),
    [("parse_header", "Parse "), ("Cart.add_item", "Add "), ("Cart", ""), ("Cart.__init__", "")],
)
def test_a_second_draft_starts_with_the_verb_of_the_name(qualname: str, verb: str) -> None:
    assert verb_of(find_by_qualname(SOURCE, qualname)) == verb
