"""Each misuse rule has a table: code that must be flagged beside a clean twin that must stay silent."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from copiloto.review.misuse import misuse_findings

Codes = Callable[[str], list[tuple[int, str]]]


@pytest.fixture
def codes() -> Codes:
    """(line, code) of the misuse findings in a source text (dedented), as the review on save finds them."""

    def found(source: str) -> list[tuple[int, str]]:
        return [(f.line, f.code) for f in misuse_findings(textwrap.dedent(source), "app.py")]

    return found
