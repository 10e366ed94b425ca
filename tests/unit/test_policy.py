"""How many lines to ask for, and when a multi-line answer on a blank line is trusted."""

import re

import pytest

from copiloto.completion.pipeline import (
    BLANK_RUN,
    WINDOW_LINES,
    anchored,
    answer_context,
    code_follows,
    enclosing_window,
    policy,
    scope_exit,
    stop_strings,
    word_fragment,
)
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


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(x):\n    y = 1\n    █\n    return y\n", True),  # more of the function follows
        ("def f(x):\n    y = 1\n    █\n\n\ndef g():\n    pass\n", False),  # a new top-level definition
        ("def f(x):\n    y = 1\n    █\n", False),  # the end of the file
        ("<?php\nfunction f($x) {\n    $y = 1;\n    █\n}\n", False),  # only the function's closing brace
    ],
)
def test_code_follows(source: str, expected: bool) -> None:
    assert code_follows(ctx_at(source)) is expected


@pytest.mark.parametrize(
    ("source", "reason", "multiline", "first_statement"),
    [
        ("def f(x):\n    y = 1\n    █\n    return y\n", "length", True, True),  # ran on before more code
        ("def f(x):\n    y = 1\n    █\n    return y\n", "eot", True, False),  # it ended the hole itself
        ("def f(x):\n    y = 1\n    █\n", "length", True, False),  # nothing follows: the rest of the body
        ("def f(x):\n    █\n", "length", True, False),  # an empty body: "multi"
        ("x = foo(█)\n", "length", False, False),  # mid-line: one line
    ],
)
def test_answer_context(source: str, reason: str, multiline: bool, first_statement: bool) -> None:
    ctx = ctx_at(source)
    how = policy(ctx)
    result = GenerationResult("a\nb", reason)  # type: ignore[arg-type]
    filters = answer_context(ctx, how, result, stop_strings(ctx, how))
    assert (filters.multiline, filters.first_statement) == (multiline, first_statement)


@pytest.mark.parametrize(
    ("line_prefix", "fragment"),
    [
        ("    return math.sq", "sq"),
        ("    ret", "ret"),
        ("    x = ", ""),  # mid-line spaces stay in the prompt
        ("    ", "    "),  # an indented blank line: the model writes its own indentation
        ("    x = foo(", ""),
        ("    $user", "$user"),
        ("    value2", "value2"),
        ("    3", ""),  # a number is not a word
        ("    é", ""),  # non-ASCII words are left alone
        ("", ""),
        ("    " + "a" * 40, ""),  # too long to be a word being typed
    ],
)
def test_word_fragment(line_prefix: str, fragment: str) -> None:
    assert word_fragment(line_prefix) == fragment


@pytest.mark.parametrize(
    ("source", "completion", "kept"),
    [
        ("def f(x):\n    █\n", "return x\n\nprint(f(1))", "return x\n"),
        ("def f(x):\n    █\n", "y = x\n    return y\ndef g():", "y = x\n    return y"),
        ("class A:\n    def f(self):\n        █\n", "pass\n    def g(self):", "pass"),  # leaves the method
        ("def f(x):\n    if x:\n        █\n", "return 1\n    return 2\nz", "return 1\n    return 2"),
        ("class A:\n    def f(self):\n        █\n", "pass\nx = 1", "pass"),
    ],
)
def test_scope_exit_pattern(source: str, completion: str, kept: str) -> None:
    patterns = [re.compile(p) for p in scope_exit(ctx_at(source))]
    assert patterns
    ends = [m.start() for p in patterns if (m := p.search(completion))]
    assert completion[: min(ends, default=len(completion))] == kept


def test_no_scope_exit_at_module_level() -> None:
    assert scope_exit(ctx_at("x = 1\n█\n")) == ()


def test_enclosing_window_is_the_top_level_definition_around_the_cursor() -> None:
    source = (
        'import os\n\n\ndef f(x):\n    """Doc.\n\n    More.\n    """\n\n    █\n    return x\n\n\ndef g():\n    pass\n'
    )
    before, after = enclosing_window(ctx_at(source))
    assert before == 'def f(x):\n    """Doc.\n\n    More.\n    """\n\n'  # blank lines do not start a definition
    assert after == "    return x\n\n"


def test_enclosing_window_stops_at_its_line_limit() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(WINDOW_LINES + 50))
    before, after = enclosing_window(ctx_at(f"def f():\n{body}    █\n{body}"))
    assert before.count("\n") == WINDOW_LINES and not before.startswith("def")
    assert after.count("\n") == WINDOW_LINES - 1 and after.startswith("    x0 = 0")
