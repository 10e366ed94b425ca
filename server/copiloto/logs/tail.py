"""Follow a growing GLPI log file: read only what was appended since the last call.

``LogTail(path).read_new()`` returns the entries and unparsed lines completed
since the previous call.  The file is opened for each call (so log rotation is
never blocked) and read from the last byte offset in ``chunk_size`` pieces;
memory stays bounded whatever the file size: one chunk, one incomplete line
(capped at ``max_line_chars * 4`` bytes) and one open entry (capped at
``max_lines`` lines).  For a huge backlog use ``iter_new()`` (a generator) or
``read_new(max_bytes=...)`` in a loop, so the items are not all held at once.

* Lines are split on ``\\n`` in bytes and decoded as UTF-8 with replacement,
  so invalid bytes never fail and line numbers match the file's.
* An incomplete last line (no ``\\n`` yet) is kept for the next call.
* The last entry may still get continuation lines, so it is held until the
  next header arrives, or until a call finds nothing new and no incomplete
  line (the writer is done: each GLPI record is written at once), or
  ``flush=True``.
* Truncation (size below the offset) or rotation (another inode at the path)
  restarts at offset 0 / line 1 (``restarts`` counts them); the open entry of
  the old file is returned first, an incomplete line of it is dropped.  Lines
  appended to the old file after the last call are not read.  A missing file
  reads as nothing new.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from copiloto.logs.entries import MAX_ENTRY_LINES, MAX_LINE_CHARS, Item, LogParser

CHUNK_SIZE = 1 << 20


class LogTail:
    """Incremental reader of one log file (see the module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        from_end: bool = False,
        chunk_size: int = CHUNK_SIZE,
        max_lines: int = MAX_ENTRY_LINES,
        max_line_chars: int = MAX_LINE_CHARS,
    ) -> None:
        self.path = Path(path)
        self.from_end = from_end
        self.chunk_size = max(1, chunk_size)
        self.max_line_bytes = max(16, max_line_chars) * 4
        self.offset = 0  # bytes of the file consumed (incomplete line included)
        self.line = 1  # number of the next complete line
        self.restarts = 0
        self._parser = LogParser(max_lines, max_line_chars)
        self._ident: tuple[int, int] | None = None
        self._partial = bytearray()

    @property
    def continuing(self) -> bool:
        """The incomplete last line is indented: the open entry is still being written (backtrace, SQL)."""
        return self._partial[:1] in (b" ", b"\t")

    @property
    def pending(self) -> bool:
        """Whether an entry or an incomplete line is held for a later call."""
        return self._parser.pending or bool(self._partial)

    def read_new(self, max_bytes: int | None = None, *, flush: bool = False) -> list[Item]:
        """Items completed since the last call (reading at most ``max_bytes`` new bytes when given)."""
        return list(self.iter_new(max_bytes, flush=flush))

    def flush(self) -> list[Item]:
        """Return the held entry now (an incomplete line stays held)."""
        return self._parser.flush()

    def iter_new(self, max_bytes: int | None = None, *, flush: bool = False) -> Iterator[Item]:
        """Like ``read_new`` but yields items as chunks are read; consume it fully."""
        try:
            st = os.stat(self.path)
        except OSError:
            if flush:
                yield from self._parser.flush()
            return
        ident = (st.st_dev, st.st_ino)
        if self._ident is None:
            self._ident = ident
            if self.from_end:
                self._skip_to_end(st.st_size)
        elif ident != self._ident or st.st_size < self.offset:
            yield from self._restart(ident)
        end = st.st_size if max_bytes is None else min(st.st_size, self.offset + max(0, max_bytes))
        got = False
        if end > self.offset:
            try:
                with open(self.path, "rb") as fh:
                    fst = os.fstat(fh.fileno())
                    if (fst.st_dev, fst.st_ino) != ident:
                        return  # replaced between stat and open: the next call restarts
                    fh.seek(self.offset)
                    while self.offset < end:
                        chunk = fh.read(min(self.chunk_size, end - self.offset))
                        if not chunk:
                            break
                        self.offset += len(chunk)
                        got = True
                        yield from self._consume(chunk)
            except OSError:
                return
        if flush or (not got and not self._partial):
            yield from self._parser.flush()

    def _restart(self, ident: tuple[int, int]) -> list[Item]:
        items = self._parser.flush()
        self.restarts += 1
        self._ident = ident
        self.offset = 0
        self.line = 1
        self._partial.clear()
        return items

    def _skip_to_end(self, size: int) -> None:
        """Start after the last complete line, counting lines on the way (chunked, bounded memory)."""
        lines = 0
        last_nl = -1
        pos = 0
        try:
            with open(self.path, "rb") as fh:
                while pos < size:
                    chunk = fh.read(min(self.chunk_size, size - pos))
                    if not chunk:
                        break
                    n = chunk.count(b"\n")
                    if n:
                        lines += n
                        last_nl = pos + chunk.rindex(b"\n")
                    pos += len(chunk)
        except OSError:
            return
        self.offset = last_nl + 1
        self.line = lines + 1

    def _consume(self, chunk: bytes) -> Iterator[Item]:
        pieces = chunk.split(b"\n")
        last = pieces.pop()  # after the last newline: incomplete
        for i, piece in enumerate(pieces):
            if i == 0 and self._partial:
                self._add_partial(piece)
                data: bytes = bytes(self._partial)
                self._partial.clear()
            else:
                data = piece[: self.max_line_bytes]
            text = data.decode("utf-8", "replace")
            yield from self._parser.feed(text, self.line)
            self.line += 1
        self._add_partial(last)

    def _add_partial(self, data: bytes) -> None:
        room = self.max_line_bytes - len(self._partial)
        if room > 0 and data:
            self._partial += data[:room]
