"""The pygls language server. Handlers stay thin: convert LSP types, call a plain module, convert back."""

from __future__ import annotations

import asyncio
import difflib
import inspect
import itertools
import logging
import re
import sys
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from lsprotocol import types
from pygls import uris
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

import copiloto
from copiloto.completion.pipeline import Completion
from copiloto.config import Settings, load_settings
from copiloto.docstrings import DocstringError
from copiloto.docstrings.action import PYTHON, Offer, docstring_offers, minimal_edit
from copiloto.docstrings.generate import Documented
from copiloto.engine.local import engine_info
from copiloto.engine.types import EngineState
from copiloto.errors import CopilotoError
from copiloto.logs.classify import ModelClassifier
from copiloto.logs.report import resolve
from copiloto.logs.watch import LogWatch, discover
from copiloto.lsp.diagnostics import (
    FIX_LABEL,
    bug_diagnostics,
    compared_diagnostic,
    deep_diagnostic,
    local_diagnostic,
    local_fix_action,
    log_diagnostic,
    security_diagnostic,
    source_hit_diagnostic,
    whole_line,
)
from copiloto.lsp.documents import Document, DocumentStore
from copiloto.lsp.framing import serve_frames
from copiloto.lsp.positions import InvalidPosition, line_starts, offset_to_position
from copiloto.orchestrate.claude.explain import Frame as ExplainFrame
from copiloto.orchestrate.claude.explain import explain
from copiloto.orchestrate.docstrings import write_docstring
from copiloto.orchestrate.review import compare
from copiloto.review.fixes import REGISTRY as FIX_REGISTRY
from copiloto.review.fixes import finding_at, verified_fixes
from copiloto.review.fixes.model import TITLE as MODEL_FIX_TITLE
from copiloto.review.fixes.model import ModelFix, model_fix_at
from copiloto.review.flows import PHP_SUFFIXES, layer1_findings
from copiloto.review.functions import ReviewMemory, function_spans
from copiloto.review.handoff import DeepFinding, DeepReviewRequest, deep_review, to_hand_off
from copiloto.review.local import LocalReview
from copiloto.review.on_save import remembered, review_text
from copiloto.review.security import SOURCE as SECURITY_SOURCE
from copiloto.review.security import SecurityFinding
from copiloto.runtime import Cloud, Runtime, claude_for_tests, start_cloud, start_runtime
from copiloto.testgen import TestgenError
from copiloto.testgen.action import KIND as TESTS_KIND
from copiloto.testgen.action import tests_offers
from copiloto.testgen.generate import GeneratedTests, generate_tests
from copiloto.testgen.layout import project_root

PHP_LANGUAGES = frozenset({"php"})
log = logging.getLogger(__name__)
UNTRUSTED = "Restricted Mode: generating tests runs this workspace's code; trust the workspace to use it"
T = TypeVar("T")

SERVER_CANCELLED = -32802  # LSP 3.17 ServerCancelled: a newer request made this one useless
ACCEPTED_COMMAND = "copiloto.accepted"
DEEP_REVIEW_COMMAND = "copiloto.deepReview"
MODEL_FIX_ACTION = "model-fix"
LOG_POLL_S = 2.0  # how often logs are re-read for clients that cannot watch files for us
_WORD_BEFORE = re.compile(r"[\w$]*$")
_work_ids = itertools.count(1)


