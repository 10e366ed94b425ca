"""A rough, language-agnostic lexer: blank out strings and comments, then count brackets.

Good enough for Python, PHP and the C family: '', "", ``, triple quotes, `#` comments (not `#[`),
`/* */` comments and `//` comments where a C-like line comment can start (line start, or after
`;{},`), so that Python's floor division `a // b` stays code. A '' or "" string ends at the end of
its line at the latest.
"""

from __future__ import annotations

from copiloto.completion.filters.base import FilterContext

OPENERS = "([{"
CLOSERS = ")]}"
MATCH = {")": "(", "]": "[", "}": "{"}
_QUOTES = "'\"`"
_SLASH_COMMENT_AFTER = ";{},"


def _hash_comment(text: str, i: int) -> bool:
    before_ok = i == 0 or text[i - 1] in " \t\n"
    return before_ok and not text.startswith("#[", i)


def _slash_comment(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] == "\n" or text[j] in _SLASH_COMMENT_AFTER


def mask_code(text: str) -> tuple[str, int]:
    """`text` with string contents and comments replaced by spaces (same length, newlines kept),
    and the number of strings or block comments left unterminated."""
    out = list(text)
    n = len(text)
    unterminated = 0

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    i = 0
    while i < n:
        c = text[i]
        if (c == "#" and _hash_comment(text, i)) or (c == "/" and text.startswith("//", i) and _slash_comment(text, i)):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                unterminated += 1
                blank(i, n)
                break
            blank(i, j + 2)
            i = j + 2
        elif c in _QUOTES and c != "`" and text.startswith(c * 3, i):
            j = i + 3
            while j < n and not text.startswith(c * 3, j):
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                unterminated += 1
                blank(i + 3, n)
                break
            blank(i + 3, j)
            i = j + 3
        elif c in _QUOTES:
            j = i + 1
            while j < n and text[j] != c and not (text[j] == "\n" and c != "`"):
                j += 2 if text[j] == "\\" else 1
            if j >= n or text[j] != c:
                unterminated += 1
                blank(i + 1, j)
                i = j
            else:
                blank(i + 1, j)
                i = j + 1
        else:
            i += 1
    return "".join(out), unterminated


def bracket_imbalance(text: str) -> int:
    """Unmatched closers + unclosed openers + unterminated strings: 0 for well-formed code."""
    masked, unterminated = mask_code(text)
    stack: list[str] = []
    bad = 0
    for ch in masked:
        if ch in OPENERS:
            stack.append(ch)
        elif ch in CLOSERS:
            if stack and stack[-1] == MATCH[ch]:
                stack.pop()
            else:
                bad += 1
    return bad + len(stack) + unterminated


def text_before(ctx: FilterContext) -> str:
    """The document before the cursor, as far as the context shows it."""
    before = "\n".join(ctx.prev_lines) + "\n" if ctx.prev_lines else ""
    return before + ctx.line_prefix


def spliced(ctx: FilterContext, middle: str, *, with_next: bool = True) -> str:
    """The document window around the cursor with `middle` inserted."""
    text = text_before(ctx) + middle + ctx.line_suffix
    if with_next and ctx.next_lines:
        text += "\n" + "\n".join(ctx.next_lines)
    return text


def no_worse_brackets(kept: str, original: str, ctx: FilterContext) -> bool:
    """Cutting `original` down to `kept` does not unbalance the document around the cursor."""
    return bracket_imbalance(spliced(ctx, kept)) <= bracket_imbalance(spliced(ctx, original))


def code_line(line: str) -> str:
    """The line with strings and comments blanked out, right-stripped."""
    return mask_code(line)[0].rstrip()
