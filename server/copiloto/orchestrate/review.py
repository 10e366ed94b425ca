"""The three patterns of the team's plan, for the review on save (`orchestrate.review`):

- ``handoff`` (default): the local model reviews; findings at or above `review.handoff_severity` go to Claude
  with the local findings as context;
- ``sequential``: the local model drafts, Claude refines — Claude sees the file and the local findings, and its
  answer replaces them (kept as they are when Claude cannot be used);
- ``concurrent``: both review at once; findings both report (overlapping lines) are shown once as agreed,
  the others say who alone reported them — a disagreement is shown as such;
- ``local``: never Claude on save ("Deep review with Claude" still asks it).

`compare` is the pure part: it pairs local and Claude findings by overlapping lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from copiloto.review.handoff import SEVERITY_RANK, DeepFinding
from copiloto.review.local import LocalFinding

Agreement = Literal["both", "local", "claude"]


@dataclass(frozen=True)
class Compared:
    line: int
    end_line: int
    severity: Literal["error", "warning", "information"]
    message: str
    agreement: Agreement
    fix: str | None = None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def compare(local: Sequence[LocalFinding], claude: Sequence[DeepFinding]) -> list[Compared]:
    """Claude's findings, each marked agreed when a local finding overlaps its lines; then the local findings
    no Claude finding overlaps. Agreed findings take the graver severity and Claude's message and fix."""
    out: list[Compared] = []
    matched: set[int] = set()
    for deep in claude:
        partners = [i for i, f in enumerate(local) if _overlap((f.line, f.end_line), (deep.line, deep.end_line))]
        matched.update(partners)
        severity = min([deep.severity, *(local[i].severity for i in partners)], key=SEVERITY_RANK.__getitem__)
        agreement: Agreement = "both" if partners else "claude"
        out.append(Compared(deep.line, deep.end_line, severity, deep.message, agreement, deep.fix))
    for i, finding in enumerate(local):
        if i not in matched:
            out.append(
                Compared(finding.line, finding.end_line, finding.severity, finding.message, "local", finding.fix)
            )
    return sorted(out, key=lambda c: (c.line, c.end_line))


AGREEMENT_NOTE = {
    "both": "local model and Claude agree",
    "local": "local model only; Claude did not report it",
    "claude": "Claude only; the local model did not report it",
}