class CopilotoProtocol(LanguageServerProtocol):
    """Document sync goes to our DocumentStore only; pygls's own copy would split lines differently
    (str.splitlines also breaks on form feeds and U+2028) and double the memory of large files."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    exited = False

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Callable[..., Any],
        callback: Callable[[Future[Any]], None],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        # pygls files the future of every async or generator handler under its message id, but only a request's
        # is removed (when its answer is sent): every notification — each didChange — left one behind, ~1 KB a
        # keystroke (found by bench/soak.py). Whatever the message, it goes once done.
        def forget_then(future: Future[Any]) -> None:
            if self._request_futures.get(msg_id) is future:
                del self._request_futures[msg_id]
            callback(future)

        super()._execute_handler(msg_id, handler, forget_then, args, kwargs)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        # An editor cancels what it stopped waiting for, often just after the answer left: pygls logs a WARNING
        # for each (48 in the 10,000-request soak), in the user's output channel. That is the protocol working.
        if msg_id not in self._request_futures:
            log.debug("$/cancelRequest for %s: already answered", msg_id)
            return
        super()._handle_cancel_notification(msg_id)

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Any:
        # pygls closes stdout here; work still finishing (a resolve's progress, a message) must then stay
        # quiet: a failed write is reported by sending an error, which fails again, and so on.
        self.exited = True
        if (handler := self.fm.features.get(types.EXIT)) is not None:
            yield handler, args, None
        returncode = 0 if self._shutdown else 1
        try:
            closing = self.writer.close() if self.writer is not None else None
        except OSError:  # the client closed its end first (BrokenPipeError): nothing left to flush
            closing = None
        if inspect.isawaitable(closing):
            asyncio.ensure_future(closing).add_done_callback(lambda _: sys.exit(returncode))
        else:
            sys.exit(returncode)

    def _send_data(self, data: Any) -> None:
        if self.exited:
            log.debug("not sent, the client has told the server to exit: %s", str(data)[:200])
            return
        super()._send_data(data)


class CopilotoServer(LanguageServer):
    def _start_io_async(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """pygls's stdio loop, with our frame reader (lsp/framing.py): a bad frame gets an error, the session
        goes on."""
        self._stop_event = threading.Event()
        # Reads get one thread of their own: through pygls's shared pool a read queued before the previous
        # worker went idle started another thread, and the count crept up to the pool's cap (bench/soak.py).
        reading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copiloto-stdin")
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, reading)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(serve_frames(self._stop_event, reader, self.protocol))
        except BrokenPipeError:
            log.error("the connection to the client is lost: shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def __init__(self) -> None:
        super().__init__("copiloto", copiloto.__version__, protocol_cls=CopilotoProtocol)
        self.documents = DocumentStore()
        self.cli_layer: dict[str, Any] = {}
        self.init_options: dict[str, Any] = {}
        self.workspace_trusted = True  # false: never run the workspace's code (no generated tests)
        self.config_layer: dict[str, Any] = {}
        self.settings: Settings = load_settings()
        self.runtime: Runtime | None = None
        self.cloud: Cloud = start_cloud(self.settings)
        self.startup_error: str | None = None
        self._told: set[str] = set()
        self._progress: tuple[str, asyncio.Future[bool]] | None = None
        self._loads = 0
        self._engine_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = False
        # Diagnostics per document and per producer: publishing one producer's must not erase another's.
        self._diagnostics: dict[str, dict[str, list[types.Diagnostic]]] = {}
        self.review_memory = ReviewMemory()
        self.review_totals: dict[str, int] = {
            "saves": 0,
            "reviewed": 0,
            "findings": 0,
            "invalid_answers": 0,
            "dropped": 0,
            "duplicates": 0,
            "stale": 0,
        }
        self._reviews: dict[str, threading.Event] = {}  # the local review running per document (newest wins)
        self.logs: LogWatch | None = None
        self._log_uris: set[str] = set()  # documents holding diagnostics from logs (cleared when they go)
        self._logs_lock = asyncio.Lock()
        self._rerate_pending = False

    # ---- engine lifecycle ----

    async def start_engine(self) -> None:
        """(Re)load the model; one load at a time, off the event loop (closing joins the old worker)."""
        async with self._engine_lock:
            loop = asyncio.get_running_loop()
            old, self.runtime = self.runtime, None
            if old is not None:
                await loop.run_in_executor(None, old.close)

            def on_state(state: EngineState, detail: str | None) -> None:  # called on the engine thread
                loop.call_soon_threadsafe(self.engine_state_changed, state, detail)

            try:
                self.runtime = await loop.run_in_executor(None, start_runtime, self.settings, on_state)
                self.startup_error = None
                log.info("model: %s (%s)", self.runtime.engine.model_name, self.runtime.reason)
            except Exception as exc:
                self.startup_error = str(exc)
                self.tell_once(types.MessageType.Error, f"Copiloto: no model: {exc}")

    def engine_state_changed(self, state: EngineState, detail: str | None) -> None:
        if state == "loading":
            self._begin_progress(f"Loading {detail or 'the model'}")
        elif state == "ready":
            self._end_progress("Model ready")
        elif state == "error":
            self._end_progress("Model failed to load")
            self.tell_once(types.MessageType.Error, f"Copiloto: {detail}")

    def _begin_progress(self, title: str) -> None:
        caps = self.client_capabilities.window
        if caps is None or not caps.work_done_progress:
            return
        self._loads += 1
        token = f"copiloto-load-{self._loads}"

        async def begin() -> bool:
            try:
                await self.work_done_progress.create_async(token)
            except Exception:  # a client that refuses the token still gets the log lines
                log.warning("client refused progress token %s", token)
                return False
            self.work_done_progress.begin(token, types.WorkDoneProgressBegin(title="Copiloto", message=title))
            return True

        self._progress = (token, self.spawn(begin()))

    def _end_progress(self, message: str) -> None:
        if self._progress is None:
            return
        token, began = self._progress
        self._progress = None

        async def end() -> None:  # never before the client has seen "begin"
            if await began:
                self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

        self.spawn(end())

    async def begin_work(self, message: str) -> str | None:
        """Start a $/progress report for one piece of work; None when the client takes no progress."""
        caps = self.client_capabilities.window
        if caps is None or not caps.work_done_progress:
            return None
        token = f"copiloto-work-{next(_work_ids)}"
        try:
            await self.work_done_progress.create_async(token)
        except Exception:
            return None
        self.work_done_progress.begin(token, types.WorkDoneProgressBegin(title="Copiloto", message=message))
        return token

    def work_reporter(self, token: str | None) -> Callable[[str], None] | None:
        """A callable that reports a message under `token`'s progress, or None without a report."""
        if token is None:
            return None
        return lambda message: self.work_done_progress.report(token, types.WorkDoneProgressReport(message=message))

    def end_work(self, token: str | None, message: str) -> None:
        if token is not None:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    async def run_work(self, message: str, work: Callable[[Callable[[], bool]], T], finished: Callable[[T], str]) -> T:
        """Run `work` off the event loop under a $/progress report. It gets a `stopped()` check that turns
        true when the client cancels the request; its exceptions end the report and reach the caller."""
        stop = threading.Event()
        token = await self.begin_work(message)
        try:
            result = await asyncio.get_running_loop().run_in_executor(None, work, stop.is_set)
        except asyncio.CancelledError:
            stop.set()
            self.end_work(token, "Cancelled")
            raise
        except Exception:
            self.end_work(token, "Failed")
            raise
        self.end_work(token, finished(result))
        return result

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run a coroutine in the background, keeping a reference so it is not garbage collected."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def tell_once(self, kind: types.MessageType, message: str) -> None:
        """Show a message once per distinct text; always log it."""
        self.window_log_message(types.LogMessageParams(type=kind, message=message))
        if message not in self._told:
            self._told.add(message)
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def apply_settings(self, layer: dict[str, Any] | None) -> None:
        old = self.settings
        if layer is not None:
            self.config_layer = layer
        try:
            self.settings = load_settings(self.cli_layer, self.init_options, self.config_layer)
        except Exception as exc:
            self.tell_once(types.MessageType.Error, f"Copiloto: invalid settings, keeping the previous ones: {exc}")
            return
        self.cloud = start_cloud(self.settings)
        if self.runtime is not None:
            self.runtime.completions.update_settings(self.settings.completion)
        engine_changed = self.settings.engine != old.engine or self.settings.models_dir != old.models_dir
        if self._started and engine_changed:  # before `initialized` the first load is still to come
            log.info("engine settings changed: reloading")
            self.spawn(self.start_engine())

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls reports errors by sending a message; with the connection gone, that only fails again."""
        if (isinstance(self.protocol, CopilotoProtocol) and self.protocol.exited) or isinstance(error, BrokenPipeError):
            log.warning("server error after the connection closed: %s", error)
            return
        super().report_server_error(error, source)

    def publish(self, uri: str, producer: str, diagnostics: list[types.Diagnostic], version: int | None = None) -> None:
        """Replace `producer`'s diagnostics for `uri` and publish the document's whole set. With `version`
        (the document version they were computed for), results for an older version are dropped."""
        doc = self.documents.get(uri)
        if version is not None and doc is not None and doc.version != version:
            log.debug(
                "dropped %s diagnostics for %s: computed for version %s, now %s", producer, uri, version, doc.version
            )
            return
        mine = self._diagnostics.setdefault(uri, {})
        mine[producer] = diagnostics
        every = [diagnostic for group in mine.values() for diagnostic in group]
        params = types.PublishDiagnosticsParams(uri=uri, diagnostics=every, version=doc.version if doc else None)
        self.text_document_publish_diagnostics(params)

    # ---- review on save, layer 2, and the hand-off to a deep reviewer ----

    async def review_locally(self, uri: str, text: str, version: int, layer1: list[SecurityFinding]) -> None:
        """The local model's review of the functions that changed; a newer save of the document stops it."""
        runtime = self.runtime
        if runtime is None:
            return
        loop = asyncio.get_running_loop()
        if runtime.engine.state in ("starting", "loading"):  # saved while the model loads: review once it is in
            await loop.run_in_executor(None, runtime.engine.wait_loaded, 600)
        if runtime.engine.state != "ready" or runtime is not self.runtime:
            return
        if (older := self._reviews.pop(uri, None)) is not None:
            older.set()
        stop = self._reviews[uri] = threading.Event()
        pattern = self.settings.orchestrate.review
        path = str(_file_path(uri) or uri)
        claude_task = None
        if pattern == "concurrent":  # Claude reviews the same text while the local model does
            request = DeepReviewRequest(path, text, "concurrent", layer1=tuple(layer1))
            claude_task = asyncio.ensure_future(self._ask_claude(request))
        engine, memory = runtime.engine, self.review_memory
        try:
            done: LocalReview = await loop.run_in_executor(
                None, lambda: review_text(engine, uri, text, memory, layer1, stop.is_set)
            )
        finally:
            if self._reviews.get(uri) is stop:
                del self._reviews[uri]
        if stop.is_set():
            if claude_task is not None:
                claude_task.cancel()
            return
        self._count_review(uri, version, done)
        stats = done.stats
        claude = await claude_task if claude_task is not None else None
        if claude is not None:  # concurrent: one list, each finding saying who reported it
            self.publish(uri, "local", [], version)
            self.publish(uri, "claude", [compared_diagnostic(c, text) for c in compare(done.findings, claude)], version)
            return
        self.publish(uri, "local", [local_diagnostic(f, text) for f in done.findings], version)
        if pattern == "sequential":  # the local model drafted, Claude refines: its answer replaces the draft
            if stats.reviewed == 0 and "claude" in self._diagnostics.get(uri, {}):
                self.publish(uri, "local", [], version)  # nothing changed: Claude's last answer stands
                return
            request = DeepReviewRequest(path, text, "sequential", local=tuple(done.findings), layer1=tuple(layer1))
            refined = await self._ask_claude(request)
            if refined is not None:
                self.publish(uri, "local", [], version)
                self.publish(uri, "claude", [deep_diagnostic(f, text) for f in refined], version)
        elif pattern == "handoff":
            urgent = to_hand_off(done.findings, self.settings.review.handoff_severity)
            if urgent:
                request = DeepReviewRequest(path, text, "severity", local=tuple(urgent), layer1=tuple(layer1))
                await self.deep_review(uri, request, version, quiet=True)

    def _count_review(self, uri: str, version: int, done: LocalReview) -> None:
        """Add a finished review to the totals `copiloto/status` reports, and log it."""
        stats, totals = done.stats, self.review_totals
        doc = self.documents.get(uri)
        for key, value in (
            ("saves", 1),
            ("reviewed", stats.reviewed),
            ("findings", len(done.findings)),
            ("invalid_answers", stats.invalid_answers),
            ("dropped", len(stats.dropped)),
            ("duplicates", stats.duplicates),
            ("stale", int(doc is not None and doc.version != version)),
        ):
            totals[key] += value
        log.info(
            "local review of %s: %d of %d functions reviewed, %d findings, %d invalid answers, %d dropped, "
            "%d already reported by bandit, %d not parsing",
            uri.rsplit("/", 1)[-1],
            stats.reviewed,
            stats.functions,
            len(done.findings),
            stats.invalid_answers,
            len(stats.dropped),
            stats.duplicates,
            stats.unparsed,
        )
        for why in stats.dropped:
            log.debug("dropped a local finding: %s", why)
        for why in stats.answer_errors:
            log.info("dropped the local model's answer: %s", why)

    async def _ask_claude(self, request: DeepReviewRequest, quiet: bool = True) -> list[DeepFinding] | None:
        """Claude's findings, or None when it cannot give them now — the user is told why: once for work they
        did not ask for (`quiet`), every time for their own command (under a progress report)."""
        token = None if quiet else await self.begin_work(f"Deep review of {Path(request.path).name}")
        try:
            found = await deep_review(self.cloud.reviewer, request, self.work_reporter(token))
        except asyncio.CancelledError:  # the user moved on: the HTTP request is abandoned with the task
            self.end_work(token, "Cancelled")
            raise
        except CopilotoError as exc:  # not available now, or failed after its retries
            failed = exc.kind == "failed"
            self.end_work(token, "Failed" if failed else "Not available")
            message = f"Copiloto: deep review failed: {exc}" if failed else f"Copiloto: {exc}"
            if quiet:
                self.tell_once(types.MessageType.Info, message)
            else:
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
            return None
        self.end_work(token, f"{len(found)} findings")
        return found

    async def deep_review(self, uri: str, request: DeepReviewRequest, version: int | None, quiet: bool) -> int:
        """Hand `request` to the deep reviewer and publish what it finds; -1 when it cannot review now."""
        found = await self._ask_claude(request, quiet)
        if found is None:
            return -1
        self.publish(uri, "claude", [deep_diagnostic(f, request.text) for f in found], version)
        return len(found)

    # ---- GLPI logs ----

    async def start_log_watch(self) -> None:
        """Find the logs the globs name, show what they say, and ask the client to tell us when they change."""
        settings = self.settings.logs
        roots = self.workspace_folders()
        if not settings.enabled or not roots:
            return
        loop = asyncio.get_running_loop()
        classify = None
        if settings.classify_with_model:  # answers come from its own thread; each one re-rates the groups
            classify = ModelClassifier(
                lambda: self.runtime.engine if self.runtime is not None else None,
                on_answer=lambda: loop.call_soon_threadsafe(self._log_answer_arrived),
            )
        self.logs = LogWatch(roots, settings.globs, classify=classify)
        watching = await self._register_log_watchers(settings.globs)
        found = await asyncio.get_running_loop().run_in_executor(None, discover, roots, settings.globs)
        log.info("watching %d GLPI log(s) (%s)", len(found), ", ".join(settings.globs))
        await self.refresh_logs(found)
        if not watching:  # no file events from this client: look at the logs we know every few seconds
            self.spawn(self._poll_logs())

    async def _register_log_watchers(self, globs: list[str]) -> bool:
        caps = self.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if not (watched and watched.dynamic_registration):
            return False
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in globs]
        )
        registration = types.Registration(
            id="copiloto-glpi-logs", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as exc:
            log.warning("client refused to watch the logs (%s): polling them instead", exc)
            return False
        return True

    async def _poll_logs(self) -> None:
        while self.logs is not None and not (isinstance(self.protocol, CopilotoProtocol) and self.protocol.exited):
            await asyncio.sleep(LOG_POLL_S)
            if self.logs is not None:
                await self.refresh_logs(self.logs.paths())

    async def refresh_logs(self, paths: list[Path]) -> None:
        """Read what the logs at `paths` gained and republish the diagnostics of logs and of the sources."""
        watch = self.logs
        if watch is None or not paths:
            return
        async with self._logs_lock:  # one reader at a time: LogTail and GroupIndex are not thread-safe
            loop = asyncio.get_running_loop()
            changed = [path for path in paths if await loop.run_in_executor(None, watch.update, path)]
            if changed:
                await self._publish_logs(watch)

    def _log_answer_arrived(self) -> None:
        """The model rated an entry no rule knew: re-rate the groups and publish (one pass for a burst)."""
        if not self._rerate_pending:
            self._rerate_pending = True
            self.spawn(self._rerate_logs())

    async def _rerate_logs(self) -> None:
        watch = self.logs
        if watch is None:
            return
        async with self._logs_lock:
            self._rerate_pending = False
            if await asyncio.get_running_loop().run_in_executor(None, watch.reclassify):
                await self._publish_logs(watch)

    async def _publish_logs(self, watch: LogWatch) -> None:
        """Publish every log's groups and the source lines they point at (caller holds the logs lock)."""
        loop = asyncio.get_running_loop()
        hits = await loop.run_in_executor(None, watch.source_hits)
        diagnostics: dict[str, list[types.Diagnostic]] = {}
        for path in watch.paths():
            diagnostics[path.as_uri()] = [log_diagnostic(f) for f in watch.findings(path)]
        for file, file_hits in hits.items():
            text = await loop.run_in_executor(None, self._source_text, file)
            diagnostics[file.as_uri()] = [source_hit_diagnostic(hit, text) for hit in file_hits]
        for uri in self._log_uris - diagnostics.keys():  # a log deleted, rotated, or no longer pointing here
            self.publish(uri, "logs", [])
        self._log_uris = set(diagnostics)
        for uri, found in diagnostics.items():
            self.publish(uri, "logs", found)

    def logs_status(self) -> dict[str, Any]:
        watch = self.logs
        if watch is None:
            return {"files": []}
        rater = watch.classify if isinstance(watch.classify, ModelClassifier) else None
        return {
            "files": [str(path) for path in watch.paths()],
            "asked_model": rater.asked if rater else 0,
            "rated_by_model": len(rater.answers) if rater else 0,
        }

    def _source_text(self, path: Path) -> str | None:
        doc = self.documents.get(path.as_uri())
        if doc is not None:
            return doc.text
        try:
            return path.read_text(encoding="utf-8", errors="replace") if path.stat().st_size < 4_000_000 else None
        except OSError:
            return None

    def workspace_folders(self) -> list[Path]:
        folders = self.workspace.folders.values() if self.workspace else []
        paths = [_file_path(folder.uri) for folder in folders]
        return [path for path in paths if path is not None]

    def can_preview_edits(self) -> bool:
        """Whether the client honours change annotations (VS Code then previews an edit as a diff)."""
        caps = self.client_capabilities.workspace
        edit = caps.workspace_edit if caps else None
        return bool(edit and edit.change_annotation_support is not None)

    def can_create_files(self) -> bool:
        caps = self.client_capabilities.workspace
        edit = caps.workspace_edit if caps else None
        operations = edit.resource_operations if edit else None
        return bool(edit and edit.document_changes and operations and types.ResourceOperationKind.Create in operations)

    def document(self, uri: str) -> Document:
        doc = self.documents.get(uri)
        if doc is None:
            raise JsonRpcInvalidParams(f"document not open: {uri}")
        return doc

    async def complete_at(self, uri: str, position: types.Position) -> tuple[Document, int, Completion | None]:
        doc = self.document(uri)
        try:
            offset = doc.offset(position.line, position.character)
        except InvalidPosition as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc
        runtime = self.runtime
        if runtime is None or not self.settings.completion.enabled or runtime.engine.state != "ready":
            return doc, offset, None
        completion = await runtime.completions.complete(uri, doc.text, offset, doc.language_id)
        if completion.source == "cancelled":
            raise JsonRpcException("superseded by a newer request", code=SERVER_CANCELLED)
        if completion.source == "error":
            self.tell_once(types.MessageType.Warning, f"Copiloto: completion failed: {completion.reason}")
        return doc, offset, completion


server = CopilotoServer()


@server.feature(types.INITIALIZE)
def initialize(ls: CopilotoServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    ls.init_options = options if isinstance(options, dict) else {}
    # VS Code's Restricted Mode (the extension says so); editors without workspace trust are trusted.
    ls.workspace_trusted = ls.init_options.get("workspaceTrusted") is not False
    ls.apply_settings(None)


@server.feature(types.INITIALIZED)
async def initialized(ls: CopilotoServer, params: types.InitializedParams) -> None:
    ls._started = True
    await ls.start_engine()
    await ls.start_log_watch()


@server.feature(types.SHUTDOWN)
def shutdown(ls: CopilotoServer, params: Any) -> None:
    if ls.runtime is not None:
        ls.runtime.close()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CopilotoServer, params: types.DidOpenTextDocumentParams) -> None:
    d = params.text_document
    ls.documents.open(d.uri, d.text, d.version, d.language_id)
    path = _file_path(d.uri)
    if ls.logs is not None and path is not None and ls.logs.watches(path):
        ls.spawn(ls.refresh_logs([path]))  # a log opened in the editor shows its groups at once


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(ls: CopilotoServer, params: types.DidChangeWatchedFilesParams) -> None:
    """A watched GLPI log was created, grew, was rotated or deleted: read what is new."""
    watch = ls.logs
    if watch is None:
        return
    paths = [path for change in params.changes if (path := _file_path(change.uri)) is not None]
    await ls.refresh_logs([path for path in paths if watch.watches(path)])


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CopilotoServer, params: types.DidChangeTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        log.warning("change for a document that is not open: %s", params.text_document.uri)
        return
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            r = change.range
            doc.apply_change((r.start.line, r.start.character), (r.end.line, r.end.character), change.text)
        else:
            doc.apply_change(None, None, change.text)
    doc.version = params.text_document.version


@server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
async def did_save(ls: CopilotoServer, params: types.DidSaveTextDocumentParams) -> None:
    """Review the saved text: bandit and the flow check at once (layer 1), then the local model (layer 2) in
    the background. Both are published for the version that was saved; a newer version drops them. PHP gets
    the flow check only (GLPI's superglobals into SQL, output, includes)."""
    doc = ls.documents.get(params.text_document.uri)
    settings = ls.settings.review
    language = doc.language_id.lower() if doc is not None else ""
    if doc is None or not settings.on_save or language not in PYTHON | PHP_LANGUAGES:
        return
    text, version, name = doc.text, doc.version, doc.uri.rsplit("/", 1)[-1]
    if language in PHP_LANGUAGES and not name.lower().endswith(PHP_SUFFIXES):
        name += ".php"  # the flow check reads the language from the name
    if len(text) > settings.max_file_kb * 1024 or "\x00" in text:
        why = "it holds NUL bytes" if "\x00" in text else f"it is over review.max_file_kb ({settings.max_file_kb} KB)"
        log.info("not reviewing %s: %s", name, why)
        return
    found = await asyncio.get_running_loop().run_in_executor(None, layer1_findings, text, name)
    ls.publish(doc.uri, "bandit", [security_diagnostic(finding, text) for finding in found], version)
    if settings.local_model and language in PYTHON:
        ls.spawn(ls.review_locally(doc.uri, text, version, found))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: CopilotoServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.close(params.text_document.uri)
    if (review := ls._reviews.pop(params.text_document.uri, None)) is not None:
        review.set()
    if ls.runtime is not None:
        ls.runtime.completions.cache.clear(params.text_document.uri)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: CopilotoServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if not settings:  # pull model: the client only says "something changed"
        try:
            values = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="copiloto")])
            )
            settings = {"copiloto": values[0]} if values and isinstance(values[0], dict) else None
        except Exception:
            log.warning("client did not answer workspace/configuration")
            settings = None
    ls.apply_settings(settings if isinstance(settings, dict) else None)


