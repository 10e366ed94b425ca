"""Claude refines a docstring the local model wrote (`orchestrate.docstrings = "sequential"`). Its text goes
through the same checks as the local one — the file parses, every parameter, the return and the raised
exceptions are documented, ruff's D rules pass for the style — and the local docstring stays when it fails
them or when Claude cannot be used."""

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
    "You improve Python docstrings. You get a module, the function or class to document and a draft docstring "
    "written by a small local model. Return a better docstring in the same convention: a one-line imperative "
    "summary, what the code really does (read the body), every parameter, the return value and the exceptions "
    "it raises. Only the docstring's text: no quotes, no indentation. Answer through the report_docstring tool."
)
TOOL = "report_docstring"


class RefinedDocstring(BaseModel):
    """The refined docstring."""

    docstring: str = Field(description="the docstring's text, without quotes or indentation")


def refine_docstring(client: CloudClient, source: str, draft: Documented, style: Style) -> Documented:
    """Claude's docstring when it passes the checks, else the draft (the reason logged)."""
    target = find_by_qualname(source, draft.target.qualname)
    question = f"Document {target.qualname} in the {style} convention.\n\nDraft docstring:\n{draft.docstring}"
    try:
        answer = asyncio.run(client.ask(SYSTEM, source, question, RefinedDocstring, TOOL))
    except (CloudUnavailable, CloudError) as exc:
        log.info("docstring not refined by Claude: %s", exc)
        return draft
    text = clean_model_docstring(answer.value.docstring)
    try:
        edited = apply(source, target, text)
        placed = find_by_qualname(edited, target.qualname)
    except Exception as exc:  # a docstring that breaks the file
        log.info("Claude's docstring was not used: %s", exc)
        return draft
    problems = coverage_problems(text, placed, style) + ruff_problems(edited, style, lint_lines(placed))
    if problems:
        log.info("Claude's docstring was not used: %s", "; ".join(problems))
        return draft
    return Documented(text, edited, placed)
