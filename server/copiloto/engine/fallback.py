"""A remote engine with the local model as its stand-in: requests go to the server while it answers, to the
embedded llama.cpp while it cannot be reached (`engine.backend = "remote"` with `engine.model` set).

The local model is loaded only when the server is first found unreachable (a team's laptop should not hold a
second model it may never use); from then on it stays, so the next outage costs nothing. The remote engine
keeps probing its server with backoff and takes the requests back as soon as it answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from copiloto.engine.local import LocalEngine
from copiloto.engine.remote import RemoteEngine
from copiloto.engine.types import EngineState, FimLayout, GenerationRequest, Job, StateListener

log = logging.getLogger(__name__)


class FallbackEngine:
    def __init__(
        self,
        make_remote: Callable[[StateListener], RemoteEngine],
        make_local: Callable[[StateListener], LocalEngine],
        on_state: StateListener | None = None,
    ) -> None:
        self._make_local = make_local
        self.local: LocalEngine | None = None
        self._on_state = on_state
        self._lock = threading.Lock()
        self._state: EngineState = "starting"
        self._told: tuple[EngineState, str | None] | None = None
        self.remote = make_remote(self._changed)  # its state changes decide ours

    def start(self) -> FallbackEngine:
        self.remote.start()
        return self

    @property
    def serving(self) -> RemoteEngine | LocalEngine | None:
        """The engine requests go to now."""
        if self.remote.state == "ready":
            return self.remote
        return self.local if self.local is not None and self.local.state == "ready" else None

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def model_name(self) -> str:
        serving = self.serving
        return (serving or self.remote).model_name

    @property
    def error(self) -> str | None:
        return None if self.serving is not None else self.remote.error

    @property
    def template(self) -> FimLayout | None:
        return (self.serving or self.remote).template

    @property
    def load_seconds(self) -> float | None:
        return (self.serving or self.remote).load_seconds

    @property
    def offload_note(self) -> str | None:
        return (self.serving or self.remote).offload_note

    def wait_loaded(self, timeout: float | None = None) -> bool:
        if self.remote.wait_loaded(timeout):
            return True
        local = self.local
        return local is not None and local.wait_loaded(timeout)

    def submit(self, request: GenerationRequest, on_text: Callable[[str], None] | None = None) -> Job:
        return (self.serving or self.remote).submit(request, on_text)

    def count_tokens(self, text: str) -> int:
        return (self.serving or self.remote).count_tokens(text)

    def close(self) -> None:
        self.remote.close()
        if self.local is not None:
            self.local.close()

    def _changed(self, _state: EngineState, detail: str | None) -> None:
        if self.remote.state == "error":
            with self._lock:
                if self.local is None:
                    log.warning("%s; the local model takes over until it answers again", detail)
                    self.local = self._make_local(self._changed)
        self._publish(detail)

    def _publish(self, detail: str | None) -> None:
        serving = self.serving
        state: EngineState
        if serving is self.remote:
            state, why = "ready", None
        elif serving is not None:
            state, why = "ready", f"{self.remote.error}; the local model {serving.model_name} serves meanwhile"
        elif self.remote.state == "closed":
            state, why = "closed", None
        elif self.local is not None and self.local.state in ("starting", "loading"):
            state, why = "loading", f"{self.remote.error}; loading the local model"
        else:
            state, why = self.remote.state, detail
        with self._lock:
            self._state = state
            changed = self._told != (state, why)
            self._told = (state, why)
        if changed and self._on_state is not None:
            self._on_state(state, why)
