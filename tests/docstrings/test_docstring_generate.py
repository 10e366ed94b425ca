"""Docstrings written by the real tiny model into each style's layout: every parameter named, the file
parsing, ruff's D rules passing; and the small text repairs applied to what the model writes."""

from __future__ import annotations

import ast
import dataclasses
import difflib
from concurrent.futures import Future
from types import SimpleNamespace
from typing import Any

import pytest

from copiloto.docstrings import DocstringError, coverage_problems, find_by_qualname, lint_lines, ruff_problems
from copiloto.docstrings.generate import (
    PREFIX_TOKENS,
    after_nudge,
    document,
    imperative,
    method_context,
    state_comment,
    tidy,
    verb_of,
    write_docstring,
)
from copiloto.engine.local import LocalEngine
from copiloto.engine.types import GenerationResult

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
        document(engine, SOURCE, "parse_header", "google", stopped=lambda: True)


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


class _Recorder:
    """Just enough of an engine to see the prompts write_docstring sends; every sentence is "Do it"."""

    def __init__(self) -> None:
        self.prefixes: list[str] = []

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def submit(self, request: Any, on_text: Any = None) -> SimpleNamespace:
        self.prefixes.append(request.prefix)
        future: Future[GenerationResult] = Future()
        future.set_result(GenerationResult("Do it", "stop"))
        return SimpleNamespace(future=future)


# A class too long for the prompt's budget: 60 methods between its header and `push`.
FILLER = "".join(f"    def read_{i}(self):\n        return self.items[{i}] + {i} * 1000\n\n" for i in range(60))
LONG = f"""class Stack:
    limit = 10

    def __init__(self, items=()):
        self.items = list(items)
        self.pushes = 0

{FILLER}    @logged
    def push(self, item):
        self.items.append(item)
        self.pushes += 1
        return len(self.items)


def helper(x):
    return x
"""


def test_a_method_deep_in_a_long_class_sees_the_class_outline_first() -> None:
    engine = _Recorder()
    target = find_by_qualname(LONG, "Stack.push")
    text = write_docstring(engine, LONG, target, "google")  # type: ignore[arg-type]
    assert text.startswith("Do it.\n\nArgs:\n    item: Do it.\n\nReturns:")
    assert "self" not in text  # `self` is no parameter to document
    for prefix in engine.prefixes:
        assert prefix.startswith("class Stack:\n    limit = 10\n    def __init__(self, items=()):\n")
        assert "        self.pushes = 0\n    def read_0(self): ...\n" in prefix
        assert "    # Changes self.items and self.pushes.\n    @logged\n    def push(self, item):\n" in prefix
        assert "def read_59(self):\n        return" in prefix  # the nearest code, as it is
        assert engine.count_tokens(prefix) <= PREFIX_TOKENS
    # Every sentence's prompt starts alike, up to the docstring: the engine reuses what it evaluated.
    first, *later = engine.prefixes
    assert len(later) == 2 and all(prefix.startswith(first) for prefix in later)


# qualname → whether the prompt needs an outline: only a method whose class header the budget cuts off.
CONTEXTS = [("Stack.push", True), ("Stack.read_1", False), ("Stack", False), ("helper", False)]


@pytest.mark.parametrize(("qualname", "outlined"), CONTEXTS, ids=[c[0] for c in CONTEXTS])
def test_method_context(qualname: str, outlined: bool) -> None:
    target = find_by_qualname(LONG, qualname)
    lines = LONG.splitlines(keepends=True)[: target.insert_line]
    outline, first = method_context(_Recorder(), LONG, target, lines)  # type: ignore[arg-type]
    assert bool(outline) == outlined == (first > 0)
    if outlined:
        assert target.start_line > first > 0


# changes → the prompt line above the method's header ("" when it changes nothing)
COMMENTS = [
    ((), ""),
    (("self.items",), "    # Changes self.items.\n"),
    (("self.a", "cls.b"), "    # Changes self.a and cls.b.\n"),
    (tuple(f"self.x{i}" for i in range(5)), "    # Changes self.x0, self.x1, self.x2 and self.x3 (and more).\n"),
]


@pytest.mark.parametrize(("changes", "expected"), COMMENTS, ids=[str(len(c[0])) for c in COMMENTS])
def test_state_comment(changes: tuple[str, ...], expected: str) -> None:
    target = find_by_qualname(SOURCE, "Cart.add_item")
    assert state_comment(dataclasses.replace(target, changes=changes), "    ") == expected


def test_a_method_that_changes_nothing_gets_no_comment() -> None:
    engine = _Recorder()
    source = "class A:\n    def get(self):\n\n        return self.x\n"  # the blank line goes, as apply drops it
    write_docstring(engine, source, find_by_qualname(source, "A.get"), "google")  # type: ignore[arg-type]
    assert engine.prefixes[0] == 'class A:\n    def get(self):\n        """'


@pytest.mark.parametrize(
    ("nudge", "written", "kept"),
    [
        ("Return ", "the sum of xs", "Return the sum of xs"),
        ("Return ", "Return the sum", "Return the sum"),  # the nudged word written again
        ("The ", "number of items", "The number of items"),
        ("The ", "queue's capacity", "The queue's capacity"),
        ("The ", "Return a matrix of x", "Return a matrix of x"),  # its own sentence
        ("The ", "return a fraction of x", "return a fraction of x"),  # a verb phrase, no subject needed
        ("The ", "wait for all tasks", "wait for all tasks"),
        ("The ", "   ", ""),
        ("", "compute x", "compute x"),
    ],
)
def test_after_nudge(nudge: str, written: str, kept: str) -> None:
    assert after_nudge(nudge, written) == kept
