"""Bounded work on big and hostile documents.

Only termination and results are asserted, never wall time.  Measured on the
development container (2 busy cores, CPython 3.11, tree-sitter 0.26), median
of 20 calls of `build_context`, cursor at the end of a line:

* normal 500-line Python file (stdlib code): ~2.5-3 ms (tree-sitter parse of
  the <=500-line window ~2 ms, scanner ~0.5 ms);
* 5 MB Python file (140k lines of concatenated stdlib): ~2 ms near its start,
  ~10-16 ms near its end (window <=400 lines/32k chars before + 100 lines/8k
  chars after; the rest is C-speed counting of lines and triple quotes over
  the prefix, ~4 ms per pass over 5 MB, and copying prefix/suffix);
* 5 MB JavaScript: ~1-3.5 ms;  5 MB single line: <1 ms (skipped: line too long);
* 5 MB of random bracket/quote garbage: ~100 ms in Python (tree-sitter's error
  recovery over the 40 KB window; it used to be cut off at 25 ms, through a
  read callable that leaked the window), ~7 ms in JavaScript.
"""

from __future__ import annotations

import gc
import random
import tracemalloc

import pytest

from copiloto.context import build_context
from copiloto.context.builder import SKIP_LONG_LINE

_FUNC = '''
def handler_{i}(request, *args, **kwargs):
    """Handle request number {i}."""
    data = {{"id": {i}, "items": [x for x in range(10) if x % 2]}}
    if request.method == "POST":
        return process(data, *args)
    return None

'''


def _big_python(size: int = 5_000_000) -> str:
    parts: list[str] = []
    total, i = 0, 0
    while total < size:
        chunk = _FUNC.format(i=i)
        parts.append(chunk)
        total += len(chunk)
        i += 1
    return "".join(parts)


@pytest.fixture(scope="module")
def big() -> str:
    return _big_python()


def test_5mb_python_middle(big: str) -> None:
    assert len(big) >= 5_000_000
    pos = big.index("def handler_20000(")
    offset = big.index("\n", pos)  # end of that def line
    ctx = build_context(big, offset, "python")
    assert ctx.mode == "multi"
    assert ctx.scope is not None and ctx.scope.name == "handler_20000"
    row = big.count("\n", 0, offset)
    assert ctx.scope.start_line == row
    # a blank line inside the body after the return: single, still that function
    blank = big.index("    return None\n", pos) + len("    return None\n")
    text = big[:blank] + "    \n" + big[blank:]
    ctx = build_context(text, blank + 4, "python")
    assert ctx.mode == "single" and ctx.scope is not None and ctx.scope.name == "handler_20000"


def test_5mb_python_edges(big: str) -> None:
    start = build_context(big, 0, "python")
    assert start.prefix == "" and start.scope is not None
    end = build_context(big, len(big), "python")
    assert end.suffix == "" and end.scope is not None and end.scope.kind == "module"
    assert end.scope.end_line == big.count("\n")


def test_5mb_crlf(big: str) -> None:
    text = big.replace("\n", "\r\n")
    offset = text.index("\r\n", text.index("def handler_15000("))
    ctx = build_context(text, offset, "python")
    assert ctx.mode == "multi" and ctx.scope is not None and ctx.scope.name == "handler_15000"


def test_5mb_single_line() -> None:
    text = "x" * 5_000_000
    ctx = build_context(text, 2_500_000, "python")
    assert ctx.skip_reason == SKIP_LONG_LINE
    # a normal line right after a 5 MB line still works
    text += "\ndef f():\n    "
    ctx = build_context(text, len(text), "python")
    assert ctx.mode == "multi" and ctx.scope is not None and ctx.scope.name == "f"


def test_5mb_javascript() -> None:
    unit = "function f(a) {\n  if (a) {\n    return a + 1;\n  }\n  return { x: 1, y: 'two' };\n}\n"
    text = unit * (5_000_000 // len(unit) + 1)
    offset = text.index("\n", len(text) // 2 // len(unit) * len(unit))  # end of a `function f(a) {` line
    ctx = build_context(text, offset, "javascript")
    assert ctx.mode == "multi" and ctx.scope is not None and ctx.scope.kind == "function"


@pytest.mark.parametrize("language_id", ["python", "javascript"])
def test_5mb_garbage(language_id: str) -> None:
    rng = random.Random(1)
    alphabet = "()[]{}:'\"\\#\n    abcdef=,.;\t\u00e9\ud800\x00"
    text = "".join(rng.choice(alphabet) for _ in range(5_000_000))
    for frac in (0.0, 0.5, 1.0):
        offset = int(len(text) * frac)
        ctx = build_context(text, offset, language_id)
        assert ctx.prefix + ctx.suffix == text


def test_window_starting_inside_a_huge_string() -> None:
    body = "def f(x):\n    return (x, [1, 2]) + {'a': 3}\n" * 20_000
    text = 'x = """\n' + body + '"""\ndef g():\n    '
    ctx = build_context(text, len(text), "python")
    assert ctx.mode == "multi" and ctx.scope is not None and ctx.scope.name == "g"


_TRICKY = '''# -*- coding: utf-8 -*-
"""Module docstring with a colon: and a brace {."""
import os
from typing import (
    Any,
    Dict,
)

@decorator(arg={"k": [1, 2]})
class Größe(Base, metaclass=Meta):
    """Doc 😀."""

    x: int = 1
    d = {"a": 1, 'b': [1, 2, 3][1:2], "c": lambda y: y}

    def m(self, a: int = 0, *, b: "str" = 'x') -> Dict[str, Any]:
        s = f"{a!r:>10} {{literal}}"
        if a:
            return {}
        elif b:
            pass
        else:
            for i in range(3):
                while True:
                    break
        try:
            raise ValueError("bad\\"quote")
        except (ValueError, KeyError) as e:  # comment: with colon
            print(e)
        finally:
            ...
        with open(os.devnull) as fh, \\
                open(os.devnull) as gh:
            pass
        match a:
            case {"x": 1}:
                pass
            case _:
                pass
        return dict(
            a=1,
        )

    async def broken(self
        y = [1, 2
        z = """unterminated

def after():\r\n    return 1\r\n\tmixed = 2\r'''


@pytest.mark.parametrize("language_id", ["python", "javascript", "php"])
def test_every_offset_of_a_tricky_document(language_id: str) -> None:
    text = _TRICKY
    for offset in range(len(text) + 1):
        ctx = build_context(text, offset, language_id)
        assert ctx.prefix + ctx.suffix == text
        assert ctx.mode in ("single", "multi")
        if ctx.skip_reason is not None:
            assert ctx.scope is None and ctx.mode == "single"
            continue
        assert ctx.scope is not None
        row = len(text[:offset].replace("\r\n", "\n").replace("\r", "\n").split("\n")) - 1
        assert ctx.scope.start_line <= row <= ctx.scope.end_line, (offset, ctx.scope)


def test_building_contexts_keeps_nothing_of_the_windows(big: str) -> None:
    """One context per keystroke: none of the windows parsed may stay in memory (a read callable given to
    tree-sitter kept every one of them)."""
    offset = big.index("\n", big.index("def handler_20000("))
    build_context(big, offset, "python")  # caches warmed
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(50):
            build_context(big, offset, "python")
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 200_000, f"{grown} bytes kept after 50 contexts of a ~40 KB window"
