"""Completion context: what kind of completion to ask for at the cursor, and the prompt pieces.

``build_context(text, offset, language_id)`` is a pure function of the document
text, a cursor offset (a Python ``str`` index) and the LSP languageId.
``cut_to_budget`` cuts the prompt's prefix/suffix to token budgets (see
:mod:`copiloto.context.budget`).

Skip rules (``skip_reason`` set, ``mode == "single"``, ``scope is None``):

* ``"text after cursor"``: the rest of the cursor line holds anything but
  whitespace and the closing characters ``)]}'"`:;,`` (any combination, so
  ``):`` or ``"]`` are fine, ``foo)`` or ``  # note`` are not);
* ``"line too long"``: the cursor line is longer than ``MAX_LINE_CHARS``
  (3000) characters: minified code or data, not something a person types.

Completions inside comments and strings are *allowed* (people like them for
comments and docstrings) but are always single-line.

Multi-line (``mode == "multi"``), outside strings and comments:

1. after a block opener, with nothing but whitespace after the cursor:

   * Python: the line prefix, without trailing whitespace, ends with ``:``,
     no bracket is open at the cursor, and tree-sitter says the colon is the
     one of a ``def``/``class``/``if``/``elif``/``else``/``for``/``while``/
     ``with``/``try``/``except``/``finally``/``match``/``case`` (so dict,
     slice, lambda and annotation colons are not).  Where tree-sitter put that
     colon in an ``ERROR`` node, the logical line must start with one of those
     keywords (``async`` allowed).
   * other languages: the line prefix, without trailing whitespace, ends with
     ``{``; the rest of the line may also be exactly ``}`` (the auto-closed
     brace of ``{|}``).

2. on a whitespace-only line inside an empty body:

   * Python: the cursor column is deeper than the header of the innermost
     compound statement whose body the cursor is in, no bracket is open, and
     that body holds no statement but, optionally, a leading docstring and
     ``pass``/``...`` placeholders (comments don't count).  So the line after
     ``def f(x):``, after a lone docstring, or before a placeholder ``pass``
     gets a multi-line completion; a blank line between real statements gets
     a single-line one.  The module is never an "empty body".
   * other languages: the nearest code line above ends with the ``{`` that
     encloses the cursor, and the nearest code line below starts with ``}``,
     is indented no deeper than that ``{`` line, or does not exist (comment-only
     lines are skipped on both sides).

Everything else is single-line: the cursor mid-line (before closers) or
after code on its line, a blank line between statements, inside brackets.

Scope: the innermost enclosing function or class; ``"block"`` when none
encloses the cursor but a compound statement (Python) / a brace block (other
languages: ``if``, object literals, namespaces) does; ``"module"`` otherwise.
After a block opener the block being opened counts as enclosing.  Python
decides by tree-sitter where the syntax tree around the cursor is free of
errors and otherwise by an indentation walk over logical lines (a scanner for
strings, comments, brackets and backslashes); on a blank line the cursor
column says which body the cursor is in.  PHP reads the same answers from a
tree-sitter-php parse (``_php``: heredocs, ``?>`` HTML, attributes, closures,
multi-line signatures and ``if (...):`` blocks are read, not guessed), and
falls back to the brace lexer where the tree is broken around the cursor.
Other languages track ``{``/``}`` with a comment/string-aware lexer and
classify the header line by regexes.

Bounded work: only a window around the cursor is analysed: at most 400 lines
(32k chars) before the cursor line and 100 lines (8k chars) after it.  For
Python, a window that does not reach the document start begins at the first
top-level-looking line in it (skipping past an odd triple quote first), so it
does not start inside a string; tree-sitter gets a 25 ms deadline, after which
the scanner decides alone.  Scopes are found within the window, which is good
enough; ``end_line`` is clipped to it.  Everything else is C-speed scanning
(line counting, slicing).  Measured (2 busy cores; see tests/context/test_context_large.py): ~2.5-3 ms
for a normal 500-line Python file; 2-16 ms in a 5 MB one (more towards its
end, where line and triple-quote counting covers more text); ~1-3.5 ms in
5 MB of JavaScript; ~40 ms worst case on 5 MB of random bracket/quote garbage.

Text robustness: LSP line terminators (``\\n``, ``\\r\\n``, lone ``\\r``) all
work; an offset inside a CRLF is moved before the CR; offsets are clamped;
lone surrogates and U+FFFD from invalid UTF-8 are encoded with
``errors="replace"`` for tree-sitter and NULs are blanked, so nothing raises.
"""

from copiloto.context._php import FunctionSpan, enclosing_function
from copiloto.context.budget import cut_to_budget
from copiloto.context.builder import build_context
from copiloto.context.model import CompletionContext, Mode, Scope, ScopeKind

__all__ = [
    "CompletionContext",
    "FunctionSpan",
    "Mode",
    "Scope",
    "ScopeKind",
    "build_context",
    "cut_to_budget",
    "enclosing_function",
]
