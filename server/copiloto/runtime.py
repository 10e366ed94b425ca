"""Wiring shared by the server and the command line: settings -> model choice -> engine -> service."""

from __future__ import annotations

from dataclasses import dataclass, field

from copiloto.cloud.client import CloudClient
from copiloto.cloud.refine_tests import ClaudeTestRefiner
from copiloto.cloud.review import ClaudeReviewer
from copiloto.completion.pipeline import CompletionService
from copiloto.config import Settings
from copiloto.engine.local import LocalEngine, StateListener
from copiloto.models.select import ModelChoice, select_model
from copiloto.review.handoff import DeepReviewer
from copiloto.testgen.generate import Refiner


@dataclass
class Runtime:
    settings: Settings
    choice: ModelChoice
    engine: LocalEngine
    completions: CompletionService
    # Steps between the local draft of tests and their verification (Claude's refinement plugs in here).
    test_refiners: list[Refiner] = field(default_factory=list)
    # Who takes reviews deeper than the local model (Claude, once copiloto.cloud lands); None: local only.
    deep_reviewer: DeepReviewer | None = None
    cloud: CloudClient | None = None  # Claude for the other deep work ("Explain with Claude")

    def close(self) -> None:
        self.engine.close()


def start_runtime(settings: Settings, on_state: StateListener | None = None) -> Runtime:
    """Pick the model and start loading it in the engine's thread. Raises when no model can be chosen."""
    choice = select_model(settings)  # may assemble `tiny` (seconds): callers keep it off the event loop
    engine = LocalEngine(settings.engine, choice.path, choice.name, on_state=on_state).start()
    cloud = CloudClient(settings.cloud)
    reviewer = ClaudeReviewer(cloud, settings.cloud.exclude)
    completions = CompletionService(engine, settings.completion)
    refiners: list[Refiner] = [ClaudeTestRefiner(cloud)] if settings.orchestrate.tests == "sequential" else []
    return Runtime(settings, choice, engine, completions, refiners, deep_reviewer=reviewer, cloud=cloud)
