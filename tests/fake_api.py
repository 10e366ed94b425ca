"""A local fake of the Anthropic Messages API, for testing the Claude client with the real `anthropic` SDK.

It speaks the subset the client uses: ``POST /v1/messages`` (query strings ignored), non-streaming and
streaming (Server-Sent Events), with scripted replies. Point the SDK at it with
``anthropic.Anthropic(api_key="test-key", base_url=api.base_url)`` or the ``ANTHROPIC_BASE_URL`` environment
variable.

Usage::

    with FakeAnthropic() as api:
        api.reply(error(429, "rate_limit_error", "slow down", retry_after=0.2), text("hi"))
        ...  # drive the client
        assert api.requests[1].body["model"] == "claude-..."
        assert b"sk-ant-" not in api.requests[0].raw

Scripted responses (``api.reply(*responses)`` queues them; each request takes the next one; once the queue
is empty every request gets ``default``, a text reply unless another was given to ``FakeAnthropic``):

``text(text, usage=Usage(...), stop_reason="end_turn")`` -> :class:`Text`
    A Message with one ``text`` block. ``stop_reason`` may be set (e.g. ``"max_tokens"``).
``tool_use(name, input, usage=Usage(...), text=None, id=None)`` -> :class:`ToolUse`
    A Message with (an optional leading ``text`` block and) one ``tool_use`` block; stop_reason ``"tool_use"``.
``error(status, type_, message, retry_after=None)`` -> :class:`Error`
    ``{"type": "error", "error": {"type": type_, "message": message}}`` with that HTTP status, plus a
    ``retry-after`` header (seconds, may be fractional) when ``retry_after`` is given. Also sent to
    streaming requests, as the real API does for errors found before the stream starts.
``malformed(body, status=200, content_type="application/json")`` -> :class:`Malformed`
    Exactly ``body`` (bytes, or str encoded as UTF-8) with that status and content type.
``delay(seconds, then=None)`` -> :class:`Delay`
    Waits ``seconds`` before answering with ``then`` (the default reply when None). Other requests are
    served meanwhile; ``close()`` cuts the wait short.

:class:`Text` and :class:`ToolUse` answer a request whose JSON body has ``"stream": true`` with SSE exactly as
the real API orders them: ``message_start``, then per block ``content_block_start``, (``ping`` after the
first start), ``content_block_delta`` (``text_delta`` / ``input_json_delta`` with ``partial_json`` pieces of
``chunk_size`` characters), ``content_block_stop``; then ``message_delta`` (stop_reason, stop_sequence,
``usage.output_tokens``) and ``message_stop``. Each is ``event: NAME\\ndata: JSON\\n\\n``, sent chunked.

Every request (any method/path) is recorded as :class:`Recorded` (``method``, ``path``, ``headers`` with
lower-cased names, ``body`` parsed JSON or None, ``raw`` bytes) in ``api.requests`` (a snapshot list).
``api.wait_requests(n, timeout)`` waits until ``n`` requests have arrived. Responses carry ``request-id``
and ``content-type`` headers. Auth is not checked, only recorded: ``Recorded.api_key`` reads ``x-api-key`` or,
as anthropic 2.14 sends ``api_key=``, the token of ``authorization: Bearer ...``.

Hooks (for tests in another process): ``FakeAnthropic(responder=fn)`` answers a request with ``fn(recorded)``
when the queue is empty (instead of ``default``); ``on_request=fn`` is called with each :class:`Recorded`.

Strict tools (``"strict": true`` on a tool) are checked as the API checks them before any answer: each object of
the ``input_schema`` must set ``additionalProperties: false`` and list every property in ``required``, else a 400
``invalid_request_error`` (no scripted reply is used). ``FakeAnthropic(strict=False)`` plays a model without strict
tools: any strict tool gets a 400 saying so.

Standalone (the VS Code client test starts it; it runs until SIGTERM/SIGINT)::

    python tests/fake_api.py --port-file PATH --record PATH [--answer JSON]

writes its base URL to the port file, appends each request to the record file as one JSON line
``{"path", "api_key", "body", "raw"}`` and answers a request forcing a tool (``tool_choice`` of type ``tool``)
with a call of that tool whose input is ``--answer`` (default ``{"findings": []}``); others get the default text.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_TEXT",
    "Delay",
    "Error",
    "FakeAnthropic",
    "Malformed",
    "Recorded",
    "Response",
    "Text",
    "ToolUse",
    "Usage",
    "delay",
    "error",
    "malformed",
    "text",
    "tool_answerer",
    "tool_use",
]

MESSAGES_PATH = "/v1/messages"
DEFAULT_TEXT = "Hello from the fake API."


@dataclass(frozen=True)
class Usage:
    """Token counts reported in a reply's ``usage`` (cache fields included, as the API always sends them)."""

    input_tokens: int = 10
    output_tokens: int = 5
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "output_tokens": self.output_tokens,
        }


