"""What a rejected test says to the user, read from real pytest runs of failing tests (runner.run_test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from copiloto.testgen.draft import Candidate
from copiloto.testgen.failure_words import failure_words
from copiloto.testgen.generate import Failure, GeneratedTests
from copiloto.testgen.layout import plan
from copiloto.testgen.runner import RunLimits, run_test

MODULE = """import pytest


class Shelf:
    def __init__(self, size):
        self.size, self.items = size, {}

    def put(self, sku, qty):
        kept = min(self.size - sum(self.items.values()), qty)
        self.items[sku] = self.items.get(sku, 0) + kept
        return qty - kept


def f(x):
    return x
"""

CASES = [
    # a method's return: the call and its value, not `where put = <Shelf object at 0x…>.put`
    (
        'shelf = Shelf(3)\n    assert shelf.put("a", 5) == 0',
        "`assert shelf.put(\"a\", 5) == 0` failed: put('a', 5) gave 2",
    ),
    ("assert f(1) == 2", "`assert f(1) == 2` failed: f(1) gave 1"),
    ('assert isinstance(f("a"), int)', "`assert isinstance(f(\"a\"), int)` failed: f('a') gave 'a'"),  # the inner call
    ("value = f([1, 2])\n    assert value == [1, 3]", "`assert value == [1, 3]` failed: assert [1, 2] == [1, 3]"),
    (
        "with pytest.raises(ValueError):\n        f(1)",
        "`with pytest.raises(ValueError):` failed: DID NOT RAISE ValueError",
    ),
    (
        'Shelf(3).put(None, "x")',
        "`Shelf(3).put(None, \"x\")` raised TypeError: '<' not supported between instances of 'str' and 'int'",
    ),
]


@pytest.mark.parametrize(("body", "words"), CASES, ids=["method", "function", "wrapped", "value", "no-raise", "raised"])
def test_a_failed_test_is_told_by_its_statement_and_what_the_code_did(body: str, words: str) -> None:
    source = f"{MODULE}\n\ndef test_it():\n    {body}\n"
    result = run_test(source, "test_it", [], Path(sys.executable), RunLimits(timeout_s=10, runs=1))
    assert not result.passed
    assert failure_words(result.output) == words


def test_no_traceback_no_words() -> None:
    assert failure_words("1 passed in 0.01s\n") == ""


def test_when_nothing_passes_the_reason_shows_a_failed_test_in_words(tmp_path: Path) -> None:
    (tmp_path / "stock.py").write_text(MODULE, encoding="utf-8")
    body = 'shelf = Shelf(3)\n    assert shelf.put("a", 5) == 0'
    source = f"from stock import Shelf\n\n\ndef test_shelf_put():\n    {body}\n"
    result = run_test(source, "test_shelf_put", [tmp_path], Path(sys.executable), RunLimits(timeout_s=10, runs=1))
    test = Candidate("test_shelf_put", source, "model")
    failures = (Failure(test, result),)
    done = GeneratedTests(plan(tmp_path, Path("stock.py"), ["Shelf"]), "Shelf.put", (), 1, 1, None, (), failures, None)
    assert done.reason == (
        "none of the 1 tests written for Shelf.put passed against the current code "
        "(for example test_shelf_put: `assert shelf.put(\"a\", 5) == 0` failed: put('a', 5) gave 2)"
    )
    assert "object at 0x" not in done.summary(tmp_path)
