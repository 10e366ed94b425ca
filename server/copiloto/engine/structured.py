"""Structured answers from the local model: a pydantic model's JSON schema becomes a llama.cpp grammar, the
constrained output is parsed and validated back into that model.

The grammar makes invalid JSON unlikely, not impossible: generation can stop at the token limit or the
deadline mid-object. So the answer is still parsed and validated, and what fails is dropped and counted
by the caller; it never reaches the user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from copiloto.engine.chat import ChatPrompt
from copiloto.engine.types import Engine, GenerationRequest, GenerationResult, Priority, Stopped, never_stopped

M = TypeVar("M", bound=BaseModel)


@cache
def json_grammar(model: type[BaseModel]) -> str:
    """GBNF text accepting exactly the JSON documents of `model`'s schema (llama.cpp's own converter)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return json_schema_to_gbnf(json.dumps(model.model_json_schema()))


@dataclass
class Structured(Generic[M]):
    value: M | None  # None: the answer was not valid (see `error`) or generation did not finish
    raw: str
    result: GenerationResult
    error: str | None = None


MAX_PREEMPTIONS = 100


def _generate(engine: Engine, request: GenerationRequest, stopped: Stopped) -> GenerationResult:
    """The request's result; a background request that gave way to urgent work is asked again (its prompt's
    KV cache may be gone by then, which costs one prompt evaluation, not the user's typing)."""
    for _ in range(MAX_PREEMPTIONS):
        job = engine.submit(request)
        while True:
            try:
                result = job.future.result(timeout=0.1)
                break
            except TimeoutError:
                if stopped():
                    job.cancel()
        if result.stop_reason != "preempted" or stopped():
            return result
    return result


def parse_answer(model: type[M], text: str) -> M:
    """The model instance in `text`; ValueError (with pydantic's reason) when it is not one."""
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"msg": str(exc)}
        raise ValueError(f"{first.get('msg')} at {'.'.join(str(p) for p in first.get('loc', ()))}") from exc


def ask(
    engine: Engine,
    prompt: ChatPrompt,
    model: type[M],
    *,
    max_tokens: int = 384,
    priority: Priority = Priority.BACKGROUND,
    timeout_s: float | None = None,
    stopped: Stopped = never_stopped,
) -> Structured[M]:
    """Ask for one `model` instance; waits for the engine (callers run this off the event loop)."""
    request = GenerationRequest(
        prefix="",
        chat=prompt,
        grammar=json_grammar(model),
        max_tokens=max_tokens,
        priority=priority,
        timeout_s=timeout_s,
    )
    result = _generate(engine, request, stopped)
    if result.stop_reason in ("cancelled", "preempted", "error", "timeout", "length"):
        return Structured(None, result.text, result, error=result.error or f"generation ended: {result.stop_reason}")
    try:
        return Structured(parse_answer(model, result.text), result.text, result)
    except ValueError as exc:
        return Structured(None, result.text, result, error=str(exc))