@dataclass(frozen=True)
class Text:
    text: str
    usage: Usage = field(default_factory=Usage)
    stop_reason: str = "end_turn"
    chunk_size: int = 8


@dataclass(frozen=True)
class ToolUse:
    name: str
    input: dict[str, Any]
    usage: Usage = field(default_factory=Usage)
    text: str | None = None
    id: str | None = None
    chunk_size: int = 8


@dataclass(frozen=True)
class Error:
    status: int
    type: str
    message: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Malformed:
    body: bytes
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class Delay:
    seconds: float
    then: Response | None = None


Response = Text | ToolUse | Error | Malformed | Delay


def text(text: str, *, usage: Usage | None = None, stop_reason: str = "end_turn") -> Text:
    return Text(text, usage or Usage(), stop_reason)


def tool_use(
    name: str,
    input: dict[str, Any],
    *,
    usage: Usage | None = None,
    text: str | None = None,
    id: str | None = None,
) -> ToolUse:
    return ToolUse(name, dict(input), usage or Usage(), text, id)


def error(status: int, type_: str, message: str, retry_after: float | None = None) -> Error:
    return Error(status, type_, message, retry_after)


def malformed(body: bytes | str, status: int = 200, content_type: str = "application/json") -> Malformed:
    return Malformed(body.encode() if isinstance(body, str) else body, status, content_type)


def delay(seconds: float, then: Response | None = None) -> Delay:
    return Delay(seconds, then)


