"""The remote backend: an OpenAI-compatible `/v1/completions` server (vLLM, llama.cpp's llama-server, Ollama,
llama-cpp-python's own server) behind the same `Engine` interface as the embedded llama.cpp.

- Copiloto lays out the raw prompt itself (engine/fim_text.py: the embedded engine's orders, as text); the
  server only continues it. The FIM family comes from `engine.fim_family`, else from the server's model id
  (`/v1/models`) matched against the catalog.
- Tokens are streamed (server-sent events). Cancelling a job closes its stream at once, from any thread: the
  server sees the client go and stops generating (llama-server and vLLM abort such requests).
- Health: `/v1/models` is probed at start and, while the server cannot be reached, again with backoff (1 s,
  doubling to 30 s). Jobs submitted meanwhile fail at once with the reason; the runtime then uses the local
  model when one is configured (engine/fallback.py).
- The server's own timings are reported when it gives them (llama-server's `timings`, vLLM's `usage`).

One module, over 400 lines: it owns the connection (stream, health, cancellation) end to end.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2 as httpx  # the anthropic SDK's HTTP client (httpx's API), already installed with it

from copiloto.config import EngineSettings, FimFamily
from copiloto.engine.chat import ChatLayout
from copiloto.engine.fim_text import (
    TEMPLATES,
    TextTemplate,
    chat_layout_of,
    chat_text,
    family_of_model_id,
    normalise_model_id,
)
from copiloto.engine.text import find_stop, whole_lines
from copiloto.engine.types import (
    EngineState,
    GenerationRequest,
    GenerationResult,
    Job,
    StateListener,
    StopReason,
)

log = logging.getLogger(__name__)
KEY_ENV = "COPILOTO_ENGINE_API_KEY"  # a bearer token for servers that want one (vLLM --api-key, a gateway)
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
WORKERS = 8  # streams at once (a completion, a review, a docstring… each holds one while it runs)


class RemoteError(RuntimeError):
    """The server refused or broke a request; the message says how, for logs and the status."""


class RemoteEngine:
    def __init__(self, settings: EngineSettings, url: str, on_state: StateListener | None = None) -> None:
        self.settings = settings
        self.base = _base_url(url)
        self._on_state = on_state
        self._state: EngineState = "starting"
        self.error: str | None = None
        self.model_id: str | None = settings.remote_model
        self.template: TextTemplate | None = None
        self.offload_note: str | None = None  # the server's own business
        self.chat_layout: ChatLayout = "plain"
        self.load_seconds: float | None = None
        key = os.environ.get(KEY_ENV)
        # The probes' client; each generation opens its own (same headers, timeout and TLS context), see _generate.
        # The TLS context is made once: building one is ~20 ms, which every keystroke's request would pay.
        self._tls = httpx.create_ssl_context()
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {key}"} if key else {},
            timeout=httpx.Timeout(settings.request_timeout_s, connect=3.0),
            verify=self._tls,
        )
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="copiloto-remote")
        self._lock = threading.Lock()
        self._latest: dict[str, Job] = {}
        self._lingering: dict[str, _Stream] = {}  # per document: a cancelled request left to finish its prompt
        self._connected = threading.Event()  # set after the first probe, whatever its outcome
        self._closed = threading.Event()
        self._wake = threading.Event()  # a failed request asks the health thread to probe now

    # -- the Engine protocol -------------------------------------------------------------------------------

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def model_name(self) -> str:
        return self.model_id or self.base

    def start(self) -> RemoteEngine:
        threading.Thread(target=self._health, name="copiloto-remote-health", daemon=True).start()
        return self

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Block until the first probe answered; True when the server is ready."""
        self._connected.wait(timeout)
        return self._state == "ready"

    def submit(self, request: GenerationRequest, on_text: Callable[[str], None] | None = None) -> Job:
        job = Job(request, on_text=on_text)
        if self._state != "ready":
            why = self.error or f"the engine at {self.base} is {self._state}"
            job.future.set_result(GenerationResult("", "error", model=self.model_name, error=why))
            return job
        key = request.supersede_key
        if key is not None:
            with self._lock:
                older = self._latest.get(key)
                self._latest[key] = job
            if older is not None:
                older.cancel()
        self._pool.submit(self._serve, job)
        return job

    def count_tokens(self, text: str) -> int:
        """An estimate (a round trip per count would cost more than it saves): ~3 characters per code token."""
        return max(1, len(text) // 3)

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._http.close()
        self._set_state("closed")

    # -- health ---------------------------------------------------------------------------------------------

    def _health(self) -> None:
        attempt = 0
        while not self._closed.is_set():
            if self._state != "ready":
                started = time.perf_counter()
                if self._state == "starting":  # the editor shows it like a model loading
                    self._set_state("loading", f"the model at {self.base}")
                try:
                    self._probe()
                except (httpx.HTTPError, RemoteError, ValueError) as exc:
                    self.error = f"cannot use the engine at {self.base}: {_short(exc)}"
                    self._set_state("error", self.error)
                    wait = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                    attempt += 1
                    log.warning("%s; trying again in %.0f s", self.error, wait)
                else:
                    self.load_seconds = time.perf_counter() - started
                    self.error, attempt = None, 0
                    self._set_state("ready")
                    wait = BACKOFF_S[-1]
                finally:
                    self._connected.set()
            else:
                wait = BACKOFF_S[-1]
            self._wake.wait(wait)
            self._wake.clear()

    def _probe(self) -> None:
        """Ask the server for its models; choose the model id, the FIM template and the chat layout."""
        response = self._http.get(f"{self.base}/v1/models", timeout=httpx.Timeout(5.0, connect=3.0))
        if response.status_code != 200:
            raise RemoteError(f"/v1/models answered {response.status_code}: {_short(response.text)}")
        ids = [str(m.get("id")) for m in response.json().get("data", []) if isinstance(m, dict) and m.get("id")]
        if self.settings.remote_model is not None:
            if ids and self.settings.remote_model not in ids:
                raise RemoteError(f"the server has no model {self.settings.remote_model!r} (it has {', '.join(ids)})")
            model_id = self.settings.remote_model
        elif ids:
            model_id = ids[0]
        else:
            raise RemoteError("/v1/models lists no model")
        family = self.settings.fim_family or family_of_model_id(model_id, _catalog_families())
        if family is None:
            log.warning("the FIM family of %r is unknown: set engine.fim_family; completing from the prefix", model_id)
            family = "none"
        self.model_id, self.template, self.chat_layout = model_id, TEMPLATES[family], chat_layout_of(family)
        log.info("remote engine %s: model %s, FIM %s/%s", self.base, model_id, family, self.template.order)

    def _set_state(self, state: EngineState, detail: str | None = None) -> None:
        changed = state != self._state
        self._state = state
        if changed and self._on_state is not None:
            self._on_state(state, detail)

    # -- one generation ---------------------------------------------------------------------------------------

    def _serve(self, job: Job) -> None:
        started = time.perf_counter()
        try:
            result = self._generate(job, started)
        except Exception as exc:
            if job.cancelled:  # its stream was closed under it (httpx's StreamClosed, a read error…)
                result = GenerationResult("", "cancelled", model=self.model_name)
            elif isinstance(exc, httpx.TimeoutException):  # busy, not gone: this request gives up, no more
                result = GenerationResult("", "timeout", model=self.model_name, error=f"no answer in time: {exc}")
            elif isinstance(exc, (httpx.HTTPError, RemoteError, ValueError)):
                result = GenerationResult("", "error", model=self.model_name, error=_short(exc))
                if isinstance(exc, httpx.TransportError):  # the server went away: probe it again
                    self.error = f"lost the engine at {self.base}: {_short(exc)}"
                    self._set_state("error", self.error)
                    self._wake.set()
            else:  # never lose a job's answer to a bug: the waiter gets an error result
                log.exception("remote generation failed")
                result = GenerationResult("", "error", model=self.model_name, error=_short(exc))
        finally:
            if job.request.supersede_key is not None:
                with self._lock:
                    if self._latest.get(job.request.supersede_key) is job:
                        del self._latest[job.request.supersede_key]
        result.queued_ms = result.queued_ms or (started - job.submitted_at) * 1000
        if not job.future.done():
            job.future.set_result(result)

    def _generate(self, job: Job, started: float) -> GenerationResult:
        req = job.request
        if job.cancelled:
            return GenerationResult("", "cancelled", model=self.model_name)
        deadline = started + (req.timeout_s or self.settings.request_timeout_s)
        body = self._body(req)
        stops = tuple(s for s in req.stop if s)
        patterns = tuple(re.compile(p) for p in req.stop_patterns)
        text, reason, stop_hit, server = "", "length", None, _ServerTimings()
        first_token_at: float | None = None
        # A connection of its own, closable from any thread before the server even answers: a request the server
        # has queued behind others must be abandonable too, or a typing burst leaves a queue of stale prompts.
        client = httpx.Client(headers=self._http.headers, timeout=self._http.timeout, verify=self._tls)
        stream = _Stream(client)
        job.when_cancelled(lambda: self._cancel(job, stream))
        with client, client.stream("POST", f"{self.base}/v1/completions", json=body) as response:
            try:
                if response.status_code != 200:
                    response.read()
                    raise RemoteError(f"/v1/completions answered {response.status_code}: {_short(response.text)}")
                for chunk in _events(response):
                    server.read(chunk)
                    choice = (chunk.get("choices") or [{}])[0]
                    piece = choice.get("text") or ""
                    if piece and first_token_at is None:
                        first_token_at = time.perf_counter()
                        if stream.read_prompt():  # cancelled while the server read the prompt: it is cached now
                            break
                    text += piece
                    hit = find_stop(text, stops, patterns)
                    if hit is not None:
                        text, reason, stop_hit = text[: hit[0]], "stop", hit[1]
                        break
                    if piece and job.on_text is not None:
                        job.on_text(text)
                    if choice.get("finish_reason"):
                        reason = "length" if choice["finish_reason"] == "length" else "eot"
                    if self._line_time_up(req, first_token_at) and whole_lines(text):
                        text, reason = whole_lines(text), "time"  # show the lines so far, as in process
                        break
                    if job.cancelled and not stream.lingering:
                        reason = "cancelled"
                        break
                    if time.perf_counter() > deadline:
                        reason = "timeout"
                        break
            finally:
                stream.closed = True  # a later cancelled request may linger in its place
        now = time.perf_counter()
        prompt_ms = ((first_token_at or now) - started) * 1000
        decode_ms = (now - first_token_at) * 1000 if first_token_at else 0.0
        stop: StopReason = reason  # type: ignore[assignment]
        result = GenerationResult(
            text,
            stop,
            prompt_tokens=server.prompt_tokens or self.count_tokens(body["prompt"]),
            generated_tokens=server.generated_tokens,
            prompt_ms=server.prompt_ms if server.prompt_ms is not None else prompt_ms,
            decode_ms=server.decode_ms if server.decode_ms is not None else decode_ms,
            reused_tokens=server.cached_tokens,
            model=self.model_name,
            stop_hit=stop_hit,
        )
        job.stop_hit = stop_hit
        if stream.lingering:
            result.stop_reason, result.text = "cancelled", ""
        return result

    def _cancel(self, job: Job, stream: _Stream) -> None:
        """Cancelling a completion: answered at once; its stream is closed now, or — while the server is still
        reading its prompt — as soon as it has (a keystroke's next request extends that prompt, and the server's
        prompt cache then holds it: aborted mid-prompt, the work would be lost and on a slow server no request
        would ever get past its prompt while the user types). One such request per document at a time: while one
        is still reading, later ones are closed at once (the server reads requests one after another, so the
        oldest is the one furthest into the prompt)."""
        key = job.request.supersede_key
        if key is None or stream.prompt_done:
            stream.close()
            return
        with self._lock:
            older = self._lingering.get(key)
            if older is None or older.prompt_done or older.closed:
                self._lingering[key] = stream
                older = None
        if older is not None:
            stream.close()
        else:
            stream.linger()
        if not job.future.done():
            job.future.set_result(GenerationResult("", "cancelled", model=self.model_name))

    @staticmethod
    def _line_time_up(req: GenerationRequest, first_token_at: float | None) -> bool:
        if req.line_time_ms is None or first_token_at is None:
            return False
        return (time.perf_counter() - first_token_at) * 1000 > req.line_time_ms

    def _body(self, req: GenerationRequest) -> dict[str, Any]:
        template = self.template or TEMPLATES["none"]
        marker_stops: tuple[str, ...]
        if req.chat is not None:
            prompt, marker_stops = chat_text(self.chat_layout, req.chat), ("<|im_end|>", "<|endoftext|>")
        else:
            # No token healing over the wire: the cut word fragment goes back into the prefix.
            prompt, marker_stops = template.render(req.prefix + req.heal, req.suffix), template.stops
        body: dict[str, Any] = {
            "model": self.model_id,
            "prompt": prompt.encode("utf-8", errors="replace").decode("utf-8"),  # lone surrogates cannot be sent
            "max_tokens": req.max_tokens,
            "temperature": 0.0,
            "top_p": 1.0,
            "repeat_penalty": 1.0,  # llama.cpp servers default to 1.1; greedy as in process
            "stream": True,
            "stream_options": {"include_usage": True},  # vLLM: token counts in the last event
            "cache_prompt": True,  # llama-server: reuse the KV cache of the common prefix
            # Only the model's end markers: the request's own stops are found here, so the result says which one
            # ended it (as in process); the stream is closed at once when one appears.
            "stop": list(marker_stops),
        }
        if req.grammar is not None:
            body["grammar"] = req.grammar  # llama.cpp servers; vLLM ignores it (the answer is validated anyway)
        return body


class _Stream:
    """One request's connection, closable from any thread; `lingering`: cancelled, kept open until the prompt is
    read."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.prompt_done = False
        self.lingering = False
        self.closed = False
        self._lock = threading.Lock()

    def linger(self) -> None:
        with self._lock:
            if self.prompt_done:
                self.client.close()
            else:
                self.lingering = True

    def read_prompt(self) -> bool:
        """The first token arrived; True when the stream was lingering (it is closed now)."""
        with self._lock:
            self.prompt_done = True
            if self.lingering:
                self.client.close()
            return self.lingering

    def close(self) -> None:
        self.closed = True
        self.client.close()


class _ServerTimings:
    """What the server says about the work it did, from whichever fields it sends."""

    def __init__(self) -> None:
        self.prompt_tokens = self.generated_tokens = self.cached_tokens = 0
        self.prompt_ms: float | None = None
        self.decode_ms: float | None = None

    def read(self, chunk: dict[str, Any]) -> None:
        timings = chunk.get("timings")
        if isinstance(timings, dict):  # llama-server
            self.prompt_tokens = int(timings.get("prompt_n") or 0)
            self.generated_tokens = int(timings.get("predicted_n") or 0)
            self.cached_tokens = int(timings.get("cache_n") or 0)
            self.prompt_ms = float(timings.get("prompt_ms") or 0.0)
            self.decode_ms = float(timings.get("predicted_ms") or 0.0)
        usage = chunk.get("usage")
        if isinstance(usage, dict):  # vLLM (stream_options.include_usage), Ollama
            self.prompt_tokens = int(usage.get("prompt_tokens") or self.prompt_tokens)
            self.generated_tokens = int(usage.get("completion_tokens") or self.generated_tokens)
        elif chunk.get("choices") and not isinstance(timings, dict):
            self.generated_tokens += 1  # one event per token on servers that say nothing else


def _events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """The JSON payloads of a server-sent event stream, up to `[DONE]`."""
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        chunk = json.loads(data)
        if isinstance(chunk, dict):
            if "error" in chunk:
                raise RemoteError(f"the server stopped with an error: {_short(json.dumps(chunk['error']))}")
            yield chunk


def _base_url(url: str) -> str:
    """`http://host:port` from what users paste: with or without a trailing `/v1` or slash."""
    base = url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"engine.url must start with http:// or https://: {url!r}")
    return base[: -len("/v1")] if base.endswith("/v1") else base


def _catalog_families() -> dict[str, FimFamily]:
    """Each catalog model's name and file stem (normalised as model ids are) -> its FIM family."""
    from copiloto.models.catalog import load_catalog

    return {
        normalise_model_id(key): entry.fim
        for name, entry in load_catalog().models.items()
        for key in (name, entry.file.rsplit(".gguf", 1)[0])
    }


def _short(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 300 else text[:297] + "..."


__all__ = ["KEY_ENV", "RemoteEngine", "RemoteError"]
