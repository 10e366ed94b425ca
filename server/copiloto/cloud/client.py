"""The Claude client: one structured question per call, answered through a tool whose input schema is the
pydantic model the answer must be, validated; every request passes one gate (outbound.gate: the whole body redacted)
right before it is sent; usage recorded against a daily budget.

- Key: `ANTHROPIC_API_KEY` only (the VS Code extension passes its SecretStorage key this way); never written to
  settings, logs or messages. `ANTHROPIC_BASE_URL` (a proxy, a gateway, the tests' fake API) is the SDK's own.
- Retries: the SDK's, bounded by `cloud.max_retries`, with backoff that honours `retry-after` on 429/5xx/529.
- Prompt caching: the system prompt and the file context are marked `cache_control: ephemeral`, so a second
  question about the same file pays for its context once; the usage the API returns (input, cache written,
  cache read, output) is recorded per call and per day.
- An answer that fails validation is asked for again once, with the validation error; then it is an error.
- Streaming: answers arrive as server-sent events, so a long answer never meets an HTTP read timeout in the
  middle, its progress can be shown (`progress`), and cancelling the call's task closes the stream at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePath
from typing import Any, Generic, TypeVar

from platformdirs import user_state_dir
from pydantic import BaseModel, ValidationError

from copiloto.cloud.outbound import gate
from copiloto.cloud.redact import is_excluded
from copiloto.config import CloudSettings
from copiloto.errors import Failed, Unavailable

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
KEY_ENV = "ANTHROPIC_API_KEY"
Progress = Callable[[str], None]  # told how far Claude's answer has come, for a progress report
PROGRESS_EVERY = 400  # characters of the answer between two progress messages
# Models whose tool inputs the API holds to the schema (`"strict": true`, grammar-constrained): the 4.5 family on.
_STRICT_MODEL = re.compile(r"claude-(?:opus|sonnet|haiku)-(?P<major>\d+)(?:-(?P<minor>\d{1,2})(?!\d))?")


class CloudUnavailable(Unavailable):
    """Claude cannot be used now (no key, disabled, over budget); the message says why, for the user."""


class CloudError(Failed):
    """A request to Claude failed (after the SDK's retries) or its answer stayed invalid."""


@dataclass
class Usage:
    input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens + self.output_tokens

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.cache_creation_input_tokens += other.cache_creation_input_tokens
        self.cache_read_input_tokens += other.cache_read_input_tokens
        self.output_tokens += other.output_tokens


class Ledger:
    """Tokens used today, kept in a small JSON file so the budget holds across restarts."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(user_state_dir("copiloto")) / "claude-usage.json"

    def today(self) -> Usage:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Usage()
        day = data.get(date.today().isoformat()) if isinstance(data, dict) else None
        return Usage(**{k: int(v) for k, v in day.items() if k in Usage.__dataclass_fields__}) if day else Usage()

    def record(self, usage: Usage) -> Usage:
        total = self.today()
        total.add(usage)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps({date.today().isoformat(): total.__dict__}), encoding="utf-8")
        except OSError as exc:
            log.warning("cannot record Claude's usage in %s: %s", self.path, exc)
        return total


@dataclass
class Answer(Generic[M]):
    value: M
    usage: Usage
    calls: int  # 2 when the first answer failed validation
    redacted: int  # secrets replaced before sending
    requests: list[dict[str, Any]] = field(default_factory=list)  # as sent (for the audit and tests)
    strict: bool = False  # the tool was strict: the API held its input to the schema


class CloudClient:
    def __init__(self, settings: CloudSettings, ledger: Ledger | None = None) -> None:
        self.settings = settings
        # Strict tools where the model has them; validation and one retry stay as the fallback for the others,
        # and for a model the API turns out not to give them to (it then answers 400 once, and we stop asking).
        self.strict = supports_strict(settings.model)
        self.ledger = ledger or Ledger()

    def unavailable_reason(self) -> str | None:
        """Why Claude cannot be used now, or None when it can."""
        if not self.settings.enabled:
            return "Claude is turned off (cloud.enabled)"
        if not os.environ.get(KEY_ENV):
            return f"Claude is not used: no API key ({KEY_ENV}; in VS Code: Copiloto: Set Anthropic API key)"
        budget = self.settings.daily_token_budget
        if budget and self.ledger.today().total >= budget:
            return f"Claude is not used: today's token budget ({budget:,}, cloud.daily_token_budget) is spent"
        return None

    def warm_up(self) -> None:
        """Import the SDK in the background when Claude can be used: the import takes 1-2 s, which the first
        deep review would otherwise wait for."""
        if self.unavailable_reason() is None:
            threading.Thread(target=lambda: __import__("anthropic"), name="copiloto-sdk-import", daemon=True).start()

    def _sdk(self) -> Any:
        """The SDK's async client for one question (closed after it: its connections belong to the running
        loop, and a question takes seconds, so reusing connections across questions gains nothing)."""
        from anthropic import AsyncAnthropic

        return AsyncAnthropic(timeout=self.settings.timeout_s, max_retries=self.settings.max_retries)

    def never_sends(self, path: str) -> bool:
        """Whether `path` matches cloud.exclude (the built-in list and the user's): `ask` refuses its text."""
        return is_excluded(path, self.settings.never_sent())

    async def ask(
        self,
        system: str,
        context: str,
        question: str,
        answer: type[M],
        tool: str,
        progress: Progress | None = None,
        path: str | None = None,
    ) -> Answer[M]:
        """Claude's answer as an instance of `answer`; `context` (the file at `path`) and `question` are redacted
        first. CloudUnavailable when it cannot be used (or `path` matches cloud.exclude), CloudError when the
        request or the answer fails."""
        why = self.unavailable_reason()
        if why is not None:
            raise CloudUnavailable(why)
        if path is not None and self.never_sends(path):
            raise CloudUnavailable(f"{PurePath(path).name} matches cloud.exclude: it is never sent to Claude")
        messages: list[dict[str, Any]] = [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": context, "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": question},
                ],
            }
        ]
        async with self._sdk() as sdk:
            return await self._ask(sdk, system, messages, answer, tool, progress)

    async def _ask(
        self,
        sdk: Any,
        system: str,
        messages: list[dict[str, Any]],
        answer: type[M],
        tool: str,
        progress: Progress | None,
    ) -> Answer[M]:
        usage, sent, redacted = Usage(), [], 0
        for attempt in (1, 2):
            message = None
            while message is None:  # twice when the API refuses strict tools for the model: then without
                # Nothing reaches the SDK but through the gate; redacting a large file takes a moment: off the loop.
                gated = await asyncio.to_thread(gate, self._request(system, messages, answer, tool))
                redacted = max(redacted, gated.redacted)
                sent.append({**gated.body, "stream": True})  # the body as the SDK sends it
                self._audit(sent[-1])
                try:
                    message = await self._send(sdk, gated.body, progress)
                except StrictRefused as exc:
                    log.info("%s refuses strict tools (%s): its answers are validated here", self.settings.model, exc)
                    self.strict = False
            used = _usage(message)
            usage.add(used)
            self.ledger.record(used)
            block = next((b for b in message.content if getattr(b, "type", "") == "tool_use"), None)
            try:
                if block is None:
                    raise ValueError(f"no {tool} call in the answer (stop reason {message.stop_reason})")
                value = answer.model_validate(block.input)
            except (ValidationError, ValueError) as exc:
                if attempt == 2:
                    raise CloudError(f"Claude's answer stayed invalid: {_short(exc)}") from exc
                log.info("Claude's answer was invalid, asking again: %s", _short(exc))
                messages += [
                    {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in message.content]},
                    {"role": "user", "content": _retry_content(block, exc, tool)},
                ]
                continue
            return Answer(value, usage, attempt, redacted, sent, strict="strict" in sent[-1]["tools"][0])
        raise AssertionError("unreachable")

    def _request(
        self, system: str, messages: list[dict[str, Any]], answer: type[BaseModel], tool: str
    ) -> dict[str, Any]:
        schema = answer.model_json_schema()
        definition: dict[str, Any] = {"name": tool, "description": (answer.__doc__ or tool).strip()}
        if self.strict:
            definition.update(input_schema=strict_schema(schema), strict=True)
        else:
            definition["input_schema"] = schema
        return {
            "model": self.settings.model,
            "max_tokens": self.settings.max_tokens,
            "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
            "messages": messages,
            "tools": [definition],
            "tool_choice": {"type": "tool", "name": tool},
        }

    async def _send(self, sdk: Any, request: dict[str, Any], progress: Progress | None) -> Any:
        import anthropic

        started = time.perf_counter()
        try:
            async with sdk.messages.stream(**request) as stream:
                received = told = 0
                async for event in stream:
                    if event.type == "input_json":  # a piece of the tool's input, as it is written
                        received += len(event.partial_json)
                    if progress is not None and received - told >= PROGRESS_EVERY:
                        told = received
                        progress(f"Claude is answering ({received:,} characters)")
                message = await stream.get_final_message()
        except anthropic.APIStatusError as exc:
            if exc.status_code == 400 and "strict" in str(exc).lower() and request["tools"][0].get("strict"):
                raise StrictRefused(_short(exc)) from exc
            raise CloudError(f"Claude answered {exc.status_code}: {_short(exc)}") from exc
        except anthropic.APITimeoutError as exc:
            raise CloudError(f"Claude did not answer within {self.settings.timeout_s:.0f} s") from exc
        except anthropic.APIConnectionError as exc:
            raise CloudError(f"cannot reach Claude: {_short(exc)}") from exc
        except (ValueError, KeyError, AssertionError) as exc:  # a body that is not the API's events or JSON
            raise CloudError(f"Claude's answer was not readable: {_short(exc)}") from exc
        if not isinstance(getattr(message, "content", None), list) or getattr(message, "usage", None) is None:
            raise CloudError("Claude's answer was not a message (a proxy in the way?)")
        log.info("Claude answered in %.1f s", time.perf_counter() - started)
        return message

    def _audit(self, request: dict[str, Any]) -> None:
        path = self.settings.audit_file
        if path is None:
            return
        try:
            with Path(path).open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"time": time.time(), "request": request}) + "\n")
        except OSError as exc:
            log.warning("cannot write the audit file %s: %s", path, exc)


