"""llama-cpp-python's own OpenAI-compatible server (`llama-cpp-python[server]`), started for the remote-engine
tests (the `remote_server` fixture in conftest.py, and tests that start and stop one themselves)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_llama_server(model: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """llama-cpp-python's own OpenAI-compatible server (`llama-cpp-python[server]`) on 127.0.0.1:`port`."""
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1"]
    # interrupt_requests off: by default a new request cuts the one streaming (one editor's completion would end
    # another's early); a team server must finish each.
    command += ["--port", str(port), "--n_ctx", "2048", "--n_threads", "1", "--interrupt_requests", "False"]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the llama-cpp-python server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/v1/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no server at {url} after {timeout:.0f} s")
