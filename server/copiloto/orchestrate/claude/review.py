"""Claude as the deep reviewer (the `DeepReviewer` of review/handoff.py): the file, redacted, with what the local
model and bandit found as context; the findings come back through a tool and are checked against the file."""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal

from pydantic import BaseModel, Field

from copiloto.cloud.client import CloudClient, Progress
from copiloto.review.handoff import DeepFinding, DeepReviewRequest

SYSTEM = (
    "You are a senior engineer reviewing code for a team that maintains a GLPI dashboard (PHP and Python). "
    "Report only real defects — bugs, security holes, data loss, performance traps — with the exact line "
    "numbers shown, a short message that says what goes wrong and when, and a fix (the corrected text of those "
    "lines) when you are sure of it. Findings of a fast local model and of bandit are given as leads: confirm, "
    "correct or drop them. No style remarks. Report through the report_review tool; an empty list is a fine answer."
)
TOOL = "report_review"


class ReviewedFinding(BaseModel):
    line: int = Field(description="first line (as numbered)")
    end_line: int = Field(description="last line (as numbered), at least line")
    severity: Literal["error", "warning", "information"]
    message: str
    fix: str | None = Field(None, description="corrected text of lines line..end_line, when sure")


class DeepReview(BaseModel):
    """Report the findings of the review (an empty list when the code is fine)."""

    findings: list[ReviewedFinding]


class ClaudeReviewer:
    name = "claude"

    def __init__(self, client: CloudClient) -> None:
        self.client = client

    async def review(self, request: DeepReviewRequest, progress: Progress | None = None) -> list[DeepFinding]:
        """Claude's findings; CloudUnavailable when Claude cannot be used (or the file matches cloud.exclude),
        CloudError when it failed."""
        lines = request.text.split("\n")
        first, last = request.lines or (1, len(lines))
        context = f"File {PurePath(request.path).name}, numbered:\n" + "\n".join(
            f"{n}: {line}" for n, line in enumerate(lines, start=1)
        )
        question = f"Review lines {first}-{last}." if request.lines else "Review the whole file."
        if request.reason == "sequential":
            question += " A fast local model reviewed it first: refine its findings (keep, correct or drop each)."
        leads = [f"- line {f.line}-{f.end_line} ({f.category}, local model): {f.message}" for f in request.local]
        leads += [f"- line {f.line} ({f.code}, bandit): {f.message}" for f in request.layer1]
        if leads:
            question += "\nLeads to check:\n" + "\n".join(leads)
        answer = await self.client.ask(SYSTEM, context, question, DeepReview, TOOL, progress, request.path)
        return [
            DeepFinding(line=f.line, end_line=f.end_line, severity=f.severity, message=f.message, fix=f.fix)
            for f in answer.value.findings
            if first <= f.line <= f.end_line <= last and f.message.strip()
        ]
