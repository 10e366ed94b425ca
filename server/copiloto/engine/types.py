"""The engine's small interface: a request in (prompt parts, limits), a job out (future + cancel).

The embedded llama.cpp (engine/local.py) and an OpenAI-compatible server (engine/remote.py) implement the same
`Engine` protocol; nothing above the engine knows which one it talks to.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal, Protocol

from copiloto.engine.chat import ChatPrompt


class Priority(IntEnum):
    """Lower runs first: what the user is waiting for beats what they asked for beats background work."""

    INTERACTIVE = 0
    ACTION = 1
    BACKGROUND = 2


# "preempted": a background job gave way to more urgent work waiting in the queue (ask again later).
StopReason = Literal["eot", "stop", "length", "time", "cancelled", "preempted", "timeout", "error"]
EngineState = Literal["starting", "loading", "ready", "error", "closed"]
# The one cancellation token of blocking work (the engine's callers, test runs): asked between steps, True once the
# user or a newer request made the work useless. The server makes it from a threading.Event's `is_set`; work on
# the event loop is cancelled as an asyncio task instead.
Stopped = Callable[[], bool]


def never_stopped() -> bool:
    return False

StateListener = Callable[[EngineState, str | None], None]  # told each change of state, with why (errors)


@dataclass(frozen=True)
class GenerationRequest:
    prefix: str
    suffix: str = ""
    max_tokens: int = 64
    stop: tuple[str, ...] = ()
    # Regular expressions that also end the generation where they match (e.g. a line leaving the scope).
    stop_patterns: tuple[str, ...] = ()
    priority: Priority = Priority.INTERACTIVE
    # Requests sharing a supersede_key cancel the older ones: a newer completion for the same document
    # makes the older one useless.
    supersede_key: str | None = None
    timeout_s: float | None = None
    # Once a whole line has been generated, stop at the last line end when decoding has taken this long
    # (llama.cpp's t_max_predict_ms): a multi-line suggestion shows its first lines instead of arriving
    # after the user has moved on. None: no such limit.
    line_time_ms: float | None = None
    # Token healing: the word fragment cut from the end of `prefix`; the generation must start with it
    # and the result leaves it out (see engine/healing.py).
    heal: str = ""
    # An instruction instead of a fill-in-the-middle: the engine lays it out in the model's chat format and
    # `prefix`/`suffix` are not used.
    chat: ChatPrompt | None = None
    # A GBNF grammar the output must follow (see engine/structured.py: made from a pydantic schema).
    grammar: str | None = None


@dataclass
class GenerationResult:
    text: str
    stop_reason: StopReason
    prompt_tokens: int = 0
    reused_tokens: int = 0
    generated_tokens: int = 0
    queued_ms: float = 0.0
    prompt_ms: float = 0.0
    decode_ms: float = 0.0
    model: str = ""
    error: str | None = None
    stop_hit: str | None = None  # which of the request's stop strings ended it, when one did


_job_ids = itertools.count(1)


@dataclass
class Job:
    """One queued generation. `cancel()` is safe from any thread; the worker checks it between tokens."""

    request: GenerationRequest
    future: Future[GenerationResult] = field(default_factory=Future)
    id: int = field(default_factory=lambda: next(_job_ids))
    submitted_at: float = field(default_factory=time.perf_counter)
    on_text: Callable[[str], None] | None = None
    stop_hit: str | None = None
    _cancelled: threading.Event = field(default_factory=threading.Event)
    _on_cancel: list[Callable[[], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled.set()
            hooks, self._on_cancel = self._on_cancel, []
        for hook in hooks:
            hook()

    def when_cancelled(self, hook: Callable[[], None]) -> None:
        """Call `hook` on cancel (now, if already cancelled): a remote job closes its stream with it."""
        with self._lock:
            if not self._cancelled.is_set():
                self._on_cancel.append(hook)
                return
        hook()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


class EngineError(RuntimeError):
    """The engine cannot serve requests (no model, corrupt file, load failure)."""


class Engine(Protocol):
    @property
    def state(self) -> EngineState: ...

    @property
    def model_name(self) -> str: ...

    def submit(self, request: GenerationRequest, on_text: Callable[[str], None] | None = None) -> Job: ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None: ...


class FimLayout(Protocol):
    """What a backend's FIM template says of itself (engine/fim.py's for llama.cpp, engine/fim_text.py's as text)."""

    @property
    def family(self) -> str: ...

    @property
    def order(self) -> str: ...


class ServingEngine(Engine, Protocol):
    """An engine the runtime owns: it loads (or connects) in the background and says why it cannot serve."""

    @property
    def error(self) -> str | None: ...

    @property
    def template(self) -> FimLayout | None: ...  # None until the model is loaded (or the server answered)

    @property
    def load_seconds(self) -> float | None: ...

    @property
    def offload_note(self) -> str | None: ...  # said when fewer layers than asked went to the GPU

    def wait_loaded(self, timeout: float | None = None) -> bool: ...


def engine_info(engine: ServingEngine) -> dict[str, object]:
    """A plain summary for logs, `doctor` and the status bar."""
    template = engine.template
    return {
        "model": engine.model_name,
        "state": engine.state,
        "fim": None if template is None else f"{template.family}/{template.order}",
        "load_seconds": engine.load_seconds,
        "offload_note": engine.offload_note,
    }
