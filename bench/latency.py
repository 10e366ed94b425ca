"""Keystroke→suggestion latency on typing traces, Copiloto against its peers, measured side by side.

    .venv/bin/python bench/latency.py [--model tiny] [--keys 250] [--systems lsp,naive,engine,llama-server]

Systems, all on the same model, thread count, context size and machine, run one after the other on each
trace (the order rotates from trace to trace):
  lsp           Copiloto over stdio, driven by a JSON-RPC client that behaves like VS Code: didChange on
                every key, textDocument/inlineCompletion after the debounce, $/cancelRequest when the next
                key makes the pending request stale.
  naive         llama-cpp-python's own OpenAI-compatible server (`python -m llama_cpp.server`), sent one
                PSM FIM /v1/completions request per debounced key and waiting for each, as llm-ls-style
                clients do: it answers every request in turn, stale or not.
  engine        Copiloto's completion service in this process, without the LSP layer (same client logic):
                the difference to `lsp` is the server's overhead.
  remote        Copiloto over stdio as `lsp`, with engine.backend = "remote": its engine is llama-cpp-python's
                OpenAI-compatible server on 127.0.0.1 (same model, threads, context), reached over HTTP with
                streamed tokens; stale requests close their streams. Against `lsp` it prices the network hop
                together with that server's ways (it finishes evaluating a prompt whose client has left).
  remote-llama-server  the same Copiloto, its engine llama.cpp's llama-server (/v1/completions, which aborts a
                request whose client left, with cache_prompt): the network hop with a server that cancels.
  llama-server  llama.cpp's own server (bench/build_llama_server.sh) on /infill with cache_prompt, the
                backend of llama.vscode and llama.vim; the client abandons a request (closes its connection)
                when the next key makes it stale, as those plugins do.

Every system gets, for each document state, the same prefix/suffix window, token limit and stop strings
(Copiloto's own, computed here): what differs is how each one serves them. Copiloto additionally heals the
word being typed and answers typed-ahead text from its cache, which are part of what is measured.

Latency runs from a key's wall-clock time in the replay to the arrival of the suggestion for the document
state after that key, for every key followed by a pause longer than the debounce (the states a user can see
a suggestion for). Percentiles are over answers with text; a request cancelled because the user typed on is
counted as cancelled, an answer that arrives after the next key as stale (it still counts in latency: that
is the queueing a one-by-one server pays).

Writes bench/results/latency-<model>-<date>.json and a CDF plot next to it (.png).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, replace
from datetime import date
from json import decoder as json_decoder
from pathlib import Path
from typing import Any, Protocol

from llama_cpp import llama_supports_gpu_offload

from copiloto.completion.pipeline import generation_request
from copiloto.completion.stats import percentile
from copiloto.config import Settings, load_settings
from copiloto.context import build_context
from copiloto.engine.local import default_threads
from copiloto.runtime import Runtime, start_runtime
from machine import describe
from typing_trace import Trace, build_trace

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TRACES = (
    REPO / "server" / "copiloto" / "completion" / "pipeline.py",
    Path(textwrap.__file__),
    Path(json_decoder.__file__),
    REPO / "bench" / "traces" / "TicketStatsProvider.php",
)
SYSTEMS = ("lsp", "naive", "engine", "llama-server", "remote", "remote-llama-server")
N_CTX = 4096
DRAIN_S = 180.0  # how long a replay waits, after its last key, for answers still owed


# --- what every system is asked for one document state -------------------------------------------------


@dataclass(frozen=True)
class Window:
    prefix: str
    suffix: str
    max_tokens: int
    stop: tuple[str, ...]
    line_time_ms: int | None = None  # multi-line answers: stop at a line end after this long (both servers)


def window(settings: Settings, count_tokens: Any, text: str, offset: int, language_id: str) -> Window:
    """Copiloto's prompt window, token limit and stop strings for this state, without healing."""
    request, _ = generation_request(build_context(text, offset, language_id), settings.completion, count_tokens)
    return Window(request.prefix, request.suffix, request.max_tokens, request.stop, request.line_time_ms)


# --- one request a user could see ---------------------------------------------------------------------


