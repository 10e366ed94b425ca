"""The review of a saved file, one pattern at a time (orchestrate/review.review_saved): what is shown, in which
order, and what Claude is asked. The functions were reviewed before (the memory holds what the local model
found), so the real review path runs without asking the model again and the local findings are known; Claude is
the caller's `ask_claude` (the real one, through the fake Messages API, is tested in tests/cloud)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from copiloto.config import Pattern
from copiloto.engine.local import LocalEngine
from copiloto.orchestrate.review import Collected, Compared, SavedFile, review_saved
from copiloto.review.functions import ReviewMemory, function_spans
from copiloto.review.handoff import DeepFinding, DeepReviewRequest, Threshold
from copiloto.review.local import LocalFinding, LocalReview

TEXT = "def last(items):\n    return items[len(items)]\n\n\ndef first(items):\n    return items[0]\n"
URI = "file:///work/app.py"
OFF_BY_ONE = LocalFinding(
    qualname="last", category="bug", severity="error", line=2, end_line=2, message="index past the end"
)
CLAUDE = DeepFinding(line=2, end_line=2, severity="error", message="IndexError on every call")


class Shown(Collected):
    """What was shown, in order, and whether Claude's last answer is to stand."""

    def __init__(self, stands: bool = False) -> None:
        super().__init__()
        self.stands = stands
        self.events: list[str] = []

    def reviewed(self, done: LocalReview) -> None:
        self.events.append("reviewed")
        super().reviewed(done)

    def show_local(self, findings: Sequence[LocalFinding]) -> None:
        self.events.append(f"local {len(findings)}")
        super().show_local(findings)

    def show_claude(self, findings: Sequence[DeepFinding], *, replaces_local: bool) -> None:
        self.events.append(f"claude {len(findings)}{' replacing' if replaces_local else ''}")
        super().show_claude(findings, replaces_local=replaces_local)

    def show_compared(self, findings: Sequence[Compared]) -> None:
        self.events.append(f"compared {len(findings)}")
        super().show_compared(findings)

    def claude_answer_stands(self) -> bool:
        return self.stands


def _remembered() -> ReviewMemory:
    memory = ReviewMemory()
    for span in function_spans(TEXT):
        found = (OFF_BY_ONE.moved(-span.start_line),) if span.qualname == "last" else ()
        memory.remember(URI, span, found)
    return memory


def _review(
    engine: LocalEngine,
    pattern: Pattern,
    *,
    threshold: Threshold = "error",
    claude: list[DeepFinding] | None = None,
    stands: bool = False,
    stopped: bool = False,
) -> tuple[LocalReview | None, Shown, list[DeepReviewRequest]]:
    asked: list[DeepReviewRequest] = []

    async def ask_claude(request: DeepReviewRequest) -> list[DeepFinding] | None:
        asked.append(request)
        return claude

    shown = Shown(stands)
    saved = SavedFile("app.py", URI, TEXT, ())
    done = asyncio.run(
        review_saved(
            saved,
            pattern=pattern,
            threshold=threshold,
            engine=engine,
            memory=_remembered(),
            ask_claude=ask_claude,
            sink=shown,
            stopped=lambda: stopped,
        )
    )
    return done, shown, asked


def test_local_never_asks_claude(tiny_engine: LocalEngine) -> None:
    done, shown, asked = _review(tiny_engine, "local", claude=[CLAUDE])
    assert done is not None and done.stats.reviewed == 0, "unchanged functions are not asked again"
    assert shown.events == ["reviewed", "local 1"] and shown.local == [OFF_BY_ONE] and asked == []


@pytest.mark.parametrize(("threshold", "handed"), [("error", True), ("warning", True), ("never", False)])
def test_handoff_sends_the_grave_findings_and_shows_claude_beside_them(
    tiny_engine: LocalEngine, threshold: Threshold, handed: bool
) -> None:
    _, shown, asked = _review(tiny_engine, "handoff", threshold=threshold, claude=[CLAUDE])
    if not handed:
        assert asked == [] and shown.events == ["reviewed", "local 1"]
        return
    [request] = asked
    assert (request.reason, request.local, request.path) == ("severity", (OFF_BY_ONE,), "app.py")
    assert shown.events == ["reviewed", "local 1", "claude 1"]
    assert shown.local == [OFF_BY_ONE] and shown.claude == [CLAUDE], "Claude's findings go beside the local ones"


def test_sequential_replaces_the_draft_with_claudes_answer(tiny_engine: LocalEngine) -> None:
    _, shown, asked = _review(tiny_engine, "sequential", claude=[CLAUDE])
    [request] = asked
    assert request.reason == "sequential" and request.local == (OFF_BY_ONE,)
    assert shown.events == ["reviewed", "local 1", "claude 1 replacing"] and shown.local == []


def test_sequential_keeps_the_draft_when_claude_cannot_answer(tiny_engine: LocalEngine) -> None:
    _, shown, asked = _review(tiny_engine, "sequential", claude=None)
    assert len(asked) == 1 and shown.events == ["reviewed", "local 1"] and shown.local == [OFF_BY_ONE]


def test_sequential_with_nothing_changed_lets_claudes_last_answer_stand(tiny_engine: LocalEngine) -> None:
    _, shown, asked = _review(tiny_engine, "sequential", claude=[CLAUDE], stands=True)
    assert asked == [] and shown.events == ["reviewed", "local 1", "local 0"]


def test_concurrent_shows_one_list_saying_who_found_what(tiny_engine: LocalEngine) -> None:
    elsewhere = DeepFinding(line=6, end_line=6, severity="warning", message="IndexError on an empty list")
    _, shown, asked = _review(tiny_engine, "concurrent", claude=[CLAUDE, elsewhere])
    [request] = asked
    assert request.reason == "concurrent" and request.local == (), "Claude reviews the text on its own"
    assert shown.events == ["reviewed", "compared 2"] and shown.local == []
    assert [(c.line, c.agreement) for c in shown.compared] == [(2, "both"), (6, "claude")]
    assert [(c.source, c.code) for c in shown.compared] == [
        ("copiloto/claude", "review-both"),
        ("copiloto/claude", "review-claude"),
    ]


def test_concurrent_without_claude_shows_the_local_review(tiny_engine: LocalEngine) -> None:
    _, shown, _ = _review(tiny_engine, "concurrent", claude=None)
    assert shown.events == ["reviewed", "local 1"]


def test_a_newer_save_stops_the_review_and_shows_nothing(tiny_engine: LocalEngine) -> None:
    done, shown, _ = _review(tiny_engine, "concurrent", claude=[CLAUDE], stopped=True)
    assert done is None and shown.events == []
