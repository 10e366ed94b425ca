"""The three patterns of the team's plan, for the review on save (`orchestrate.review`):

- ``handoff`` (default): the local model reviews; findings at or above `review.handoff_severity` go to Claude
  with the local findings as context;
- ``sequential``: the local model drafts, Claude refines — Claude sees the file and the local findings, and its
  answer replaces them (kept as they are when Claude cannot be used);
- ``concurrent``: both review at once; findings both report (overlapping lines) are shown once as agreed,
  the others say who alone reported them — a disagreement is shown as such;
- ``local``: never Claude on save ("Deep review with Claude" still asks it).

`review_saved` runs a pattern for the server (on save) and the command line (`copiloto review`) alike; where the
findings go is theirs (a `ReviewSink`), and so is how Claude is asked and its failures told (an `AskClaude`).
`compare` is the pure part: it pairs local and Claude findings by overlapping lines.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from copiloto.config import Pattern
from copiloto.engine.types import Engine, Stopped
from copiloto.review.functions import ReviewMemory
from copiloto.review.handoff import SEVERITY_RANK, DeepFinding, DeepReviewRequest, Threshold, to_hand_off
from copiloto.review.local import LocalFinding, LocalReview
from copiloto.review.on_save import review_text
from copiloto.review.security import SecurityFinding

FoundBy = Literal["both", "local", "claude"]  # who reported a finding of the concurrent review


@dataclass(frozen=True)
class Compared:
    line: int
    end_line: int
    severity: Literal["error", "warning", "information"]
    message: str
    agreement: FoundBy
    fix: str | None = None

    @property
    def source(self) -> str:
        """Who it is shown as coming from: the local model when only it reported the finding, else Claude."""
        return "copiloto/local" if self.agreement == "local" else "copiloto/claude"

    @property
    def code(self) -> str:
        return f"review-{self.agreement}"


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
        agreement: FoundBy = "both" if partners else "claude"
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


# Claude's findings for a request, or None when it cannot give them now (the asker has told the user why).
AskClaude = Callable[[DeepReviewRequest], Awaitable[list[DeepFinding] | None]]


class ReviewSink(Protocol):
    """Where the review of a saved file shows what it found, as it comes."""

    def reviewed(self, done: LocalReview) -> None:
        """The local model's review finished (before Claude is asked): for totals and logs."""

    def show_local(self, findings: Sequence[LocalFinding]) -> None:
        """The local model's findings (an empty list clears them)."""

    def show_claude(self, findings: Sequence[DeepFinding], *, replaces_local: bool) -> None:
        """Claude's findings: beside the local ones (handoff) or instead of them (sequential)."""

    def show_compared(self, findings: Sequence[Compared]) -> None:
        """The concurrent pattern's one list, each finding saying who reported it; it replaces the local one."""

    def claude_answer_stands(self) -> bool:
        """Whether Claude's last answer for this file is still shown (sequential: nothing changed, keep it)."""


@dataclass
class Collected:
    """A ReviewSink that keeps what is shown, for a caller that reports at the end (the command line)."""

    done: LocalReview | None = None
    local: list[LocalFinding] = field(default_factory=list)
    claude: list[DeepFinding] = field(default_factory=list)
    compared: list[Compared] = field(default_factory=list)

    def reviewed(self, done: LocalReview) -> None:
        self.done = done

    def show_local(self, findings: Sequence[LocalFinding]) -> None:
        self.local = list(findings)

    def show_claude(self, findings: Sequence[DeepFinding], *, replaces_local: bool) -> None:
        if replaces_local:
            self.local = []
        self.claude = list(findings)

    def show_compared(self, findings: Sequence[Compared]) -> None:
        self.local, self.compared = [], list(findings)

    def claude_answer_stands(self) -> bool:
        return False


@dataclass(frozen=True)
class SavedFile:
    path: str  # as the user knows it (what Claude is told)
    uri: str  # the review memory's key
    text: str
    layer1: tuple[SecurityFinding, ...]  # bandit's and the flow check's findings, already shown


async def review_saved(
    saved: SavedFile,
    *,
    pattern: Pattern,
    threshold: Threshold,
    engine: Engine,
    memory: ReviewMemory,
    ask_claude: AskClaude,
    sink: ReviewSink,
    stopped: Stopped,
) -> LocalReview | None:
    """The local model's review of the functions that changed, paired with Claude as `pattern` says. None when
    `stopped` (a newer save) cut it short: nothing more is shown, and Claude's request is abandoned."""
    claude_task = None
    if pattern == "concurrent":  # Claude reviews the same text while the local model does
        request = DeepReviewRequest(saved.path, saved.text, "concurrent", layer1=saved.layer1)
        claude_task = asyncio.ensure_future(ask_claude(request))
    done = await asyncio.get_running_loop().run_in_executor(
        None, lambda: review_text(engine, saved.uri, saved.text, memory, saved.layer1, stopped)
    )
    if stopped():
        if claude_task is not None:
            claude_task.cancel()
        return None
    sink.reviewed(done)
    claude = await claude_task if claude_task is not None else None
    if claude is not None:
        sink.show_compared(compare(done.findings, claude))
        return done
    sink.show_local(done.findings)
    if pattern == "sequential":  # the local model drafted, Claude refines: its answer replaces the draft
        if done.stats.reviewed == 0 and sink.claude_answer_stands():
            sink.show_local([])  # nothing changed: Claude's last answer stands
            return done
        request = DeepReviewRequest(
            saved.path, saved.text, "sequential", local=tuple(done.findings), layer1=saved.layer1
        )
        refined = await ask_claude(request)
        if refined is not None:
            sink.show_claude(refined, replaces_local=True)
    elif pattern == "handoff":
        urgent = to_hand_off(done.findings, threshold)
        if urgent:
            request = DeepReviewRequest(saved.path, saved.text, "severity", local=tuple(urgent), layer1=saved.layer1)
            found = await ask_claude(request)
            if found is not None:
                sink.show_claude(found, replaces_local=False)
    return done