@dataclass
class Shot:
    key: int
    key_at: float  # loop time of the key
    next_key_at: float | None
    sent_at: float = 0.0
    arrived_at: float | None = None
    status: str = "pending"  # shown | empty | stale | cancelled | error | unanswered
    text: str = ""
    error: str = ""

    def arrive(self, now: float, text: str) -> None:
        if self.status != "pending":
            return
        self.arrived_at, self.text = now, text
        if self.next_key_at is not None and now > self.next_key_at:
            self.status = "stale"
        else:
            self.status = "shown" if text.strip() else "empty"

    def fail(self, message: str) -> None:
        if self.status == "pending":
            self.status, self.error = "error", message[:200]

    @property
    def latency_ms(self) -> float | None:
        if self.arrived_at is None or not self.text.strip() or self.status not in ("shown", "stale"):
            return None
        return (self.arrived_at - self.key_at) * 1000

    @property
    def service_ms(self) -> float | None:
        """From the moment the request went out to its answer: the server's own time, without queueing."""
        if self.arrived_at is None or self.status not in ("shown", "stale", "empty"):
            return None
        return (self.arrived_at - self.sent_at) * 1000


@dataclass
class Counters:
    prompt_tokens: int = 0
    reused_tokens: int = 0
    generated_tokens: int = 0
    decode_ms: float = 0.0

    def minus(self, other: Counters) -> Counters:
        return Counters(
            self.prompt_tokens - other.prompt_tokens,
            self.reused_tokens - other.reused_tokens,
            self.generated_tokens - other.generated_tokens,
            self.decode_ms - other.decode_ms,
        )

    def plus(self, other: Counters) -> Counters:
        return Counters(
            self.prompt_tokens + other.prompt_tokens,
            self.reused_tokens + other.reused_tokens,
            self.generated_tokens + other.generated_tokens,
            self.decode_ms + other.decode_ms,
        )


class System(Protocol):
    name: str
    cancels: bool  # whether the client gives up a stale request

    async def open(self, uri: str, trace: Trace) -> None: ...
    async def change(self, uri: str, before: str, offset: int, inserted: str, version: int) -> None: ...
    def request(self, uri: str, text: str, offset: int, language_id: str, shot: Shot) -> Any: ...
    def cancel(self, handle: Any) -> None: ...
    async def settle(self, uri: str) -> None: ...
    async def counters(self) -> Counters: ...
    async def close(self) -> None: ...


# --- wire clients -------------------------------------------------------------------------------------


