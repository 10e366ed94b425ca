"""Work-done progress ($/progress): the model's load, and each piece of work a request starts."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from copiloto.engine.types import Stopped

log = logging.getLogger(__name__)
T = TypeVar("T")

_work_ids = itertools.count(1)


class Progress:
    """The server's progress reports. `spawn` runs a coroutine in the background (the server keeps it)."""

    def __init__(self, server: LanguageServer, spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]):
        self._server = server
        self._spawn = spawn
        self._loading: tuple[str, asyncio.Future[bool]] | None = None
        self._loads = 0

    def _takes_progress(self) -> bool:
        caps = self._server.client_capabilities.window
        return caps is not None and bool(caps.work_done_progress)

    def begin_load(self, title: str) -> None:
        """Start the report of a model load; the client is asked for the token in the background."""
        if not self._takes_progress():
            return
        self._loads += 1
        token = f"copiloto-load-{self._loads}"
        progress = self._server.work_done_progress

        async def begin() -> bool:
            try:
                await progress.create_async(token)
            except Exception:  # a client that refuses the token still gets the log lines
                log.warning("client refused progress token %s", token)
                return False
            progress.begin(token, types.WorkDoneProgressBegin(title="Copiloto", message=title))
            return True

        self._loading = (token, self._spawn(begin()))

    def end_load(self, message: str) -> None:
        if self._loading is None:
            return
        token, began = self._loading
        self._loading = None
        progress = self._server.work_done_progress

        async def end() -> None:  # never before the client has seen "begin"
            if await began:
                progress.end(token, types.WorkDoneProgressEnd(message=message))

        self._spawn(end())

    async def begin(self, message: str) -> str | None:
        """Start a $/progress report for one piece of work; None when the client takes no progress."""
        if not self._takes_progress():
            return None
        token = f"copiloto-work-{next(_work_ids)}"
        progress = self._server.work_done_progress
        try:
            await progress.create_async(token)
        except Exception:
            return None
        progress.begin(token, types.WorkDoneProgressBegin(title="Copiloto", message=message))
        return token

    def reporter(self, token: str | None) -> Callable[[str], None] | None:
        """A callable that reports a message under `token`'s progress, or None without a report."""
        if token is None:
            return None
        progress = self._server.work_done_progress
        return lambda message: progress.report(token, types.WorkDoneProgressReport(message=message))

    def end(self, token: str | None, message: str) -> None:
        if token is not None:
            self._server.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    async def run(self, message: str, work: Callable[[Stopped], T], finished: Callable[[T], str]) -> T:
        """Run `work` off the event loop under a $/progress report. It gets a `stopped()` check that turns
        true when the client cancels the request; its exceptions end the report and reach the caller."""
        stop = threading.Event()
        token = await self.begin(message)
        try:
            result = await asyncio.get_running_loop().run_in_executor(None, work, stop.is_set)
        except asyncio.CancelledError:
            stop.set()
            self.end(token, "Cancelled")
            raise
        except Exception:
            self.end(token, "Failed")
            raise
        self.end(token, finished(result))
        return result
