"""The local backend: one worker thread owns one long-lived llama.cpp model and context.

Why one long-lived context: llama-cpp-python keeps the tokens of the last prompt in the KV cache, and a
new prompt that shares a leading run of tokens only evaluates the rest. A fresh context per request
(as some servers do) throws that away on every keystroke.

One module, over 400 lines: it alone touches the `Llama` object, on its worker thread.
"""

from __future__ import annotations

import codecs
import heapq
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import InvalidStateError
from pathlib import Path
from typing import TYPE_CHECKING

from copiloto.config import EngineSettings
from copiloto.engine.chat import ChatLayout, ChatPrompt, chat_tokens, detect_layout
from copiloto.engine.fim import FimTemplate, LlamaVocab, detect_template, layout_prompt
from copiloto.engine.healing import VocabIndex, advance
from copiloto.engine.heap import HeapTrimmer
from copiloto.engine.text import find_stop, whole_lines
from copiloto.engine.types import (
    EngineError,
    EngineState,
    GenerationRequest,
    GenerationResult,
    Job,
    Priority,
    StateListener,
    StopReason,
)

if TYPE_CHECKING:
    from llama_cpp import Llama, LlamaGrammar

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
# Prompt tokens evaluated between two cancellation checks on the CPU: small enough to notice a newer
# keystroke within ~0.2 s, large enough to keep batched evaluation efficient.
CPU_EVAL_CHUNK = 48
BACKGROUND_EVAL_CHUNK = 16  # background prompts yield sooner: a keystroke waits at most ~0.15 s for them


def default_threads() -> int:
    """All cores but one, at most 8: measured on 2 cores (tiny model), one thread kept 100 prompt tok/s
    and 27 decode tok/s whether the other core was busy or not, while two busy-waiting OpenMP threads
    went from 189/45 on an idle machine to 64/16 with one core taken (and worse under heavier load).
    An editor is never idle while its user types, so the robust choice wins."""
    return max(1, min(8, (os.cpu_count() or 1) - 1))


def check_gguf(path: Path) -> None:
    """Fail early, with a message a user can act on, before llama.cpp prints a cryptic one."""
    if not path.is_file():
        raise EngineError(f"model file not found: {path} (run `copiloto models pull tiny` or set engine.model)")
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise EngineError(f"not a GGUF model file (bad magic): {path}")


class _Stop(Exception):
    def __init__(self, reason: StopReason) -> None:
        super().__init__(reason)
        self.reason = reason


