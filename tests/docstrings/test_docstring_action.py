"""What the docstring action offers at a line, and the smallest edit between two texts."""

from __future__ import annotations

import pytest

from copiloto.docstrings.action import Offer, docstring_offers, minimal_edit

SOURCE = "import os\n\n\nclass A:\n    def f(self, x):\n        return x\n\n\ndef g():\n    '''Doc.'''\n    return 1\n"


@pytest.mark.parametrize(
    ("line", "language", "offers"),
    [
        (0, "python", []),  # an import: outside any def or class
        (3, "python", [Offer("Copiloto: Generate docstring for A", "A")]),
        (5, "python", [Offer("Copiloto: Generate docstring for A.f", "A.f")]),  # the innermost def
        (10, "python", [Offer("Copiloto: Regenerate docstring for g", "g")]),
        (5, "php", []),
    ],
)
def test_offers(line: int, language: str, offers: list[Offer]) -> None:
    assert docstring_offers(SOURCE, line, language) == offers


def test_a_broken_file_gets_an_unavailable_offer_saying_why() -> None:
    [offer] = docstring_offers("def f(:\n    pass\n", 1, "python")
    assert offer.unavailable and "does not parse" in offer.unavailable and "line 1" in offer.unavailable


@pytest.mark.parametrize(
    ("old", "new", "edit"),
    [
        ("abc", "abc", (3, 3, "")),
        ("def f():\n    pass\n", 'def f():\n    """X."""\n    pass\n', (13, 13, '"""X."""\n    ')),
        ("a\nb\nc", "a\nB\nc", (2, 3, "B")),
        ("aaa", "aa", (2, 3, "")),
        ("", "x", (0, 0, "x")),
    ],
)
def test_minimal_edit(old: str, new: str, edit: tuple[int, int, str]) -> None:
    assert minimal_edit(old, new) == edit
    start, end, text = minimal_edit(old, new)
    assert old[:start] + text + old[end:] == new
