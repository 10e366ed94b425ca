"""`cut_to_budget`: line-boundary cuts, few tokenizer calls, edge cases."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from copiloto.context import cut_to_budget
from copiloto.context.budget import MAX_CHARS_PER_TOKEN, MAX_COUNT_CALLS


class Counter:
    """A fake tokenizer that records its calls."""

    def __init__(self, fn: Callable[[str], int] = lambda s: len(s) // 4) -> None:
        self.fn = fn
        self.calls: list[int] = []

    def __call__(self, s: str) -> int:
        self.calls.append(len(s))
        return self.fn(s)


def _lines(n: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join("x" * rng.randint(0, 80) + "\n" for _ in range(n))


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


def _best_prefix(text: str, count: Callable[[str], int], budget: int) -> str:
    """Brute force: the longest line-start tail that fits (or the last fragment)."""
    frag_start = text.rfind("\n") + 1
    for k in _line_starts(text):
        if k <= frag_start and count(text[k:]) <= budget:
            return text[k:]
    return text[frag_start:]


def _best_suffix(text: str, count: Callable[[str], int], budget: int) -> str:
    frag_end = text.find("\n")
    if frag_end < 0:
        return text
    ends = [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    if ends[-1] != len(text):
        ends.append(len(text))
    for e in reversed(ends):
        if count(text[:e]) <= budget:
            return text[:e]
    return text[:frag_end]


def test_small_inputs_are_kept_whole_with_one_call_each() -> None:
    c = Counter()
    assert cut_to_budget("a\nb", "c\nd", c, 100, 100) == ("a\nb", "c\nd")
    assert len(c.calls) == 2


@pytest.mark.parametrize("budget", [1, 10, 50, 100, 1000, 5000])
def test_prefix_cut_is_optimal_at_line_boundaries(budget: int) -> None:
    text = _lines(2000) + "    return fo"
    c = Counter()
    got, _ = cut_to_budget(text, "", c, budget, 0)
    assert text.endswith(got)
    assert got.endswith("    return fo")
    k = len(text) - len(got)
    assert k == 0 or text[k - 1] == "\n"
    assert got == _best_prefix(text, lambda s: len(s) // 4, budget)
    assert len(c.calls) <= MAX_COUNT_CALLS


@pytest.mark.parametrize("budget", [1, 10, 50, 100, 1000, 5000])
def test_suffix_cut_is_optimal_at_line_boundaries(budget: int) -> None:
    text = "o(x))\n" + _lines(2000, seed=1)
    c = Counter()
    _, got = cut_to_budget("", text, c, 0, budget)
    assert text.startswith(got)
    assert got.startswith("o(x))")
    assert got == text or got.endswith("\n") or got == "o(x))"
    assert got == _best_suffix(text, lambda s: len(s) // 4, budget)
    assert len(c.calls) <= MAX_COUNT_CALLS


@pytest.mark.parametrize(
    "fn",
    [
        lambda s: len(s),  # 1 char per token
        lambda s: len(s) // 10,  # 10 chars per token
        lambda s: len(s) // 3 + s.count("\n"),  # newline-heavy tokenizer
        lambda s: len(s.encode("utf-8")) // 2,  # byte-level
    ],
)
def test_other_tokenizer_ratios(fn: Callable[[str], int]) -> None:
    text = _lines(3000, seed=2) + "tail"
    for budget in (7, 300, 2000):
        c = Counter(fn)
        got, _ = cut_to_budget(text, "", c, budget, 0)
        assert got == _best_prefix(text, fn, budget)
        assert fn(got) <= budget or got == "tail"
        assert len(c.calls) <= MAX_COUNT_CALLS


def test_calls_are_few_and_never_on_the_whole_big_text() -> None:
    prefix = _lines(120_000, seed=3)  # ~5 MB
    suffix = _lines(120_000, seed=4)
    c = Counter()
    p, s = cut_to_budget(prefix, suffix, c, 2000, 500)
    assert len(c.calls) <= 2 * MAX_COUNT_CALLS
    assert len(c.calls) <= 12  # in practice: a couple of estimates and a short bisection each
    assert max(c.calls) <= 2000 * MAX_CHARS_PER_TOKEN
    assert len(p) // 4 <= 2000 and len(s) // 4 <= 500
    assert len(p) // 4 > 1900  # close to the budget (lines are <= 80 chars = 20 tokens)


def test_cursor_line_fragments_are_always_kept() -> None:
    prefix = "a\nb\n" + "y" * 1000
    suffix = "z" * 1000 + "\nc\n"
    p, s = cut_to_budget(prefix, suffix, Counter(), 10, 10)
    assert p == "y" * 1000
    assert s == "z" * 1000


def test_zero_and_negative_budgets() -> None:
    assert cut_to_budget("a\nb", "c\nd", Counter(), 0, 0) == ("", "")
    assert cut_to_budget("a\nb", "c\nd", Counter(), 100, 0) == ("a\nb", "")
    assert cut_to_budget("a\nb", "c\nd", Counter(), -1, -5) == ("", "")


def test_empty_inputs() -> None:
    c = Counter()
    assert cut_to_budget("", "", c, 10, 10) == ("", "")
    assert c.calls == []


def test_prefix_ending_at_a_line_start() -> None:
    p, _ = cut_to_budget("aaaa\nbbbb\n", "", Counter(lambda s: len(s)), 5, 0)
    assert p == "bbbb\n"
    p, _ = cut_to_budget("aaaa\nbbbb\n", "", Counter(lambda s: len(s)), 4, 0)
    assert p == ""  # the cursor is at a line start: its fragment is empty


@pytest.mark.parametrize("eol", ["\r\n", "\r"])
def test_crlf_and_lone_cr(eol: str) -> None:
    prefix = eol.join(["l1", "l2", "l3", "cur"])
    suffix = eol.join(["sfx", "n1", "n2"])
    length = Counter(lambda s: len(s))
    p, s = cut_to_budget(prefix, suffix, length, len(f"l3{eol}cur") + 1, len(f"sfx{eol}") + 1)
    assert (p, s) == (f"l3{eol}cur", f"sfx{eol}")
    for budget in range(1, 30):  # a CRLF pair is never split
        p, s = cut_to_budget(prefix, suffix, length, budget, budget)
        assert not p.startswith("\n")
        assert not (eol == "\r\n" and s.endswith("\r"))
        assert p == prefix or prefix[len(prefix) - len(p) - 1] in "\r\n"


def test_tokenizer_returning_zero_is_capped_in_characters() -> None:
    prefix = _lines(10_000, seed=5)
    p, _ = cut_to_budget(prefix, "", Counter(lambda s: 0), 10, 0)
    assert 0 < len(p) <= 10 * MAX_CHARS_PER_TOKEN


def test_tokenizer_always_over_budget_keeps_fragments_only() -> None:
    p, s = cut_to_budget("a\nb\ncur", "rest\nx\n", Counter(lambda s: 10**9), 100, 100)
    assert (p, s) == ("cur", "rest")


def test_no_line_break_at_all() -> None:
    c = Counter()
    assert cut_to_budget("x" * 10_000, "y" * 10_000, c, 10, 10) == ("x" * 10_000, "y" * 10_000)