class StrictRefused(Exception):
    """The API does not give this model strict tools (asked again without)."""


def supports_strict(model: str) -> bool:
    """Whether `model` has strict tool use (structured outputs): Claude Opus, Sonnet and Haiku from 4.5 on."""
    found = _STRICT_MODEL.search(model)
    if found is None:
        return False
    return (int(found["major"]), int(found["minor"] or 0)) >= (4, 5)


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (pydantic's) as strict tools take it: every object closed (`additionalProperties: false`) and
    listing every property as required (an optional one already allows null), no defaults."""

    def close(node: Any) -> Any:
        if isinstance(node, list):
            return [close(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: close(value) for key, value in node.items() if key != "default"}
        if out.get("type") == "object" or "properties" in out:
            out["additionalProperties"] = False
            out["required"] = list(out.get("properties", {}))
        return out

    closed: dict[str, Any] = close(schema)
    return closed


def _usage(message: Any) -> Usage:
    u = message.usage
    return Usage(
        input_tokens=u.input_tokens or 0,
        cache_creation_input_tokens=u.cache_creation_input_tokens or 0,
        cache_read_input_tokens=u.cache_read_input_tokens or 0,
        output_tokens=u.output_tokens or 0,
    )


def _retry_content(block: Any, exc: Exception, tool: str) -> list[dict[str, Any]]:
    reason = f"That {tool} input was invalid: {_short(exc)}. Call {tool} again with valid input."
    if block is None:
        return [{"type": "text", "text": reason}]
    return [{"type": "tool_result", "tool_use_id": block.id, "content": reason, "is_error": True}]


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


__all__ = ["Answer", "CloudClient", "CloudError", "CloudUnavailable", "Ledger", "Progress", "Usage"]
