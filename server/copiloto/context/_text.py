"""Line arithmetic on a document string without splitting it.

Line terminators are those of LSP: ``\\n``, ``\\r\\n`` and a lone ``\\r``.  Every
helper here does work proportional to the lines it visits (plus, at most, one
``str.find``/``rfind`` memchr over the text), never a Python-level pass over a
whole multi-megabyte document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


class TextView:
    """A document plus cached facts needed to walk its lines cheaply."""

    __slots__ = ("has_cr", "n", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.has_cr = "\r" in text  # one memchr; lets LF-only documents skip every CR search

    def line_start_at_or_before(self, pos: int) -> int:
        """Largest line start ``<= pos`` (0 is always a line start)."""
        t = self.text
        if pos <= 0:
            return 0
        pos = min(pos, self.n)
        best = t.rfind("\n", 0, pos) + 1
        if self.has_cr:
            # A CR in [best, pos) can only be part of a CRLF if it sits at pos - 1.
            j = t.rfind("\r", best, pos)
            while j >= 0:
                if j + 1 < self.n and t[j + 1] == "\n":
                    j = t.rfind("\r", best, j)
                    continue
                best = j + 1
                break
        return best

    def line_start_at_or_after(self, pos: int) -> int:
        """Smallest line start ``>= pos``; ``len(text)`` when there is none."""
        t, n = self.text, self.n
        if pos <= 0:
            return 0
        if pos >= n:
            return n
        i = t.find("\n", pos - 1)
        best = n if i < 0 else i + 1
        if self.has_cr:
            j = t.find("\r", pos - 1, i if i >= 0 else n)
            if j >= 0 and not (j + 1 < n and t[j + 1] == "\n"):
                best = j + 1
        return best

    def line_end(self, pos: int) -> int:
        """Index of the terminator of the line containing ``pos`` (``len`` if none)."""
        t, n = self.text, self.n
        i = t.find("\n", pos)
        end = n if i < 0 else i
        if self.has_cr:
            j = t.find("\r", pos, end)
            if j >= 0:
                end = j
        return end

    def next_line_start(self, end: int) -> int | None:
        """Start of the line after the one whose content ends at ``end``."""
        if end >= self.n:
            return None
        if self.text.startswith("\r\n", end):
            return end + 2
        return end + 1

    def prev_line_bounds(self, start: int) -> tuple[int, int] | None:
        """``(start, end)`` of the line before the one starting at ``start``."""
        if start <= 0:
            return None
        t = self.text
        end = start - 1
        if t[end] == "\n" and end > 0 and t[end - 1] == "\r":
            end -= 1
        return self.line_start_at_or_before(end), end

    def row_of(self, pos: int) -> int:
        """0-based line number of ``pos`` (C-speed counting, no copies)."""
        return self.rows_between(0, pos)

    def rows_between(self, start: int, end: int) -> int:
        """Line breaks in ``text[start:end]``; ``start`` must not split a CRLF."""
        t = self.text
        rows = t.count("\n", start, end)
        if self.has_cr:
            rows += t.count("\r", start, end) - t.count("\r\n", start, end)
            if start < end < self.n and t[end - 1] == "\r" and t[end] == "\n":
                rows -= 1  # end splits a CRLF: the CR alone does not end the line
        return rows

    def spans_before(self, start: int, max_lines: int, max_chars: int) -> list[tuple[int, int]]:
        """``(start, end)`` of up to ``max_lines`` lines before the line starting at ``start``.

        Nearest last.  Stops early (at a line boundary) once the lines would
        exceed ``max_chars`` in total.
        """
        out: list[tuple[int, int]] = []
        used = 0
        pos = start
        while len(out) < max_lines:
            bounds = self.prev_line_bounds(pos)
            if bounds is None:
                break
            s, e = bounds
            used += e - s + 1
            if used > max_chars:
                break
            out.append(bounds)
            pos = s
        out.reverse()
        return out

    def lines_before(self, start: int, max_lines: int, max_chars: int) -> list[str]:
        """The text of :meth:`spans_before`."""
        return [self.text[s:e] for s, e in self.spans_before(start, max_lines, max_chars)]

    def lines_after(self, end: int, max_lines: int, max_chars: int) -> list[str]:
        """Up to ``max_lines`` whole lines after the line whose content ends at ``end``."""
        out: list[str] = []
        used = 0
        pos: int | None = end
        while len(out) < max_lines and pos is not None:
            s = self.next_line_start(pos)
            if s is None:
                break
            e = self.line_end(s)
            used += e - s + 1
            if used > max_chars:
                break
            out.append(self.text[s:e])
            pos = e
        return out


TAB_SIZE = 8


def indent_of(line: str) -> str:
    """Leading spaces and tabs of ``line``."""
    return line[: len(line) - len(line.lstrip(" \t"))]


def indent_width(indent: str) -> int:
    """Column width of an indentation string, tabs to the next multiple of 8."""
    w = 0
    for ch in indent:
        w = (w // TAB_SIZE + 1) * TAB_SIZE if ch == "\t" else w + 1
    return w


def detect_indent_unit(lines: Iterable[str]) -> str:
    """``"\\t"``, ``"  "`` or ``"    "`` (the default) from a sample of lines.

    Tabs win when more indented lines start with a tab than with a space;
    otherwise the most frequent positive indentation step decides between two
    and four spaces.
    """
    tabs = spaces = 0
    steps: Counter[int] = Counter()
    prev = 0
    for line in lines:
        if not line.strip():
            continue
        ind = indent_of(line)
        if ind.startswith("\t"):
            tabs += 1
        elif ind:
            spaces += 1
        width = indent_width(ind)
        if "\t" not in ind and width > prev:
            steps[width - prev] += 1
        prev = width
    if tabs > spaces:
        return "\t"
    if steps[2] > steps[4]:
        return "  "
    return "    "
