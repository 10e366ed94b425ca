"""Soak: thousands of completion requests with random cancellation against one `copiloto serve`, watching for
leaks and slow-down.

    .venv/bin/python bench/soak.py [--requests 10000] [--cancel 0.3] [--model tiny] [--warmup 1000]

The real server runs over stdio (`python -m copiloto serve`, no config file), driven by the JSON-RPC client of
bench/latency.py. Four documents are opened once (Copiloto's completion/pipeline.py, the demo project's
glpi_dashboard/tickets.py and widget.class.php, the standard library's textwrap.py); then every request:
  - one small random edit by incremental textDocument/didChange, as a person types: sessions of 1–40 edits at
    the end of a random line of a random document (a character, a word, backspace, a word deleted backwards,
    or the first characters of the last suggestion typed ahead), a tenth of them a character typed or deleted
    anywhere in the file; the client keeps each text to compute UTF-16 positions and versions. Each document
    stays within ±10 % of its size when opened (at least ±300 characters): past that the typist deletes, below it
    types words. Left to grow (typing adds more than it deletes), the small documents tripled in 10 000 edits, so
    prompts that had stopped short of their token budget came to fill it, and the last thousand requests did
    more work than the first: that is a different workload, not a slower server;
  - textDocument/inlineCompletion (automatic trigger) at the cursor, or a fifth of the time anywhere in the
    document (mostly skipped by the server: text after the cursor);
  - with probability --cancel, $/cancelRequest after a random 0–50 ms, and on to the next request without
    waiting (as an editor does when the user types on). Such a request may end cancelled (-32800), superseded
    by the next one (-32802) or answered: all are fine. Any other error, or no answer within 60 s, is an error.
    A request not picked for cancellation is waited for; its time from send to answer is its latency.

The server answers with at most 8 tokens on one line and 16 on several, from a prompt of at most 256 tokens
before the cursor and 32 after it (--prefix-tokens, --suffix-tokens; the defaults are 1024 and 64), so that 10 000
requests take about an hour on 2 cores: what is soaked is the server's life cycle of a request, not the model.

Every --sample-every requests, at the end of the warm-up and at the end, once every request still owed has been
answered: the server process's RSS and thread count (/proc/<pid>/status) and open file descriptors
(/proc/<pid>/fd). After the last request the server is shut down (shutdown, exit) and must exit cleanly. When
the thread count grew, the server's threads are dumped first (SIGUSR1: faulthandler) into `thread_dump`.

The server's prompt-token counters (copiloto/status) are read at every sample: the report gives the prompt
tokens per request and those the engine evaluated (not found in its KV cache) over the first and the last 1000
requests after warm-up, so that a change in latency can be told from a change in work.

Reported against the state after the warm-up (default: the first 1000 requests, a tenth of a shorter run):
rss_growth (fraction of RSS gained by the end), threads and fds after warm-up vs at the end, crashes (the server
gone before shutdown), and the latency p95 of the first 1000 waited-for answers after the warm-up against the
last 1000 (half of them each when fewer). Targets: RSS growth < 5 %, no thread or fd growth, no crash, last
p95 within 1.2x of the first.

Writes bench/results/soak-<date>.json (soak-<date>-limitN.json for fewer than 10 000 requests; --out to choose).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from copiloto.completion.stats import percentile
from copiloto.engine.local import default_threads
from latency import N_CTX, JsonRpc, utf16_position
from machine import describe
from typing_trace import language_of

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "server" / "copiloto" / "demo" / "project"
DOCUMENTS = (
    REPO / "server" / "copiloto" / "completion" / "pipeline.py",
    DEMO / "glpi_dashboard" / "tickets.py",
    DEMO / "plugins" / "dashboard" / "inc" / "widget.class.php",
    Path(textwrap.__file__),
)
FULL_RUN = 10_000
ANSWER_TIMEOUT_S = 60.0  # the server's own cap on a generation is 8 s; past this a request counts as lost
PROGRESS_EVERY = 500
WINDOW = 1000  # answers compared at the start and the end of the run
CANCEL_DELAY_S = (0.0, 0.05)
TARGETS = {
    "rss_growth": "< 0.05",
    "threads": "threads_end <= threads_start",
    "fds": "fds_end <= fds_start",
    "crashes": "== 0",
    "p95_ratio_last_vs_first": "<= 1.2",
}
WORD = re.compile(r"\w+")
WORD_BEFORE = re.compile(r"\w+\s?$")  # searched in text[:cursor]: the word a ctrl+backspace deletes
SESSION_KEYS = (1, 40)  # edits typed at one place before the next
EDIT_ELSEWHERE = 0.1  # share of edits away from the cursor
ASK_ELSEWHERE = 0.2  # share of requests anywhere in the document (mostly skipped: text after the cursor)
SIZE_BAND = (0.1, 300)  # each document stays within ±10 % (at least ±300 characters) of its size when opened
LOG_LEVEL = re.compile(r"\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")  # copiloto serve's log format
WARNING = re.compile(r"\S+ \S+ (WARNING|ERROR|CRITICAL) ")
THREAD_DUMP = re.compile(r"(Current thread|Thread) 0x|  File ")
KEYS = "abcdefghijklmnopqrstuvwxyz_ ().,:=0123456789é🙂"  # é and 🙂: one and two UTF-16 code units


# --- the documents, edited at random --------------------------------------------------------------------


@dataclass
class Document:
    uri: str
    language_id: str
    text: str
    words: list[str]
    opened_size: int
    version: int = 1

    @classmethod
    def of(cls, path: Path) -> Document:
        text = path.read_text(encoding="utf-8")
        words = sorted({w for w in WORD.findall(text) if 2 <= len(w) <= 20}) or ["x"]
        return cls(path.as_uri(), language_of(path), text, words, len(text))

    def drift(self) -> int:
        """+1 when the text grew past its band, -1 when it shrank below it, 0 inside: the typist steers back, so
        that the last thousand requests see documents like the first thousand's (a prompt that reaches its token
        budget costs more than one that does not)."""
        band = max(SIZE_BAND[0] * self.opened_size, SIZE_BAND[1])
        grown = len(self.text) - self.opened_size
        return 1 if grown > band else -1 if grown < -band else 0

    def apply(self, start: int, end: int, inserted: str) -> dict[str, Any]:
        """Replace text[start:end] here; the didChange content change (positions in the text before it)."""
        change = {
            "range": {"start": utf16_position(self.text, start), "end": utf16_position(self.text, end)},
            "text": inserted,
        }
        self.text = self.text[:start] + inserted + self.text[end:]
        self.version += 1
        return change


@dataclass
class Typist:
    """Random edits as a person makes them: a session of keys at one place (the end of a random line of a
    random document), now and then an edit elsewhere in the file, then the next place."""

    docs: list[Document]
    rng: random.Random
    doc: Document | None = None
    cursor: int = 0
    keys_left: int = 0
    suggestion: str = ""  # the last answer at the cursor: typed ahead now and then (the cache's case)

    def edit(self) -> tuple[Document, dict[str, Any]]:
        rng = self.rng
        if self.doc is None or self.keys_left <= 0:
            self.doc = rng.choice(self.docs)
            self.cursor = line_end(self.doc.text, rng.randint(0, len(self.doc.text)))
            self.keys_left = rng.randint(*SESSION_KEYS)
            self.suggestion = ""
        doc, text, cursor = self.doc, self.doc.text, self.cursor
        drift = doc.drift()
        self.keys_left -= 1
        if rng.random() < EDIT_ELSEWHERE:  # a character typed or deleted anywhere in the file
            at = rng.randint(0, len(text) - 1)
            delete = drift > 0 or (drift == 0 and rng.random() < 0.5)
            end, inserted = (at + 1, "") if delete else (at, rng.choice(KEYS))
            if at < cursor:
                self.cursor += len(inserted) - (end - at)
            self.suggestion = ""
            return doc, doc.apply(at, end, inserted)
        start, inserted = cursor, ""
        kind = rng.choices(("ahead", "char", "word", "backspace", "delete_word"), (3, 5, 1.5, 2, 1))[0]
        if drift > 0:  # typed too much here: take some back
            kind = rng.choice(("backspace", "delete_word"))
        if drift < 0 or cursor == 0:
            kind = "word"
        if kind == "ahead" and self.suggestion:
            inserted = self.suggestion[: rng.randint(1, 3)]
        elif kind in ("char", "ahead"):
            inserted = "\n" if rng.random() < 0.05 else rng.choice(KEYS)
        elif kind == "word":
            inserted = rng.choice(doc.words) + rng.choice(("", " ", "(", "."))
        else:
            start = cursor - 1
            word = WORD_BEFORE.search(text, max(0, cursor - 100), cursor) if kind == "delete_word" else None
            if word is not None:
                start = word.start()
        self.suggestion = self.suggestion[len(inserted) :] if kind == "ahead" else ""
        self.cursor = start + len(inserted)
        return doc, doc.apply(start, cursor, inserted)


def line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


# --- the server process -----------------------------------------------------------------------------------


@dataclass
class Sample:
    request: int
    rss_mib: float
    threads: int
    fds: int
    rss_anon_mib: float  # heap and other private memory: where a leak shows
    rss_file_mib: float  # file pages mapped in, mostly the model's GGUF (mmap): bounded by its size

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "rss_mib": round(self.rss_mib, 1),
            "threads": self.threads,
            "fds": self.fds,
            "rss_anon_mib": round(self.rss_anon_mib, 1),
            "rss_file_mib": round(self.rss_file_mib, 1),
        }


def sample(pid: int, request: int) -> Sample:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()

    def mib(key: str) -> float:
        return int(fields.get(key, "0 kB").split()[0]) / 1024

    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return Sample(request, mib("VmRSS"), int(fields["Threads"]), fds, mib("RssAnon"), mib("RssFile"))


class Server:
    """`copiloto serve` over stdio, its stderr kept in a file."""

    def __init__(self, model: str, options: dict[str, Any], log: Path) -> None:
        self.model, self.options, self.log = model, options, log

    async def start(self) -> None:
        env = dict(os.environ, COPILOTO_CONFIG="/nonexistent/copiloto.toml")
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "copiloto", "serve", "--model", self.model,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
            )  # fmt: skip
        self.exited = asyncio.create_task(self.process.wait())
        self.rpc = JsonRpc(self.process)
        capabilities = {"textDocument": {"inlineCompletion": {}}, "window": {"workDoneProgress": True}}
        await self.call(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": capabilities,
                "initializationOptions": self.options,
            },
        )
        self.rpc.notify("initialized", {})
        deadline = time.monotonic() + 300
        while (status := await self.call("copiloto/status", {}))["state"] != "ready":
            if status.get("error") or time.monotonic() > deadline:
                raise RuntimeError(f"copiloto did not load: {status}")
            await asyncio.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def call(self, method: str, params: Any, timeout: float = ANSWER_TIMEOUT_S) -> Any:
        _, future = self.rpc.send(method, params)
        await self.settle(future, timeout)
        return future.result()

    async def settle(self, future: asyncio.Future[Any], timeout: float = ANSWER_TIMEOUT_S) -> bool:
        """Wait for an answer; false when none came (timeout, or the server exited)."""
        if not future.done():
            await asyncio.wait({future, self.exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        return future.done()

    async def close(self) -> int | None:
        """shutdown + exit; the exit code, None when the server had to be killed."""
        with contextlib.suppress(Exception):
            if self.alive:
                await self.call("shutdown", None, timeout=30)
                self.rpc.notify("exit", None)
                await asyncio.wait_for(self.process.wait(), 30)
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
            return None
        return self.process.returncode


@dataclass
class PromptCounters:
    request: int
    requests: int  # the server's own counts, from copiloto/status
    prompt_tokens: int
    reused_tokens: int  # found in the engine's KV cache: not evaluated again


async def prompt_counters(server: Server, request: int) -> PromptCounters:
    stats = (await server.call("copiloto/status", {})).get("stats") or {}
    return PromptCounters(
        request, stats.get("requests", 0), stats.get("prompt_tokens", 0), stats.get("reused_tokens", 0)
    )


def tokens_per_request(counters: list[PromptCounters], start: int, end: int) -> dict[str, float] | None:
    """Prompt tokens per completion request between two samples (the first at or after `start`, the last at or
    before `end`), and how many of them the engine evaluated: the work behind a request's latency."""
    first = next((c for c in counters if c.request >= start), None)
    last = next((c for c in reversed(counters) if c.request <= end), None)
    if first is None or last is None or last.requests <= first.requests:
        return None
    requests = last.requests - first.requests
    prompt = last.prompt_tokens - first.prompt_tokens
    evaluated = prompt - (last.reused_tokens - first.reused_tokens)
    return {"prompt": round(prompt / requests, 1), "evaluated": round(evaluated / requests, 1)}


