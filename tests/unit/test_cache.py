"""The completion cache: exact hits, typing ahead through a suggestion, LRU eviction."""

import pytest

from copiloto.completion.cache import CompletionCache

URI = "file:///a.py"


@pytest.mark.parametrize(
    ("stored_prefix", "completion", "prefix", "suffix", "expected"),
    [
        ("x = ", "foo(1)", "x = ", "\n", "foo(1)"),  # exact
        ("x = ", "foo(1)", "x = f", "\n", "oo(1)"),  # typed ahead one character
        ("x = ", "foo(1)", "x = foo(", "\n", "1)"),
        ("x = ", "foo(1)", "x = foo(1)", "\n", None),  # typed all of it: ask the model
        ("x = ", "foo(1)", "x = b", "\n", None),  # typed something else
        ("x = ", "foo(1)", "x = f", "\nmore", None),  # the suffix changed
        ("x = ", "foo(1)", "y = f", "\n", None),  # an earlier edit
        ("x = ", "foo(1)", "x =", "\n", None),  # deleted a character
    ],
)
def test_lookup(stored_prefix: str, completion: str, prefix: str, suffix: str, expected: str | None) -> None:
    cache = CompletionCache(8)
    cache.store(URI, stored_prefix, "\n", completion)
    assert cache.lookup(URI, prefix, suffix) == expected


def test_other_document_does_not_match() -> None:
    cache = CompletionCache(8)
    cache.store(URI, "x = ", "", "1")
    assert cache.lookup("file:///b.py", "x = ", "") is None


def test_lru_eviction_and_clear() -> None:
    cache = CompletionCache(2)
    cache.store(URI, "a", "", "1")
    cache.store(URI, "b", "", "2")
    assert cache.lookup(URI, "a", "") == "1"  # refreshes "a"
    cache.store(URI, "c", "", "3")
    assert cache.lookup(URI, "b", "") is None
    assert len(cache) == 2
    cache.clear(URI)
    assert len(cache) == 0


def test_empty_completions_and_zero_capacity_are_not_stored() -> None:
    cache = CompletionCache(0)
    cache.store(URI, "a", "", "1")
    assert cache.lookup(URI, "a", "") is None
    cache = CompletionCache(4)
    cache.store(URI, "a", "", "")
    assert len(cache) == 0
