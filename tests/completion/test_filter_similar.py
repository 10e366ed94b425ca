"""_similar: the same line in other words (the model's own names, another indentation)."""

from __future__ import annotations

import pytest

from copiloto.completion.filters._similar import same_in_other_words

CASES = [
    ("same line", "    return total", "    return total", True),
    ("other indentation", "        for x in values:", "    for x in values:", True),
    ("the model's own loop variable", "    for item in values:", "    for x in values:", True),
    ("a call with another argument", "    result.append(n)", "    result.append(x)", True),
    ("an exit at the same indentation", "    return res", "    return result", True),
    ("an exit at another indentation is not", "        return 0", "    return total", False),
    ("same shape, no name in common", "    a = b + 1", "    x = y + 3", False),
    ("another shape", "    total = sum(xs)", "    for x in xs:", False),
    ("a short line with other names", "    i = 0", "    j = 0", False),
]


@pytest.mark.parametrize(("name", "a", "b", "expected"), CASES, ids=[c[0] for c in CASES])
def test_same_in_other_words(name: str, a: str, b: str, expected: bool) -> None:
    assert same_in_other_words(a, b) is expected
