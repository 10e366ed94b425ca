"""The server object: its own state and lifecycle (engine start, settings, open documents, the publishing of
diagnostics), and the pygls protocol it speaks. The LSP handlers live in features/ and register on `server`;
lsp/server.py imports them. The state of reviews, log watching and progress reports has its own owners."""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from lsprotocol import types
from pygls import uris
from pygls.exceptions import JsonRpcInvalidParams
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

import copiloto
from copiloto.config import Settings, load_settings
from copiloto.engine.types import EngineState
from copiloto.lsp.documents import Document, DocumentStore
from copiloto.lsp.framing import serve_frames
from copiloto.lsp.log_watching import LogWatching
from copiloto.lsp.progress import Progress
from copiloto.lsp.reviews import Reviews
from copiloto.runtime import Cloud, Runtime, start_cloud, start_runtime

log = logging.getLogger(__name__)
T = TypeVar("T")


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

    @property
    def in_flight(self) -> int:
        """Requests (and handlers) not finished yet."""
        return len(self._request_futures)


class CopilotoServer(LanguageServer):
    """The server's own state: settings, the runtime (engine), open documents, published diagnostics, and the
    owners of progress reports, reviews and log watching."""

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
        self._engine_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = False
        # Diagnostics per document and per producer: publishing one producer's must not erase another's.
        self._diagnostics: dict[str, dict[str, list[types.Diagnostic]]] = {}
        self.work_progress = Progress(self, self.spawn)  # not `progress`: pygls sends $/progress by that name
        self.reviews = Reviews()
        self.log_watching = LogWatching()

    # ---- engine lifecycle ----

    async def start(self) -> None:
        """`initialized`: from now on a change of the engine's settings reloads it; load it the first time."""
        self._started = True
        await self.start_engine()

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
            self.work_progress.begin_load(f"Loading {detail or 'the model'}")
        elif state == "ready":
            self.work_progress.end_load("Model ready")
        elif state == "error":
            self.work_progress.end_load("Model failed to load")
            self.tell_once(types.MessageType.Error, f"Copiloto: {detail}")

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
        if self.connection_closed or isinstance(error, BrokenPipeError):
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

    def published(self, uri: str, producer: str) -> list[types.Diagnostic] | None:
        """What `producer` last published for `uri`; None when it never did."""
        return self._diagnostics.get(uri, {}).get(producer)

    @property
    def connection_closed(self) -> bool:
        """The client told the server to exit: pygls closed stdout, nothing more can be sent."""
        return isinstance(self.protocol, CopilotoProtocol) and self.protocol.exited

    @property
    def in_flight(self) -> int:
        """Requests (and handlers) not finished yet."""
        return self.protocol.in_flight if isinstance(self.protocol, CopilotoProtocol) else 0

    def workspace_folders(self) -> list[Path]:
        folders = self.workspace.folders.values() if self.workspace else []
        paths = [file_path(folder.uri) for folder in folders]
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


def file_path(uri: str) -> Path | None:
    """The local path of a file:// URI, else None."""
    path = uris.to_fs_path(uri)
    return Path(path) if path else None


server = CopilotoServer()
