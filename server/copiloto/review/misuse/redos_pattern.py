"""A regular expression that backtracks catastrophically (CWE-1333): an unbounded repeat whose body holds
another repeat that nothing separates from the next round — `(a+)+`, `(\\w+\\s?)*`, `(.*a){2,}`,
`(?:[^"]+|\\\\.)*` — or two alternatives that match the same text, `(a|a)*`. On a long input that almost
matches, `re` tries every way of splitting it between the rounds: exponential time from one request. Make the
rounds unambiguous (`(\\w+\\s)*`, `(\\d+\\.)+\\d+`), use a possessive or atomic group, or bound the input.
CPython merges one-character alternatives into a class, so `(\\w|\\d)+` is safe there."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from copiloto.review.misuse.shapes import Hit, Imports, Rule, dotted, own_nodes, scopes

try:  # Python 3.11+: sre_parse is deprecated
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as sre
    import sre_parse

RULE = Rule("CM-REDOS", 1333, "warning", "regex_catastrophic_backtracking")
FUNCTIONS = frozenset({"compile", "match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split"})
ALPHABET = frozenset(chr(c) for c in range(128)) | frozenset("éßΩ中\u00a0\u2028١")
CATEGORIES = {
    sre.CATEGORY_DIGIT: frozenset(c for c in ALPHABET if c.isdecimal()),
    sre.CATEGORY_WORD: frozenset(c for c in ALPHABET if c.isalnum() or c == "_"),
    sre.CATEGORY_SPACE: frozenset(c for c in ALPHABET if c.isspace()),
    sre.CATEGORY_LINEBREAK: frozenset("\n"),
}
REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
LINE_ANCHORS = (sre.AT_BEGINNING, sre.AT_END, sre.AT_BEGINNING_STRING, sre.AT_END_STRING)
_DOTALL: ContextVar[bool] = ContextVar("dotall", default=False)  # the pattern being read has re.DOTALL
Chars = frozenset[str]
Item = tuple[Any, Any]


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for scope, known in scopes(tree):  # a pattern is often a name bound once: PATTERN = r"..."
        for call in (node for node in own_nodes(scope) if isinstance(node, ast.Call)):
            yield from _check_call(call, imports.called(call), known, imports)


def _check_call(call: ast.Call, name: str, known: dict[str, ast.expr], imports: Imports) -> Iterator[Hit]:
    module, _, function = name.rpartition(".")
    pattern = call.args[0] if call.args else None
    if isinstance(pattern, ast.Name):
        pattern = known.get(pattern.id, pattern)
    if module == "re" and function in FUNCTIONS and isinstance(pattern, ast.Constant):
        text = pattern.value
        if isinstance(text, (str, bytes)) and (why := _catastrophic(text, _verbose(call, imports))):
            yield Hit(call, f"the pattern backtracks exponentially on {why}: make each round unambiguous")


def _verbose(call: ast.Call, imports: Imports) -> int:
    names = {imports.canonical(dotted(n)) for n in ast.walk(call) if isinstance(n, (ast.Name, ast.Attribute))}
    return re.VERBOSE if names & {"re.X", "re.VERBOSE"} else 0


def _catastrophic(pattern: str | bytes, flags: int) -> str | None:
    try:
        parsed = sre_parse.parse(pattern, flags)
    except (re.error, RecursionError, ValueError, TypeError, OverflowError):
        return None
    token = _DOTALL.set(bool(parsed.state.flags & re.DOTALL))
    try:
        for op, av in _items(list(parsed)):
            if op in REPEATS and av[1] == sre.MAXREPEAT and (why := _ambiguous(list(av[2]))):
                return why
        return None
    finally:
        _DOTALL.reset(token)


def _items(items: list[Item]) -> Iterator[Item]:
    """Every item of a parsed pattern, at any depth (not inside lookarounds)."""
    for op, av in items:
        yield op, av
        yield from _items(_children(op, av))


def _children(op: Any, av: Any) -> list[Item]:
    if op in REPEATS:
        return list(av[2])
    if op == sre.SUBPATTERN:
        return list(av[-1])
    if op == sre.BRANCH:
        return [item for branch in av[1] for item in branch]
    return []  # lookarounds; atomic groups and possessive repeats do not backtrack into themselves


def _ambiguous(body: list[Item]) -> str | None:
    """Why the rounds of an unbounded repeat over `body` can split the same text in many ways."""
    for op, av in _items(body):
        if op == sre.BRANCH and _overlapping(av[1]):
            return "alternatives that match the same text"
    for item, around in _repeats(body, []):
        op, av = item
        if av[0] != av[1] and av[1] > 1:
            chars = _chars([item])
            if not any(other is not item and _separates(other, chars) for other in around):
                return "a repeat inside a repeat with nothing to separate their rounds"
    return None


def _separates(other: Item, chars: Chars) -> bool:
    """`other` comes in every round and the inner repeat (matching `chars`) cannot match it: a character it
    lacks, or a line anchor (`^`, `$`) where it cannot cross a line break."""
    op, av = other
    if op == sre.AT and av in LINE_ANCHORS:
        return "\n" not in chars
    return _mandatory(other) and not chars & _chars([other])


def _repeats(sequence: list[Item], around: list[Item]) -> Iterator[tuple[Item, list[Item]]]:
    """Each repeat in `sequence` (any depth) with the items that always come with it: those of every sequence
    that encloses it, up to the outer repeat's body."""
    here = [*around, *_top(sequence)]
    for item in _top(sequence):
        op, av = item
        if op in REPEATS:
            yield item, here
            yield from _repeats(list(av[2]), here)
        elif op == sre.BRANCH:
            for branch in av[1]:
                yield from _repeats(list(branch), here)


