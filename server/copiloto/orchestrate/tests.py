"""The three patterns for generated tests (`orchestrate.tests`): Claude refines the local model's draft before it
is run (sequential), writes tests only when the local ones fall short (handoff), or writes its own at the same time,
compared with the local model's by the call each checks (concurrent); `local` never asks it. Claude's tests are run
and kept exactly like the local ones; when it cannot be used the local tests stand (orchestrate/claude/tests.py)."""

from __future__ import annotations

from pathlib import Path

from copiloto.cloud.client import CloudClient
from copiloto.config import Pattern, Settings
from copiloto.engine.types import Engine, Stopped, never_stopped
from copiloto.orchestrate.claude.tests import ClaudeTestRefiner
from copiloto.testgen.generate import GeneratedTests, Partners, generate_tests


def claude_partners(pattern: Pattern, client: CloudClient) -> Partners:
    """Claude's part in a generation, for `pattern`."""
    return Partners(
        refiners=(ClaudeTestRefiner(client),) if pattern == "sequential" else (),
        takeovers=(ClaudeTestRefiner(client, "takeover"),) if pattern == "handoff" else (),
        companions=(ClaudeTestRefiner(client, "fresh"),) if pattern == "concurrent" else (),
        name="Claude",
    )


def write_tests(
    engine: Engine,
    client: CloudClient,
    settings: Settings,
    *,
    project_root: Path,
    module_path: Path,
    source: str,
    qualname: str,
    stopped: Stopped = never_stopped,
) -> GeneratedTests:
    """Tests for `qualname` that run and pass, written as `orchestrate.tests` says. The settings are read for
    each request: turning Claude off, or another pattern, holds at once. Raises TestgenError as generate_tests."""
    partners = claude_partners(settings.orchestrate.tests, client)
    return generate_tests(
        engine,
        project_root,
        module_path,
        source,
        qualname,
        settings=settings.tests,
        partners=partners,
        stopped=stopped,
    )
