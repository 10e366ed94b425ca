"""The seam to the deep reviewer: which local findings go, and what happens when there is no deep reviewer."""

from __future__ import annotations

import asyncio

import pytest

from copiloto.errors import Unavailable
from copiloto.review.handoff import (
    NO_DEEP_REVIEWER,
    DeepFinding,
    DeepReviewRequest,
    Progress,
    deep_review,
    to_hand_off,
)
from copiloto.review.local import LocalFinding


def finding(severity: str) -> LocalFinding:
    return LocalFinding(
        qualname="f",
        category="bug",
        severity=severity,
        line=1,
        end_line=1,
        message=severity,  # type: ignore[arg-type]
    )


FOUND = [finding("error"), finding("warning"), finding("information")]


@pytest.mark.parametrize(
    ("threshold", "sent"),
    [("error", ["error"]), ("warning", ["error", "warning"]), ("never", [])],
)
def test_findings_at_or_above_the_threshold_are_handed_off(threshold: str, sent: list[str]) -> None:
    assert [f.severity for f in to_hand_off(FOUND, threshold)] == sent  # type: ignore[arg-type]


def test_without_a_deep_reviewer_the_reason_is_given() -> None:
    with pytest.raises(Unavailable, match="needs the Claude client") as raised:
        asyncio.run(deep_review(None, DeepReviewRequest("a.py", "x = 1\n", "user")))
    assert raised.value.kind == "unavailable"
    assert "local review is shown instead" in NO_DEEP_REVIEWER


def test_the_deep_reviewer_gets_the_local_findings_as_context() -> None:
    seen: list[DeepReviewRequest] = []

    class Recording:
        name = "recording"

        async def review(self, request: DeepReviewRequest, progress: Progress | None = None) -> list[DeepFinding]:
            seen.append(request)
            return [DeepFinding(line=1, end_line=1, severity="warning", message="deeper")]

    request = DeepReviewRequest("a.py", "x = 1\n", "severity", local=tuple(FOUND[:1]))
    [found] = asyncio.run(deep_review(Recording(), request))
    assert found.source == "copiloto/claude" and seen == [request] and seen[0].local[0].message == "error"