def _top(body: list[Item]) -> Iterator[Item]:
    """The items of `body` one after the other, looking into groups."""
    for op, av in body:
        if op == sre.SUBPATTERN:
            yield from _top(list(av[-1]))
        else:
            yield op, av


def _mandatory(item: Item) -> bool:
    """An item that matches at least one character every time: `x`, `[.,]`, `\\s+`."""
    op, av = item
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY):
        return True
    if op == sre.BRANCH:
        return all(any(_mandatory(i) for i in _top(list(branch))) for branch in av[1])
    return op in REPEATS and av[0] >= 1 and any(_mandatory(i) for i in _top(list(av[2])))


def _overlapping(branches: list[Any]) -> bool:
    """Two alternatives that can both match here: both empty, or starting with a common character."""
    empty = [b for b in branches if not _can_consume(list(b))]
    if len(empty) > 1:
        return True
    starts = [_start(list(b)) for b in branches if _can_consume(list(b))]
    return any(all(x & y for x, y in zip(a, b, strict=False)) for i, a in enumerate(starts) for b in starts[i + 1 :])


def _can_consume(branch: list[Item]) -> bool:
    return any(_mandatory(i) or i[0] in REPEATS for i in _top(branch))


def _start(branch: list[Item]) -> list[Chars]:
    """The characters a branch can start with, then its second character where the first is one fixed item."""
    items = [i for i in _top(branch) if i[0] not in (sre.AT, sre.ASSERT, sre.ASSERT_NOT)]
    single = (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY)
    if len(items) >= 2 and items[0][0] in single and items[1][0] in single:
        return [_chars(items[:1]), _chars(items[1:2])]
    return [_first(branch)]


def _first(branch: list[Item]) -> Chars:
    """The characters a branch can start with (over-estimated through optional items)."""
    found: set[str] = set()
    for item in _top(branch):
        found |= _chars([item])
        if _mandatory(item):
            break
    return frozenset(found)


def _chars(items: list[Item]) -> Chars:
    """Every character the items can match, on a sample alphabet."""
    found: set[str] = set()
    for op, av in items:
        if op == sre.LITERAL:
            found.add(chr(av))
        elif op == sre.NOT_LITERAL:
            found |= ALPHABET - {chr(av)}
        elif op == sre.ANY:  # no line break unless DOTALL
            found |= ALPHABET if _DOTALL.get() else ALPHABET - {"\n"}
        elif op == sre.IN:
            found |= _char_class(av)
        elif op == sre.GROUPREF:
            found |= ALPHABET
        else:
            found |= _chars(_children(op, av))
    return frozenset(found)


def _char_class(members: list[Item]) -> Chars:
    found: set[str] = set()
    negate = False
    for op, av in members:
        if op == sre.NEGATE:
            negate = True
        elif op == sre.LITERAL:
            found.add(chr(av))
        elif op == sre.RANGE:
            found |= {c for c in ALPHABET if av[0] <= ord(c) <= av[1]}
        elif op == sre.CATEGORY:
            name = str(av)
            base = next((v for k, v in CATEGORIES.items() if str(k) == name.replace("NOT_", "")), ALPHABET)
            found |= ALPHABET - base if "NOT_" in name else base
    return frozenset(ALPHABET - found if negate else found)
