"""A real `copiloto serve` over stdio, driven byte by byte: for tests that send what no well-behaved client
would (broken frames, wrong types) or very many messages quickly (fuzzing). Blocking and small on purpose."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

SERVER = [sys.executable, "-m", "copiloto", "serve"]


def frame(message: Any) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class StdioServer:
    def __init__(self, *args: str, env: dict[str, str] | None = None, stderr: Path | None = None) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        environment.update(COPILOTO_CONFIG="/nonexistent/copiloto.toml", **(env or {}))
        log = None if stderr is None else stderr.open("wb")
        self.process = subprocess.Popen(
            [*SERVER, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL if log is None else log,
            env=environment,
        )
        if log is not None:
            log.close()  # the server has its own copy
        self.sent = 0  # messages (and raw frames) written
        self._next_id = 0
        self._replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []  # what the server asked the client (answered with null)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.process.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif not line.strip():
                    break
            message = json.loads(out.read(length or 0))
            if "method" in message and "id" not in message:
                self.notifications.append(message)
            elif "method" in message:  # a request from the server (progress tokens, registrations): accept
                self.server_requests.append(message)
                self.write(frame({"jsonrpc": "2.0", "id": message["id"], "result": None}))
            else:
                self._replies.put(message)

    def write(self, data: bytes) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(data)
        stdin.flush()
        self.sent += 1

    def notify(self, method: str, params: Any) -> None:
        self.write(frame({"jsonrpc": "2.0", "method": method, "params": params}))

    def send(self, method: str, params: Any) -> int:
        self._next_id += 1
        self.write(frame({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}))
        return self._next_id

    def reply(self, timeout: float = 30) -> dict[str, Any]:
        """The next response (in arrival order), whatever its id."""
        return self._replies.get(timeout=timeout)

    def request(self, method: str, params: Any, timeout: float = 30) -> dict[str, Any]:
        """Send a request and wait for its response (responses to other ids that arrive first are dropped)."""
        msg_id = self.send(method, params)
        while True:
            message = self.reply(timeout)
            if message.get("id") == msg_id:
                return message

    def initialize(
        self, options: dict[str, Any] | None = None, capabilities: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        params = {"processId": os.getpid(), "capabilities": capabilities or {}, "initializationOptions": options or {}}
        result = self.request("initialize", params)
        self.notify("initialized", {})
        return result

    def children(self) -> set[int]:
        """The server's child processes now (any thread's)."""
        found: set[int] = set()
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            try:
                found |= {int(pid) for pid in (task / "children").read_text().split()}
            except OSError:
                continue
        return found

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> int:
        if self.alive():
            try:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                return self.process.wait(10)
            except (OSError, queue.Empty, subprocess.TimeoutExpired):
                pass
        self.process.kill()
        return self.process.wait(10)
