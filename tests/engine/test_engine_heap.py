"""Giving freed heap memory back: the real malloc_trim on a fragmented heap, and when the engine's worker calls it."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from copiloto.engine.heap import HeapTrimmer, _malloc_trim
from copiloto.engine.local import LocalEngine
from copiloto.engine.types import GenerationRequest

# 60,000 strings of 2 KB (malloc, not Python's small-object allocator), every 50th kept: ~120 MB freed in holes
# below live objects, which glibc's free() cannot give back by itself.
FRAGMENT = """
from copiloto.engine.heap import release_free_memory

def anon_kb():
    return int(next(l for l in open("/proc/self/status") if l.startswith("RssAnon")).split()[1])

blocks = [("%06d" % i) * 340 for i in range(60_000)]
kept = blocks[::50]
del blocks
before = anon_kb()
release_free_memory()
print(before, anon_kb(), len(kept))
"""


@pytest.mark.skipif(_malloc_trim() is None, reason="no glibc malloc_trim here")
def test_release_gives_a_fragmented_heap_back() -> None:
    out = subprocess.run([sys.executable, "-c", FRAGMENT], capture_output=True, text=True, check=True).stdout
    before_kb, after_kb, _ = map(int, out.split())
    assert before_kb - after_kb > 60_000, (before_kb, after_kb)


def test_trims_at_most_once_per_interval() -> None:
    now = [100.0]
    trimmer = HeapTrimmer(every_s=30, clock=lambda: now[0])
    assert trimmer.idle()  # the first time idle
    now[0] += 29
    assert not trimmer.idle()
    now[0] += 2
    assert trimmer.idle()
    assert trimmer.trims == 2


def test_the_worker_trims_when_it_runs_out_of_jobs(tiny_engine: LocalEngine) -> None:
    tiny_engine.heap.last = None
    trims = tiny_engine.heap.trims
    tiny_engine.submit(GenerationRequest("def add(a, b):\n    return ", "\n", max_tokens=4)).future.result(120)
    deadline = time.monotonic() + 10
    while tiny_engine.heap.trims == trims and time.monotonic() < deadline:
        time.sleep(0.01)
    assert tiny_engine.heap.trims == trims + 1
    tiny_engine.submit(GenerationRequest("def sub(a, b):\n    return ", "\n", max_tokens=4)).future.result(120)
    time.sleep(0.2)
    assert tiny_engine.heap.trims == trims + 1  # not again within TRIM_EVERY_S
