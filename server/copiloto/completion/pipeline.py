"""The inline completion pipeline: context -> cache -> budgeted prompt -> engine -> filters.

`prepare` and `finish` are plain functions around one engine call so that the LSP server (async) and
the `copiloto complete` command (blocking) run exactly the same steps.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from copiloto.completion.budget import stable_budget
from copiloto.completion.cache import CompletionCache
from copiloto.completion.filters import FilterContext, apply_filters
from copiloto.completion.stats import CompletionStats
from copiloto.config import CompletionSettings
from copiloto.context import CompletionContext, build_context
from copiloto.engine.types import Engine, GenerationRequest, GenerationResult, Priority

Source = Literal["model", "cache", "skip", "cancelled", "error"]
Policy = Literal["single", "multi", "auto"]


@dataclass
class Completion:
    text: str
    source: Source
    mode: str = "single"
    latency_ms: float = 0.0
    reason: str | None = None
    result: GenerationResult | None = None

    def details(self) -> dict[str, Any]:
        """What the client and the command line report about this completion (JSON-ready)."""
        result = self.result
        return {
            "source": self.source,
            "mode": self.mode,
            "reason": self.reason,
            "latency_ms": round(self.latency_ms, 1),
            "prompt_tokens": result.prompt_tokens if result else 0,
            "reused_tokens": result.reused_tokens if result else 0,
            "generated_tokens": result.generated_tokens if result else 0,
            "stop_reason": result.stop_reason if result else None,
        }


@dataclass
class Prepared:
    uri: str
    context: CompletionContext
    request: GenerationRequest
    started: float
    how: Policy


def policy(ctx: CompletionContext) -> Policy:
    """How many lines to ask for. The context decides "multi" after a block opener and in an empty
    body, "single" mid-line. On any other blank line the hole may be one line or several: "auto" asks
    for several and the filters trim the answer like a "multi" one, except that where more code of the
    same definition follows (`code_follows`) and the model did not end the hole itself (`anchored`),
    it keeps its first whole statement and what the following code needs (filters/first_statement.py)."""
    if ctx.mode == "single" and not ctx.line_prefix.strip() and not ctx.line_suffix.strip():
        return "auto"
    return ctx.mode


def anchored(result: GenerationResult, stops: tuple[str, ...]) -> bool:
    """The model ended the hole itself: an end-of-middle token, or it went on to write the line that
    already follows. Run-on output (a blank-line run, the token limit) is not trusted past line one."""
    if result.stop_reason == "eot":
        return True
    return (
        result.stop_reason == "stop"
        and result.stop_hit is not None
        and result.stop_hit != BLANK_RUN
        and result.stop_hit in stops
    )


BLANK_RUN = "\n\n\n"


def code_follows(ctx: CompletionContext) -> bool:
    """More code of the same definition follows the cursor line: the next non-blank line is indented and
    is not only closing brackets. A model that runs on there writes its own version of that code."""
    following = next((line for line in ctx.next_lines if line.strip()), None)
    if following is None or following[:1] not in (" ", "\t"):
        return False
    return any(ch.isalnum() for ch in following)


def stop_strings(ctx: CompletionContext, how: Policy | None = None) -> tuple[str, ...]:
    """Where generation should stop: the suffix's first non-blank line, a blank-line run, a new line
    for single-line holes. The newline before a stop line is not part of the insertion, so the join
    with the suffix keeps its own line break."""
    how = how or policy(ctx)
    stops: list[str] = []
    if how == "single":
        stops.append("\n")
        if not _in_comment(ctx.line_prefix):
            stops += INLINE_COMMENT_STOPS  # narration after the code: cut early, not at the token limit
    else:
        stops.append(BLANK_RUN)
        following = next((line for line in ctx.next_lines if line.strip()), None)
        if following is not None and ctx.line_suffix.strip() == "":
            stops.append("\n" + following.rstrip())
    return tuple(stops)


def scope_exit(ctx: CompletionContext) -> tuple[str, ...]:
    """A pattern for a line that dedents out of the enclosing function or class: the completion is over
    there, and without it a model that runs on spends the whole token budget before the filters cut."""
    indent = ctx.scope.body_indent if ctx.scope is not None and ctx.scope.kind != "module" else ""
    if not indent:
        return ()
    return (rf"\n(?![ \t]{{{len(indent)}}})(?=[ \t]*\S)",)


# An inline comment after code, in the usual styles (PEP 8's two spaces; C, PHP and JS's //).
INLINE_COMMENT_STOPS = ("  # ", "  //", " // ")


def _in_comment(line_prefix: str) -> bool:
    stripped = line_prefix.lstrip()
    return stripped.startswith(("#", "//", "/*", "*"))


_WORD_FRAGMENT = re.compile(r"(?<![\w$])[A-Za-z_$][A-Za-z0-9_]{0,31}$|^[ \t]{1,32}$")


def word_fragment(line_prefix: str) -> str:
    """What token healing re-spells: the identifier being typed at the cursor (ASCII, at most 32
    characters), or the indentation of a blank line (a prompt ending in spaces ends on a token the model
    rarely saw there: it then repeats the indentation). Mid-line spaces are kept: measured, re-spelling
    them made the model restart the line ("return " -> " return b")."""
    match = _WORD_FRAGMENT.search(line_prefix)
    return match.group(0) if match else ""


WINDOW_LINES = 400


def _starts_definition(line: str) -> bool:
    first = line[:1]
    return first.isalpha() or (first != "" and first in "_@$<")


def enclosing_window(ctx: CompletionContext) -> tuple[str, str]:
    """The top-level statement around the cursor line: its text before that line (from the last line that
    starts at column 0) and after it (up to the next such line), at most WINDOW_LINES each way. It walks
    line by line from the cursor: this runs on every completion, and documents can be megabytes."""
    prefix, line_start = ctx.prefix, len(ctx.prefix) - len(ctx.line_prefix)
    start = line_start
    for _ in range(WINDOW_LINES):
        if start == 0:
            break
        start = prefix.rfind("\n", 0, start - 1) + 1
        if _starts_definition(prefix[start : start + 1]):
            break
    suffix = ctx.suffix
    first = end = min(len(suffix), len(ctx.line_suffix) + 1)
    for _ in range(WINDOW_LINES):
        if end >= len(suffix) or _starts_definition(suffix[end : end + 1]):
            break
        newline = suffix.find("\n", end)
        end = len(suffix) if newline < 0 else newline + 1
    return prefix[start:line_start], suffix[first:end].removesuffix("\n")


def filter_context(
    ctx: CompletionContext, multiline: bool | None = None, first_statement: bool = False
) -> FilterContext:
    before, after = enclosing_window(ctx)
    return FilterContext(
        line_prefix=ctx.line_prefix,
        line_suffix=ctx.line_suffix,
        prev_lines=ctx.prev_lines,
        next_lines=ctx.next_lines,
        multiline=ctx.mode == "multi" if multiline is None else multiline,
        indent_unit=ctx.indent_unit,
        before=before,
        after=after,
        language_id=ctx.language_id,
        first_statement=first_statement,
    )


def generation_request(
    ctx: CompletionContext,
    settings: CompletionSettings,
    count_tokens: Callable[[str], int],
    heal: str = "",
    supersede_key: str | None = None,
) -> tuple[GenerationRequest, Policy]:
    """What the model is asked for this context: the budgeted window (without the healed fragment), and
    the token limit, stops and time limit of its line policy. The latency benchmark asks its peers the same."""
    prefix, suffix = stable_budget(
        ctx.prefix[: len(ctx.prefix) - len(heal)],
        ctx.suffix,
        count_tokens,
        settings.max_prefix_tokens,
        settings.max_suffix_tokens,
    )
    how = policy(ctx)
    multi = how != "single"
    request = GenerationRequest(
        prefix=prefix,
        suffix=suffix,
        max_tokens=settings.max_tokens_multi_line if multi else settings.max_tokens_single_line,
        stop=stop_strings(ctx, how),
        stop_patterns=scope_exit(ctx) if multi else (),
        line_time_ms=(settings.multi_line_time_ms or None) if multi else None,
        priority=Priority.INTERACTIVE,
        supersede_key=supersede_key,
        heal=heal,
    )
    return request, how


def answer_context(
    ctx: CompletionContext, how: Policy, result: GenerationResult, stops: tuple[str, ...]
) -> FilterContext:
    """What the filters know about this answer: its line policy, and whether it ran on past a hole that
    more code of the same definition follows (then its first statement is what is sure)."""
    ran_on = how == "auto" and not anchored(result, stops) and code_follows(ctx)
    return filter_context(ctx, how != "single", first_statement=ran_on)


class CompletionService:
    def __init__(self, engine: Engine, settings: CompletionSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.cache = CompletionCache(settings.cache_size)
        self.stats = CompletionStats()

    def update_settings(self, settings: CompletionSettings) -> None:
        self.settings = settings
        self.cache.capacity = settings.cache_size

    def prepare(self, uri: str, text: str, offset: int, language_id: str) -> Prepared | Completion:
        """Everything before the model: a Completion when it can answer without the model."""
        started = time.perf_counter()
        self.stats.requests += 1
        ctx = build_context(text, offset, language_id)
        if ctx.skip_reason is not None:
            return Completion("", "skip", ctx.mode, reason=ctx.skip_reason)
        cached = self.cache.lookup(uri, ctx.prefix, ctx.suffix)
        if cached is not None:
            self.stats.cache_hits += 1
            return self._shown(Completion(cached, "cache", ctx.mode, _ms(started)))
        heal = word_fragment(ctx.line_prefix) if self.settings.token_healing else ""
        request, how = generation_request(ctx, self.settings, self.engine.count_tokens, heal, supersede_key=uri)
        return Prepared(uri, ctx, request, started, how)

    def finish(self, prepared: Prepared, result: GenerationResult) -> Completion:
        ctx = prepared.context
        latency = _ms(prepared.started)
        self.stats.prompt_tokens += result.prompt_tokens
        self.stats.reused_tokens += result.reused_tokens
        self.stats.generated_tokens += result.generated_tokens
        self.stats.decode_ms += result.decode_ms
        if result.stop_reason == "cancelled":
            self.stats.cancelled += 1
            return Completion("", "cancelled", ctx.mode, latency, result=result)
        if result.stop_reason == "error":
            self.stats.errors += 1
            return Completion("", "error", ctx.mode, latency, reason=result.error, result=result)
        filters = answer_context(ctx, prepared.how, result, prepared.request.stop)
        text = apply_filters(result.text, filters)
        self.cache.store(prepared.uri, ctx.prefix, ctx.suffix, text)
        mode = "multi" if filters.multiline else "single"
        return self._shown(Completion(text, "model", mode, latency, result=result))

    async def complete(self, uri: str, text: str, offset: int, language_id: str) -> Completion:
        prepared = self.prepare(uri, text, offset, language_id)
        if isinstance(prepared, Completion):
            return prepared
        job = self.engine.submit(prepared.request)
        try:
            result = await asyncio.wrap_future(job.future)
        except asyncio.CancelledError:
            job.cancel()
            self.stats.cancelled += 1
            raise
        return self.finish(prepared, result)

    def complete_blocking(self, uri: str, text: str, offset: int, language_id: str) -> Completion:
        prepared = self.prepare(uri, text, offset, language_id)
        if isinstance(prepared, Completion):
            return prepared
        return self.finish(prepared, self.engine.submit(prepared.request).future.result())

    def _shown(self, completion: Completion) -> Completion:
        if completion.text:
            self.stats.shown += 1
            self.stats.latencies_ms.append(completion.latency_ms)
        else:
            self.stats.empty += 1
        return completion


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
