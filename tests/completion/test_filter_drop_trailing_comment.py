import pytest

from copiloto.completion.filters.base import FilterContext
from copiloto.completion.filters.drop_trailing_comment import drop_trailing_comment


def ctx(line_prefix: str, multiline: bool = False) -> FilterContext:
    return FilterContext(line_prefix=line_prefix, line_suffix="", prev_lines=(), next_lines=(), multiline=multiline)


CASES = [
    ("narration after a call", "        print(", "line)  # Print each line as plain text.", False, "line)"),
    ("php comment", "    $x = ", "count($rows); // number of rows", False, "count($rows);"),
    ("hash inside a string", "    s = ", '"#" + tag  # tag', False, '"#" + tag'),
    ("only a comment is kept", "    ", "# TODO: handle errors", False, "# TODO: handle errors"),
    ("on a comment line", "    # compute ", "the total  # twice", False, "the total  # twice"),
    ("no comment", "    x = ", "y + 1", False, "y + 1"),
    ("multi-line mode untouched", "    ", "x = 1  # one\ny = 2", True, "x = 1  # one\ny = 2"),
    ("url in a string", "    u = ", '"http://example.com"', False, '"http://example.com"'),
    ("empty", "    x = ", "", False, ""),
]


@pytest.mark.parametrize(("name", "line_prefix", "text", "multiline", "expected"), CASES, ids=[c[0] for c in CASES])
def test_drop_trailing_comment(name: str, line_prefix: str, text: str, multiline: bool, expected: str) -> None:
    assert drop_trailing_comment(text, ctx(line_prefix, multiline)) == expected