@server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
async def inline_completion(
    ls: CopilotoServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    doc, _, completion = await ls.complete_at(params.text_document.uri, params.position)
    if completion is None or not completion.text:
        return types.InlineCompletionList(items=[])
    here = types.Range(start=params.position, end=params.position)
    item = types.InlineCompletionItem(
        insert_text=doc.with_eol(completion.text),
        range=here,
        command=types.Command(title="Accepted", command=ACCEPTED_COMMAND, arguments=[completion.details()]),
    )
    return types.InlineCompletionList(items=[item])


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(resolve_provider=False))
async def completion(ls: CopilotoServer, params: types.CompletionParams) -> types.CompletionList | None:
    """Fallback for clients without inline completion (Neovim 0.7): one item that replaces the word
    before the cursor with that word plus the completion, so the client's prefix filter keeps it."""
    inline = ls.client_capabilities.text_document
    if inline is not None and inline.inline_completion is not None:
        return None  # the client shows ghost text instead; don't duplicate it in the suggest widget
    doc, offset, result = await ls.complete_at(params.text_document.uri, params.position)
    if result is None or not result.text:
        return types.CompletionList(is_incomplete=True, items=[])
    line_start = doc.starts[params.position.line]
    word = _WORD_BEFORE.search(doc.text[line_start:offset])
    word_text = word.group(0) if word else ""
    start = types.Position(params.position.line, params.position.character - len(word_text.encode("utf-16-le")) // 2)
    new_text = doc.with_eol(word_text + result.text)
    first_line = new_text.split("\n", 1)[0]
    item = types.CompletionItem(
        label=first_line if len(first_line) <= 60 else first_line[:57] + "...",
        kind=types.CompletionItemKind.Text,
        detail="Copiloto",
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=f"```\n{new_text}\n```"),
        filter_text=new_text,
        sort_text="0",
        text_edit=types.TextEdit(range=types.Range(start=start, end=params.position), new_text=new_text),
        command=types.Command(title="Accepted", command=ACCEPTED_COMMAND, arguments=[result.details()]),
    )
    return types.CompletionList(is_incomplete=True, items=[item])


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, TESTS_KIND],
        resolve_provider=True,
    ),
)
async def code_action(ls: CopilotoServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """Listing is instant: which def/class, no model; the work happens in codeAction/resolve. Rewrites of
    bandit's findings are the exception: none is offered unchecked, so bandit checks them here, off the loop."""
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        return None
    wanted = params.context.only
    fixes = []
    if not wanted or any(types.CodeActionKind.QuickFix.value.startswith(kind) for kind in wanted):
        preview = ls.can_preview_edits()
        for diagnostic in params.context.diagnostics:
            fix = local_fix_action(diagnostic, doc.uri, doc.version, doc.text, preview) or _explain_action(diagnostic)
            if fix is not None:
                fixes.append(fix)
        bandit = _bandit_diagnostics(ls, doc.uri, params)
        if bandit:
            loop = asyncio.get_running_loop()
            model = ls.runtime is not None and _resolves_edits(ls)
            fixes += await loop.run_in_executor(
                None, _bandit_fixes, bandit, doc.uri, doc.version, doc.text, preview, model
            )
    line = params.range.start.line
    listed: list[tuple[str, str, Offer]] = []
    for kind, action, offers in (
        (types.CodeActionKind.RefactorRewrite.value, "docstring", docstring_offers),
        (TESTS_KIND, "tests", tests_offers),
    ):
        if not wanted or any(kind.startswith(prefix) for prefix in wanted):
            found = offers(doc.text, line, doc.language_id)
            if action == "tests" and not ls.workspace_trusted:
                found = [replace(offer, unavailable=UNTRUSTED) for offer in found]
            listed += [(kind, action, offer) for offer in found]
    text_caps = ls.client_capabilities.text_document
    code_action_caps = text_caps.code_action if text_caps else None
    if not (code_action_caps and code_action_caps.disabled_support):  # such clients would show it as usable
        listed = [entry for entry in listed if entry[2].unavailable is None]
    return (
        fixes
        + [
            types.CodeAction(
                title=offer.title,
                kind=kind,
                disabled=types.CodeActionDisabled(reason=offer.unavailable) if offer.unavailable else None,
                data={"uri": doc.uri, "qualname": offer.qualname, "action": action},
            )
            for kind, action, offer in listed
        ]
        or None
    )


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: CopilotoServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    if data.get("action") == "explain":
        return await resolve_explain(ls, action, str(data.get("log", "")), int(data.get("log_line") or 0))
    doc = ls.document(str(data.get("uri", "")))
    if data.get("action") == "tests" and not ls.workspace_trusted:
        return _tell(ls, action, types.MessageType.Warning, UNTRUSTED)
    runtime = ls.runtime
    if runtime is None or runtime.engine.state != "ready":
        raise JsonRpcException("the model is not ready yet", code=-32803)  # RequestFailed
    if data.get("action") == "tests":
        return await resolve_tests(ls, action, doc, str(data.get("qualname", "")))
    if data.get("action") == MODEL_FIX_ACTION:
        return await resolve_model_fix(ls, action, doc, data)
    qualname, text, version = str(data.get("qualname", "")), doc.text, doc.version
    style = ls.settings.docstrings.style
    claude, pattern = ls.cloud.client, ls.settings.orchestrate.docstrings

    def write(stopped: Callable[[], bool]) -> Documented:
        path = _file_path(doc.uri)  # cloud.exclude applies to it
        return write_docstring(runtime.engine, claude, pattern, text, qualname, style, stopped, str(path or doc.uri))

    try:
        done = await ls.run_work(f"Writing a docstring for {qualname}", write, lambda _: "Docstring written")
    except DocstringError as exc:
        return _tell(ls, action, types.MessageType.Warning, str(exc))
    if done.note:
        _tell(ls, action, types.MessageType.Info, done.note)
    # Versioned: if the user typed meanwhile, the client refuses the edit instead of misplacing it.
    action.edit = types.WorkspaceEdit(document_changes=[_replacing(doc.uri, version, text, done.source)])
    return action


async def resolve_tests(ls: CopilotoServer, action: types.CodeAction, doc: Document, qualname: str) -> types.CodeAction:
    """Write, run and keep tests for `qualname`; the action's edit adds the kept ones to the test file."""
    runtime = ls.runtime
    assert runtime is not None
    path = _file_path(doc.uri)
    if path is None or not path.is_file():
        return _tell(ls, action, types.MessageType.Warning, "tests need the file saved on disk: they import it")
    text = doc.text  # what is on disk: the user may type on while the tests run
    if path.read_bytes().decode("utf-8", errors="replace") != text:
        why = f"save {path.name} first: the tests run against the code on disk"
        return _tell(ls, action, types.MessageType.Warning, why)
    root = project_root(path, ls.workspace_folders())
    settings, claude = ls.settings.tests, claude_for_tests(ls.settings, ls.cloud.client)
    try:
        done = await ls.run_work(
            f"Writing and running tests for {qualname}",
            lambda stopped: generate_tests(
                runtime.engine,
                root,
                path,
                text,
                qualname,
                settings,
                claude.refiners,
                stopped,
                claude.takeovers,
                claude.companions,
            ),
            lambda done: f"{len(done.kept)} tests kept",
        )
    except TestgenError as exc:
        return _tell(ls, action, types.MessageType.Warning, str(exc))
    ls.publish(doc.uri, "tests", bug_diagnostics(done, text))
    kind = types.MessageType.Info if done.kept else types.MessageType.Warning
    bugs = f"; {len(done.possible_bugs)} possible bug(s) shown in {path.name}" if done.possible_bugs else ""
    _tell(ls, action, kind, done.summary(root) + bugs)
    if done.kept:
        action.edit = _test_file_edit(ls, done)
    return action


async def resolve_model_fix(
    ls: CopilotoServer, action: types.CodeAction, doc: Document, data: dict[str, Any]
) -> types.CodeAction:
    """The local model's fix for a bandit finding: the action gets the edit only when the fix passed the same
    check as the rewrites (review/fixes/model.py); otherwise the user is told why."""
    runtime = ls.runtime
    assert runtime is not None
    code, line, column = str(data.get("code", "")), int(data.get("line") or 0), int(data.get("column") or 0)
    text, version = doc.text, doc.version  # the user may type on: the edit is versioned
    done: ModelFix = await ls.run_work(
        f"Asking the local model to fix {code}",
        lambda stopped: model_fix_at(runtime.engine, text, code, line, column, stopped),
        lambda done: "Fix checked" if done.text is not None else "No fix kept",
    )
    if done.text is None:
        return _tell(ls, action, types.MessageType.Warning, f"no fix for {code} on line {line}: {done.reason}")
    action.edit = _previewed(_replacing(doc.uri, version, text, done.text), text, done.text, ls.can_preview_edits())
    return action


def _resolves_edits(ls: CopilotoServer) -> bool:
    """Whether the client fills in an action's edit through codeAction/resolve (else a listed action without
    one would do nothing when chosen)."""
    caps = ls.client_capabilities.text_document
    resolve = caps.code_action.resolve_support if caps and caps.code_action else None
    return bool(resolve and "edit" in resolve.properties)


def _bandit_diagnostics(ls: CopilotoServer, uri: str, params: types.CodeActionParams) -> list[types.Diagnostic]:
    """The request's bandit diagnostics, and the published ones on its lines."""
    first, last = params.range.start.line, params.range.end.line
    published = ls._diagnostics.get(uri, {}).get("bandit", [])
    near = [d for d in published if d.range.start.line <= last and d.range.end.line >= first]
    found: dict[tuple[str, int, int], types.Diagnostic] = {}
    for diagnostic in [*params.context.diagnostics, *near]:
        if diagnostic.source == SECURITY_SOURCE:
            start = diagnostic.range.start
            found.setdefault((str(diagnostic.code), start.line, start.character), diagnostic)
    return list(found.values())


def _bandit_fixes(
    diagnostics: list[types.Diagnostic], uri: str, version: int, text: str, preview: bool, model: bool = False
) -> list[types.CodeAction]:
    """The verified rewrites of each finding still in `text` (bandit runs here: call it off the event loop).
    `preview`: annotated as needing confirmation, so VS Code shows the diff first, like the model's fixes.
    `model`: a finding without a rewrite gets "Fix with the local model" instead, without an edit (resolved)."""
    actions = []
    for diagnostic in diagnostics:
        start = diagnostic.range.start  # bandit's line and column, as security_diagnostic published them
        code = str(diagnostic.code)
        if code not in FIX_REGISTRY:  # nothing to check before the model is asked: resolve finds the finding
            actions += [_model_fix_action(diagnostic, uri)] if model else []
            continue
        try:
            finding = finding_at(text, code, start.line + 1, start.character)
            offered = verified_fixes(text, finding) if finding is not None else []
        except Exception:  # bandit on a text it cannot take: no fix, the other actions still come
            log.exception("no fix for %s at %s:%s", diagnostic.code, uri, start.line + 1)
            continue
        if finding is not None and not offered and model:
            actions.append(_model_fix_action(diagnostic, uri))
        for done in offered:
            assert done.text is not None
            actions.append(
                types.CodeAction(
                    title=f"Copiloto: {done.fix.title}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=_previewed(_replacing(uri, version, text, done.text), text, done.text, preview),
                )
            )
    return actions


def _model_fix_action(diagnostic: types.Diagnostic, uri: str) -> types.CodeAction:
    """Listed at once, with no edit: the model is asked in codeAction/resolve."""
    start = diagnostic.range.start
    return types.CodeAction(
        title=f"Copiloto: {MODEL_FIX_TITLE}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        data={
            "action": MODEL_FIX_ACTION,
            "uri": uri,
            "code": str(diagnostic.code),
            "line": start.line + 1,
            "column": start.character,
        },
    )


