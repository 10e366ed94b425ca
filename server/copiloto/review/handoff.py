"""The seam between the local review and a deep reviewer (Claude: orchestrate/claude/review.py, built by runtime.py).

The local model triages: findings at or above `review.handoff_severity` go to the deep reviewer with the local
findings as context; so does a file or selection the user sends with "Deep review". Without a deep reviewer
(no cloud client, no key, offline) everything stays local and the user is told why, once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel

from copiloto.errors import Unavailable
from copiloto.review.local import LocalFinding
from copiloto.review.security import SecurityFinding

Progress = Callable[[str], None]  # how far the deep review has come, for the user's progress report

Threshold = Literal["error", "warning", "never"]
Reason = Literal["severity", "user", "sequential", "concurrent"]
SEVERITY_RANK = {"error": 0, "warning": 1, "information": 2}  # lower is graver

NO_DEEP_REVIEWER = (
    "deep review needs the Claude client, which is not set up (no cloud reviewer configured); "
    "the local review is shown instead"
)


@dataclass(frozen=True)
class DeepReviewRequest:
    path: str  # the file, as the user knows it
    text: str  # its text (the reviewer redacts before anything leaves the machine)
    reason: Reason
    lines: tuple[int, int] | None = None  # 1-based inclusive selection; None: the whole file
    local: tuple[LocalFinding, ...] = ()  # what the local model found: the deep reviewer starts from it
    layer1: tuple[SecurityFinding, ...] = ()


class DeepFinding(BaseModel):
    line: int  # 1-based
    end_line: int
    severity: Literal["error", "warning", "information"]
    message: str
    fix: str | None = None
    source: str = "copiloto/claude"


class DeepReviewer(Protocol):
    """Reviews deeper than the local model. `review` raises errors.Unavailable (with the reason, for the user)
    when it cannot be used now, errors.Failed when it failed; cancelling its task abandons the review."""

    name: str

    async def review(self, request: DeepReviewRequest, progress: Progress | None = None) -> list[DeepFinding]: ...


def to_hand_off(findings: Sequence[LocalFinding], threshold: Threshold) -> list[LocalFinding]:
    """The local findings serious enough for the deep reviewer."""
    if threshold == "never":
        return []
    return [f for f in findings if SEVERITY_RANK[f.severity] <= SEVERITY_RANK[threshold]]


async def deep_review(
    reviewer: DeepReviewer | None, request: DeepReviewRequest, progress: Progress | None = None
) -> list[DeepFinding]:
    """The deep reviewer's findings; Unavailable(NO_DEEP_REVIEWER) when there is none."""
    if reviewer is None:
        raise Unavailable(NO_DEEP_REVIEWER)
    return await reviewer.review(request, progress)