# --- the run ------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    answered: int = 0  # a result came back (waited-for or cancelled too late)
    cancelled: int = 0  # $/cancelRequest sent
    cancelled_ack: int = 0  # ... and answered -32800 RequestCancelled
    superseded: int = 0  # ... or -32802 ServerCancelled (the next request took its place)
    cancelled_answered: int = 0  # ... or answered all the same
    errors: int = 0
    error_messages: dict[str, int] = field(default_factory=dict)
    latencies: list[tuple[int, float]] = field(default_factory=list)  # (request, ms) of waited-for answers

    def error(self, message: str) -> None:
        self.errors += 1
        key = re.sub(r"\d+", "N", message)[:200]
        self.error_messages[key] = self.error_messages.get(key, 0) + 1


def outcome(future: asyncio.Future[Any]) -> str:
    """answered | cancelled | superseded | error: <message> | unanswered."""
    if not future.done():
        return "unanswered"
    exc = future.exception()
    if exc is None:
        return "answered"
    message = str(exc)
    if "is canceled" in message or "Request Cancelled" in message:  # pygls's -32800 RequestCancelled
        return "cancelled"
    if "superseded" in message:  # Copiloto's -32802 ServerCancelled
        return "superseded"
    return f"error: {message}"


def settle_cancelled(future: asyncio.Future[Any], tally: Tally) -> None:
    what = outcome(future)
    if what == "answered":
        tally.answered += 1
        tally.cancelled_answered += 1
    elif what == "cancelled":
        tally.cancelled_ack += 1
    elif what == "superseded":
        tally.superseded += 1
    else:
        tally.error(f"cancelled request {what}")


