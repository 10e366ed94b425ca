"""Client-side helper: pygls hands back results of custom requests as namedtuple-like objects."""

from __future__ import annotations

from typing import Any


def plain(value: Any) -> Any:
    """The same value as plain dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
