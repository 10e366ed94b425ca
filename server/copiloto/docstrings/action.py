"""What the "Generate docstring" code action offers at a line, and the smallest edit that applies it.

The LSP handlers only convert types around these two functions; listing is pure and instant (one
`ast.parse`), the writing happens later in `codeAction/resolve` through `generate.document`.
"""

from __future__ import annotations

from dataclasses import dataclass

from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.target import find_at

PYTHON = frozenset({"python", "py"})


@dataclass(frozen=True)
class Offer:
    title: str
    qualname: str = ""
    unavailable: str | None = None  # shown greyed out with this reason (LSP CodeAction.disabled)


def docstring_offers(text: str, line: int, language_id: str) -> list[Offer]:
    """The docstring action for the def/class around `line` (0-based): none outside one, a disabled one
    saying why when the file does not parse."""
    if language_id.lower() not in PYTHON:
        return []
    try:
        target = find_at(text, line, 0)
    except DocstringError as exc:
        return [Offer("Copiloto: Generate docstring", unavailable=str(exc))]
    if target is None:
        return []
    verb = "Regenerate" if target.docstring is not None else "Generate"
    return [Offer(f"Copiloto: {verb} docstring for {target.qualname}", target.qualname)]


def minimal_edit(old: str, new: str) -> tuple[int, int, str]:
    """(start, end, replacement) in `old`'s offsets: the one span that differs, so the editor keeps the
    cursor, folds and undo history of everything else."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return start, end_old, new[start:end_new]
