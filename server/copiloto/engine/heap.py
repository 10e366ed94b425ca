"""Giving freed heap memory back to the operating system while the engine is idle.

Why: glibc's malloc only returns memory at the top of a heap. A server that builds and drops many mid-sized
objects on every keystroke (document texts, prompts, token lists, llama.cpp's per-request buffers) leaves free
holes below live objects, and the process's resident memory creeps up although what it holds does not: the
10,000-request soak measured the heap's free space at 5 MiB after loading and 30-60 MiB soon after, never given
back. `malloc_trim(0)` hands the free pages of every arena back (madvise), wherever they lie. It costs a few
milliseconds, so the engine's worker calls it only when it has nothing to do, at most every `TRIM_EVERY_S`.

Elsewhere (macOS, musl) there is no malloc_trim and this does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import time
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)

TRIM_EVERY_S = 30.0


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    # The C library this process already runs on, looked up without find_library (which would start ldconfig:
    # the server starts no processes of its own, docs/security.md).
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; False where that cannot be done (or nothing was freed)."""
    trim = _malloc_trim()
    return bool(trim is not None and trim(0))


class HeapTrimmer:
    """Calls release_free_memory() when asked while idle, at most once every `every_s` seconds of `clock`."""

    def __init__(self, every_s: float = TRIM_EVERY_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.every_s, self.clock = every_s, clock
        self.last: float | None = None
        self.trims = 0

    def idle(self) -> bool:
        """The owner has nothing to do: trim if the last trim is old enough. True when it trimmed."""
        now = self.clock()
        if self.last is not None and now - self.last < self.every_s:
            return False
        self.last = now
        started = time.perf_counter()
        released = release_free_memory()
        self.trims += 1
        log.debug(
            "malloc_trim: %s in %.1f ms", "released" if released else "nothing", (time.perf_counter() - started) * 1000
        )
        return True