def _explain_action(diagnostic: types.Diagnostic) -> types.CodeAction | None:
    """ "Explain with Claude" for an error a GLPI log reports (on the log or on a line its backtrace names)."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else None
    if diagnostic.source != "copiloto/logs" or diagnostic.severity != types.DiagnosticSeverity.Error or not data:
        return None
    return types.CodeAction(
        title="Copiloto: Explain with Claude",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        data={"action": "explain", "log": data.get("log"), "log_line": data.get("log_line")},
    )


async def resolve_explain(ls: CopilotoServer, action: types.CodeAction, log_file: str, line: int) -> types.CodeAction:
    """Claude's root cause for the log group; the source lines it names get `copiloto/claude` diagnostics."""
    found = ls.logs.group_at(Path(log_file), line) if ls.logs is not None else None
    if found is None:
        return _tell(ls, action, types.MessageType.Warning, "that log entry is no longer in the log")
    group, root = found
    frames = []
    for frame in group.latest.frames:
        path = resolve(frame.file, root) if frame.line is not None else None
        if path is not None and frame.line is not None:
            frames.append(ExplainFrame(path, path.relative_to(root).as_posix(), frame.line))
    token = await ls.begin_work(f"Asking Claude about {Path(log_file).name}:{line}")
    try:
        explanation, involved = await explain(ls.cloud.client, group.latest.raw, frames, log_file)
    except CopilotoError as exc:
        ls.end_work(token, "Not available" if exc.kind == "unavailable" else "Failed")
        return _tell(ls, action, types.MessageType.Warning, str(exc))
    ls.end_work(token, "Explained")
    by_file: dict[str, list[types.Diagnostic]] = {}
    for item in involved:
        by_file.setdefault((root / item.file).as_uri(), []).append(
            types.Diagnostic(
                range=whole_line(item.line),
                message=f"{item.why} (root cause: {explanation.root_cause})",
                severity=types.DiagnosticSeverity.Information,
                source="copiloto/claude",
                code="explained",
            )
        )
    for uri, diagnostics in by_file.items():
        ls.publish(uri, "claude", diagnostics)
    fix = f" Fix: {explanation.fix}" if explanation.fix else ""
    return _tell(ls, action, types.MessageType.Info, f"Claude: {explanation.root_cause}{fix}")


