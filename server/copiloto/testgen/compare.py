"""The concurrent pattern for generated tests (`orchestrate.tests = "concurrent"`): the local model and Claude
write tests for the same code at the same time, every test is run, and the two sets are compared by the call
each test checks. A call both checked with passing tests is agreement; a call where one side's test passed
and the other's failed is a disagreement, shown to the user — the code, or one of the two, is wrong there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from copiloto.testgen.draft import Candidate, checked_call


@dataclass(frozen=True)
class Agreement:
    both: tuple[str, ...]  # calls both checked, passing on both sides
    local_only: int  # kept tests of the local model checking a call Claude's tests did not (or no single call)
    claude_only: int  # the same, for Claude's
    disagreements: tuple[str, ...]  # "clamp(5, 0, 3): the local model's test passes, Claude's fails"

    def words(self) -> str:
        """One clause for the result message."""
        parts = [f"Claude and the local model agree on {len(self.both)} calls"]
        if self.disagreements:
            parts.append(f"disagree on {len(self.disagreements)} ({'; '.join(self.disagreements[:3])})")
        parts.append(f"{self.claude_only} kept tests only from Claude, {self.local_only} only from the local model")
        return ", ".join(parts)


def compare_tests(
    kept: Sequence[Candidate], failed: Sequence[Candidate], by_claude: Callable[[Candidate], bool]
) -> Agreement:
    """Compare by checked call; `by_claude` tells Claude's tests from the local model's."""

    def calls(tests: Sequence[Candidate], claudes: bool) -> dict[str, Candidate]:
        return {call: t for t in tests if by_claude(t) == claudes and (call := checked_call(t)) is not None}

    passed = {side: calls(kept, side) for side in (True, False)}
    broken = {side: calls(failed, side) for side in (True, False)}
    both = sorted(set(passed[True]) & set(passed[False]))
    disagreements = [
        f"{call}: Claude's test passes, the local model's fails" for call in passed[True] if call in broken[False]
    ]
    disagreements += [
        f"{call}: the local model's test passes, Claude's fails" for call in passed[False] if call in broken[True]
    ]
    only = {
        side: sum(1 for t in kept if by_claude(t) == side and checked_call(t) not in passed[not side])
        for side in (True, False)
    }
    return Agreement(tuple(both), only[False], only[True], tuple(sorted(disagreements)))
