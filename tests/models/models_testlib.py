"""Helpers shared by the model tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from copiloto.models import ModelEntry, ModelStore, PullResult

FAKE_COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class FakeHub:
    """A local stand-in for https://huggingface.co/{repo}/resolve/{revision}/{file}."""

    url: str
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def add(self, repo: str, file: str, content: bytes) -> str:
        self.files[(repo, file)] = content
        return hashlib.sha256(content).hexdigest()


def handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _lookup(self) -> bytes | None:
            hub.requests.append((self.command, self.path))
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            # owner / name / resolve / revision / file
            if len(parts) != 5 or parts[2] != "resolve":
                return None
            return hub.files.get((f"{parts[0]}/{parts[1]}", parts[4]))

        def _headers(self, content: bytes | None) -> None:
            if content is None:
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.send_header("X-Error-Message", "Entry not found")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("X-Repo-Commit", FAKE_COMMIT)
            self.send_header("ETag", f'"{hashlib.sha256(content).hexdigest()}"')
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()

        def do_HEAD(self) -> None:
            self._headers(self._lookup())

        def do_GET(self) -> None:
            content = self._lookup()
            self._headers(content)
            if content is not None:
                self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def make_entry(name: str, content: bytes | None = None, **overrides: Any) -> ModelEntry:
    """A small catalog entry; sha256/size default to those of `content`."""
    fields: dict[str, Any] = {
        "repo": "copiloto-test/fake-GGUF",
        "file": f"{name}.gguf",
        "sha256": hashlib.sha256(content).hexdigest() if content is not None else "",
        "size": len(content) if content is not None else 1000,
        "context_length": 2048,
        "fim": "none",
        "vram_gb": 0.1,
        "quant": "Q4_0",
        "description": f"test model {name}",
    }
    fields.update(overrides)
    return ModelEntry(name=name, **fields)


@dataclass
class AssembledTiny:
    store: ModelStore
    result: PullResult