def _test_file_edit(ls: CopilotoServer, done: GeneratedTests) -> types.WorkspaceEdit | None:
    """One WorkspaceEdit: create the test file when new, then put the kept tests in (versioned when open)."""
    test_file = done.plan.test_file
    uri = test_file.as_uri()
    open_doc = ls.documents.get(uri)
    existing = open_doc.text if open_doc else (test_file.read_text(encoding="utf-8") if test_file.is_file() else None)
    merged = done.merged_into(existing)
    if existing is None and not ls.can_create_files():
        # Nothing to lose in a file that does not exist yet: write it ourselves for such clients.
        test_file.parent.mkdir(parents=True, exist_ok=True)
        test_file.write_text(merged, encoding="utf-8")
        return None
    changes: list[types.TextDocumentEdit | types.CreateFile] = []
    if existing is None:
        changes.append(types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)))
    changes.append(_replacing(uri, open_doc.version if open_doc else None, existing or "", merged))
    return types.WorkspaceEdit(document_changes=changes)


def _previewed(change: types.TextDocumentEdit, old: str, new: str, preview: bool) -> types.WorkspaceEdit:
    """`change` with a change annotation carrying the unified diff; `preview`: the client asks first."""
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "before", "after"))
    annotation = types.ChangeAnnotation(label=FIX_LABEL, needs_confirmation=preview, description=diff)
    edits: list[types.TextEdit | types.AnnotatedTextEdit | types.SnippetTextEdit] = [
        types.AnnotatedTextEdit(range=edit.range, new_text=edit.new_text, annotation_id=FIX_LABEL)
        for edit in change.edits
        if isinstance(edit, types.TextEdit)
    ]
    return types.WorkspaceEdit(
        document_changes=[types.TextDocumentEdit(text_document=change.text_document, edits=edits)],
        change_annotations={FIX_LABEL: annotation},
    )


