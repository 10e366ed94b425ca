"""Token healing: let the model re-choose the token boundary inside the word being typed.

A prompt that ends in the middle of a word ends on an unusual token ("ret" instead of "return"), and
small models then answer with nothing. The pipeline removes the word fragment from the prompt and
asks that the generation start with it; `VocabIndex.allowed` gives the tokens compatible with the text
still to reproduce. A bonus for typing: within a word the prompt stays the same, so it is all reused.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable


class VocabIndex:
    """Token texts, searchable by "is a prefix of" and "starts with"."""

    def __init__(self, pieces: Iterable[tuple[int, str]]) -> None:
        by_text: dict[str, list[int]] = {}
        for token_id, text in pieces:
            if text:
                by_text.setdefault(text, []).append(token_id)
        self._by_text = by_text
        self._sorted = sorted(by_text)

    @classmethod
    def from_detokenizer(cls, n_vocab: int, detokenize: Callable[[int], bytes]) -> VocabIndex:
        def pieces() -> Iterable[tuple[int, str]]:
            for token_id in range(n_vocab):
                try:  # tokens holding part of a UTF-8 sequence can't help spell an identifier
                    yield token_id, detokenize(token_id).decode("utf-8")
                except UnicodeDecodeError:
                    continue

        return cls(pieces())

    def allowed(self, remaining: str) -> list[int]:
        """Ids whose text is a non-empty prefix of `remaining`, or starts with all of it."""
        ids: list[int] = []
        for end in range(1, len(remaining) + 1):
            ids += self._by_text.get(remaining[:end], ())
        i = bisect_left(self._sorted, remaining)
        while i < len(self._sorted) and self._sorted[i].startswith(remaining):
            if self._sorted[i] != remaining:  # already counted as a prefix
                ids += self._by_text[self._sorted[i]]
            i += 1
        return ids


def advance(remaining: str, piece: str) -> str:
    """What is still to reproduce after the model emitted `piece`."""
    return remaining[len(piece) :] if remaining.startswith(piece) else ""
