"""failing_examples / drop_failing_examples: a docstring's examples run against the edited module."""

from __future__ import annotations

from pathlib import Path

import pytest

from copiloto.docstrings import apply, drop_failing_examples, example_failures, failing_examples, find_by_qualname

MODULE = """\
def add(a, b):
    return a + b


class Box:
    def __init__(self, value):
        self.value = value

    def double(self):
        return Box(self.value * 2)
"""

GOOGLE = """\
Add two numbers.

Args:
    a: One.
    b: Two.

Returns:
    The sum.

Examples:
    >>> add(1, 2)
    3
    >>> add(2, 2)
    5
    >>> total = add(
    ...     10, 20)
    >>> total
    30
"""


def edited(docstring: str, qualname: str = "add", source: str = MODULE) -> str:
    return apply(source, find_by_qualname(source, qualname), docstring)


def test_only_the_failing_example_is_dropped() -> None:
    failing = failing_examples(edited(GOOGLE), "add", GOOGLE)
    assert failing == ["add(2, 2)\n"]
    assert drop_failing_examples(GOOGLE, failing) == GOOGLE.replace("    >>> add(2, 2)\n    5\n", "").rstrip("\n")


def test_reasons() -> None:
    docstring = "Add.\n\n>>> add(2, 2)\n5\n>>> add(1, None)\n1\n>>> add(1, 1)\n2\n"
    failures = example_failures(edited(docstring), "add", docstring)
    assert [(f.source, f.reason) for f in failures] == [
        ("add(2, 2)\n", "expected '5\\n', got '4\\n'"),
        ("add(1, None)\n", "raised TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'"),
    ]


def test_examples_of_a_method_use_the_module_globals() -> None:
    docstring = "Double it.\n\nExamples:\n    >>> Box(2).double().value\n    4\n    >>> Box(2).double()\n    Box(4)\n"
    source = edited(docstring, "Box.double")
    failing = failing_examples(source, "Box.double", docstring)
    assert failing == ["Box(2).double()\n"]
    assert drop_failing_examples(docstring, failing) == "Double it.\n\nExamples:\n    >>> Box(2).double().value\n    4"


def test_examples_of_a_method_that_changes_state_build_their_own_instance() -> None:
    source = (
        "class Counter:\n    def __init__(self):\n        self.count = 0\n\n"
        "    def bump(self, by=1):\n        self.count += by\n        return self.count\n"
    )
    docstring = (
        "Add to the count.\n\nExamples:\n    >>> c = Counter()\n    >>> c.bump(2)\n    2\n    >>> c.count\n    2\n"
        "    >>> c.bump()\n    2\n    >>> self.bump()\n    1\n"
    )
    failures = example_failures(edited(docstring, "Counter.bump", source), "Counter.bump", docstring)
    # The class is there and the instance keeps its state between examples; `self` is not.
    assert [(f.source, f.reason) for f in failures] == [
        ("c.bump()\n", "expected '2\\n', got '3\\n'"),
        ("self.bump()\n", "raised NameError: name 'self' is not defined"),
    ]


def test_a_module_that_raises_on_import_fails_every_example() -> None:
    source = 'raise RuntimeError("no database")\n\n\ndef f():\n    """Doc.\n\n    >>> 1 + 1\n    2\n    """\n'
    docstring = "Doc.\n\n>>> 1 + 1\n2\n>>> 2\n2\n"
    failures = example_failures(source, "f", docstring)
    assert [f.source for f in failures] == ["1 + 1\n", "2\n"]
    assert all(f.reason == "the module does not import: RuntimeError: no database" for f in failures)


def test_a_module_that_exits_on_import() -> None:
    docstring = ">>> 1\n1\n"
    failures = example_failures("import sys\nsys.exit(3)\n", "f", docstring)
    assert [f.reason for f in failures] == ["the module does not import: SystemExit: 3"]


def test_the_main_block_does_not_run() -> None:
    source = MODULE + '\n\nif __name__ == "__main__":\n    raise SystemExit("ran main")\n'
    assert failing_examples(source, "add", ">>> add(1, 1)\n2\n") == []


def test_timeout() -> None:
    docstring = ">>> while True: pass\n"
    failures = example_failures(MODULE, "add", docstring, timeout_s=1)
    assert [f.reason for f in failures] == ["the examples took longer than 1 s"]


def test_sys_path_and_module_name(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("def three():\n    return 3\n", encoding="utf-8")
    source = "from helpers import three\n\n\ndef f():\n    return three()\n"
    docstring = ">>> f()\n3\n>>> __name__\n'shop.orders'\n"
    assert failing_examples(source, "f", docstring, module_name="shop.orders", sys_path=[str(tmp_path)]) == []


def test_no_examples_runs_nothing() -> None:
    assert failing_examples("raise SystemExit\n", "f", "Just prose.") == []


DROP = [
    (
        "google section left empty goes",
        "Sum.\n\nExamples:\n    >>> add(2, 2)\n    5\n\nRaises:\n    KeyError: Never.",
        ["add(2, 2)\n"],
        "Sum.\n\nRaises:\n    KeyError: Never.",
    ),
    (
        "google section at the end",
        "Sum.\n\nExample:\n    >>> add(2, 2)\n    5\n",
        ["add(2, 2)\n"],
        "Sum.",
    ),
    (
        "numpy section left empty goes",
        "Sum.\n\nExamples\n--------\n>>> add(2, 2)\n5\n\nNotes\n-----\nNone.",
        ["add(2, 2)\n"],
        "Sum.\n\nNotes\n-----\nNone.",
    ),
    (
        "numpy section keeps a passing example",
        "Sum.\n\nExamples\n--------\n>>> add(2, 2)\n5\n\n>>> add(1, 1)\n2",
        ["add(2, 2)\n"],
        "Sum.\n\nExamples\n--------\n>>> add(1, 1)\n2",
    ),
    (
        "prose stays",
        "Sum.\n\nExamples:\n    Adding:\n\n    >>> add(2, 2)\n    5",
        ["add(2, 2)\n"],
        "Sum.\n\nExamples:\n    Adding:",
    ),
    (
        "multi-line source and output",
        "Sum.\n\n>>> for i in range(2):\n...     print(i)\n0\n1\n>>> 1\n1",
        ["for i in range(2):\n    print(i)\n"],
        "Sum.\n\n>>> 1\n1",
    ),
    (
        "the blank line between two examples",
        "Sum.\n\nExamples:\n    >>> add(2, 2)\n    5\n\n    >>> add(1, 1)\n    2",
        ["add(2, 2)\n"],
        "Sum.\n\nExamples:\n    >>> add(1, 1)\n    2",
    ),
    ("nothing failing: unchanged", "Sum.\n\n>>> 1\n1\n", [], "Sum.\n\n>>> 1\n1\n"),
    ("an example with no output", "Sum.\n\n>>> x = add(1)\n>>> 1\n1", ["x = add(1)\n"], "Sum.\n\n>>> 1\n1"),
]


@pytest.mark.parametrize(("docstring", "failing", "expected"), [d[1:] for d in DROP], ids=[d[0] for d in DROP])
def test_drop_failing_examples(docstring: str, failing: list[str], expected: str) -> None:
    assert drop_failing_examples(docstring, failing) == expected