def _replacing(uri: str, version: int | None, old: str, new: str) -> types.TextDocumentEdit:
    """The edit turning `old` into `new`: only the span that differs, versioned when the document is open."""
    start, end, replacement = minimal_edit(old, new)
    starts = line_starts(old)
    span = [types.Position(*offset_to_position(old, starts, offset)) for offset in (start, end)]
    return types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
        edits=[types.TextEdit(range=types.Range(*span), new_text=replacement)],
    )


def _tell(ls: CopilotoServer, action: types.CodeAction, kind: types.MessageType, message: str) -> types.CodeAction:
    ls.window_show_message(types.ShowMessageParams(type=kind, message=f"Copiloto: {message}"))
    return action


def _file_path(uri: str) -> Path | None:
    """The local path of a file:// URI, else None."""
    path = uris.to_fs_path(uri)
    return Path(path) if path else None


@server.command(ACCEPTED_COMMAND)
def accepted(ls: CopilotoServer, *args: Any) -> None:
    if ls.runtime is not None:
        ls.runtime.completions.stats.accepted += 1


@server.command(DEEP_REVIEW_COMMAND)
async def deep_review_command(ls: CopilotoServer, *args: Any) -> int:
    """ "Deep review" of a document, arguments [uri] or [uri, first line, last line] (0-based), with what the
    local review found as context. Returns how many findings were published; -1 without a deep reviewer."""
    if not args or not isinstance(args[0], str) or not all(isinstance(a, int) for a in args[1:3]):
        raise JsonRpcInvalidParams(f"{DEEP_REVIEW_COMMAND} takes [uri] or [uri, first line, last line]")
    doc = ls.document(args[0])
    lines = (args[1] + 1, args[2 if len(args) > 2 else 1] + 1) if len(args) > 1 else None
    known = remembered(ls.review_memory, doc.uri, function_spans(doc.text))
    request = DeepReviewRequest(str(_file_path(doc.uri) or doc.uri), doc.text, "user", lines, local=tuple(known))
    return await ls.deep_review(doc.uri, request, doc.version, quiet=False)


