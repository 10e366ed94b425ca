"""Reading LSP frames so that a bad one costs that message, never the session.

pygls 2.1.1's loop (`pygls.io_.run_async`) answers nothing to a body that is not JSON or to a request whose
params have the wrong types (the client then waits forever), and after a header it cannot read — say
`Content-Length: abc` — every later frame is lost: bodies end without a newline, so each one glues itself to
the next header line, which then no longer matches. This loop:

- finds `Content-Length` anywhere in a header line, so a frame after junk is found again (and says how many
  bytes it dropped);
- answers a body that is not JSON with a parse error (-32700, id null), one that is not a request object with
  an invalid request (-32600), and a request whose params cannot be read with invalid params (-32602, its id);
- hands everything else to pygls exactly as before (unknown methods: -32601 from pygls).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Awaitable
from typing import Any, Protocol

from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcParseError

log = logging.getLogger(__name__)
HEADER = re.compile(rb"Content-Length:[ \t]*(\d+)", re.IGNORECASE)
MAX_BODY = 512 * 2**20  # a larger Content-Length is a broken header, not a message: skip it


class Reader(Protocol):
    def readline(self) -> Awaitable[bytes]: ...

    def readexactly(self, n: int) -> Awaitable[bytes]: ...


class Handler(Protocol):
    """The part of pygls's JsonRPCProtocol the loop uses."""

    def structure_message(self, data: dict[str, Any]) -> Any: ...

    def handle_message(self, message: Any) -> None: ...

    def _send_data(self, data: Any) -> None: ...


async def serve_frames(stop: threading.Event, reader: Reader, protocol: Handler) -> None:
    """Read frames until the stream ends or `stop` is set; each is handled or answered with an error."""
    length: int | None = None
    while not stop.is_set():
        line = await reader.readline()
        if not line:
            return
        found = HEADER.search(line)
        if found is not None:
            if found.start() > 0:
                log.warning("dropped %d bytes before a Content-Length header", found.start())
            length = int(found.group(1))
            continue
        if line.strip():  # another header (Content-Type), or junk between frames
            if b":" not in line:
                log.warning("dropped a line that is not a header: %r", line[:80])
            continue
        if length is None:  # the end of headers without a length: nothing to read
            reply(protocol, None, JsonRpcInvalidRequest.CODE, "a message without a valid Content-Length header")
            continue
        if length > MAX_BODY:
            reply(protocol, None, JsonRpcInvalidRequest.CODE, f"Content-Length {length} is too large")
            length = None
            continue
        size, length = length, None
        handle_body(protocol, await reader.readexactly(size) if size else b"")


def handle_body(protocol: Handler, body: bytes) -> None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        reply(protocol, None, JsonRpcParseError.CODE, f"Parse error: {exc}")
        return
    if not isinstance(data, dict) or not isinstance(data.get("method", ""), str):
        reply(protocol, None, JsonRpcInvalidRequest.CODE, "Invalid Request: a message must be a JSON object")
        return
    msg_id = data.get("id") if isinstance(data.get("id"), int | str) else None
    try:
        message = protocol.structure_message(data)
    except JsonRpcException as exc:
        if "method" in data and msg_id is not None:  # a request: it must get an answer
            reply(protocol, msg_id, exc.code, f"{exc.message}: {data['method']} {_why(exc)}".strip())
        else:
            log.warning("dropped a notification whose params cannot be read: %s %s", data.get("method"), _why(exc))
        return
    try:
        protocol.handle_message(message)
    except Exception:  # pygls answers requests itself; this is about the loop going on, whatever happens
        log.exception("failed to handle %s", data.get("method") or "a response")


def reply(protocol: Handler, msg_id: int | str | None, code: int, message: str) -> None:
    log.warning("answered %s with error %d: %s", msg_id, code, message)
    # A plain dict: pygls's converter would leave out `"id": null`, which JSON-RPC requires for these errors.
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})


def _why(exc: BaseException) -> str:
    cause = exc.__cause__
    text = " ".join(str(cause).split()) if cause is not None else ""
    return f"({text[:200]})" if text else ""
