"""The behaviour a docstring documents: calls of the function with the value they should give.

Doctests (`>>> f(2)` then `4`) and the informal forms docstrings use (`f(2) == 4`, `f(2) ==> 4`,
`f(2) -> 4`, `f(2) ➞ 4`, `f(2) returns 4`). Each becomes a test like any other, but one that fails on
its assertion is not the model's mistake: the code disagrees with its documentation ("possible bug").
"""

from __future__ import annotations

import ast
import doctest
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    call: str  # the expression, as written ("f(2, 3)")
    expected: str  # the documented value, as written ("5")
    line: int  # 0-based line within the docstring text where the call is written


# Not a bare "=" or "is": docstrings use them for definitions ("tri(1) = 3" defines a sequence, while
# tri(1) returns a list), and a misread example would be reported as a possible bug.
_ARROWS = r"==>|=>|->|➞|→|==|\bshould return\b|\breturns?\b|\bgives\b"
_INFORMAL = re.compile(rf"^\s*(?:[-*]\s+)?(?P<call>.+?\))\s*(?:{_ARROWS})\s*(?P<value>.+?)\s*\.?\s*$")


def documented_examples(docstring: str | None, name: str) -> list[Example]:
    """The examples in `docstring` that call `name` and state a value that Python can read, in order."""
    if not docstring:
        return []
    found: list[Example] = []
    doctest_lines: set[int] = set()
    try:
        parsed = doctest.DocTestParser().get_examples(docstring)
    except ValueError:  # a malformed doctest (bad indentation): the informal forms may still be there
        parsed = []
    for example in parsed:
        doctest_lines.update(range(example.lineno, example.lineno + example.source.count("\n") + 1))
        call, want = example.source.strip(), " ".join(example.want.split())
        if want and _calls(call, name) and is_value(want):
            found.append(Example(call, want, example.lineno))
    for number, text in enumerate(docstring.splitlines()):
        if number in doctest_lines or text.lstrip().startswith(">>>"):
            continue
        match = _INFORMAL.match(text)
        if match and _calls(match["call"], name) and is_value(match["value"]):
            found.append(Example(match["call"].strip(), match["value"], number))
    return _first_per_call(found)


def _calls(source: str, name: str) -> bool:
    """Whether `source` is one expression whose outermost call is `name(...)` (or `obj.name(...)`)."""
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return False
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (isinstance(func, ast.Attribute) and func.attr == name)


def is_value(source: str) -> bool:
    """A literal Python can compare against (`[1, 2]`, `'a'`, `-0.5`, `None`, `True`), not prose."""
    try:
        ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def _first_per_call(examples: list[Example]) -> list[Example]:
    """One example per call: a docstring that says `f(1)` twice is checked once, by its first saying."""
    seen: set[str] = set()
    kept = []
    for example in sorted(examples, key=lambda e: e.line):
        key = ast.dump(ast.parse(example.call, mode="eval"))
        if key not in seen:
            seen.add(key)
            kept.append(example)
    return kept
