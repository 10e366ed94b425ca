"""Reading generated text, the same for the local and the remote engine: where it stops, its whole lines."""

from __future__ import annotations

import re
from collections.abc import Sequence


def whole_lines(text: str) -> str:
    """`text` up to its last line end, when that keeps at least one line with something on it; else ""."""
    kept = text[: max(0, text.rfind("\n"))].rstrip("\n")
    return kept if kept.strip() else ""


def find_stop(text: str, stops: Sequence[str], patterns: Sequence[re.Pattern[str]] = ()) -> tuple[int, str] | None:
    """The earliest stop string or pattern match in `text`: where it starts, and which one."""
    hits = [(i, s) for s, i in ((s, text.find(s)) for s in stops) if i >= 0]
    hits += [(m.start(), p.pattern) for p in patterns if (m := p.search(text)) is not None]
    return min(hits) if hits else None