@server.feature("copiloto/models")
def models(ls: CopilotoServer, params: Any) -> list[dict[str, object]]:
    """The model catalog with what is present locally: the client's model picker lists it."""
    from copiloto.models.select import catalog_listing
    from copiloto.models.store import ModelStore

    return catalog_listing(ModelStore(ls.settings.models_dir))


@server.feature("copiloto/document")
def document_state(ls: CopilotoServer, params: Any) -> dict[str, Any] | None:
    """The server's copy of an open document (`{"uri": ...}`), for clients and tests that check the sync;
    None for a document that is not open."""
    uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
    doc = ls.documents.get(str(uri)) if uri else None
    return None if doc is None else {"uri": doc.uri, "version": doc.version, "text": doc.text}


@server.feature("copiloto/status")
def status(ls: CopilotoServer, params: Any) -> dict[str, Any]:
    runtime = ls.runtime
    info: dict[str, Any] = {
        "version": copiloto.__version__,
        "state": "error" if ls.startup_error else "starting",
        "error": ls.startup_error,
    }
    if runtime is not None:
        info.update(engine_info(runtime.engine))
        info["error"] = runtime.engine.error
        info["reason"] = runtime.reason
        info["stats"] = runtime.completions.stats.as_dict()
        info["review"] = dict(ls.review_totals)
        info["logs"] = ls.logs_status()
    info["in_flight"] = len(ls.protocol._request_futures)  # requests (and handlers) not finished yet
    return info
