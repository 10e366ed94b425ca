"""Counters for completions: what was asked, shown, cancelled, accepted, and how fast. Local only."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from statistics import quantiles
from typing import Any


def percentile(values: list[float], q: int) -> float | None:
    """q-th percentile (1..99) with the inclusive method; None without data."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class CompletionStats:
    requests: int = 0
    shown: int = 0
    empty: int = 0
    cancelled: int = 0
    errors: int = 0
    accepted: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    reused_tokens: int = 0
    generated_tokens: int = 0
    decode_ms: float = 0.0
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=1000))

    def as_dict(self) -> dict[str, Any]:
        lat = list(self.latencies_ms)
        return {
            "requests": self.requests,
            "shown": self.shown,
            "empty": self.empty,
            "cancelled": self.cancelled,
            "errors": self.errors,
            "accepted": self.accepted,
            "acceptance_rate": self.accepted / self.shown if self.shown else None,
            "cache_hits": self.cache_hits,
            "latency_p50_ms": percentile(lat, 50),
            "latency_p95_ms": percentile(lat, 95),
            "prompt_tokens": self.prompt_tokens,
            "reused_tokens": self.reused_tokens,
            "prompt_reuse": self.reused_tokens / self.prompt_tokens if self.prompt_tokens else None,
            "generated_tokens": self.generated_tokens,
            "decode_ms": round(self.decode_ms, 1),
            "decode_tokens_per_s": self.generated_tokens / (self.decode_ms / 1000) if self.decode_ms else None,
        }
