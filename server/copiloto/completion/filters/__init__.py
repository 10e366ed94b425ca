"""Post-processing of raw completions into ghost text, tabby-agent style.

Each filter is a small pure ``(text, FilterContext) -> text`` function in its own module. Order of
``DEFAULT_FILTERS``:

1. ``single_line``: a single-line hole gets one line; everything later then sees only that line.
2. ``drop_prefix_echo`` and ``drop_trailing_comment``: remove what the model repeated from before the
   cursor and the narration it appended, before any cut measures the completion.
3. ``stop_at_suffix``: the strongest evidence of where the insertion ends is the model re-emitting
   the code that already follows the cursor; cut there first, while the raw layout is intact.
4. ``limit_scope``: then keep a multi-line completion inside the block where it starts.
5. ``drop_repetition``: then cut model loops and degenerate tails in what is left.
5a. ``first_statement``: an answer the model ran on keeps its first whole statement (and what the code
   after it needs).
5b. ``keep_parsing``: then keep the longest run of whole lines that parses with the code around it
   (a run-on answer stopped mid-statement loses its broken tail, not its good lines).
6. ``balance_brackets``: after every cut, since cutting can leave a bracket open or a closer the
   line suffix already has.
7. ``trim``: last, to clean the whitespace the cuts leave behind and settle the join.
"""

from __future__ import annotations

from collections.abc import Sequence

from copiloto.completion.filters._text import normalize_newlines
from copiloto.completion.filters.balance_brackets import balance_brackets
from copiloto.completion.filters.base import Filter, FilterContext
from copiloto.completion.filters.drop_prefix_echo import drop_prefix_echo
from copiloto.completion.filters.drop_repetition import drop_repetition
from copiloto.completion.filters.drop_trailing_comment import drop_trailing_comment
from copiloto.completion.filters.first_statement import first_statement
from copiloto.completion.filters.keep_parsing import keep_parsing
from copiloto.completion.filters.limit_scope import limit_scope
from copiloto.completion.filters.single_line import single_line
from copiloto.completion.filters.stop_at_suffix import stop_at_suffix
from copiloto.completion.filters.trim import trim

DEFAULT_FILTERS: tuple[Filter, ...] = (
    single_line,
    drop_prefix_echo,
    drop_trailing_comment,
    stop_at_suffix,
    limit_scope,
    drop_repetition,
    first_statement,
    keep_parsing,
    balance_brackets,
    trim,
)


def apply_filters(text: str, ctx: FilterContext, filters: Sequence[Filter] = DEFAULT_FILTERS) -> str:
    """Run `filters` in order over the raw completion; "" means show nothing. Output uses "\\n"."""
    text = normalize_newlines(text)
    for apply in filters:
        if not text:
            break
        text = apply(text, ctx)
    return text


__all__ = [
    "DEFAULT_FILTERS",
    "Filter",
    "FilterContext",
    "apply_filters",
    "balance_brackets",
    "drop_prefix_echo",
    "drop_repetition",
    "drop_trailing_comment",
    "first_statement",
    "keep_parsing",
    "limit_scope",
    "single_line",
    "stop_at_suffix",
    "trim",
]
