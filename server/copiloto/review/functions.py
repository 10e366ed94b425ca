"""The functions of a Python file as tree-sitter sees them, with a hash of each one's text.

Why tree-sitter and not `ast`: a file being edited often does not parse as a whole. tree-sitter still finds
every function, and marks the broken ones (an ERROR or MISSING node inside); the review looks at the
functions that parse and leaves the broken one for later.

Why hashes: the local review costs seconds per function, so a save reviews only the functions whose text
changed since their last review (`ReviewMemory`); the others keep their findings, moved with the function.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from copiloto.grammars import parser

if TYPE_CHECKING:
    from tree_sitter import Node


@dataclass(frozen=True)
class FunctionSpan:
    """A def (methods included; a nested def is part of its parent), decorators included."""

    qualname: str
    start_line: int  # 0-based, first line (its first decorator)
    end_line: int  # 0-based, last line, inclusive
    text: str  # the lines start_line..end_line, as in the file
    parses: bool  # no syntax error inside

    @property
    def digest(self) -> str:
        return hashlib.blake2b(self.text.encode("utf-8", errors="replace"), digest_size=16).hexdigest()


def function_spans(text: str) -> list[FunctionSpan]:
    """Every top-level function and method of `text`, in order."""
    tree = parser("python").parse(text.encode("utf-8", errors="surrogatepass"))
    lines = text.split("\n")
    return [_span(node, qualname, lines) for node, qualname in _defs(tree.root_node, "")]


def _defs(node: Node, prefix: str) -> Iterator[tuple[Node, str]]:
    for child in node.children:
        target = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
        if target is None:
            continue
        if target.type == "function_definition":
            yield child, prefix + _name(target)
        elif target.type == "class_definition":
            body = target.child_by_field_name("body")
            if body is not None:
                yield from _defs(body, f"{prefix}{_name(target)}.")
        elif child.named_child_count:  # defs inside `if TYPE_CHECKING:`, try blocks, broken regions
            yield from _defs(child, prefix)


def _name(node: Node) -> str:
    name = node.child_by_field_name("name")
    return name.text.decode("utf-8", errors="replace") if name is not None and name.text else "?"


def _span(node: Node, qualname: str, lines: list[str]) -> FunctionSpan:
    start, end = node.start_point[0], node.end_point[0]
    if node.end_point[1] == 0 and end > start:  # ends at the start of the next line
        end -= 1
    return FunctionSpan(
        qualname=qualname,
        start_line=start,
        end_line=end,
        text="\n".join(lines[start : end + 1]),
        parses=not node.has_error,
    )


@dataclass(frozen=True)
class Remembered:
    digest: str
    findings: tuple[object, ...]  # whatever the reviewer stores, lines relative to the function's start


class ReviewMemory:
    """Per document: the digest each function had when last reviewed, and what that review found.

    Findings are kept relative to their function, keyed by its text: a function that only moved (lines added
    above it) is not reviewed again and its findings move with it.
    """

    def __init__(self, max_documents: int = 256) -> None:
        self.max_documents = max_documents
        self._docs: dict[str, dict[str, Remembered]] = {}

    def to_review(self, uri: str, spans: list[FunctionSpan]) -> list[FunctionSpan]:
        """The spans that parse and whose text changed since their last review."""
        known = self._docs.get(uri, {})
        return [s for s in spans if s.parses and (s.qualname not in known or known[s.qualname].digest != s.digest)]

    def remember(self, uri: str, span: FunctionSpan, findings: tuple[object, ...]) -> None:
        doc = self._docs.pop(uri, {})
        self._docs[uri] = doc  # most recently used last
        doc[span.qualname] = Remembered(span.digest, findings)
        while len(self._docs) > self.max_documents:
            del self._docs[next(iter(self._docs))]

    def current(self, uri: str, spans: list[FunctionSpan]) -> Iterator[tuple[FunctionSpan, tuple[object, ...]]]:
        """The remembered findings of every span whose text is still the reviewed one."""
        known = self._docs.get(uri, {})
        for span in spans:
            seen = known.get(span.qualname)
            if seen is not None and seen.digest == span.digest:
                yield span, seen.findings

    def forget(self, uri: str) -> None:
        self._docs.pop(uri, None)
