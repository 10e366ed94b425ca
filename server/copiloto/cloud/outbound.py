"""The one gate every request to Claude passes: each text in the body is redacted just before it is sent.

`CloudClient` calls `gate` on the complete request body — system prompt, file context, question, log entries and
frames, failure output of generated tests, the retry after an invalid answer — right before the SDK sees it, so no
caller can add text that skips redaction. What the body names rather than says (ids, roles, types, the model,
the tool's schema) is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copiloto.cloud.redact import redact

# Keys whose strings are protocol, not content.
_PROTOCOL_KEYS = frozenset({"type", "role", "id", "tool_use_id", "name", "cache_control", "media_type"})
# Top-level fields of the Messages API body that carry content.
_CONTENT_FIELDS = ("system", "messages")


@dataclass(frozen=True)
class Gated:
    body: dict[str, Any]
    redacted: int  # secrets replaced


def gate(body: dict[str, Any]) -> Gated:
    """`body` with every content string redacted (a new dict; `body` is left as it was)."""
    count = 0

    def clean(value: Any, key: str | None = None) -> Any:
        nonlocal count
        if isinstance(value, str):
            if key in _PROTOCOL_KEYS:
                return value
            done = redact(value)
            count += done.count
            return done.text
        if isinstance(value, dict):
            return {k: clean(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, key) for v in value]
        return value

    gated = {k: clean(v) if k in _CONTENT_FIELDS else v for k, v in body.items()}
    return Gated(gated, count)