def first_text(result: Any) -> str:
    items = result.get("items", []) if isinstance(result, dict) else result or []
    text = items[0].get("insertText", "") if items else ""
    return text if isinstance(text, str) else str(text.get("value", ""))


def p(values: list[float], q: int) -> float | None:
    result = percentile(values, q)
    return None if result is None else round(result, 1)


async def soak(args: argparse.Namespace, warmup: int, log: Path) -> dict[str, Any]:
    rng = random.Random(args.seed)
    options = {
        "engine": {"n_ctx": N_CTX, "n_threads": args.threads},
        "completion": {
            "max_tokens_single_line": 8,
            "max_tokens_multi_line": 16,
            "max_prefix_tokens": args.prefix_tokens,
            "max_suffix_tokens": args.suffix_tokens,
        },
    }
    server = Server(args.model, options, log)
    started = time.perf_counter()
    await server.start()
    loop = asyncio.get_running_loop()
    docs = [Document.of(path) for path in DOCUMENTS]
    for doc in docs:
        item = {"uri": doc.uri, "languageId": doc.language_id, "version": doc.version, "text": doc.text}
        server.rpc.notify("textDocument/didOpen", {"textDocument": item})
    await server.call("copiloto/status", {})  # the opens are handled before the first sample
    tally = Tally()
    typist = Typist(docs, rng)
    owed: list[asyncio.Future[Any]] = []  # cancelled requests not answered yet
    samples = [sample(server.pid, 0)]
    counters = [await prompt_counters(server, 0)]
    crashed_at: int | None = None

    async def drain() -> None:
        for future in owed:
            await server.settle(future)
            if future.done() or server.alive:  # what a crashed server still owed is not counted
                settle_cancelled(future, tally)
        owed.clear()

    for index in range(1, args.requests + 1):
        doc, change = typist.edit()
        server.rpc.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": doc.uri, "version": doc.version}, "contentChanges": [change]},
        )
        at_cursor = rng.random() >= ASK_ELSEWHERE
        offset = typist.cursor if at_cursor else rng.randint(0, len(doc.text))
        params = {
            "textDocument": {"uri": doc.uri},
            "position": utf16_position(doc.text, offset),
            "context": {"triggerKind": 2},
        }
        sent = loop.time()
        request_id, future = server.rpc.send("textDocument/inlineCompletion", params)
        arrived: list[float] = []

        def stamp(_: asyncio.Future[Any], arrived: list[float] = arrived) -> None:
            arrived.append(loop.time())

        future.add_done_callback(stamp)
        cancel = rng.random() < args.cancel
        if cancel:
            await asyncio.sleep(rng.uniform(*CANCEL_DELAY_S))
        if cancel and not future.done():
            server.rpc.notify("$/cancelRequest", {"id": request_id})
            tally.cancelled += 1
            owed.append(future)
        else:
            # Not picked for cancellation, or answered before the cancellation was due: waited for.
            await server.settle(future)
            what = outcome(future)
            if what == "answered":
                tally.answered += 1
                if not cancel:
                    tally.latencies.append((index, ((arrived[0] if arrived else loop.time()) - sent) * 1000))
                if at_cursor:
                    typist.suggestion = first_text(future.result())
            else:
                tally.error(f"request {what}")
        if not server.alive:
            crashed_at = index
            break
        if index % args.sample_every == 0 or index in (warmup, args.requests):
            await drain()
            try:
                samples.append(sample(server.pid, index))
                counters.append(await prompt_counters(server, index))
            except (OSError, KeyError, asyncio.InvalidStateError):  # gone (a zombie has no VmRSS; no status answer)
                crashed_at = index
                break
        if index % PROGRESS_EVERY == 0:
            recent = [ms for i, ms in tally.latencies if i > index - PROGRESS_EVERY]
            now = samples[-1]
            print(
                f"{index}/{args.requests}  answered {tally.answered}  cancelled {tally.cancelled}"
                f"  errors {tally.errors}  p50 {p(recent, 50)} ms  p95 {p(recent, 95)} ms"
                f"  rss {now.rss_mib:.0f} MiB  threads {now.threads}  fds {now.fds}"
                f"  {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    await drain()
    server_stats = None
    if server.alive:
        with contextlib.suppress(Exception):
            server_stats = (await server.call("copiloto/status", {}, timeout=30)).get("stats")
    crashes = 0 if server.alive else 1
    dumped = False
    after = next((s for s in samples if s.request >= warmup), samples[-1])
    end = samples[-1]
    if crashes == 0 and end.threads > after.threads:
        os.kill(server.pid, signal.SIGUSR1)  # `copiloto serve` dumps every thread's stack to stderr
        await asyncio.sleep(1)
        dumped = True
    exit_code = await server.close() if crashes == 0 else server.process.returncode
    wall = time.perf_counter() - started

    measured = [ms for i, ms in tally.latencies if i > warmup]
    window = min(WINDOW, len(measured) // 2)
    first, last = measured[:window], measured[-window:] if window else []
    p95_first, p95_last = p(first, 95), p(last, 95)
    ratio = round(p95_last / p95_first, 3) if p95_first and p95_last is not None else None
    rss_growth = round((end.rss_mib - after.rss_mib) / after.rss_mib, 4)
    rss_anon_growth = round((end.rss_anon_mib - after.rss_anon_mib) / after.rss_anon_mib, 4)
    report: dict[str, Any] = {
        "requests": args.requests,
        "requests_sent": crashed_at or args.requests,
        "answered": tally.answered,
        "cancelled": tally.cancelled,
        "cancel_outcomes": {
            "request_cancelled_32800": tally.cancelled_ack,
            "server_cancelled_32802": tally.superseded,
            "answered": tally.cancelled_answered,
        },
        "errors": tally.errors,
        "error_messages": tally.error_messages,
        "warmup": warmup,
        "rss_growth": rss_growth,
        "rss_mib_start": round(samples[0].rss_mib, 1),
        "rss_mib_after_warmup": round(after.rss_mib, 1),
        "rss_mib_end": round(end.rss_mib, 1),
        "rss_mib_max": round(max(s.rss_mib for s in samples), 1),
        "rss_anon_growth": rss_anon_growth,
        "rss_anon_mib_after_warmup": round(after.rss_anon_mib, 1),
        "rss_anon_mib_end": round(end.rss_anon_mib, 1),
        "threads_start": after.threads,
        "threads_end": end.threads,
        "fds_start": after.fds,
        "fds_end": end.fds,
        "crashes": crashes,
        "crashed_at_request": crashed_at if crashes else None,
        "exit_code": exit_code,
        "latency_ms": {"p50": p(measured, 50), "p95": p(measured, 95), "n": len(measured)},
        "latency_window": window,
        "p50_first": p(first, 50),
        "p50_last": p(last, 50),
        "p95_first": p95_first,
        "p95_last": p95_last,
        "p95_ratio_last_vs_first": ratio,
        "prompt_tokens_per_request": {
            "first": tokens_per_request(counters, warmup, warmup + WINDOW),
            "last": tokens_per_request(counters, args.requests - WINDOW, args.requests),
        },
        "document_chars": {"opened": [d.opened_size for d in docs], "end": [len(d.text) for d in docs]},
        "samples": [s.as_dict() for s in samples],
        "server_stats": server_stats,
        "targets": TARGETS,
        "targets_met": {
            "rss_growth": rss_growth < 0.05,
            "threads": end.threads <= after.threads,
            "fds": end.fds <= after.fds,
            "crashes": crashes == 0,
            "p95_ratio_last_vs_first": ratio is not None and ratio <= 1.2,
        },
        "model": args.model,
        "threads": args.threads,
        "cancel_probability": args.cancel,
        "prompt_budget_tokens": {"prefix": args.prefix_tokens, "suffix": args.suffix_tokens},
        "seed": args.seed,
        "documents": [str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name for path in DOCUMENTS],
        "machine": describe(),
        "date": date.today().isoformat(),
        "wall_seconds": round(wall, 1),
        "thread_dump_taken": dumped,
    }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=FULL_RUN, help="completion requests (default 10000)")
    parser.add_argument("--cancel", type=float, default=0.3, help="share of requests cancelled (default 0.3)")
    parser.add_argument("--warmup", type=int, help="requests before the baseline (default: min(1000, N/10))")
    parser.add_argument("--sample-every", type=int, default=100, help="requests between RSS/thread/fd samples")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--threads", type=int, default=default_threads(), help="engine threads (default: Copiloto's)")
    parser.add_argument("--prefix-tokens", type=int, default=256, help="completion.max_prefix_tokens (default 256)")
    parser.add_argument("--suffix-tokens", type=int, default=32, help="completion.max_suffix_tokens (default 32)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--server-log", type=Path, help="keep the server's stderr in this file (default: dropped)")
    parser.add_argument("--out", type=Path, help="the JSON file (default: bench/results/soak-<date>[-limitN].json)")
    args = parser.parse_args()
    if args.requests < 2 or args.sample_every < 1:
        parser.error("--requests must be at least 2 and --sample-every at least 1")
    warmup = min(1000, args.requests // 10) if args.warmup is None else args.warmup
    warmup = max(0, min(warmup, args.requests - 1))

    with tempfile.TemporaryDirectory(prefix="copiloto-soak-") as tmp:
        log = args.server_log or Path(tmp) / "server.log"
        report = asyncio.run(soak(args, warmup, log))
        lines = log.read_text(errors="replace").splitlines()
        warnings = Counter(re.sub(r"\d+", "N", line.split(" ", 2)[-1]) for line in lines if WARNING.match(line))
        levels = [match.group(1) for line in lines if (match := LOG_LEVEL.match(line))]
        report["server_log"] = {
            "lines": len(lines),
            "by_level": {level: levels.count(level) for level in sorted(set(levels))},
            "tracebacks": sum(line.startswith("Traceback") for line in lines),
            "warnings_and_errors": dict(warnings.most_common(20)),
            "tail": lines[-30:] if report["crashes"] or report["exit_code"] != 0 else [],
        }
        if report.pop("thread_dump_taken"):
            report["thread_dump"] = [line for line in lines if THREAD_DUMP.match(line)]

    out = args.out or (
        REPO
        / "bench"
        / "results"
        / f"soak-{report['date']}{'' if args.requests >= FULL_RUN else '-limit' + str(args.requests)}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    met = report["targets_met"]
    print(
        f"{report['requests_sent']} requests in {report['wall_seconds']} s: answered {report['answered']}"
        f"  cancelled {report['cancelled']}  errors {report['errors']}  crashes {report['crashes']}"
        f"  exit code {report['exit_code']}\n"
        f"RSS {report['rss_mib_after_warmup']} -> {report['rss_mib_end']} MiB after warm-up ({report['warmup']}):"
        f" {report['rss_growth']:+.2%}  threads {report['threads_start']} -> {report['threads_end']}"
        f"  fds {report['fds_start']} -> {report['fds_end']}\n"
        f"latency p50 {report['latency_ms']['p50']} ms  p95 {report['latency_ms']['p95']} ms;"
        f"  p95 first {report['p95_first']} ms, last {report['p95_last']} ms"
        f" (x{report['p95_ratio_last_vs_first']}, {report['latency_window']} answers each)\n"
        f"targets met: {', '.join(k + (' yes' if v else ' NO') for k, v in met.items())}\n"
        f"wrote {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
