import pytest

from copiloto.completion.filters.base import FilterContext
from copiloto.completion.filters.drop_prefix_echo import drop_prefix_echo


def ctx(line_prefix: str) -> FilterContext:
    return FilterContext(line_prefix=line_prefix, line_suffix="", prev_lines=(), next_lines=(), multiline=False)


CASES = [
    ("restarted expression", "    return sum(d, t) / ", "sum(d, t) / len(d)", "len(d)"),
    ("restarted whole line", "    total = compute(a, b) + ", "total = compute(a, b) + 1", "1"),
    ("no space before cursor", "    x = foo(a, b)+", "foo(a, b)+1", "1"),
    ("cursor after non-space keeps the space", "    y = first(a, b)", "first(a, b) or c", " or c"),
    ("nothing new after the echo", "    value = compute(x)", "compute(x)", ""),
    ("short overlap is kept", "    x = ", "x + 1", "x + 1"),
    ("identifier-only overlap is kept", "    something_long", "something_long_name", "something_long_name"),
    ("no overlap", "    return sum(d, t) / ", "len(d)", "len(d)"),
    ("empty completion", "    return a + b", "", ""),
    ("short prefix", "  x(", "x(1)", "x(1)"),
]


@pytest.mark.parametrize(("name", "line_prefix", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_drop_prefix_echo(name: str, line_prefix: str, text: str, expected: str) -> None:
    assert drop_prefix_echo(text, ctx(line_prefix)) == expected
