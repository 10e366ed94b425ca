"""first_statement: an answer that ran on past a hole followed by more code keeps its first whole statement."""

from __future__ import annotations

import pytest

from copiloto.completion.filters import FilterContext
from copiloto.completion.filters.first_statement import first_statement


def ctx(before: str = "", after: str = "", *, ran_on: bool = True, prefix: str = "") -> FilterContext:
    return FilterContext(
        prefix, "", (), (), True, "    ", before=before, after=after, language_id="python", first_statement=ran_on
    )


IN_BODY = ctx("def f(xs):\n    if not xs:\n        return []\n", "    for x in xs:\n        total += x\n")
BEFORE_DEEPER = ctx("def f(xs):\n    \"\"\"Pairs.\"\"\"\n", "            if a != b:\n                return True\n")

CASES = [
    (
        "a simple line, then the model's own version of what follows: the line",
        "    total = 0\n    for x in xs:\n        total += x\n    return total",
        IN_BODY,
        "    total = 0",
    ),
    (
        "a block header keeps its body",
        "    for x in xs:\n        print(x)\n    return total",
        IN_BODY,
        "    for x in xs:\n        print(x)",
    ),
    (
        "an if keeps its else",
        "    if xs:\n        a = 1\n    else:\n        a = 2\n    return a",
        IN_BODY,
        "    if xs:\n        a = 1\n    else:\n        a = 2",
    ),
    (
        "an open bracket keeps the lines up to its closer",
        "    total = sum(\n        xs,\n    )\n    return total",
        IN_BODY,
        "    total = sum(\n        xs,\n    )",
    ),
    (
        "the code after sits deeper: the openers it needs are kept",
        "    seen = set()\n    for a in xs:\n        for b in xs:\n            pass\n    return False",
        BEFORE_DEEPER,
        "    seen = set()\n    for a in xs:",
    ),
    (
        "an answer the model ended itself is not its business",
        "    total = 0\n    for x in xs:\n        total += x",
        ctx("def f(xs):\n", "    return total\n", ran_on=False),
        "    total = 0\n    for x in xs:\n        total += x",
    ),
    (
        "a header whose body is the code that follows: the header",
        "    for a in xs:\n        for b in xs:\n            if a != b:\n                return True",
        ctx("def f(xs):\n", "        for b in xs:\n            if a != b:\n                return True\n"),
        "    for a in xs:",
    ),
    (
        "nested headers the following code is still deeper than are kept",
        "    for a in xs:\n        for b in xs:\n            if a != b:\n                return True",
        ctx("def f(xs):\n", "                d = a - b\n    return False\n"),
        "    for a in xs:\n        for b in xs:\n            if a != b:",
    ),
    ("one line stays one line", "    total = 0", IN_BODY, "    total = 0"),
]


@pytest.mark.parametrize(("name", "text", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_first_statement(name: str, text: str, context: FilterContext, expected: str) -> None:
    assert first_statement(text, context) == expected
