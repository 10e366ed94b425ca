"""Wiring shared by the server and the command line: settings -> model choice -> engine -> service, and
settings -> Claude (which needs no local model: a deep review works while the model loads or when none loads)."""

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

    def close(self) -> None:
        self.engine.close()


@dataclass(frozen=True)
class Cloud:
    """Claude, for the work handed to it; each part says why it cannot be used (no key, budget, disabled)."""

    client: CloudClient
    reviewer: DeepReviewer


def start_cloud(settings: Settings) -> Cloud:
    """Cheap (no network until a question is asked): rebuilt whenever the settings change."""
    client = CloudClient(settings.cloud)
    return Cloud(client, ClaudeReviewer(client, settings.cloud.exclude))


def start_runtime(settings: Settings, on_state: StateListener | None = None) -> Runtime:
    """Pick the model and start loading it in the engine's thread. Raises when no model can be chosen."""
    choice = select_model(settings)  # may assemble `tiny` (seconds): callers keep it off the event loop
    engine = LocalEngine(settings.engine, choice.path, choice.name, on_state=on_state).start()
    completions = CompletionService(engine, settings.completion)
    sequential = settings.orchestrate.tests == "sequential"
    refiners: list[Refiner] = [ClaudeTestRefiner(CloudClient(settings.cloud))] if sequential else []
    return Runtime(settings, choice, engine, completions, refiners)