@dataclass(frozen=True)
class Recorded:
    """One request as it reached the wire."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes

    @property
    def api_key(self) -> str | None:
        """The credential sent: ``x-api-key``, else the token of ``authorization: Bearer ...``.

        anthropic 2.14 sends ``api_key=`` as ``Authorization: Bearer <key>``; older SDKs sent ``x-api-key``.
        """
        if "x-api-key" in self.headers:
            return self.headers["x-api-key"]
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" and token else None


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def _chunks(s: str, size: int) -> list[str]:
    size = max(1, size)
    return [s[i : i + size] for i in range(0, len(s), size)]


def _blocks(reply: Text | ToolUse) -> list[dict[str, Any]]:
    if isinstance(reply, Text):
        return [{"type": "text", "text": reply.text}]
    blocks: list[dict[str, Any]] = []
    if reply.text is not None:
        blocks.append({"type": "text", "text": reply.text})
    blocks.append({"type": "tool_use", "id": reply.id or _new_id("toolu"), "name": reply.name, "input": reply.input})
    return blocks


def _stop_reason(reply: Text | ToolUse) -> str:
    return reply.stop_reason if isinstance(reply, Text) else "tool_use"


def _message(reply: Text | ToolUse, model: str) -> dict[str, Any]:
    return {
        "id": _new_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": _blocks(reply),
        "stop_reason": _stop_reason(reply),
        "stop_sequence": None,
        "usage": reply.usage.to_json(),
    }


def _sse_events(reply: Text | ToolUse, model: str) -> list[tuple[str, dict[str, Any]]]:
    usage = reply.usage
    start_usage = usage.to_json() | {"output_tokens": min(1, usage.output_tokens)}
    start: dict[str, Any] = {
        "id": _new_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": start_usage,
    }
    events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(_blocks(reply)):
        if block["type"] == "text":
            empty: dict[str, Any] = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": piece} for piece in _chunks(block["text"], reply.chunk_size)]
        else:
            empty = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            encoded = json.dumps(block["input"])
            # The real API opens with an empty partial_json, then sends the JSON in pieces.
            deltas = [{"type": "input_json_delta", "partial_json": ""}] + [
                {"type": "input_json_delta", "partial_json": piece} for piece in _chunks(encoded, reply.chunk_size)
            ]
        events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": empty}))
        if index == 0:
            events.append(("ping", {"type": "ping"}))
        events += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}) for d in deltas]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": _stop_reason(reply), "stop_sequence": None},
                "usage": {"output_tokens": usage.output_tokens},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeAnthropic

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is expected; keep test output quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            raw = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return raw
                raw += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        fake = self.server.fake
        raw = self._read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = urlsplit(self.path).path
        headers = {k.lower(): v for k, v in self.headers.items()}
        recorded = Recorded(self.command, path, headers, body, raw)
        fake._record(recorded)
        if self.command != "POST" or path != MESSAGES_PATH:
            self._send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "Not found"}})
            return
        refused = _strict_refusal(body, fake.strict)
        if refused is not None:
            self._send_json(400, {"type": "error", "error": {"type": "invalid_request_error", "message": refused}})
            return
        reply = fake._next(recorded)
        while isinstance(reply, Delay):
            if fake._closing.wait(reply.seconds):
                self.close_connection = True
                return
            reply = reply.then if reply.then is not None else fake.default
        model = str(body.get("model", "")) if isinstance(body, dict) else ""
        stream = isinstance(body, dict) and body.get("stream") is True
        try:
            self._send_reply(reply, model, stream)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _start(self, status: int, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("request-id", _new_id("req"))
        for name, value in (extra or {}).items():
            self.send_header(name, value)

    def _send_bytes(self, status: int, data: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self._start(status, content_type, extra)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_json(self, status: int, obj: Any, extra: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(obj).encode(), "application/json", extra)

    def _send_reply(self, reply: Response, model: str, stream: bool) -> None:
        if isinstance(reply, Error):
            extra = {} if reply.retry_after is None else {"retry-after": f"{reply.retry_after:g}"}
            self._send_json(
                reply.status, {"type": "error", "error": {"type": reply.type, "message": reply.message}}, extra
            )
        elif isinstance(reply, Malformed):
            self._send_bytes(reply.status, reply.body, reply.content_type)
        elif isinstance(reply, Text | ToolUse):
            if stream:
                self._send_stream(reply, model)
            else:
                self._send_json(200, _message(reply, model))
        else:  # pragma: no cover - Delay is unwrapped by the caller
            raise TypeError(f"unexpected reply {reply!r}")

    def _send_stream(self, reply: Text | ToolUse, model: str) -> None:
        self._start(200, "text/event-stream; charset=utf-8", {"cache-control": "no-cache"})
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for name, data in _sse_events(reply, model):
            payload = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class FakeAnthropic:
    """A Messages API on 127.0.0.1 (ephemeral port), served from a daemon thread."""

    def __init__(
        self,
        default: Response | None = None,
        *,
        responder: Callable[[Recorded], Response] | None = None,
        on_request: Callable[[Recorded], None] | None = None,
        strict: bool = True,
    ) -> None:
        self.default: Response = default if default is not None else text(DEFAULT_TEXT)
        self.strict = strict  # whether the model offers strict tools
        self.responder = responder  # answers when the queue is empty, instead of `default`
        self.on_request = on_request  # sees every request, as recorded
        self._lock = threading.Condition()
        self._queue: deque[Response] = deque()
        self._requests: list[Recorded] = []
        self._connections: set[socket.socket] = set()
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> FakeAnthropic:
        if self._server is not None:
            return self
        self._closing.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-anthropic", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeAnthropic is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # scripting

    def reply(self, *responses: Response) -> FakeAnthropic:
        """Queue responses, used in order, one per request to /v1/messages."""
        with self._lock:
            self._queue.extend(responses)
        return self

    @property
    def pending(self) -> int:
        """How many queued responses are still unused."""
        with self._lock:
            return len(self._queue)

    # recording

    @property
    def requests(self) -> list[Recorded]:
        """A snapshot of the requests received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> Recorded:
        with self._lock:
            if not self._requests:
                raise AssertionError("no request reached the fake API")
            return self._requests[-1]

    def wait_requests(self, n: int, timeout: float = 5.0) -> list[Recorded]:
        """Wait until at least ``n`` requests have arrived; raises TimeoutError otherwise."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._requests) >= n, timeout):
                raise TimeoutError(f"expected {n} requests within {timeout}s, got {len(self._requests)}")
            return list(self._requests)

    # called from handler threads

    def _record(self, recorded: Recorded) -> None:
        if self.on_request is not None:  # before waiters wake: what they wait for is then on record too
            self.on_request(recorded)
        with self._lock:
            self._requests.append(recorded)
            self._lock.notify_all()

    def _next(self, recorded: Recorded) -> Response:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self.responder(recorded) if self.responder is not None else self.default

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


# ---- standalone: a fake API for a test in another process (the VS Code client test) ----


def _strict_refusal(body: Any, offered: bool) -> str | None:
    """Why the API would refuse the request's strict tools, or None."""
    tools = body.get("tools") if isinstance(body, dict) else None
    for index, tool in enumerate(tools if isinstance(tools, list) else []):
        if not (isinstance(tool, dict) and tool.get("strict") is True):
            continue
        if not offered:
            return f"tools.{index}.custom.strict: strict tool use is not supported for this model"
        problem = _open_object(tool.get("input_schema"), "input_schema")
        if problem is not None:
            return f"tools.{index}.custom.{problem}"
    return None


