"""The document store: the only holder of open documents' text, kept in step with incremental sync."""

from __future__ import annotations

from dataclasses import dataclass, field

from copiloto.lsp.positions import line_starts, position_to_offset


@dataclass
class Document:
    uri: str
    text: str
    version: int
    language_id: str
    _starts: list[int] | None = field(default=None, repr=False)

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = line_starts(self.text)
        return self._starts

    @property
    def eol(self) -> str:
        """The document's line ending, taken from its first line break ("\n" when it has none)."""
        starts = self.starts
        if len(starts) < 2:
            return "\n"
        end = starts[1]
        return "\r\n" if self.text[end - 2 : end] == "\r\n" else self.text[end - 1]

    def with_eol(self, text: str) -> str:
        """Completions are built with "\n"; insert them with the document's own line ending."""
        return text if self.eol == "\n" else text.replace("\n", self.eol)

    def offset(self, line: int, column: int) -> int:
        """Strict: raises InvalidPosition for positions outside the document."""
        return position_to_offset(self.text, self.starts, line, column)

    def apply_change(self, start: tuple[int, int] | None, end: tuple[int, int] | None, new_text: str) -> None:
        """Apply one content change; start/end None means the whole document is replaced."""
        if start is None or end is None:
            self.text = new_text
        else:
            a = position_to_offset(self.text, self.starts, *start, clamp=True)
            b = position_to_offset(self.text, self.starts, *end, clamp=True)
            a, b = min(a, b), max(a, b)
            self.text = self.text[:a] + new_text + self.text[b:]
        self._starts = None


class DocumentStore:
    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}

    def open(self, uri: str, text: str, version: int, language_id: str) -> Document:
        doc = Document(uri, text, version, language_id)
        self._docs[uri] = doc
        return doc

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def close(self, uri: str) -> None:
        self._docs.pop(uri, None)

    def __len__(self) -> int:
        return len(self._docs)
