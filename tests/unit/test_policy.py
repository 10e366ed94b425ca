"""How many lines to ask for, and when a multi-line answer on a blank line is trusted."""

import pytest

from copiloto.completion.pipeline import BLANK_RUN, anchored, policy, stop_strings
from copiloto.context import build_context
from copiloto.engine.types import GenerationResult


def ctx_at(source: str):  # type: ignore[no-untyped-def]
    offset = source.index("█")
    return build_context(source.replace("█", ""), offset, "python")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(x):█\n", "multi"),  # after a block opener
        ("def f(x):\n    █\n", "multi"),  # an empty body
        ("def f(x):\n    y = 1\n    █\n    return y\n", "auto"),  # a blank line in a body
        ("def f(x):\n    y = 1\n█\n    return y\n", "auto"),  # a blank line at column 0
        ("x = foo(█)\n", "single"),  # mid-line
        ("x = █\n", "single"),
    ],
)
def test_policy(source: str, expected: str) -> None:
    assert policy(ctx_at(source)) == expected


def test_auto_stops_at_the_following_line_and_blank_runs() -> None:
    ctx = ctx_at("def f(x):\n    y = 1\n    █\n    return y\n")
    assert stop_strings(ctx) == (BLANK_RUN, "\n    return y")


@pytest.mark.parametrize(
    ("reason", "hit", "expected"),
    [
        ("eot", None, True),  # the model closed the middle itself
        ("stop", "\n    return y", True),  # it went on to write the line that follows
        ("stop", BLANK_RUN, False),  # run-on prose after a blank-line run
        ("length", None, False),  # ran out of tokens
        ("timeout", None, False),
    ],
)
def test_anchored(reason: str, hit: str | None, expected: bool) -> None:
    result = GenerationResult("a\nb", reason, stop_hit=hit)  # type: ignore[arg-type]
    assert anchored(result, (BLANK_RUN, "\n    return y")) is expected
