"""ruff_problems: ruff's pydocstyle rules, with the style's convention, on the target's lines only."""

from __future__ import annotations

import pytest

from copiloto.docstrings import CONVENTIONS, Style, apply, find_by_qualname, lint_lines, ruff_executable, ruff_problems

# Every other definition here breaks D rules (and the module has no docstring): none of it is reported.
SOURCE = '''\
def neighbour(a):
    """no period, no capital"""
    return a


def target(x, y):
    return x + y


class other:
    def method(self):
        pass
'''


def problems(docstring: str, style: Style, qualname: str = "target") -> list[str]:
    edited = apply(SOURCE, find_by_qualname(SOURCE, qualname), docstring)
    return ruff_problems(edited, style, lint_lines(find_by_qualname(edited, qualname)))


def codes(found: list[str]) -> list[str]:
    return [p.split(":")[0] for p in found]


CASES: list[tuple[str, Style, str, list[str]]] = [
    ("google clean", "google", "Add them.\n\nArgs:\n    x: One.\n    y: Two.\n\nReturns:\n    The sum.", []),
    (
        "google: no blank line after the summary",
        "google",
        "Add them.\nArgs:\n    x: One.\n    y: Two.\n\nReturns:\n    The sum.",
        ["D205", "D411"],
    ),
    ("google: summary without a period", "google", "Add them\n\nArgs:\n    x: One.\n    y: Two.", ["D415"]),
    ("google: an argument without description (D417)", "google", "Add them.\n\nArgs:\n    x: One.", ["D417"]),
    (
        "google: no blank line between sections",
        "google",
        "Add.\n\nArgs:\n    x: One.\n    y: Two.\nReturns:\n    S.",
        ["D410", "D411"],
    ),
    ("numpy clean", "numpy", "Add them.\n\nParameters\n----------\nx\n    One.\ny\n    Two.", []),
    (
        "numpy: summary without a period",
        "numpy",
        "Add them\n\nParameters\n----------\nx\n    One.\ny\n    Two.",
        ["D400"],
    ),
    ("numpy: underline too short", "numpy", "Add them.\n\nParameters\n---\nx\n    One.\ny\n    Two.", ["D409"]),
    ("sphinx clean", "sphinx", "Add them.\n\n:param x: One.\n:param y: Two.\n:returns: The sum.", []),
    ("sphinx: summary without a period", "sphinx", "Add them\n\n:param x: One.\n:param y: Two.", ["D400"]),
    ("sphinx: not imperative", "sphinx", "Adds them.\n\n:param x: One.\n:param y: Two.", ["D401"]),
]


@pytest.mark.parametrize(("style", "docstring", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_ruff_problems(style: Style, docstring: str, expected: list[str]) -> None:
    assert codes(problems(docstring, style)) == expected


def test_message_names_the_rule() -> None:
    found = problems("Add them.\nMore.", "google")
    assert found == ["D205: 1 blank line required between summary line and description"]


def test_missing_docstring_of_the_target_itself_is_reported() -> None:
    target = find_by_qualname(SOURCE, "target")
    assert codes(ruff_problems(SOURCE, "google", lint_lines(target))) == ["D103"]


def test_class_missing_docstring_ignores_its_methods() -> None:
    target = find_by_qualname(SOURCE, "other")
    assert codes(ruff_problems(SOURCE, "google", (target.def_line, target.end_line))) == ["D101"]


def test_lines_outside_the_range_are_not_reported() -> None:
    neighbour = find_by_qualname(SOURCE, "neighbour")
    assert codes(ruff_problems(SOURCE, "google", lint_lines(neighbour))) == ["D403", "D415"]
    assert ruff_problems(SOURCE, "google", (100, 200)) == []


def test_conventions() -> None:
    assert CONVENTIONS == {"google": "google", "numpy": "numpy", "sphinx": "pep257"}


def test_ruff_is_found() -> None:
    assert "ruff" in ruff_executable()