class LocalEngine:
    """Owns the `Llama` object; every call into llama.cpp happens on the worker thread."""

    def __init__(
        self,
        settings: EngineSettings,
        model_path: Path,
        model_name: str | None = None,
        on_state: StateListener | None = None,
    ) -> None:
        self.settings = settings
        self.model_path = Path(model_path)
        self._model_name = model_name or self.model_path.stem
        self._on_state = on_state
        self._state: EngineState = "starting"
        self.error: str | None = None
        self.template: FimTemplate | None = None
        self.chat_layout: ChatLayout = "plain"
        self.gpu_layers: int = settings.n_gpu_layers  # what the load ended with (fewer when the GPU was full)
        self.offload_note: str | None = None  # said when fewer layers than asked went to the GPU
        self._grammars: dict[str, LlamaGrammar] = {}  # compiled once per grammar text (worker thread only)
        self.load_seconds: float | None = None
        self._llm: Llama | None = None
        self._vocab_index: VocabIndex | None = None
        self._queue: list[tuple[int, int, Job]] = []
        self._serving: Job | None = None  # the job the worker is generating for now
        self._latest: dict[str, Job] = {}
        self._last_interactive = 0.0  # when the last completion request came (time.monotonic)
        self.heap = HeapTrimmer()  # gives freed memory back when the worker runs out of jobs
        self._cv = threading.Condition()
        self._closed = False
        self._loaded = threading.Event()
        self._thread = threading.Thread(target=self._run, name="copiloto-engine", daemon=True)

    # ---- public interface (any thread) ----

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def model_name(self) -> str:
        return self._model_name

    def start(self) -> LocalEngine:
        self._thread.start()
        return self

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Block until the model loaded or failed; True when it is ready."""
        self._loaded.wait(timeout)
        return self._state == "ready"

    def submit(self, request: GenerationRequest, on_text: Callable[[str], None] | None = None) -> Job:
        job = Job(request, on_text=on_text)
        with self._cv:
            # `_closed` too: close() sets it first and the state only once the worker has stopped; a job
            # queued in between would never be served, and whoever waits on it would wait forever.
            if self._closed or self._state in ("error", "closed"):
                _finish(job, GenerationResult("", "error", model=self.model_name, error=self.error or "closed"))
                return job
            if request.priority == Priority.INTERACTIVE:
                self._last_interactive = time.monotonic()
            key = request.supersede_key
            if key is not None:
                older = self._latest.get(key)
                if older is not None:
                    older.cancel()
                self._latest[key] = job
            heapq.heappush(self._queue, (int(request.priority), job.id, job))
            self._cv.notify()
        return job

    def count_tokens(self, text: str) -> int:
        """Model tokens in `text`. Tokenizing reads only the vocabulary, so any thread may call it."""
        if self._llm is None:
            return max(1, len(text) // 3)  # before load: a conservative estimate
        data = text.encode("utf-8", errors="replace")
        return len(self._llm.tokenize(data, add_bos=False, special=False))

    def close(self) -> None:
        with self._cv:
            self._closed = True
            pending = [job for _, _, job in self._queue]
            self._queue.clear()
            if self._serving is not None:
                self._serving.cancel()  # stops between tokens: closing does not wait for a long answer
            self._cv.notify_all()
        for job in pending:
            _finish(job, GenerationResult("", "cancelled", model=self.model_name))
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)
        self._set_state("closed")

    # ---- worker thread ----

    def _set_state(self, state: EngineState, detail: str | None = None) -> None:
        self._state = state
        if self._on_state is not None:
            try:
                self._on_state(state, detail)
            except Exception:  # a listener must never kill the worker
                log.exception("engine state listener failed")

    def _run(self) -> None:
        try:
            self._load()
        except Exception as exc:
            self.error = str(exc) if isinstance(exc, EngineError) else f"failed to load {self.model_path}: {exc}"
            log.error("%s", self.error)
            self._set_state("error", self.error)
            self._loaded.set()
            self._fail_pending()
            return
        self._loaded.set()
        while True:
            with self._cv:
                while not self._closed and (wait := self._wait_for_work()) != 0.0:
                    self._cv.wait(wait)
                if self._closed:
                    break
                _, _, job = heapq.heappop(self._queue)
                self._serving = job
            try:
                self._serve(job)
            except BaseException as exc:  # even a CancelledError from a callback: the worker carries on
                log.exception("the engine worker failed on a job; carrying on with the next")
                _finish(job, GenerationResult("", "error", model=self.model_name, error=f"engine failure: {exc!r}"))
            with self._cv:
                self._serving = None
                idle = not self._queue
            if idle:
                self.heap.idle()
        self._free()

    def _wait_for_work(self) -> float | None:
        """0.0 when the queue's first job may run now; else how long to wait (None: until notified).
        Background jobs wait until the user has not asked for a completion for `background_idle_ms`."""
        if not self._queue:
            return None
        if self._queue[0][0] < Priority.BACKGROUND:
            return 0.0
        idle_for = time.monotonic() - self._last_interactive
        return max(0.0, self.settings.background_idle_ms / 1000 - idle_for)

    def _load(self) -> None:
        self._set_state("loading", self.model_name)
        check_gguf(self.model_path)
        started = time.perf_counter()
        self._llm = self._open_fitting()
        self.template = detect_template(LlamaVocab(self._llm))
        self.chat_layout = detect_layout(self._llm)
        llm = self._llm
        # Token texts for healing (~0.3 s for 150k tokens): paid at load, not by the first keystroke.
        self._vocab_index = VocabIndex.from_detokenizer(llm.n_vocab(), lambda i: llm.detokenize([i]))
        self.load_seconds = time.perf_counter() - started
        log.info(
            "loaded %s in %.2fs (FIM %s/%s, %d threads)",
            self.model_path.name,
            self.load_seconds,
            self.template.family,
            self.template.order,
            self.settings.n_threads or default_threads(),
        )
        self._set_state("ready", self.model_name)

    def _open(self, n_gpu_layers: int) -> Llama:
        from llama_cpp import Llama  # heavy import, kept off the server's start-up path

        threads = self.settings.n_threads or default_threads()
        return Llama(
            model_path=str(self.model_path),
            n_ctx=self.settings.n_ctx,
            n_batch=self.settings.n_batch,
            n_gpu_layers=n_gpu_layers,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )

    def _open_fitting(self) -> Llama:
        """The model with as many layers on the GPU as fit: on a GPU build a failed load (llama.cpp cannot
        allocate the weights or the KV cache: out of GPU memory) is tried again with half the layers, a quarter,
        then on the CPU alone — saying so — instead of leaving the user with no model."""
        wanted = self.settings.n_gpu_layers
        try:
            return self._open(wanted)
        except (ValueError, RuntimeError, MemoryError) as exc:
            if wanted == 0 or not _gpu_offload():
                raise
            failure = exc
        # Only after a failure: the layer count costs a second read of the file, not paid by a load that fits.
        layers = self._layer_count()
        fewer = [n for n in (layers // 2, layers // 4, 0) if wanted < 0 or n < wanted]
        for n_gpu_layers in fewer:
            shown = "all" if wanted < 0 else str(wanted)
            log.warning("loading with %s layers on the GPU failed (%s): trying %d", shown, failure, n_gpu_layers)
            try:
                llm = self._open(n_gpu_layers)
            except (ValueError, RuntimeError, MemoryError) as exc:
                wanted, failure = n_gpu_layers, exc
                continue
            where = f"{n_gpu_layers} of {layers} layers on the GPU" if n_gpu_layers else "the CPU only"
            self.offload_note = (
                f"not enough GPU memory for engine.n_gpu_layers={self.settings.n_gpu_layers}: loaded with {where}"
            )
            log.warning("%s", self.offload_note)
            self._set_state("loading", self.offload_note)
            self.gpu_layers = n_gpu_layers
            return llm
        raise failure

    def _layer_count(self) -> int:
        """The model's transformer blocks (`<arch>.block_count`), read from its GGUF header."""
        from llama_cpp import Llama

        meta = Llama(model_path=str(self.model_path), vocab_only=True, verbose=False).metadata
        arch = meta.get("general.architecture", "llama")
        count = meta.get(f"{arch}.block_count", "0")
        return int(count) if str(count).isdigit() else 0

    def _fail_pending(self) -> None:
        with self._cv:
            pending = [job for _, _, job in self._queue]
            self._queue.clear()
        for job in pending:
            _finish(job, GenerationResult("", "error", model=self.model_name, error=self.error))

    def _free(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None

    def _serve(self, job: Job) -> None:
        started = time.perf_counter()
        queued_ms = (started - job.submitted_at) * 1000
        if job.cancelled or job.future.cancelled():
            _finish(job, GenerationResult("", "cancelled", queued_ms=queued_ms, model=self.model_name))
        else:
            try:
                result = self._generate(job, started)
            except Exception as exc:  # one bad request must not take the worker down
                log.exception("generation failed")
                result = GenerationResult("", "error", model=self.model_name, error=str(exc))
            result.queued_ms = queued_ms
            _finish(job, result)
        key = job.request.supersede_key
        with self._cv:
            if key is not None and self._latest.get(key) is job:
                del self._latest[key]

    def _generate(self, job: Job, started: float) -> GenerationResult:
        llm, template = self._llm, self.template
        assert llm is not None and template is not None
        req = job.request
        deadline = started + (req.timeout_s or self.settings.request_timeout_s)
        tokens = self._fit_prompt(llm, template, req)
        result = GenerationResult("", "length", prompt_tokens=len(tokens), model=self.model_name)
        try:
            result.reused_tokens = self._eval_prompt(llm, tokens, job, deadline)
        except _Stop as stop:
            result.stop_reason = stop.reason
            result.prompt_ms = (time.perf_counter() - started) * 1000
            return result
        decode_started = time.perf_counter()
        result.prompt_ms = (decode_started - started) * 1000
        result.text, result.generated_tokens, result.stop_reason = self._decode(llm, template, tokens, job, deadline)
        result.stop_hit = job.stop_hit
        result.decode_ms = (time.perf_counter() - decode_started) * 1000
        return result

    def _fit_prompt(self, llm: Llama, template: FimTemplate, req: GenerationRequest) -> list[int]:
        """The prompt's tokens, shortened on the text side (never cutting the FIM control tokens) when
        it would not fit the context. The pipeline's budget normally makes this a no-op."""
        room = self.settings.n_ctx - req.max_tokens - 1
        if req.chat is not None:
            return self._fit_chat(llm, req.chat, room)
        prefix, suffix = req.prefix, req.suffix
        tokens = layout_prompt(llm, template, prefix, suffix)
        while len(tokens) > room and (prefix or suffix):
            over = len(tokens) - room
            if suffix:
                suffix = suffix[: len(suffix) // 2]
            else:
                prefix = prefix[max(len(prefix) // 4, over) :]
            tokens = layout_prompt(llm, template, prefix, suffix)
        return tokens

    def _fit_chat(self, llm: Llama, chat: ChatPrompt, room: int) -> list[int]:
        """The instruction's tokens; an input too long for the context loses its end (callers bound it)."""
        tokens = chat_tokens(llm, self.chat_layout, chat)
        while len(tokens) > room and chat.user:
            chat = ChatPrompt(chat.system, chat.user[: len(chat.user) * 3 // 4])
            tokens = chat_tokens(llm, self.chat_layout, chat)
        return tokens

    def _grammar(self, text: str | None) -> LlamaGrammar | None:
        if text is None:
            return None
        grammar = self._grammars.get(text)
        if grammar is None:
            from llama_cpp import LlamaGrammar

            grammar = self._grammars[text] = LlamaGrammar.from_string(text, verbose=False)
        return grammar

    def _eval_prompt(self, llm: Llama, tokens: Sequence[int], job: Job, deadline: float) -> int:
        """Evaluate what the KV cache lacks, in chunks, checking for cancellation. Returns tokens reused."""
        cached = list(llm.input_ids[: llm.n_tokens])
        common = _common_prefix(cached, tokens)
        if common == len(tokens) == llm.n_tokens and not getattr(llm, "_requires_eval", True):
            return common
        keep = min(common, len(tokens) - 1)  # at least one token is evaluated to refresh the logits
        if keep > 0:
            llm.n_tokens = keep  # eval() drops the KV entries past n_tokens
        else:
            llm.reset()
        chunk = CPU_EVAL_CHUNK if self.settings.n_gpu_layers == 0 or not _gpu_offload() else self.settings.n_batch
        if job.request.priority == Priority.BACKGROUND and chunk == CPU_EVAL_CHUNK:
            chunk = BACKGROUND_EVAL_CHUNK
        rest = list(tokens[keep:])
        for i in range(0, len(rest), chunk):
            _check(job, deadline)
            if self._urgent_waiting(job):
                raise _Stop("preempted")
            llm.eval(rest[i : i + chunk])
        return keep

    def _urgent_waiting(self, job: Job) -> bool:
        """A background job yields to anything more urgent in the queue: typing is never slowed by a review.
        (Reading the heap's top without the lock is a benign race: the next check sees the new job.)"""
        queue = self._queue
        return job.request.priority == Priority.BACKGROUND and bool(queue) and queue[0][0] < Priority.BACKGROUND

    def _decode(
        self, llm: Llama, template: FimTemplate, tokens: Sequence[int], job: Job, deadline: float
    ) -> tuple[str, int, StopReason]:
        from llama_cpp import llama_vocab_is_eog

        req = job.request
        stops = tuple(s for s in req.stop if s)
        patterns = tuple(re.compile(p) for p in req.stop_patterns)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        vocab = llm._model.vocab
        tokens = list(tokens)
        text = ""
        count = 0
        remaining = req.heal
        while remaining:  # constrained greedy steps until the cut word is spelled again
            token = self._healing_token(llm, remaining)
            if token is None:
                return "", count, "stop"
            piece = llm.detokenize([token]).decode("utf-8", errors="replace")
            remaining = advance(remaining, piece)
            text += decoder.decode(llm.detokenize([token]))
            tokens.append(token)
            count += 1
            llm.eval([token])
        healed = len(req.heal)
        decode_started = time.perf_counter()
        grammar = self._grammar(req.grammar)
        for token in llm.generate(tokens, temp=0.0, repeat_penalty=1.0, grammar=grammar):
            if token in template.stop_ids or llama_vocab_is_eog(vocab, token):
                return text[healed:], count, "eot"
            count += 1
            text += decoder.decode(llm.detokenize([token]))
            hit = find_stop(text[healed:], stops, patterns)
            if hit is not None:
                job.stop_hit = hit[1]
                return text[healed : healed + hit[0]], count, "stop"
            if job.on_text is not None:
                job.on_text(text[healed:])
            if count >= req.max_tokens:
                return text[healed:], count, "length"
            if req.line_time_ms is not None and (time.perf_counter() - decode_started) * 1000 > req.line_time_ms:
                whole = whole_lines(text[healed:])
                if whole:
                    return whole, count, "time"
            if job.cancelled or job.future.cancelled():
                return text[healed:], count, "cancelled"
            if self._urgent_waiting(job):
                return text[healed:], count, "preempted"
            if time.perf_counter() > deadline:
                return text[healed:], count, "timeout"
        return text[healed:], count, "length"

    def _healing_token(self, llm: Llama, remaining: str) -> int | None:
        """The most likely next token among those that keep spelling `remaining`."""
        import numpy as np

        assert self._vocab_index is not None  # built by _load
        allowed = self._vocab_index.allowed(remaining)
        if not allowed:
            return None
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
        ids = np.asarray(allowed)
        return int(ids[int(np.argmax(logits[ids]))])


def _check(job: Job, deadline: float) -> None:
    if job.cancelled or job.future.cancelled():
        raise _Stop("cancelled")
    if time.perf_counter() > deadline:
        raise _Stop("timeout")


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _gpu_offload() -> bool:
    from llama_cpp import llama_supports_gpu_offload

    return bool(llama_supports_gpu_offload())


def _finish(job: Job, result: GenerationResult) -> None:
    try:
        if not job.future.done():
            job.future.set_result(result)
    except InvalidStateError:  # cancelled by the waiter in the meantime
        pass
