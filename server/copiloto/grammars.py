"""The tree-sitter grammars Copiloto reads code with: each loaded once, a parser per thread.

One place, so that every reader (the completion filters, the review, the flows, the context) parses a
language the same way. A parser per thread, because a tree-sitter parser keeps state while it parses and the
server parses from several threads (the event loop's executor, the engine's worker, background reviews).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tree_sitter import Language, Parser

Grammar = Literal["python", "php"]
_local = threading.local()


@cache
def language(grammar: Grammar) -> Language:
    from tree_sitter import Language

    if grammar == "php":
        import tree_sitter_php

        return Language(tree_sitter_php.language_php())  # PHP with its HTML around it, as .php files are
    import tree_sitter_python

    return Language(tree_sitter_python.language())


def parser(grammar: Grammar) -> Parser:
    """This thread's parser for `grammar`."""
    from tree_sitter import Parser

    parsers: dict[str, Parser] = _local.__dict__.setdefault("parsers", {})
    if grammar not in parsers:
        parsers[grammar] = Parser(language(grammar))
    return parsers[grammar]


def parser_for(language_id: str) -> Parser | None:
    """The parser for an editor's language id, or None for a language without a grammar here."""
    return parser(language_id) if language_id in ("python", "php") else None  # type: ignore[arg-type]
