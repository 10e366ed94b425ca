"""The two Python engines: tree-sitter (primary) and the line scanner (fallback on syntax errors)."""

from __future__ import annotations

import re

import pytest
from test_context_cases import CASES, CURSOR

from copiloto.context import _python

# One-line compound statements ("def f(): return 1"): only the tree sees the inline body.
_TREE_ONLY = {"one-liner", "opener-then-text"}

_PY_CASES = [row for row in CASES if row[2] == "python" and row[0] not in _TREE_ONLY]


def _window(src: str) -> tuple[list[str], int, int]:
    offset = src.index(CURSOR)
    text = src.replace(CURSOR, "")
    lines = re.split(r"\r\n|\r|\n", text)
    before = re.split(r"\r\n|\r|\n", text[:offset])
    return lines, len(before) - 1, len(before[-1])


@pytest.mark.parametrize("row", _PY_CASES, ids=[row[0] for row in _PY_CASES])
def test_scanner_agrees_with_tree(row: tuple[str, ...]) -> None:
    """Wherever tree-sitter's answer is used, the scanner alone gives the same one."""
    lines, crow, ccol = _window(row[1])
    unit = "\t" if "\t" in row[1] else "    "
    tree = _python.analyze(lines, crow, ccol, unit)
    scan = _python.analyze(lines, crow, ccol, unit, use_tree=False)
    assert (tree.mode, tree.region) == (scan.mode, scan.region)


@pytest.mark.parametrize(
    "src",
    [
        "def f(x):\n    █\n",
        'def f(x):\n    """Doc."""\n    █\n',
        "class A:\n    def m(self):\n        a = 1\n        █\n",
        "def f(x):\n    if x:█\n",
        "def f(x):\n    a = 1\n    █\n    return a\n",
    ],
)
def test_clean_code_uses_the_tree(src: str) -> None:
    lines, crow, ccol = _window(src)
    assert _python.analyze(lines, crow, ccol, "    ").used_tree


@pytest.mark.parametrize(
    "src",
    [
        "def f(x):\n    y = foo(\n\ndef g():\n    █\n",  # tree-sitter swallows g into f's ERROR
        "def f(x):\n    return x[1:\n    █",
        "class A:\n    def m(self):\n        d = {\n        █",
    ],
)
def test_syntax_errors_fall_back_to_the_scanner(src: str) -> None:
    lines, crow, ccol = _window(src)
    assert not _python.analyze(lines, crow, ccol, "    ").used_tree


def test_colon_kinds_told_apart_by_the_tree() -> None:
    """Same line shape, different colons: the tree decides (the keyword heuristic would agree here)."""
    for src, mode in [
        ("def f(x):\n    if x:█", "multi"),
        ("def f(x):\n    y = {1:█", "single"),
        ("def f(x):\n    y = x[1:█", "single"),
        ("def f(x):\n    g = lambda y:█", "single"),
        ("def f(x):\n    while (a and\n           b):█", "multi"),
    ]:
        lines, crow, ccol = _window(src)
        assert _python.analyze(lines, crow, ccol, "    ").mode == mode, src
