"""Whether two code lines say the same thing in other words: the same tokens, names allowed to differ.

Models that run past the hole often re-write the line that follows it with their own variable names or
indentation (`return res` before the document's `return result`). Two lines match when they have the same
shape (keywords, operators and punctuation equal; names, numbers and strings in the same places) and a
name in common; a short line (under five tokens) needs half of its names in common, or, at the same
indentation, to be the same kind of exit (`return`, `yield`, `raise`: a second one there is dead code).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"""[A-Za-z_$][\w$]*|\d[\w.]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\S""")
_KEYWORDS = frozenset(
    re.findall(
        r"\w+",
        """
        and as assert async await break class continue def del elif else except finally for from global if
        import in is lambda nonlocal not or pass raise return try while with yield None True False function
        echo new null true false foreach switch case default const let var static public private protected
        self this
        """,
    )
)


def _shape(line: str) -> tuple[list[str], list[str]]:
    shape, names = [], []
    for token in _TOKEN.findall(line):
        if token[0].isalpha() or token[0] in "_$":
            if token in _KEYWORDS:
                shape.append(token)
            else:
                shape.append("N")
                names.append(token)
        elif token[0].isdigit():
            shape.append("0")
        elif token[0] in "\"'":
            shape.append("S")
        else:
            shape.append(token)
    return shape, names


_EXITS = ("return", "yield", "raise")


def same_in_other_words(a: str, b: str) -> bool:
    """`a` and `b` are lines with their indentation."""
    shape_a, names_a = _shape(a)
    shape_b, names_b = _shape(b)
    indented_alike = a[: len(a) - len(a.lstrip())] == b[: len(b) - len(b.lstrip())]
    if indented_alike and shape_a[:1] == shape_b[:1] and shape_a[:1] and shape_a[0] in _EXITS:
        return True
    if shape_a != shape_b or len(shape_a) < 2:
        return False
    if not names_a:
        return True
    common = sum(x == y for x, y in zip(names_a, names_b, strict=True))
    return common >= 1 if len(shape_a) >= 5 else common * 2 >= len(names_a)