def utf16_position(text: str, offset: int) -> dict[str, int]:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return {"line": line, "character": len(text[start:offset].encode("utf-16-le")) // 2}


class JsonRpc:
    """The LSP base protocol over a subprocess's stdio: requests with ids, notifications, cancellation."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.reader = asyncio.create_task(self._read())

    def _write(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any) -> None:
        self._write({"method": method, "params": params})

    def send(self, method: str, params: Any) -> tuple[int, asyncio.Future[Any]]:
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        self._write({"id": self.next_id, "method": method, "params": params})
        return self.next_id, future

    async def request(self, method: str, params: Any) -> Any:
        return await self.send(method, params)[1]

    async def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            try:
                header = await stream.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # the server exited
            length = int(re.search(rb"Content-Length: (\d+)", header).group(1))  # type: ignore[union-attr]
            message = json.loads(await stream.readexactly(length))
            if "id" in message and "method" in message:  # the server asks the client something
                asks_settings = message["method"] == "workspace/configuration"
                result: Any = [{} for _ in message["params"]["items"]] if asks_settings else None
                self._write({"id": message["id"], "result": result})
            elif "id" in message:
                future = self.pending.pop(message["id"], None)
                if future is not None and not future.done():
                    if "error" in message:
                        future.set_exception(RuntimeError(message["error"].get("message", "error")))
                    else:
                        future.set_result(message.get("result"))


async def http_json(port: int, path: str, payload: dict[str, Any] | None = None) -> tuple[int, Any]:
    """One HTTP/1.1 request on its own connection; cancelling the task closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        body = json.dumps(payload).encode() if payload is not None else b""
        method = "POST" if payload is not None else "GET"
        writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _, data = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        data = _unchunk(data)
    return status, json.loads(data) if data.strip() else None


def _unchunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_http(port: int, path: str, process: asyncio.subprocess.Process, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError, IndexError, ValueError):
            status, _ = await http_json(port, path)
            if status == 200:
                return
        await asyncio.sleep(0.25)
    raise RuntimeError(f"server on port {port} not ready after {timeout:.0f} s")


# --- the systems --------------------------------------------------------------------------------------


class LspSystem:
    name, cancels = "lsp", True

    def __init__(self, model: str, threads: int, gpu_layers: int) -> None:
        self.model, self.threads, self.gpu_layers = model, threads, gpu_layers

    async def start(self) -> None:
        env = dict(os.environ, COPILOTO_CONFIG="/nonexistent/copiloto.toml")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "copiloto", "serve", "--model", self.model,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        self.rpc = JsonRpc(self.process)
        capabilities = {"textDocument": {"inlineCompletion": {}}, "window": {"workDoneProgress": True}}
        options = getattr(self, "options", None) or {
            "engine": {"n_threads": self.threads, "n_ctx": N_CTX, "n_gpu_layers": self.gpu_layers}
        }
        await self.rpc.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": None, "capabilities": capabilities, "initializationOptions": options},
        )
        self.rpc.notify("initialized", {})
        deadline = time.monotonic() + 300
        while (status := await self.rpc.request("copiloto/status", {}))["state"] != "ready":
            if status.get("error") or time.monotonic() > deadline:
                raise RuntimeError(f"copiloto did not load: {status}")
            await asyncio.sleep(0.1)

    async def open(self, uri: str, trace: Trace) -> None:
        doc = {"uri": uri, "languageId": trace.language_id, "version": 1, "text": trace.initial}
        self.rpc.notify("textDocument/didOpen", {"textDocument": doc})

    async def change(self, uri: str, before: str, offset: int, inserted: str, version: int) -> None:
        at = utf16_position(before, offset)
        change = {"range": {"start": at, "end": at}, "text": inserted}
        self.rpc.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
        )

    def request(self, uri: str, text: str, offset: int, language_id: str, shot: Shot) -> Any:
        params = {
            "textDocument": {"uri": uri},
            "position": utf16_position(text, offset),
            "context": {"triggerKind": 2},
        }
        request_id, future = self.rpc.send("textDocument/inlineCompletion", params)
        loop = asyncio.get_running_loop()

        def done(f: asyncio.Future[Any]) -> None:
            if f.exception() is not None:
                if shot.status == "pending":
                    shot.fail(str(f.exception()))
                return
            items = f.result() or []
            items = items.get("items", []) if isinstance(items, dict) else items
            first = items[0]["insertText"] if items else ""
            shot.arrive(loop.time(), first if isinstance(first, str) else first.get("value", ""))

        future.add_done_callback(done)
        return request_id

    def cancel(self, handle: Any) -> None:
        self.rpc.notify("$/cancelRequest", {"id": handle})

    async def settle(self, uri: str) -> None:
        self.rpc.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    async def counters(self) -> Counters:
        stats = (await self.rpc.request("copiloto/status", {}))["stats"]
        return Counters(stats["prompt_tokens"], stats["reused_tokens"], stats["generated_tokens"], stats["decode_ms"])

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.rpc.request("shutdown", None), 10)
            self.rpc.notify("exit", None)
            await asyncio.wait_for(self.process.wait(), 10)
        if self.process.returncode is None:
            self.process.kill()


class RemoteLspSystem(LspSystem):
    """Copiloto with the remote backend, its server on this machine: llama-cpp-python's, or llama-server."""

    def __init__(self, model_path: Path, threads: int, gpu_layers: int, llama_server: Path | None = None) -> None:
        super().__init__(str(model_path), threads, gpu_layers)
        self.model_path, self.llama_server = model_path, llama_server
        self.name = "remote" if llama_server is None else "remote-llama-server"

    async def start(self) -> None:
        port = free_port()
        if self.llama_server is None:
            self.server = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_path), "--host", "127.0.0.1",
                "--port", str(port), "--n_ctx", str(N_CTX), "--n_threads", str(self.threads),
                "--n_threads_batch", str(self.threads), "--n_gpu_layers", str(self.gpu_layers),
                # one developer: a new request interrupts the one streaming (the server's default) — it does not
                # notice a client that left, so without this every abandoned suggestion would be decoded to its end
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        else:
            self.server = await asyncio.create_subprocess_exec(
                str(self.llama_server), "-m", str(self.model_path), "--host", "127.0.0.1", "--port", str(port),
                "-c", str(N_CTX), "-np", "1", "-t", str(self.threads), "-tb", str(self.threads),
                "--cache-reuse", "256", "-ngl", str(self.gpu_layers),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        await wait_http(port, "/v1/models", self.server)
        self.options = {"engine": {"backend": "remote", "url": f"http://127.0.0.1:{port}", "n_ctx": N_CTX}}
        await super().start()

    async def close(self) -> None:
        await super().close()
        self.server.terminate()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait(), 10)


