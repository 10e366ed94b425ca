"""An LRU of recent completions that also serves typing ahead through a shown suggestion.

If the user types the first characters of the ghost text, the rest of it is still the right answer:
answer from the cache instead of asking the model again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class _Entry:
    uri: str
    prefix_len: int
    prefix_hash: int
    suffix_hash: int
    completion: str


class CompletionCache:
    # Only the newest few entries of a document are candidates for typing ahead: the user types
    # through the latest suggestion, not one from minutes ago.
    TYPED_AHEAD_CANDIDATES = 8

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[str, int, int, int], _Entry] = OrderedDict()
        self.hits = 0
        self.typed_ahead_hits = 0

    def store(self, uri: str, prefix: str, suffix: str, completion: str) -> None:
        if self.capacity <= 0 or not completion:
            return
        entry = _Entry(uri, len(prefix), hash(prefix), hash(suffix), completion)
        key = (uri, entry.prefix_len, entry.prefix_hash, entry.suffix_hash)
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def lookup(self, uri: str, prefix: str, suffix: str) -> str | None:
        """The completion for this exact state, or the untyped rest of a suggestion typed into."""
        suffix_hash = hash(suffix)
        key = (uri, len(prefix), hash(prefix), suffix_hash)
        exact = self._entries.get(key)
        if exact is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return exact.completion
        seen = 0
        for entry in reversed(self._entries.values()):
            if entry.uri != uri:
                continue
            seen += 1
            if seen > self.TYPED_AHEAD_CANDIDATES:
                break
            rest = _typed_ahead(entry, prefix, suffix_hash)
            if rest:
                self.typed_ahead_hits += 1
                return rest
        return None

    def clear(self, uri: str | None = None) -> None:
        if uri is None:
            self._entries.clear()
            return
        for key in [k for k in self._entries if k[0] == uri]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


def _typed_ahead(entry: _Entry, prefix: str, suffix_hash: int) -> str | None:
    typed_len = len(prefix) - entry.prefix_len
    if entry.suffix_hash != suffix_hash or not 0 < typed_len < len(entry.completion):
        return None
    typed = prefix[entry.prefix_len :]
    if not entry.completion.startswith(typed) or hash(prefix[: entry.prefix_len]) != entry.prefix_hash:
        return None
    return entry.completion[typed_len:]
