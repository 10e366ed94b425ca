"""Token budgets for the prompt that keep its start stable while the user types.

The KV cache is reused only for the prompt's unchanged leading tokens. Cutting the prefix to "the last
N tokens" would move its first line on every keystroke and throw the whole cache away; so the cut line
is snapped to a grid of SNAP_LINES lines and only moves when the budget forces it to.
"""

from __future__ import annotations

from collections.abc import Callable

from copiloto.context import cut_to_budget

SNAP_LINES = 32


def stable_budget(
    prefix: str,
    suffix: str,
    count_tokens: Callable[[str], int],
    max_prefix_tokens: int,
    max_suffix_tokens: int,
) -> tuple[str, str]:
    cut_prefix, cut_suffix = cut_to_budget(prefix, suffix, count_tokens, max_prefix_tokens, max_suffix_tokens)
    dropped_lines = prefix[: len(prefix) - len(cut_prefix)].count("\n")
    extra = -dropped_lines % SNAP_LINES
    if dropped_lines and extra:
        lines = cut_prefix.split("\n")
        if len(lines) > extra + 1:  # never drop the cursor's own line
            cut_prefix = "\n".join(lines[extra:])
    return cut_prefix, cut_suffix
