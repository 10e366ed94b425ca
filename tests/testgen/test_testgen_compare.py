"""Comparing the local model's tests with a partner's (Claude, in the concurrent pattern), by the call each checks."""

from __future__ import annotations

import pytest

from copiloto.testgen.compare import compare_tests
from copiloto.testgen.draft import Candidate


def written(name: str, body: str, origin: str = "model") -> Candidate:
    return Candidate(name, f"def {name}():\n    {body}\n", origin)  # type: ignore[arg-type]


LOCAL_OK = written("test_clamp_1", "assert clamp(1, 0, 5) == 1")
LOCAL_OK_2 = written("test_clamp_9", "assert clamp(9, 0, 5) == 5")
LOCAL_BAD = written("test_clamp_neg", "assert clamp(-1, 0, 5) == -1")
CLAUDE_OK = written("test_clamp_1", "assert clamp(1, 0, 5) == 1", "refined")  # same name and call as the local one
CLAUDE_NEG = written("test_clamp_neg", "assert clamp(-1, 0, 5) == 0", "refined")
CLAUDE_RAISES = written("test_clamp_raises", "with pytest.raises(ValueError):\n        clamp(1, 5, 0)", "refined")
CLAUDE_BAD = written("test_clamp_9", "assert clamp(9, 0, 5) == 9", "refined")
CLAUDES = {id(t) for t in (CLAUDE_OK, CLAUDE_NEG, CLAUDE_RAISES, CLAUDE_BAD)}


@pytest.mark.parametrize(
    ("kept", "failed", "both", "local_only", "claude_only", "disagreements"),
    [
        ([LOCAL_OK, CLAUDE_OK], [], ["clamp(1, 0, 5)"], 0, 0, []),
        ([LOCAL_OK, LOCAL_OK_2], [], [], 2, 0, []),
        (
            [CLAUDE_NEG, CLAUDE_RAISES],
            [LOCAL_BAD],
            [],
            0,
            2,
            ["clamp(-1, 0, 5): Claude's test passes, the local model's fails"],
        ),
        ([LOCAL_OK_2], [CLAUDE_BAD], [], 1, 0, ["clamp(9, 0, 5): the local model's test passes, Claude's fails"]),
        ([], [LOCAL_BAD, CLAUDE_BAD], [], 0, 0, []),
    ],
    ids=["agree", "local-alone", "claude-right", "local-right", "nothing-kept"],
)
def test_compared_by_the_call_each_test_checks(
    kept: list[Candidate],
    failed: list[Candidate],
    both: list[str],
    local_only: int,
    claude_only: int,
    disagreements: list[str],
) -> None:
    agreement = compare_tests(kept, failed, lambda c: id(c) in CLAUDES, partner="Claude")
    assert list(agreement.both) == both
    assert (agreement.local_only, agreement.partner_only) == (local_only, claude_only)
    assert list(agreement.disagreements) == disagreements


def test_the_words_name_the_disagreements() -> None:
    kept, failed = [LOCAL_OK, CLAUDE_OK, LOCAL_OK_2], [CLAUDE_BAD]
    agreement = compare_tests(kept, failed, lambda c: id(c) in CLAUDES, partner="Claude")
    words = agreement.words()
    assert words.startswith("Claude and the local model agree on 1 calls, disagree on 1 (clamp(9, 0, 5): ")
    assert words.endswith("0 kept tests only from Claude, 1 only from the local model")
