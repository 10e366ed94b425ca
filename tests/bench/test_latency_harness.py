"""The latency benchmark's accounting: what counts as shown, stale and cancelled, and what each system is
asked. The replay logic is checked against a scripted system whose answer times are known; the LSP client
against the real server and the tiny model."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from copiloto.config import load_settings
from latency import (
    Counters,
    LspSystem,
    Shot,
    http_json,
    overhead,
    prime,
    ratio,
    replay,
    summarize,
    utf16_position,
    window,
)
from typing_trace import Keystroke, Trace

DEBOUNCE = 0.1


class ScriptedSystem:
    """Answers every request `delay` seconds after it is sent, with `answer`."""

    name = "scripted"

    def __init__(self, delay: float, cancels: bool, answer: str = "x = 1") -> None:
        self.delay, self.cancels, self.answer = delay, cancels, answer
        self.changes: list[tuple[int, str, int]] = []
        self.cancelled = 0

    async def open(self, uri: str, trace: Trace) -> None:
        return None

    async def change(self, uri: str, before: str, offset: int, inserted: str, version: int) -> None:
        self.changes.append((offset, inserted, version))

    def request(self, uri: str, text: str, offset: int, language_id: str, shot: Shot) -> Any:
        loop = asyncio.get_running_loop()
        return loop.call_later(self.delay, lambda: shot.arrive(loop.time(), self.answer))

    def cancel(self, handle: Any) -> None:
        self.cancelled += 1
        handle.cancel()

    async def settle(self, uri: str) -> None:
        return None

    async def counters(self) -> Counters:
        return Counters()


def trace(*times: float) -> Trace:
    keys = tuple(Keystroke(at, i, "a") for i, at in enumerate(times))
    return Trace("t.py", "python", "", keys)


async def test_a_key_followed_by_a_pause_gets_a_request_and_its_answer_is_shown() -> None:
    # Keys at 0, 0.05 (too soon after: no request), 1.0, then the end.
    shots = await replay(ScriptedSystem(0.2, cancels=True), trace(0.0, 0.05, 1.0), "file:///t.py", DEBOUNCE)
    assert [s.key for s in shots] == [1, 2]
    assert [s.status for s in shots] == ["shown", "shown"]
    for shot in shots:
        assert shot.latency_ms == pytest.approx((DEBOUNCE + 0.2) * 1000, abs=60)


async def test_a_cancelling_client_gives_up_the_request_the_next_key_made_stale() -> None:
    system = ScriptedSystem(0.5, cancels=True)
    shots = await replay(system, trace(0.0, 0.3, 1.5), "file:///t.py", DEBOUNCE)
    assert [s.status for s in shots] == ["cancelled", "shown", "shown"]
    assert shots[0].latency_ms is None
    assert system.cancelled == 1


async def test_a_one_by_one_client_pays_for_answers_that_come_after_the_next_key() -> None:
    shots = await replay(ScriptedSystem(0.5, cancels=False), trace(0.0, 0.3, 1.5), "file:///t.py", DEBOUNCE)
    assert [s.status for s in shots] == ["stale", "shown", "shown"]
    assert shots[0].latency_ms == pytest.approx(600, abs=60), "a stale answer still counts in latency"
    assert shots[0].service_ms == pytest.approx(500, abs=60), "the server's own time leaves the debounce out"


async def test_every_key_reaches_the_system_with_its_version() -> None:
    system = ScriptedSystem(0.0, cancels=True)
    await replay(system, trace(0.0, 0.01, 0.02), "file:///t.py", DEBOUNCE)
    assert system.changes == [(0, "a", 2), (1, "a", 3), (2, "a", 4)]


async def test_empty_answers_are_counted_but_are_not_suggestions() -> None:
    shots = await replay(ScriptedSystem(0.0, cancels=True, answer="  "), trace(0.0, 0.5), "file:///t.py", DEBOUNCE)
    report = summarize(shots, Counters(100, 90, 10, 200.0))
    assert (report["empty"], report["shown"], report["latency_ms"]["n"]) == (2, 0, 0)
    assert report["prompt_reuse"] == 0.9
    assert report["decode_tokens_per_s"] == 50.0
    assert report["prompt_tokens"] == {"evaluated": 10, "reused": 90}


def test_percentiles_cover_shown_and_stale_answers_only() -> None:
    def shot(status: str, ms: float) -> Shot:
        return Shot(0, 0.0, None, arrived_at=ms / 1000, status=status, text="y")

    shots = [shot("shown", 100), shot("stale", 900), shot("cancelled", 5), Shot(0, 0.0, None, status="error")]
    report = summarize(shots, Counters())
    assert report["latency_ms"]["n"] == 2
    assert report["latency_ms"]["p50"] == 500.0
    assert (report["cancelled"], report["error"], report["prompt_reuse"]) == (1, 1, None)


def test_ratios_and_overhead() -> None:
    assert ratio(400.0, 1000.0) == 0.4
    assert ratio(None, 1000.0) is None and ratio(1.0, 0.0) is None
    assert overhead(105.0, 100.0) == 0.05
    assert overhead(100.0, None) is None


def test_every_system_is_asked_for_copilotos_window_and_limits() -> None:
    settings = load_settings()
    text = "def area(r):\n    return 3.14 * r\n\nprint(area(2))\n"
    mid_line = window(settings, len, text, text.index("3.14"), "python")
    assert mid_line.prefix == text[: text.index("3.14")]
    assert mid_line.max_tokens == settings.completion.max_tokens_single_line
    assert "\n" in mid_line.stop
    # A long prefix is cut to the token budget (here: one token per character).
    long = "x = 1\n" * 2000
    cut = window(settings, len, long, len(long), "python")
    assert len(cut.prefix) <= settings.completion.max_prefix_tokens
    assert long.endswith(cut.prefix)


def test_positions_are_utf16() -> None:
    text = "a = '😀'\nb"
    assert utf16_position(text, text.index("'", 5) + 1) == {"line": 0, "character": 8}
    assert utf16_position(text, len(text)) == {"line": 1, "character": 1}


@pytest.fixture
def http_server() -> Iterator[int]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            data = json.dumps({"echo": body}).encode()
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (data[:5], data[5:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


async def test_the_http_client_reads_chunked_json(http_server: int) -> None:
    status, body = await http_json(http_server, "/infill", {"input_prefix": "def f(", "n_predict": 8})
    assert status == 200
    assert body == {"echo": {"input_prefix": "def f(", "n_predict": 8}}


@pytest.mark.model
async def test_the_benchmarks_lsp_client_gets_suggestions_from_the_real_server(tiny_model: Path) -> None:
    source = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    typed = "def mul(a, b):"
    keys = tuple(Keystroke(i * 0.01, len(source) + i, ch) for i, ch in enumerate(typed))
    keys += (Keystroke(keys[-1].at_s + 0.01, len(source) + len(typed), "\n    "),)
    # The last key is followed by nothing: the benchmark waits for its answer.
    system = LspSystem("tiny", threads=1, gpu_layers=0)
    await system.start()
    try:
        trace = Trace("t.py", "python", source, keys)
        before = await system.counters()
        warm = await prime(system, trace, "file:///bench/t.py")
        used = (await system.counters()).minus(before)
        shots = await replay(system, trace, "file:///bench/t.py", DEBOUNCE)
    finally:
        await system.close()
    assert warm.status in ("shown", "empty")
    assert len(shots) == 1
    assert shots[0].status == "shown", shots[0]
    assert shots[0].text.strip()
    assert used.prompt_tokens > 0 and used.generated_tokens > 0
    assert system.process.returncode == 0
