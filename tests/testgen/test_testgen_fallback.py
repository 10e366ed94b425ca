"""Calls built from the signature when the model wrote no passing test: values of each parameter's type,
linked lists and trees built from Python lists and read back, only for code that looks pure. Rules as
tables (each with a case where it must not apply), then a real `generate_tests` run whose engine writes
nothing, so that every kept test comes from the fallback, checked by plain pytest."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from plain_pytest import run_offered

from copiloto.config import TestSettings
from copiloto.docstrings.target import find_by_qualname
from copiloto.engine.types import GenerationResult
from copiloto.testgen.draft import Candidate
from copiloto.testgen.fallback import (
    build,
    from_signature,
    looks_pure,
    node_classes,
    parameter_kinds,
    read_back,
    reader,
    signature_calls,
)
from copiloto.testgen.generate import generate_tests
from copiloto.testgen.pin import MARKER, Probe

LIST_NODE = (
    "class ListNode:\n    def __init__(self, val=0, next=None):\n        self.val = val\n        self.next = next\n"
)
TREE_NODE = (
    "class TreeNode:\n    def __init__(self, val=0, left=None, right=None):\n"
    "        self.val = val\n        self.left = left\n        self.right = right\n"
)
REVERSE = (
    LIST_NODE
    + '''

class Solution:
    def reverseList(self, head):
        """Reverse a singly linked list."""
        previous = None
        while head:
            head.next, previous, head = previous, head, head.next
        return previous
'''
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (LIST_NODE, {"ListNode": ("list", "val", ("next",))}),
        (TREE_NODE, {"TreeNode": ("tree", "val", ("left", "right"))}),
        # LeetCode's older definition: the constructor does not take the link, so a test cannot nest calls.
        ("class ListNode:\n    def __init__(self, x):\n        self.val = x\n        self.next = None\n", {}),
        # A second required parameter the node does not hold: not a node a test can build.
        (LIST_NODE.replace("ListNode", "Edge").replace("(self, val", "(self, weight, val"), {}),
    ],
)
def test_node_classes_are_those_a_test_can_build_from_values(source: str, expected: dict[str, Any]) -> None:
    found = {name: (n.kind, n.value, n.links) for name, n in node_classes(source).items()}
    assert found == expected


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        (LIST_NODE, [1, 2, 3], "ListNode(1, ListNode(2, ListNode(3)))"),
        (TREE_NODE, [1, None, 2], "TreeNode(1, None, TreeNode(2))"),
        (TREE_NODE, [3, 9, 20, None, None, 15, 7], "TreeNode(3, TreeNode(9), TreeNode(20, TreeNode(15), TreeNode(7)))"),
    ],
)
def test_nodes_are_built_from_a_list_and_read_back_as_the_same_list(
    source: str, values: list[int | None], expected: str
) -> None:
    node = next(iter(node_classes(source).values()))
    assert build(node, values) == expected
    space: dict[str, Any] = {}
    exec(source + "\n" + reader(node), space)  # the module and the reader a test holds
    assert space["as_list"](eval(expected, space)) == values


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        ("def f(self, nums: list[int], k: int | None):", {"nums": "list[int]", "k": "int"}),
        (
            'def f(self, grid, word):\n    """:type grid: List[List[str]]\n    :type word: str"""',
            {"grid": "list[list[str]]", "word": "str"},
        ),
        ("def f(self, head, c=0):\n    return head.next", {"head": "ListNode"}),  # a node; the default left alone
        ("def f(self, n):\n    pass", {"n": "int"}),  # by its name
        ("def f(self, items):\n    return len(items)", {"items": "list[int]"}),  # by its use
        ("def f(self, mystery):\n    return mystery", None),  # nothing tells: no call is guessed
        ("def f(self, *, flag):\n    pass", None),
    ],
)
def test_parameter_kinds_come_from_annotations_docstring_use_and_name(
    signature: str, expected: dict[str, str] | None
) -> None:
    source = f"{LIST_NODE}\n\nclass S:\n    {signature.replace(chr(10), chr(10) + '    ')}\n        pass\n"
    target = find_by_qualname(source, "S.f")
    assert parameter_kinds(source, target) == expected


@pytest.mark.parametrize(
    ("body", "pure"),
    [
        ("return sorted(nums)", True),
        ("self.items.append(nums)\n        return self._helper(nums)", True),  # state is pinned, not refused
        ("print(nums)\n        return 1", False),
        ("import random\n        return random.choice(nums)", False),
        ("return self._log(nums)", False),  # through a helper method
        ("yield from nums", False),
        ("global TOTAL\n        TOTAL += 1", False),
        ("return shuffled(nums)", False),  # through a module function
    ],
)
def test_only_code_that_looks_pure_is_called_with_guessed_values(body: str, pure: bool) -> None:
    source = (
        "import random\n\n\ndef shuffled(nums):\n    return random.sample(nums, len(nums))\n\n\n"
        "class S:\n    def __init__(self):\n        self.items = []\n\n"
        f"    def f(self, nums):\n        {body}\n\n"
        "    def _helper(self, nums):\n        return len(nums)\n\n"
        "    def _log(self, nums):\n        with open('log', 'a') as f:\n            f.write(str(nums))\n"
    )
    assert looks_pure(source, find_by_qualname(source, "S.f"), find_by_qualname(source, "S")) is pure


def test_signature_calls_build_the_object_fill_it_and_call_with_values_of_each_kind() -> None:
    source = (
        "class MinStack:\n    def __init__(self):\n        self.arr = []\n\n"
        '    def push(self, x):\n        """:type x: int"""\n        self.arr.append(x)\n\n'
        "    def pop(self):\n        return self.arr.pop()\n"
    )
    calls = signature_calls(
        source, find_by_qualname(source, "MinStack.pop"), find_by_qualname(source, "MinStack"), set()
    )
    assert [c.source for c in calls] == [
        "def test_min_stack_pop_from_signature():\n    min_stack = MinStack()\n    min_stack.push(1)\n"
        "    assert min_stack.pop() == None\n"
    ]
    owner = find_by_qualname(REVERSE, "Solution")
    reverse = signature_calls(REVERSE, find_by_qualname(REVERSE, "Solution.reverseList"), owner, set())
    assert len(reverse) == 4
    assert reverse[0].source.endswith(
        "    head = ListNode(1, ListNode(2, ListNode(3)))\n    assert solution.reverseList(head) == None\n"
    ), "a node is built on a line of its own, named for its parameter"


@pytest.mark.parametrize(
    "source",
    [
        "import time\n\ndef stamp(n: int) -> float:\n    return time.time() + n\n",  # the clock: never pinned
        "def first(mystery):\n    return mystery\n",  # no kind to guess
        "class Only:\n    def __init__(self, n: int):\n        self.n = n\n",  # a class with only a constructor
    ],
)
def test_no_signature_call_where_a_pinned_value_would_mean_nothing(source: str) -> None:
    name = "Only" if "class" in source else source.split("def ")[1].split("(")[0]
    target = find_by_qualname(source, name)
    assert signature_calls(source, target, target if target.kind == "class" else None, set()) == []


@pytest.mark.parametrize(
    ("value", "wrapped"),
    [
        ("<leetcode_reverse.ListNode object at 0x7f3a2c1d>", True),
        ("[3, 2, 1]", False),  # a plain value is pinned as it is
        ("<leetcode_reverse.Solution object at 0x7f3a2c1d>", False),  # not a node: nothing to read back
    ],
)
def test_a_returned_node_is_read_back_as_a_list(value: str, wrapped: bool) -> None:
    candidate = Candidate(
        "test_x",
        "def test_x():\n    solution = Solution()\n    head = ListNode(1)\n"
        "    assert solution.reverseList(head) == None\n",
        "model",
    )
    again = read_back(candidate, Probe(value=value), node_classes(REVERSE))
    assert (again is not None) is wrapped
    if again is not None:
        assert again.source.endswith("    head = ListNode(1)\n    assert as_list(solution.reverseList(head)) == None\n")
        assert "    def as_list(node):\n" in again.source


class _Writes:
    """An engine whose model writes `text` after every start ("\n": nothing, so every kept test is the fallback's)."""

    def __init__(self, text: str = "\n") -> None:
        self.text = text

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def submit(self, request: object, on_text: object = None) -> SimpleNamespace:
        future: Future[GenerationResult] = Future()
        future.set_result(GenerationResult(self.text, "stop"))
        return SimpleNamespace(future=future)


def _generate(tmp_path: Path, source: str, qualname: str, written: str = "\n") -> Any:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    path = tmp_path / "lists.py"
    path.write_text(source, encoding="utf-8")
    settings = TestSettings(timeout_s=10.0, rounds=1, max_tests=4)
    return generate_tests(_Writes(written), tmp_path, path, source, qualname, settings=settings)  # type: ignore[arg-type]


def test_a_linked_list_method_the_model_wrote_nothing_for_gets_pinned_tests_that_pass(tmp_path: Path) -> None:
    done = _generate(tmp_path, REVERSE, "Solution.reverseList")
    assert done.kept, done.reason
    assert done.pinned == len(done.kept), "every fallback test is counted as pinned"
    assert all(from_signature(c) for c in done.kept)
    assert all(MARKER in c.source and "solution.reverseList(head)" in c.source for c in done.kept)
    assert "    head = ListNode(1, ListNode(2, ListNode(3)))\n" in done.test_file_text
    assert "    assert as_list(solution.reverseList(head)) == [3, 2, 1]\n" in done.test_file_text
    assert done.test_file_text.startswith("from lists import Solution, ListNode\n")
    run = run_offered(tmp_path, tmp_path / "tests" / "test_lists.py", done.test_file_text)
    assert run.returncode == 0 and f"{len(done.kept)} passed" in run.stdout, run.stdout


def test_code_that_is_not_pure_gets_no_fallback_test(tmp_path: Path) -> None:
    source = "import random\n\n\ndef roll(sides: int) -> int:\n    return random.randint(1, sides)\n"
    done = _generate(tmp_path, source, "roll")
    assert not done.kept and (done.reason or "").startswith("the model wrote no test for roll that calls it (")


def test_no_fallback_test_where_the_model_wrote_a_passing_one(tmp_path: Path) -> None:
    done = _generate(tmp_path, REVERSE, "Solution.reverseList", written="None) is None\n")
    assert [c.source.splitlines()[-1] for c in done.kept] == ["    assert solution.reverseList(None) is None"]
    assert not any(from_signature(c) for c in done.kept) and done.pinned == 0
