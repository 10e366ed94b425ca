"""Wiring shared by the server and the command line: settings -> model choice -> engine -> service, and
settings -> Claude (which needs no local model: a deep review works while the model loads or when none loads)."""

from __future__ import annotations

from dataclasses import dataclass

from copiloto.cloud.client import CloudClient
from copiloto.completion.pipeline import CompletionService
from copiloto.config import Settings
from copiloto.engine.fallback import FallbackEngine
from copiloto.engine.local import LocalEngine
from copiloto.engine.remote import RemoteEngine
from copiloto.engine.types import ServingEngine, StateListener
from copiloto.models.select import ModelChoice, select_model
from copiloto.orchestrate.claude.review import ClaudeReviewer
from copiloto.review.handoff import DeepReviewer


@dataclass
class Runtime:
    settings: Settings
    choice: ModelChoice | None  # the local model; None with a remote engine and no local stand-in
    engine: ServingEngine
    completions: CompletionService

    def close(self) -> None:
        self.engine.close()

    @property
    def reason(self) -> str:
        """Why this engine serves, one sentence for logs and the status."""
        url = self.settings.engine.url
        if self.settings.engine.backend == "remote":
            stand_in = f"; {self.choice.name} stands in while it cannot be reached" if self.choice else ""
            return f"the remote engine at {url} (engine.backend = remote){stand_in}"
        assert self.choice is not None
        return self.choice.reason


@dataclass(frozen=True)
class Cloud:
    """Claude, for the work handed to it; each part says why it cannot be used (no key, budget, disabled)."""

    client: CloudClient
    reviewer: DeepReviewer


def start_cloud(settings: Settings) -> Cloud:
    """Cheap (no network until a question is asked): rebuilt whenever the settings change."""
    client = CloudClient(settings.cloud)
    client.warm_up()
    return Cloud(client, ClaudeReviewer(client))


def start_engine(settings: Settings, on_state: StateListener | None = None) -> tuple[ServingEngine, ModelChoice | None]:
    """The engine the settings ask for, started (loading or connecting in its own thread), and the local model
    it runs or falls back to. Raises ModelError when no model can be chosen, ValueError for a remote without url."""
    cfg = settings.engine
    if cfg.backend == "local":
        choice = select_model(settings)  # may assemble `tiny` (seconds): callers keep it off the event loop
        return LocalEngine(cfg, choice.path, choice.name, on_state=on_state).start(), choice
    if not cfg.url:
        raise ValueError("engine.backend is remote but engine.url is empty: set it to the server, e.g. http://gpu:8000")
    url = cfg.url
    if cfg.model is None:  # no local stand-in: an unreachable server is a clear status, retried with backoff
        return RemoteEngine(cfg, url, on_state).start(), None
    choice = select_model(settings)
    return FallbackEngine(
        lambda told: RemoteEngine(cfg, url, told),
        lambda told: LocalEngine(cfg, choice.path, choice.name, on_state=told).start(),
        on_state,
    ).start(), choice


def start_runtime(settings: Settings, on_state: StateListener | None = None) -> Runtime:
    """Start the engine (see start_engine) and the services on it. Raises when no engine can be started."""
    engine, choice = start_engine(settings, on_state)
    completions = CompletionService(engine, settings.completion)
    return Runtime(settings, choice, engine, completions)