def _open_object(node: Any, where: str) -> str | None:
    """The first object of a schema that strict tools refuse (not closed, or a property not required)."""
    if isinstance(node, list):
        return next((p for i, item in enumerate(node) if (p := _open_object(item, f"{where}.{i}"))), None)
    if not isinstance(node, dict):
        return None
    if node.get("type") == "object" or "properties" in node:
        if node.get("additionalProperties") is not False:
            return f"{where}: for 'object' type, 'additionalProperties' must be explicitly set to false"
        missing = set(node.get("properties", {})) - set(node.get("required", []))
        if missing:
            return f"{where}: all properties must be required in strict mode ({', '.join(sorted(missing))})"
    return next((p for key, value in node.items() if (p := _open_object(value, f"{where}.{key}"))), None)


def tool_answerer(answer: dict[str, Any]) -> Callable[[Recorded], Response]:
    """A responder: a request forcing a tool gets a call of that tool with ``answer``; others the default text."""

    def respond(recorded: Recorded) -> Response:
        choice = recorded.body.get("tool_choice") if isinstance(recorded.body, dict) else None
        if isinstance(choice, dict) and choice.get("type") == "tool":
            return tool_use(str(choice.get("name")), answer)
        return text(DEFAULT_TEXT)

    return respond


def _main(argv: list[str] | None = None) -> None:
    import argparse
    import os
    import signal

    parser = argparse.ArgumentParser(description="A local fake of the Anthropic Messages API (see the docstring).")
    parser.add_argument("--port-file", required=True, help="where to write the base URL once listening")
    parser.add_argument("--record", required=True, help="JSON lines file: one line appended per request")
    parser.add_argument("--answer", default='{"findings": []}', help="input of the tool call answering a request")
    args = parser.parse_args(argv)
    answer = json.loads(args.answer)
    write_lock = threading.Lock()

    def record(r: Recorded) -> None:
        line = {"path": r.path, "api_key": r.api_key, "body": r.body, "raw": r.raw.decode("utf-8", "replace")}
        with write_lock, open(args.record, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with FakeAnthropic(responder=tool_answerer(answer), on_request=record) as api:
        tmp = args.port_file + ".tmp"  # renamed into place: a reader never sees half a URL
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(api.base_url)
        os.replace(tmp, args.port_file)
        while not stop.wait(0.5):
            pass


if __name__ == "__main__":
    _main()
