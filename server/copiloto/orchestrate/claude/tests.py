"""Claude's part in generated tests. Sequential (`orchestrate.tests = "sequential"`): it sees the module, the local
model's draft tests and what failed before, and returns better ones. Handoff (`"handoff"`): it is asked only when the
local model fell short (nothing kept, or lines left uncovered), sees the tests kept so far, the lines they miss and
the failures, and returns tests to add. Concurrent (`"concurrent"`): it writes its own tests from the code alone,
while the local model writes its. Always its tests are verified exactly like the local ones (run three times in
the sandbox; only passing tests are kept).

A refiner runs on the test generator's worker thread, so it drives the async client with its own event loop.
When Claude cannot be used the draft goes on unchanged (the reason is logged once).
"""

from __future__ import annotations

import ast
import asyncio
import logging
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from copiloto.cloud.client import CloudClient, CloudError, CloudUnavailable
from copiloto.testgen.draft import Candidate
from copiloto.testgen.generate import TestDraft

log = logging.getLogger(__name__)

SYSTEM = (
    "You write pytest tests. You get a Python module, a function or method in it, draft tests written by a small "
    "local model (some may expect wrong values) and the failures seen so far. Return the tests worth keeping: "
    "correct the wrong expectations by reading the code, and add the edge cases and error paths the draft misses. "
    "Each test is one complete top-level `def test_...():` function using plain asserts (and pytest.raises); the "
    "module's import line is added for you. Answer through the report_tests tool."
)
TOOL = "report_tests"
MAX_FAILURE_CHARS = 600


class RefinedTest(BaseModel):
    name: str = Field(description="the test function's name, test_...")
    source: str = Field(description="the whole `def test_...():` function")


class RefinedTests(BaseModel):
    """The refined tests."""

    tests: list[RefinedTest]


class ClaudeTestRefiner:
    """Claude in test generation: `refine` (sequential), `takeover` (handoff) or `fresh` (concurrent)."""

    def __init__(self, client: CloudClient, mode: Literal["refine", "takeover", "fresh"] = "refine") -> None:
        self.client = client
        self.mode = mode
        self._told = False

    def __call__(self, draft: TestDraft) -> Sequence[Candidate]:
        question = {"refine": _question, "takeover": _takeover_question, "fresh": _fresh_question}[self.mode](draft)
        unchanged = draft.candidates if self.mode == "refine" else ()  # what goes on when Claude gives nothing
        try:
            answer = asyncio.run(
                self.client.ask(SYSTEM, draft.module_source, question, RefinedTests, TOOL, path=draft.module_path)
            )
        except (CloudUnavailable, CloudError) as exc:
            if not self._told:
                self._told = True
                log.info("no tests from Claude (%s): %s", self.mode, exc)
            return unchanged
        refined = [c for t in answer.value.tests if (c := _candidate(t)) is not None]
        log.info("Claude turned %d tests into %d", len(draft.candidates), len(refined))
        return refined or unchanged


def _question(draft: TestDraft) -> str:
    tests = "\n\n".join(c.source for c in draft.candidates) or "(none)"
    failures = "\n\n".join(
        f"{f.candidate.name} failed:\n{f.result.output[-MAX_FAILURE_CHARS:]}" for f in draft.failures[-6:]
    )
    return f"Target: {draft.qualname}\n\nDraft tests:\n{tests}\n\nFailures so far:\n{failures or '(none)'}"


def _fresh_question(draft: TestDraft) -> str:
    return (
        f"Target: {draft.qualname}\n\nWrite the tests: the normal cases, the edge cases and the error paths. A small "
        "local model is writing its own at the same time; yours are compared with its, by the call each checks."
    )


def _takeover_question(draft: TestDraft) -> str:
    kept = "\n\n".join(c.source for c in draft.candidates) or "(none)"
    failures = "\n\n".join(
        f"{f.candidate.name} failed:\n{f.result.output[-MAX_FAILURE_CHARS:]}" for f in draft.failures[-6:]
    )
    missing = draft.coverage.missing_lines if draft.coverage is not None else ()
    gaps = f"Lines of the target no kept test runs: {', '.join(map(str, missing))}\n\n" if missing else ""
    return (
        f"Target: {draft.qualname}\n\nThe local model's tests fell short. These pass and are kept already — do "
        f"not repeat them; write only new tests for what they miss:\n{kept}\n\n{gaps}"
        f"Its failed tests (their expectations may be wrong, or the code may be):\n{failures or '(none)'}"
    )


def _candidate(test: RefinedTest) -> Candidate | None:
    """A test that is one top-level test function; anything else is dropped before it is ever run."""
    try:
        tree = ast.parse(test.source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef) or not tree.body[0].name.startswith("test"):
        return None
    name = tree.body[0].name
    return Candidate(
        name=name,
        source=test.source.strip() + "\n",
        origin="refined",
        uses_pytest="pytest." in test.source,
        key=name,
        stem=name,
    )
