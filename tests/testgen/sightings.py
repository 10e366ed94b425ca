"""Watching a sandboxed run's processes from outside: its PIDs and /dev/shm may be its own, /proc here is not.

A generated test starts a process whose command line carries a fresh token; `Sightings` polls this machine's
/proc for it while the run goes on (proof that it started) and says whether any is left afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from types import TracebackType

_POLL_S = 0.01


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _zombie(pid: str) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True  # gone while we looked


class Sightings:
    """Processes whose command line holds `token`: the ones seen while watching, and whether any still runs."""

    def __init__(self) -> None:
        self.token = f"copiloto-sighting-{uuid.uuid4().hex}"
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def command(self, *, seconds: int = 60) -> list[str]:
        """A process that says "up" on stdout, then sleeps: its command line carries the token."""
        code = f"import time; print('up', flush=True); time.sleep({seconds})"
        return [sys.executable, "-c", code, self.token]

    def running(self) -> list[int]:
        """The marked processes alive now (a killed one nobody has reaped yet does not count)."""
        marked = self.token.encode()
        found = []
        for name in os.listdir("/proc"):
            if name.isdigit() and marked in _cmdline(name) and not _zombie(name):
                found.append(int(name))
        return found

    def gone(self, within_s: float = 3.0) -> bool:
        deadline = time.monotonic() + within_s
        while self.running():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.seen.update(self.running())
            time.sleep(_POLL_S)

    def __enter__(self) -> Sightings:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        for pid in self.running():  # what a weaker sandbox let live must not outlive the test either
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
