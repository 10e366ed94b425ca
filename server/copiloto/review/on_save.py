"""The local model's part of the review on save: each function that changed since its last review is asked the
open question (review/local.py) and the checklist's narrow ones (review/checklist.py); findings of functions
unchanged since are remembered. Findings bandit (layer 1) already reports on the same lines are left out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from copiloto.engine.types import Engine, Stopped, never_stopped
from copiloto.review.checklist import checklist_findings
from copiloto.review.functions import FunctionSpan, ReviewMemory, function_spans
from copiloto.review.local import LocalFinding, LocalReview, ReviewStats, review_function
from copiloto.review.security import SecurityFinding


def without_duplicates(
    findings: Iterable[LocalFinding], layer1: Sequence[SecurityFinding], stats: ReviewStats
) -> list[LocalFinding]:
    """Leave out security findings on lines bandit already flags: layer 1 says it better (test id, CWE)."""
    flagged = {f.line for f in layer1}
    kept = []
    for finding in findings:
        if finding.category == "security" and any(finding.line <= n <= finding.end_line for n in flagged):
            stats.duplicates += 1
        else:
            kept.append(finding)
    return kept


def review_text(
    engine: Engine,
    uri: str,
    text: str,
    memory: ReviewMemory,
    layer1: Sequence[SecurityFinding] = (),
    stopped: Stopped = never_stopped,
) -> LocalReview:
    """Review the functions of `text` that changed since their last review; return every current finding."""
    spans = function_spans(text)
    stats = ReviewStats(functions=len(spans), unparsed=sum(not s.parses for s in spans))
    for span in memory.to_review(uri, spans):
        if stopped():
            break
        found = review_function(engine, span, text, stats, stopped)
        answered = checklist_findings(engine, span, text, stats, stopped)
        found += [f for f in answered if f.line not in {k.line for k in found}]
        if stopped():  # a cancelled answer is not a review: ask again next time
            break
        stats.reviewed += 1
        memory.remember(uri, span, tuple(f.moved(-span.start_line) for f in found))
    return LocalReview(without_duplicates(remembered(memory, uri, spans), layer1, stats), stats)


def remembered(memory: ReviewMemory, uri: str, spans: list[FunctionSpan]) -> list[LocalFinding]:
    """The findings of the last reviews of the functions still as they were then, in file lines."""
    return [
        finding.moved(span.start_line)
        for span, found in memory.current(uri, spans)
        for finding in found
        if isinstance(finding, LocalFinding)
    ]


def why_not_reviewed(text: str, max_file_kb: int) -> str | None:
    """Why a saved text is not reviewed (for a log line or a message), or None when it is."""
    if "\x00" in text:
        return "it holds NUL bytes"
    if len(text) > max_file_kb * 1024:
        return f"it is over review.max_file_kb ({max_file_kb} KB)"
    return None
