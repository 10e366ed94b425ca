"""What the "Generate tests" code action offers at a line. Listing is pure and instant (one `ast.parse`);
the tests are written and verified later, in `codeAction/resolve`, through `generate.generate_tests`."""

from __future__ import annotations

from copiloto.docstrings.action import PYTHON, Offer
from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.target import find_at
from copiloto.testgen.layout import unimportable

KIND = "source.copiloto.generateTests"


def tests_offers(text: str, line: int, language_id: str) -> list[Offer]:
    """The tests action for the def/class around `line` (0-based): none outside one; a disabled one saying
    why when the file does not parse or the def is nested where a test cannot import it."""
    if language_id.lower() not in PYTHON:
        return []
    try:
        target = find_at(text, line, 0)
    except DocstringError as exc:
        return [Offer("Copiloto: Generate tests", unavailable=str(exc))]
    if target is None:
        return []
    return [Offer(f"Copiloto: Generate tests for {target.qualname}", target.qualname, unimportable(target))]
