"""Objects first: a method's tests build the instance from the constructor's signature and the class's code,
and a state-changing method without examples gets kept, passing tests (end to end with the real `tiny`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from plain_pytest import run_offered

from copiloto.config import TestSettings
from copiloto.docstrings.target import find_by_qualname
from copiloto.engine.local import LocalEngine
from copiloto.testgen.generate import generate_tests
from copiloto.testgen.objects import construction
from copiloto.testgen.pin import MARKER
from copiloto.testgen.write import starts

SHELF = '''class Shelf:
    """Stock of items on one shelf, up to a capacity."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.items: dict[str, int] = {}

    def put(self, sku: str, qty: int) -> int:
        room = self.capacity - sum(self.items.values())
        placed = min(room, qty)
        if placed > 0:
            self.items[sku] = self.items.get(sku, 0) + placed
        return qty - placed
'''


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (SHELF, "Shelf(10)"),
        ("class Solution:\n    def twoSum(self, nums, target):\n        pass\n", "Solution()"),
        (
            "class Q:\n    def __init__(self, cap, label, rows, flag=1):\n        self.cap = cap\n"
            "    def room(self):\n        return self.cap - 1\n",
            "Q(10, 'abc', [1, 2, 3])",
        ),
        (
            "class P:\n    def __init__(self, *, size: int | None, names: list[str]):\n        pass\n",
            "P(size=10, names=['a', 'b'])",
        ),
        ("class R:\n    def __init__(self, mystery):\n        self.mystery = mystery\n", None),
    ],
)
def test_the_constructor_call_comes_from_the_signature_and_the_class_code(source: str, expected: str | None) -> None:
    assert construction(source, source.split()[1].split(":")[0].split("(")[0]) == expected


STACK = """class MinStack:
    def __init__(self):
        self.arr = []
        self.calls = 0

    def push(self, x):
        self.calls += 1
        self.arr.append(x)

    def pop(self):
        self.calls += 1
        return self.arr.pop()
"""


def test_a_method_that_reads_state_another_method_fills_starts_with_that_method() -> None:
    from copiloto.testgen.objects import preparation

    assert preparation(STACK, "MinStack", "pop") == "push", "pop on a new stack only fails"
    assert preparation(STACK, "MinStack", "push") is None
    assert preparation(SHELF, "Shelf", "put") is None, "put fills the items it reads"
    owner, method = find_by_qualname(STACK, "MinStack"), find_by_qualname(STACK, "MinStack.pop")
    assert starts(method, owner, construct="MinStack()", prepare="push") == [
        "    min_stack = MinStack()\n    min_stack.push("
    ]


def test_a_method_draft_starts_with_the_object_built_and_the_call_begun() -> None:
    owner, method = find_by_qualname(SHELF, "Shelf"), find_by_qualname(SHELF, "Shelf.put")
    assert starts(method, owner, construct="Shelf(10)") == ["    shelf = Shelf(10)\n    assert shelf.put("]
    assert starts(method, owner) == ["    shelf = Shelf("], "without a constructor call the model writes it"


@pytest.mark.model
def test_a_state_changing_method_without_examples_gets_passing_tests(tiny_engine: LocalEngine, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    path = tmp_path / "shelf.py"
    path.write_text(SHELF, encoding="utf-8")
    settings = TestSettings(timeout_s=5.0, rounds=1, max_tests=6)
    done = generate_tests(tiny_engine, tmp_path, path, SHELF, "Shelf.put", settings=settings)
    assert done.kept, done.reason
    assert all("shelf = Shelf(" in c.source and "shelf.put(" in c.source for c in done.kept)
    assert done.pinned == sum(MARKER in c.source for c in done.kept)
    if done.pinned:
        assert f", {done.pinned} pinned to the observed behaviour →" in done.summary(tmp_path)
    assert done.test_file_text is not None
    run = run_offered(tmp_path, tmp_path / "tests" / "test_shelf.py", done.test_file_text)
    assert run.returncode == 0 and f"{len(done.kept)} passed" in run.stdout, run.stdout


class _Recorder:
    """Just enough of an engine to see the prompt write_body sends."""

    def __init__(self) -> None:
        self.prefix = ""

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def submit(self, request, on_text=None):
        from concurrent.futures import Future
        from types import SimpleNamespace

        from copiloto.engine.types import GenerationResult

        self.prefix = request.prefix
        future: Future[GenerationResult] = Future()
        future.set_result(GenerationResult("'a', 1) == 0\n", "stop"))
        return SimpleNamespace(future=future)


def test_the_next_round_names_the_lines_no_kept_test_reaches() -> None:
    from copiloto.testgen.write import Prompt, write_body

    owner, method = find_by_qualname(SHELF, "Shelf"), find_by_qualname(SHELF, "Shelf.put")
    prompt = Prompt("shelf.py", SHELF, "tests/test_shelf.py", "from shelf import Shelf", method, owner)
    engine = _Recorder()
    start = "    shelf = Shelf(10)\n    assert shelf.put("
    reach = ["self.items[sku] = self.items.get(sku, 0) + placed"]
    text = write_body(engine, prompt, start, uncovered=reach)  # type: ignore[arg-type]
    assert text == start + "'a', 1) == 0\n"
    assert (
        "    # next: arguments that reach `self.items[sku] = self.items.get(sku, 0) + placed`\n" + start
        in engine.prefix
    )
