"""Comparing two writers' tests for the same code (the concurrent pattern: the local model's and a partner's,
written at the same time), by the call each test checks. A call both checked with passing tests is agreement; a
call where one side's test passed and the other's failed is a disagreement, shown to the user — the code, or one
of the two, is wrong there. Who the partner is (Claude, through orchestrate/tests.py) is only a name here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from copiloto.testgen.draft import Candidate, checked_call


@dataclass(frozen=True)
class Agreement:
    partner: str  # who wrote the other tests, as the user knows it
    both: tuple[str, ...]  # calls both checked, passing on both sides
    local_only: int  # kept tests of the local model checking a call the partner's tests did not (or no single call)
    partner_only: int  # the same, for the partner's
    disagreements: tuple[str, ...]  # "clamp(5, 0, 3): the local model's test passes, <partner>'s fails"

    def words(self) -> str:
        """One clause for the result message."""
        parts = [f"{self.partner} and the local model agree on {len(self.both)} calls"]
        if self.disagreements:
            parts.append(f"disagree on {len(self.disagreements)} ({'; '.join(self.disagreements[:3])})")
        only = f"{self.partner_only} kept tests only from {self.partner}, {self.local_only} only from the local model"
        parts.append(only)
        return ", ".join(parts)


def compare_tests(
    kept: Sequence[Candidate], failed: Sequence[Candidate], by_partner: Callable[[Candidate], bool], *, partner: str
) -> Agreement:
    """Compare by checked call; `by_partner` tells the partner's tests from the local model's."""

    def calls(tests: Sequence[Candidate], theirs: bool) -> dict[str, Candidate]:
        return {call: t for t in tests if by_partner(t) == theirs and (call := checked_call(t)) is not None}

    passed = {side: calls(kept, side) for side in (True, False)}
    broken = {side: calls(failed, side) for side in (True, False)}
    both = sorted(set(passed[True]) & set(passed[False]))
    disagreements = [
        f"{call}: {partner}'s test passes, the local model's fails" for call in passed[True] if call in broken[False]
    ]
    disagreements += [
        f"{call}: the local model's test passes, {partner}'s fails" for call in passed[False] if call in broken[True]
    ]
    only = {
        side: sum(1 for t in kept if by_partner(t) == side and checked_call(t) not in passed[not side])
        for side in (True, False)
    }
    return Agreement(partner, tuple(both), only[False], only[True], tuple(sorted(disagreements)))
