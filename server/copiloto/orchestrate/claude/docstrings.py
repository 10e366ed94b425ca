"""Claude's part in docstrings. Sequential (`orchestrate.docstrings = "sequential"`): it refines the docstring the
local model wrote. Handoff (`"handoff"`): it writes one only when the local model's drafts all failed the checks.
Either way its text goes through the same checks as the local one — the file parses, every parameter, the return
and the raised exceptions are documented, ruff's D rules pass for the style — and is not used when it fails them
or when Claude cannot be used."""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel, Field

from copiloto.cloud.client import CloudClient, CloudError, CloudUnavailable
from copiloto.docstrings.edit import apply, clean_model_docstring
from copiloto.docstrings.generate import Documented
from copiloto.docstrings.lint import lint_lines, ruff_problems
from copiloto.docstrings.styles import Style, coverage_problems
from copiloto.docstrings.target import find_by_qualname

log = logging.getLogger(__name__)

SYSTEM = (
    "You write Python docstrings. You get a module, the function or class to document and, when there is one, a "
    "draft docstring written by a small local model. Return the best docstring in the asked convention: a one-line "
    "imperative summary, what the code really does (read the body), every parameter, the return value and the "
    "exceptions it raises. Only the docstring's text: no quotes, no indentation. Answer through the "
    "report_docstring tool."
)
TOOL = "report_docstring"


class RefinedDocstring(BaseModel):
    """The refined docstring."""

    docstring: str = Field(description="the docstring's text, without quotes or indentation")


def refine_docstring(
    client: CloudClient, source: str, draft: Documented, style: Style, path: str | None = None
) -> Documented:
    """Claude's docstring when it passes the checks, else the draft (the reason logged)."""
    question = f"Document {draft.target.qualname} in the {style} convention.\n\nDraft docstring:\n{draft.docstring}"
    return claude_docstring(client, source, draft.target.qualname, question, style, path) or draft


def fresh_docstring(
    client: CloudClient, source: str, qualname: str, style: Style, path: str | None = None
) -> Documented | None:
    """Claude's own docstring for `qualname` (the concurrent pattern: written while the local model writes its)."""
    question = f"Document {qualname} in the {style} convention."
    return claude_docstring(client, source, qualname, question, style, path)


def take_over_docstring(
    client: CloudClient, source: str, qualname: str, style: Style, failed: str, path: str | None = None
) -> Documented | None:
    """Claude's docstring for `qualname` after the local model's failed (`failed`: why), or None (reason logged)."""
    question = (
        f"Document {qualname} in the {style} convention. A small local model could not write one that passes "
        f"the checks ({failed}); write it yourself."
    )
    return claude_docstring(client, source, qualname, question, style, path)


def claude_docstring(
    client: CloudClient, source: str, qualname: str, question: str, style: Style, path: str | None = None
) -> Documented | None:
    """Claude's answer to `question`, placed in `source` (the file at `path`) and checked; None when it cannot be
    used (logged): Claude unavailable, the file in cloud.exclude, the answer failing the checks."""
    target = find_by_qualname(source, qualname)
    try:
        answer = asyncio.run(client.ask(SYSTEM, source, question, RefinedDocstring, TOOL, path=path))
    except (CloudUnavailable, CloudError) as exc:
        log.info("no docstring from Claude: %s", exc)
        return None
    text = clean_model_docstring(answer.value.docstring)
    try:
        edited = apply(source, target, text)
        placed = find_by_qualname(edited, target.qualname)
    except Exception as exc:  # a docstring that breaks the file
        log.info("Claude's docstring was not used: %s", exc)
        return None
    problems = coverage_problems(text, placed, style) + ruff_problems(edited, style, lint_lines(placed))
    if problems:
        log.info("Claude's docstring was not used: %s", "; ".join(problems))
        return None
    return Documented(text, edited, placed)
