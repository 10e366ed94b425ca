"""The concurrent pattern's comparison: agreement by overlapping lines, disagreement shown as such."""

from __future__ import annotations

import pytest

from copiloto.orchestrate.review import compare
from copiloto.review.handoff import DeepFinding
from copiloto.review.local import LocalFinding


def local(line: int, end: int, severity: str = "warning", message: str = "local says") -> LocalFinding:
    return LocalFinding(
        qualname="f",
        category="bug",
        severity=severity,
        line=line,
        end_line=end,
        message=message,  # type: ignore[arg-type]
    )


def claude(line: int, end: int, severity: str = "warning", message: str = "claude says") -> DeepFinding:
    return DeepFinding(line=line, end_line=end, severity=severity, message=message)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        ([], [], []),
        ([local(3, 3)], [claude(3, 3)], [(3, "both", "claude says")]),
        ([local(3, 5)], [claude(5, 6)], [(5, "both", "claude says")]),  # ranges overlap on line 5
        ([local(3, 3)], [claude(4, 4)], [(3, "local", "local says"), (4, "claude", "claude says")]),
        ([local(3, 3)], [], [(3, "local", "local says")]),
        ([], [claude(9, 9)], [(9, "claude", "claude says")]),
        ([local(2, 2), local(2, 4)], [claude(2, 2)], [(2, "both", "claude says")]),  # both local ones matched
    ],
)
def test_compare(ours: list[LocalFinding], theirs: list[DeepFinding], expected: list[tuple[int, str, str]]) -> None:
    assert [(c.line, c.agreement, c.message) for c in compare(ours, theirs)] == expected


def test_agreement_takes_the_graver_severity() -> None:
    [agreed] = compare([local(3, 3, "error")], [claude(3, 3, "information")])
    assert agreed.severity == "error" and agreed.agreement == "both"