class EngineSystem:
    """Copiloto's completion service called in this process: the same work without LSP and stdio."""

    name, cancels = "engine", True

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def open(self, uri: str, trace: Trace) -> None:
        return None

    async def change(self, uri: str, before: str, offset: int, inserted: str, version: int) -> None:
        return None

    def request(self, uri: str, text: str, offset: int, language_id: str, shot: Shot) -> Any:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(self.runtime.completions.complete(uri, text, offset, language_id))

        def done(t: asyncio.Task[Any]) -> None:
            if t.cancelled():
                return
            if t.exception() is not None:
                shot.fail(str(t.exception()))
            elif t.result().source == "cancelled":
                shot.fail("cancelled by the engine")
            else:
                shot.arrive(loop.time(), t.result().text)

        task.add_done_callback(done)
        return task

    def cancel(self, handle: Any) -> None:
        handle.cancel()

    async def settle(self, uri: str) -> None:
        return None

    async def counters(self) -> Counters:
        s = self.runtime.completions.stats
        return Counters(s.prompt_tokens, s.reused_tokens, s.generated_tokens, s.decode_ms)

    async def close(self) -> None:
        return None


class HttpPeer:
    """What the two HTTP peers share: a server process, a window function and a request queue."""

    name = ""
    cancels = False

    def __init__(self, windows: Any) -> None:
        self.windows = windows
        self.totals = Counters()
        self.queue: asyncio.Queue[tuple[Window, Shot]] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None

    async def open(self, uri: str, trace: Trace) -> None:
        return None

    async def change(self, uri: str, before: str, offset: int, inserted: str, version: int) -> None:
        return None

    async def settle(self, uri: str) -> None:
        return None

    async def counters(self) -> Counters:
        return replace(self.totals)  # a copy: the totals keep growing

    async def close(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        if self.process.returncode is None:
            self.process.terminate()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.process.wait(), 10)
        if self.process.returncode is None:
            self.process.kill()

    process: asyncio.subprocess.Process


