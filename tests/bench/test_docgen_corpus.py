"""docgen's stdlib-methods set: real methods with state, each in its whole module, their docstrings out."""

from __future__ import annotations

import ast
import importlib
import inspect
from collections import Counter

import pytest

from copiloto.docstrings import find_by_qualname
from docgen_corpus import CLASSES, MAX_LINES, MIN_LINES, PER_CLASS, Case, build, strip_docstring


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return build()


def test_the_set_holds_methods_of_every_class_and_the_classes(cases: list[Case]) -> None:
    methods = [c for c in cases if c.kind == "method"]
    assert 30 <= len(methods) <= PER_CLASS * len(CLASSES)
    per_class = Counter(c.qualname.split(".")[0] for c in methods)
    assert set(per_class) <= {name for _, name in CLASSES} and max(per_class.values()) <= PER_CLASS
    assert len(per_class) >= len(CLASSES) - 1  # string.Template's methods have no docstrings: only the class
    assert {c.kind for c in cases} == {"method", "class"}
    assert len({c.task_id for c in cases}) == len(cases)
    # The rule puts methods that change `self` first: most classes have some.
    assert sum(bool(find_by_qualname(c.source, c.qualname).changes) for c in methods) >= 15


def test_each_module_parses_without_the_targets_docstring_and_keeps_the_rest(cases: list[Case]) -> None:
    originals = {m: inspect.getsource(importlib.import_module(m)) for m, _ in CLASSES}
    for case in cases:
        ast.parse(case.source)
        target = find_by_qualname(case.source, case.qualname)
        assert target.docstring is None, case.task_id
        assert case.original_docstring.strip(), case.task_id
        before = find_by_qualname(originals[case.module], case.qualname)
        assert before.docstring == case.original_docstring
        # Only the docstring's lines went: the class around it, other docstrings included, is all there.
        first, _, last, _ = before.docstring_span or (0, 0, 0, 0)
        lines = originals[case.module].split("\n")
        assert case.source.split("\n") == lines[:first] + lines[last + 1 :], case.task_id


def test_methods_follow_the_rule(cases: list[Case]) -> None:
    for case in (c for c in cases if c.kind == "method"):
        target = find_by_qualname(case.source, case.qualname)
        body = target.end_line - target.insert_line + 1
        assert MIN_LINES <= body <= MAX_LINES, case.task_id
        code = "\n".join(case.source.split("\n")[target.def_line : target.end_line + 1])
        assert "self" in code or "cls" in code, case.task_id


def test_strip_docstring_refuses_a_target_without_one() -> None:
    source = "class A:\n    def f(self):\n        return self.x\n"
    with pytest.raises(ValueError, match="no docstring"):
        strip_docstring(source, "A.f")
    stripped, docstring = strip_docstring(source.replace("(self):\n", '(self):\n        """Get x."""\n'), "A.f")
    assert (stripped, docstring) == (source, "Get x.")
