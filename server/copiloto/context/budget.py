"""Cut a prompt's prefix and suffix to token budgets at line boundaries.

``count_tokens`` is the model's tokenizer and is costly, so the search never
calls it once per line.  It estimates a cut from a chars-per-token ratio
(starting at 4, then re-measured from each count), refines the estimate a few
times, and finishes with a bisection over line boundaries between a cut known
to fit and one known to overflow.  A call never counts a string longer than
``MAX_CHARS_PER_TOKEN * budget`` characters, and at most ``MAX_COUNT_CALLS``
calls are made; if the search runs out of calls it returns the longest cut
known to fit, so the result always fits (see below for the one exception).

The search assumes token counts grow with the text, which is true of
BPE tokenizers up to merges at the cut point; at worst the result is a line
shorter than the optimum.
"""

from __future__ import annotations

from collections.abc import Callable

from copiloto.context._text import TextView

MAX_COUNT_CALLS = 16
MAX_CHARS_PER_TOKEN = 32  # a longer slice is assumed to overflow without counting it
_START_RATIO = 4.0
_ESTIMATE_ROUNDS = 3


def cut_to_budget(
    prefix: str,
    suffix: str,
    count_tokens: Callable[[str], int],
    max_prefix_tokens: int,
    max_suffix_tokens: int,
) -> tuple[str, str]:
    """Return ``(prefix_tail, suffix_head)`` fitting the two token budgets.

    The prefix keeps its end and the suffix its start.  Cuts fall on line
    boundaries (``\\n``, ``\\r\\n`` or a lone ``\\r``): the prefix starts at a
    line start, the suffix ends right after a line terminator (or at its end).
    The cursor line's own fragments -- the prefix after its last line break
    and the suffix before its first -- are always kept whole, even when they
    alone exceed the budget (the only way the result can exceed it;
    ``build_context`` skips lines over ``MAX_LINE_CHARS``, which bounds that).
    A budget ``<= 0`` yields ``""`` for that side.
    """
    return (
        _keep_tail(prefix, count_tokens, max_prefix_tokens),
        _keep_head(suffix, count_tokens, max_suffix_tokens),
    )


def _keep_tail(text: str, count: Callable[[str], int], budget: int) -> str:
    if budget <= 0 or not text:
        return "" if budget <= 0 else text
    view = TextView(text)
    n = len(text)
    frag = n - view.line_start_at_or_before(n)  # the cursor line's fragment: always kept
    size = _search(
        n,
        frag,
        lambda s: count(text[n - s :]),
        budget,
        # a kept size s starts at n - s, which must be a line start
        snap_down=lambda s: n - view.line_start_at_or_after(n - s),
        snap_up=lambda s: n - view.line_start_at_or_before(n - s),
    )
    return text[n - size :]


def _keep_head(text: str, count: Callable[[str], int], budget: int) -> str:
    if budget <= 0 or not text:
        return "" if budget <= 0 else text
    view = TextView(text)
    n = len(text)
    frag = view.line_end(0)  # the rest of the cursor line: always kept

    def snap_down(s: int) -> int:
        return n if s >= n else max(frag, view.line_start_at_or_before(s))

    def snap_up(s: int) -> int:
        return view.line_start_at_or_after(s) if s > frag else frag

    size = _search(n, frag, lambda s: count(text[:s]), budget, snap_down=snap_down, snap_up=snap_up)
    return text[:size]


def _search(
    n: int,
    frag: int,
    count_size: Callable[[int], int],
    budget: int,
    snap_down: Callable[[int], int],
    snap_up: Callable[[int], int],
) -> int:
    """Largest valid size in ``[frag, n]`` whose count fits ``budget``.

    ``snap_down(s)``/``snap_up(s)`` map any size to the nearest valid cut
    below/above it.  ``frag`` is valid and kept unconditionally.
    """
    calls = 0
    fit = frag  # largest size known to fit (frag: by decree)
    over = min(n + 1, budget * MAX_CHARS_PER_TOKEN + 1)  # smallest size known (or assumed) to overflow
    if fit >= n:
        return n
    ratio = _START_RATIO

    def probe(size: int) -> bool:
        nonlocal calls, ratio
        calls += 1
        tokens = count_size(size)
        if tokens > 0:
            ratio = size / tokens
        return tokens <= budget

    # 1) estimate: jump straight to where the chars-per-token ratio says the budget ends
    for _ in range(_ESTIMATE_ROUNDS):
        want = int(budget * ratio)
        size = snap_down(min(want, n))
        if size <= fit:
            size = snap_up(min(want, n))
        if not fit < size < over:
            break
        if probe(size):
            fit = size
            if size >= n:
                return n
        else:
            over = size
    # 2) bisect between the two bounds
    while calls < MAX_COUNT_CALLS:
        mid = (fit + over) // 2
        size = snap_down(mid)
        if size <= fit:
            size = snap_up(mid)
        if not fit < size < over:
            break  # no cut strictly between the bounds: fit is optimal
        if probe(size):
            fit = size
        else:
            over = size
    return fit