class NaivePeer(HttpPeer):
    """llama-cpp-python's server, one request per debounced key, each waited for in turn."""

    name, cancels = "naive", False
    HIT = re.compile(rb"Llama\.generate: (\d+) prefix-match hit")

    def __init__(
        self, windows: Any, model_path: Path, threads: int, gpu_layers: int, fim: tuple[str, str, str]
    ) -> None:
        super().__init__(windows)
        self.model_path, self.threads, self.gpu_layers, self.fim = model_path, threads, gpu_layers, fim

    async def start(self) -> None:
        self.port = free_port()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_path), "--host", "127.0.0.1",
            "--port", str(self.port), "--n_ctx", str(N_CTX), "--n_threads", str(self.threads),
            "--n_threads_batch", str(self.threads), "--n_gpu_layers", str(self.gpu_layers), "--verbose", "true",
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.log_reader = asyncio.create_task(self._read_log())
        await wait_http(self.port, "/v1/models", self.process)
        self.worker = asyncio.create_task(self._serve())

    async def _read_log(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            if hit := self.HIT.search(line):
                self.totals.reused_tokens += int(hit.group(1))

    def request(self, uri: str, text: str, offset: int, language_id: str, shot: Shot) -> Any:
        self.queue.put_nowait((self.windows(text, offset, language_id), shot))
        return None

    def cancel(self, handle: Any) -> None:
        raise AssertionError("the naive client never cancels")

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        pre, suf, mid = self.fim
        while True:
            win, shot = await self.queue.get()
            shot.sent_at = loop.time()
            payload = {
                "prompt": f"{pre}{win.prefix}{suf}{win.suffix}{mid}",
                "max_tokens": win.max_tokens,
                "temperature": 0,
                "stop": list(win.stop),
            }
            started = time.perf_counter()
            try:
                status, body = await http_json(self.port, "/v1/completions", payload)
                if status != 200:
                    raise RuntimeError(f"HTTP {status}: {body}")
            except Exception as exc:
                shot.fail(str(exc))
                continue
            usage = body["usage"]
            self.totals.prompt_tokens += usage["prompt_tokens"]
            self.totals.generated_tokens += usage["completion_tokens"]
            # llama-cpp-python's server reports no decode timing: the whole request's time is counted.
            self.totals.decode_ms += (time.perf_counter() - started) * 1000
            shot.arrive(loop.time(), body["choices"][0]["text"])


class LlamaServerPeer(HttpPeer):
    """llama.cpp's llama-server on /infill with cache_prompt; stale requests are abandoned."""

    name, cancels = "llama-server", True

    def __init__(self, windows: Any, binary: Path, model_path: Path, threads: int, gpu_layers: int) -> None:
        super().__init__(windows)
        self.binary, self.model_path, self.threads = binary, model_path, threads
        self.gpu_layers = 999 if gpu_layers < 0 else gpu_layers  # llama-server: a large number means all

    async def start(self) -> None:
        self.port = free_port()
        self.process = await asyncio.create_subprocess_exec(
            str(self.binary), "-m", str(self.model_path), "--host", "127.0.0.1", "--port", str(self.port),
            "-c", str(N_CTX), "-np", "1", "-t", str(self.threads), "-tb", str(self.threads),
            "--cache-reuse", "256", "-ngl", str(self.gpu_layers),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        await wait_http(self.port, "/health", self.process)

    def request(self, uri: str, text: str, offset: int, language_id: str, shot: Shot) -> Any:
        return asyncio.create_task(self._infill(self.windows(text, offset, language_id), shot))

    def cancel(self, handle: Any) -> None:
        handle.cancel()  # closes the connection; llama-server stops a task whose client is gone

    async def _infill(self, win: Window, shot: Shot) -> None:
        loop = asyncio.get_running_loop()
        shot.sent_at = loop.time()
        payload = {
            "input_prefix": win.prefix,
            "input_suffix": win.suffix,
            "input_extra": [],
            "prompt": "",
            "n_predict": win.max_tokens,
            "stop": list(win.stop),
            "cache_prompt": True,
            "temperature": 0,
            "stream": False,
        }
        if win.line_time_ms:
            payload["t_max_predict_ms"] = win.line_time_ms  # the same limit Copiloto applies
        try:
            status, body = await http_json(self.port, "/infill", payload)
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body}")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            shot.fail(str(exc))
            return
        timings = body.get("timings", {})
        total = int(body.get("tokens_evaluated", 0))
        self.totals.prompt_tokens += total
        self.totals.reused_tokens += max(0, total - int(timings.get("prompt_n", total)))
        self.totals.generated_tokens += int(timings.get("predicted_n", 0))
        self.totals.decode_ms += float(timings.get("predicted_ms", 0.0))
        shot.arrive(loop.time(), body.get("content", ""))


# --- the replay ---------------------------------------------------------------------------------------


async def sleep_until(when: float) -> None:
    delay = when - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


async def prime(system: System, trace: Trace, uri: str) -> Shot:
    """Open the document and wait for one answer at the first key's place: the file was open before the
    user started typing, and every system starts the replay with its cache warm for it."""
    await system.open(uri, trace)
    # Twice: a cold file can take longer than Copiloto's per-request cap, which keeps what it evaluated.
    for _ in range(2):
        warm = Shot(-1, asyncio.get_running_loop().time(), None)
        system.request(uri, trace.initial, trace.keys[0].offset, trace.language_id, warm)
        while warm.status == "pending":
            await asyncio.sleep(0.02)
    return warm


async def replay(system: System, trace: Trace, uri: str, debounce_s: float) -> list[Shot]:
    """Type the trace into the open document in real time; one Shot per key followed by a pause > debounce."""
    loop = asyncio.get_running_loop()
    states = trace.documents()
    shots: list[Shot] = []
    pending: tuple[Shot, Any] | None = None
    before = trace.initial
    start = loop.time() + 0.1
    for index, key in enumerate(trace.keys):
        await sleep_until(start + key.at_s)
        if pending is not None and pending[0].status == "pending" and system.cancels:
            pending[0].status = "cancelled"
            system.cancel(pending[1])
        await system.change(uri, before, key.offset, key.text, index + 2)
        before, cursor = states[index]
        next_at = trace.keys[index + 1].at_s if index + 1 < len(trace.keys) else None
        if next_at is not None and next_at - key.at_s <= debounce_s:
            continue
        await sleep_until(start + key.at_s + debounce_s)
        shot = Shot(index, start + key.at_s, None if next_at is None else start + next_at, sent_at=loop.time())
        shots.append(shot)
        pending = (shot, system.request(uri, before, cursor, trace.language_id, shot))
    deadline = loop.time() + DRAIN_S
    while any(s.status == "pending" for s in shots) and loop.time() < deadline:
        await asyncio.sleep(0.05)
    for shot in shots:
        if shot.status == "pending":
            shot.status = "unanswered"
    await system.settle(uri)
    return shots


# --- the report ---------------------------------------------------------------------------------------


def summarize(shots: list[Shot], counters: Counters) -> dict[str, Any]:
    latencies = sorted(ms for s in shots if (ms := s.latency_ms) is not None)
    by_status = {
        name: sum(s.status == name for s in shots)
        for name in ("shown", "empty", "stale", "cancelled", "error", "unanswered")
    }
    evaluated = counters.prompt_tokens - counters.reused_tokens
    service = sorted(ms for s in shots if (ms := s.service_ms) is not None)
    return {
        "requests": len(shots),
        **by_status,
        "answered_share": _round(len(latencies) / len(shots), 3) if shots else None,
        "latency_ms": {
            "n": len(latencies),
            "p50": _round(percentile(latencies, 50)),
            "p95": _round(percentile(latencies, 95)),
            "p99": _round(percentile(latencies, 99)),
        },
        "service_ms": {"p50": _round(percentile(service, 50)), "p95": _round(percentile(service, 95))},
        "prompt_tokens": {"evaluated": evaluated, "reused": counters.reused_tokens},
        "prompt_reuse": _round(counters.reused_tokens / counters.prompt_tokens, 3) if counters.prompt_tokens else None,
        "decode_tokens_per_s": _round(counters.generated_tokens * 1000 / counters.decode_ms)
        if counters.decode_ms
        else None,
        "errors_seen": sorted({s.error for s in shots if s.error})[:5],
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else round(a / b, 3)


def overhead(served: float | None, bare: float | None) -> float | None:
    """(served - bare) / bare: what the LSP layer adds to the engine's own latency."""
    return None if served is None or not bare else round((served - bare) / bare, 3)


def plot_cdf(systems: dict[str, list[Shot]], title: str, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    for name, shots in systems.items():
        values = sorted(ms for s in shots if (ms := s.latency_ms) is not None)
        if not values:
            continue
        # Over all requests, not only the answered ones: a system that rarely answers before the user types
        # on tops out low, instead of looking as fast as its few lucky answers.
        share = [(i + 1) / len(shots) for i in range(len(values))]
        label = f"{LABELS.get(name, name)}: {len(values)}/{len(shots)} answered"
        ax.step(values, share, where="post", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("keystroke → suggestion (ms, log scale)")
    ax.set_ylabel("share of requests answered by then")
    ax.set_ylim(0, 1.0)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


LABELS = {
    "lsp": "Copiloto (LSP over stdio)",
    "naive": "llama_cpp.server, one request per key",
    "engine": "Copiloto engine in process",
    "llama-server": "llama-server /infill (llama.vscode's backend)",
    "remote": "Copiloto, remote backend (llama_cpp.server over HTTP)",
    "remote-llama-server": "Copiloto, remote backend (llama-server /v1/completions over HTTP)",
}


# --- main ---------------------------------------------------------------------------------------------


def fim_texts(model_path: Path) -> tuple[str, str, str]:
    """The model's PSM FIM token texts, as a plain FIM client puts them into its prompt string."""
    from llama_cpp import Llama

    from copiloto.engine.fim import LlamaVocab, detect_template

    llm = Llama(str(model_path), vocab_only=True, verbose=False)
    template = detect_template(LlamaVocab(llm))
    ids = (template.prefix_id, template.suffix_id, template.middle_id)
    if None in ids:
        raise SystemExit(f"{model_path.name} has no FIM tokens: the peers need a FIM model")
    texts = tuple(llm.detokenize([i], special=True).decode() for i in ids if i is not None)
    return texts[0], texts[1], texts[2]


def llama_server_binary(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    script = REPO / "bench" / "build_llama_server.sh"
    print("building or finding llama-server (bench/build_llama_server.sh) ...", flush=True)
    done = subprocess.run(["bash", str(script)], check=True, capture_output=True, text=True)
    return Path(done.stdout.strip().splitlines()[-1])


async def run(args: argparse.Namespace) -> dict[str, Any]:
    engine = {"model": args.model, "n_ctx": N_CTX, "n_threads": args.threads, "n_gpu_layers": args.gpu_layers}
    settings = load_settings({"engine": engine})
    runtime = await asyncio.to_thread(start_runtime, settings)
    if not await asyncio.to_thread(runtime.engine.wait_loaded, 600):
        raise SystemExit(f"model did not load: {runtime.engine.error}")
    model_path = runtime.choice.path
    count = runtime.engine.count_tokens

    def windows(text: str, offset: int, language_id: str) -> Window:
        return window(settings, count, text, offset, language_id)

    systems: dict[str, Any] = {}
    for name in args.systems:
        if name == "lsp":
            systems[name] = LspSystem(args.model, args.threads, args.gpu_layers)
        elif name == "engine":
            systems[name] = EngineSystem(runtime)
        elif name == "naive":
            systems[name] = NaivePeer(windows, model_path, args.threads, args.gpu_layers, fim_texts(model_path))
        elif name == "remote":
            systems[name] = RemoteLspSystem(model_path, args.threads, args.gpu_layers)
        elif name == "remote-llama-server":
            binary = llama_server_binary(args.llama_server)
            systems[name] = RemoteLspSystem(model_path, args.threads, args.gpu_layers, binary)
        elif name == "llama-server":
            binary = llama_server_binary(args.llama_server)
            systems[name] = LlamaServerPeer(windows, binary, model_path, args.threads, args.gpu_layers)
    for system in systems.values():
        if hasattr(system, "start"):
            await system.start()

    traces = [build_trace(path, args.keys, args.seed) for path in args.traces]
    shots: dict[str, list[Shot]] = {name: [] for name in systems}
    per_trace: dict[str, dict[str, Any]] = {name: {} for name in systems}
    totals = {name: Counters() for name in systems}
    began = time.perf_counter()
    order = list(systems)
    for number, trace in enumerate(traces):
        rotated = order[number % len(order) :] + order[: number % len(order)]
        for name in rotated:
            system, uri = systems[name], f"file:///bench/{name}/{number}/{trace.name}"
            await prime(system, trace, uri)
            before = await system.counters()
            got = await replay(system, trace, uri, args.debounce_ms / 1000)
            used = (await system.counters()).minus(before)
            totals[name] = totals[name].plus(used)
            shots[name].extend(got)
            per_trace[name][trace.name] = summarize(got, used)
            row = per_trace[name][trace.name]
            print(
                f"  {trace.name:<24} {name:<13} p50 {row['latency_ms']['p50']} ms  p95 {row['latency_ms']['p95']} ms"
                f"  shown {row['shown']} stale {row['stale']} cancelled {row['cancelled']} errors {row['error']}"
                f"  reuse {row['prompt_reuse']}",
                flush=True,
            )
            await asyncio.sleep(1.0)  # let the previous system's threads go quiet
    for system in systems.values():
        await system.close()
    runtime.close()

    results = {name: {**summarize(shots[name], totals[name]), "per_trace": per_trace[name]} for name in systems}

    def p(name: str, q: str) -> float | None:
        return results.get(name, {}).get("latency_ms", {}).get(q)

    report: dict[str, Any] = {
        "benchmark": "latency",
        "model": runtime.choice.name,
        "model_file": model_path.name,
        "machine": describe(),
        "date": date.today().isoformat(),
        "threads": args.threads,
        "gpu_layers": args.gpu_layers,
        "gpu_offload": llama_supports_gpu_offload(),
        "n_ctx": N_CTX,
        "debounce_ms": args.debounce_ms,
        "traces": [
            {"name": t.name, "language": t.language_id, "keys": len(t.keys), "typing_seconds": round(t.duration_s, 1)}
            for t in traces
        ],
        "p50_ratio_vs_peer": ratio(p("lsp", "p50"), p("naive", "p50")),
        "p95_ratio_vs_peer": ratio(p("lsp", "p95"), p("naive", "p95")),
        "p50_ratio_vs_llama_server": ratio(p("lsp", "p50"), p("llama-server", "p50")),
        "p95_ratio_vs_llama_server": ratio(p("lsp", "p95"), p("llama-server", "p95")),
        "overhead_vs_engine": overhead(p("lsp", "p50"), p("engine", "p50")),
        "p50_ratio_remote_vs_lsp": ratio(p("remote", "p50"), p("lsp", "p50")),
        "p95_ratio_remote_vs_lsp": ratio(p("remote", "p95"), p("lsp", "p95")),
        "p50_ratio_remote_llama_server_vs_lsp": ratio(p("remote-llama-server", "p50"), p("lsp", "p50")),
        "p95_ratio_remote_llama_server_vs_lsp": ratio(p("remote-llama-server", "p95"), p("lsp", "p95")),
        "prompt_reuse": results.get("lsp", {}).get("prompt_reuse"),
        "targets": {
            "p50_ratio_vs_peer": "<= 0.5",
            "p95_ratio_vs_peer": "<= 0.7",
            "p50_ratio_vs_llama_server": "<= 1.0",
            "overhead_vs_engine": "<= 0.10",
            "prompt_reuse": ">= 0.90",
        },
        "systems": results,
        "labels": {name: LABELS[name] for name in systems},
        "wall_seconds": round(time.perf_counter() - began, 1),
    }
    report["targets_met"] = {
        "p50_ratio_vs_peer": _at_most(report["p50_ratio_vs_peer"], 0.5),
        "p95_ratio_vs_peer": _at_most(report["p95_ratio_vs_peer"], 0.7),
        "p50_ratio_vs_llama_server": _at_most(report["p50_ratio_vs_llama_server"], 1.0),
        "overhead_vs_engine": _at_most(report["overhead_vs_engine"], 0.10),
        "prompt_reuse": None if report["prompt_reuse"] is None else report["prompt_reuse"] >= 0.90,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"latency-{report['model']}-{report['date']}{args.tag}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2))
    plot_cdf(
        shots,
        f"{report['model']} · {report['machine'].split(',')[0]} · {args.threads} thread(s) · {len(traces)} traces",
        stem.with_suffix(".png"),
    )
    report["written"] = [str(stem.with_suffix(".json")), str(stem.with_suffix(".png"))]
    return report


def _at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--keys", type=int, default=250, help="keys typed per trace")
    parser.add_argument("--debounce-ms", type=float, default=150.0, help="the client's debounce (llm-vscode: 150)")
    parser.add_argument("--threads", type=int, default=default_threads(), help="threads for every system")
    parser.add_argument("--gpu-layers", type=int, default=-1, help="layers offloaded by every system (-1: all)")
    parser.add_argument("--systems", type=lambda s: s.split(","), default=list(SYSTEMS))
    parser.add_argument("--traces", type=Path, nargs="+", default=list(DEFAULT_TRACES))
    parser.add_argument("--llama-server", type=Path, help="a llama-server binary (default: build or reuse one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="", help="appended to the result file names")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    unknown = set(args.systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems {sorted(unknown)}; choose from {', '.join(SYSTEMS)}")
    report = asyncio.run(run(args))
    keys = ("p50_ratio_vs_peer", "p95_ratio_vs_peer", "p50_ratio_vs_llama_server", "p95_ratio_vs_llama_server")
    print(
        json.dumps(
            {k: report[k] for k in (*keys, "overhead_vs_engine", "prompt_reuse", "targets_met", "written")}, indent=2
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
