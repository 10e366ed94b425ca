"""Every language but Python: bracket- and indentation-based heuristics.

A small per-line lexer skips strings and comments (the comment syntax is
picked from the LSP languageId) and tracks ``{``/``}`` to find the brace
block around the cursor; the block's header line is classified by regular
expressions as a class, a function or another block.  No parsing, and the work
is bounded by the window the builder cuts.

Known blind spots, accepted for a heuristic: regex literals and char literals
containing braces, strings spanning lines other than backtick strings, and
languages delimiting blocks by keywords (``end``/``fi``) rather than braces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from copiloto.context._python import Region
from copiloto.context._text import indent_of, indent_width
from copiloto.context.model import Mode, ScopeKind

_HASH_ONLY = frozenset(
    {
        "shellscript",
        "sh",
        "bash",
        "zsh",
        "ruby",
        "perl",
        "r",
        "yaml",
        "toml",
        "makefile",
        "dockerfile",
        "powershell",
        "coffeescript",
        "elixir",
        "julia",
        "nim",
        "cmake",
        "nix",
        "tcl",
        "ini",
        "properties",
    }
)
_DASH_ONLY = frozenset({"lua", "sql", "haskell", "elm", "ada", "purescript"})
_PROSE = frozenset({"plaintext", "markdown", "restructuredtext", "latex", "tex", "bibtex"})


@dataclass(frozen=True)
class _Syntax:
    line_comments: tuple[str, ...]
    block_comments: bool
    strings: bool


def _syntax(language_id: str) -> _Syntax:
    lang = language_id.lower()
    if lang in _PROSE:
        return _Syntax((), False, False)
    if lang in _HASH_ONLY:
        return _Syntax(("#",), False, True)
    if lang in _DASH_ONLY:
        return _Syntax(("--",), False, True)
    if lang == "php":
        return _Syntax(("//", "#"), True, True)
    return _Syntax(("//",), True, True)


def _token_re(syn: _Syntax) -> re.Pattern[str]:
    parts = [r"(?P<o>\{)", r"(?P<x>\})"]
    if syn.line_comments:
        parts.append("(?P<c>" + "|".join(re.escape(c) for c in syn.line_comments) + ")")
    if syn.block_comments:
        parts.append(r"(?P<b>/\*)")
    if syn.strings:
        parts.append(r"(?P<s>['\"`])")
    return re.compile("|".join(parts))


_STRING_END = {
    "'": re.compile(r"(?:[^\\']|\\.)*'"),
    '"': re.compile(r'(?:[^\\"]|\\.)*"'),
    "`": re.compile(r"(?:[^\\`]|\\.)*`"),
}
_BLOCK_END = re.compile(r"\*/")


@dataclass
class _State:
    block_comment: bool = False
    backtick: bool = False


@dataclass
class _LineLex:
    first_col: int = -1
    last_col: int = -1
    braces: list[tuple[int, str]] = field(default_factory=list)
    in_string: bool = False
    in_comment: bool = False


def _lex(line: str, state: _State, tok: re.Pattern[str]) -> _LineLex:
    out = _LineLex()
    pos, end = 0, len(line)

    def code(a: int, b: int) -> None:
        seg = line[a:b]
        if seg.strip():
            if out.first_col < 0:
                out.first_col = a + len(seg) - len(seg.lstrip())
            out.last_col = a + len(seg.rstrip()) - 1

    if state.block_comment:
        m = _BLOCK_END.search(line)
        if m is None:
            out.in_comment = True
            return out
        pos = m.end()
        state.block_comment = False
    elif state.backtick:
        m = _STRING_END["`"].match(line)
        if m is None:
            out.in_string = True
            out.first_col, out.last_col = 0, end - 1
            return out
        pos = m.end()
        code(0, pos)
        state.backtick = False
    while pos < end:
        m = tok.search(line, pos)
        code(pos, m.start() if m else end)
        if m is None:
            break
        kind = m.lastgroup
        if kind == "c":
            out.in_comment = True
            break
        if kind == "b":
            close = _BLOCK_END.search(line, m.end())
            if close is None:
                state.block_comment = True
                out.in_comment = True
                break
            pos = close.end()
            continue
        if kind == "s":
            quote = m.group()
            close = _STRING_END[quote].match(line, m.end())
            if close is None:
                out.in_string = True
                code(m.start(), end)
                state.backtick = quote == "`"
                break
            code(m.start(), close.end())
            pos = close.end()
            continue
        code(m.start(), m.end())
        out.braces.append((m.start(), m.group()))
        pos = m.end()
    return out


_CONTROL_RE = re.compile(
    r"(?:\}\s*)?(?:else|if|elif|elsif|for|foreach|while|switch|catch|try|finally|do|with|using|lock|"
    r"synchronized|unsafe|loop|match|select|case|default|return)\b"
)
_CLASS_RE = re.compile(
    r"(?:^|.*?\b)(?:class|interface|trait|struct|enum|impl|object|record|protocol|extension)\b"
    r"(?:\s*<[^>]*>)?\s*([A-Za-z_$][\w$]*)?"
)
_FUNC_KW_RE = re.compile(
    r"(?:^|.*?\b)(?:function|func|fn|fun|def|sub)\b\s*\*?\s*(?:\([^)]*\)\s*)?&?\s*([A-Za-z_$][\w$]*)?"
)
_ARROW_RE = re.compile(r"=>\s*$")
_ARROW_NAME_RE = re.compile(r"(?:(?:const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s*)?(?:\(|[\w$]+\s*=>)")
_CALL_DEF_RE = re.compile(
    r"(?:^|.*?[\s*&:~])([A-Za-z_$][\w$]*)\s*(?:<[^<>]*>)?\s*\([^;]*\)\s*"
    r"(?:const|noexcept|override|final|throws\s+[\w.,\s]+|->\s*[^{;]+|:\s*[^{;]+)?\s*$"
)


def classify_header(header: str) -> tuple[ScopeKind, str | None]:
    """Kind and name of the construct a ``{`` opens, from the text before it."""
    h = header.strip()
    if not h or _CONTROL_RE.match(h):
        return "block", None
    m = _CLASS_RE.match(h)
    if m:
        return "class", m.group(1)
    m = _FUNC_KW_RE.match(h)
    if m:
        return "function", m.group(1)
    if _ARROW_RE.search(h):
        m = _ARROW_NAME_RE.match(h)
        return "function", m.group(1) if m else None
    m = _CALL_DEF_RE.match(h)
    if m and not h.startswith(("=", "(")) and "=" not in h.split("(", 1)[0]:
        return "function", m.group(1)
    return "block", None


@dataclass(frozen=True)
class BraceResult:
    mode: Mode
    region: Region | None  # None: module


def analyze(lines: list[str], crow: int, ccol: int, unit: str, language_id: str) -> BraceResult:
    syn = _syntax(language_id)
    tok = _token_re(syn)
    state = _State()
    lexed: list[_LineLex] = []
    in_text = False
    stack: list[tuple[int, int]] = []  # open braces before the cursor: (row, col)
    for row, text in enumerate(lines):
        if row == crow:
            probe = _State(state.block_comment, state.backtick)
            pl = _lex(text[:ccol], probe, tok)
            in_text = pl.in_string or pl.in_comment
        lx = _lex(text, state, tok)
        lexed.append(lx)
        if row < crow:
            for col, ch in lx.braces:
                _push_pop(stack, ch, row, col)
        elif row == crow:
            for col, ch in lx.braces:
                if col < ccol:
                    _push_pop(stack, ch, row, col)
    # matching closing rows for the open braces, from the cursor on
    close: dict[int, int] = {}
    extra, k = 0, len(stack)
    for row in range(crow, len(lines)):
        for col, ch in lexed[row].braces:
            if row == crow and col < ccol:
                continue
            if ch == "{":
                extra += 1
            elif extra:
                extra -= 1
            elif k:
                k -= 1
                close[k] = row
        if k == 0:
            break

    line = lines[crow]
    line_prefix, line_suffix = line[:ccol], line[ccol:]
    after_brace = line_prefix.rstrip().endswith("{") and line_suffix.strip() in ("", "}")
    empty_body_line = not line.strip() and bool(stack) and _empty_body(lines, lexed, crow, stack[-1])
    mode: Mode = "multi" if not in_text and (after_brace or empty_body_line) else "single"
    return BraceResult(mode, _region(lines, lexed, crow, unit, stack, close))


def _push_pop(stack: list[tuple[int, int]], ch: str, row: int, col: int) -> None:
    if ch == "{":
        stack.append((row, col))
    elif stack:
        stack.pop()


def _empty_body(lines: list[str], lexed: list[_LineLex], crow: int, brace: tuple[int, int]) -> bool:
    """Blank cursor line right inside a ``{`` whose block holds only blanks/comments so far."""
    prev = next((r for r in range(crow - 1, -1, -1) if lexed[r].last_col >= 0), None)
    if prev is None or prev != brace[0] or lexed[prev].last_col != brace[1]:
        return False  # the nearest code before the cursor is not that '{'
    nxt = next((r for r in range(crow + 1, len(lines)) if lexed[r].first_col >= 0), None)
    if nxt is None:
        return True
    first = lines[nxt][lexed[nxt].first_col]
    return first == "}" or indent_width(indent_of(lines[nxt])) <= indent_width(indent_of(lines[prev]))


def _region(
    lines: list[str],
    lexed: list[_LineLex],
    crow: int,
    unit: str,
    stack: list[tuple[int, int]],
    close: dict[int, int],
) -> Region | None:
    if not stack:
        return None
    picked: tuple[int, ScopeKind, str | None, int] | None = None  # (stack index, kind, name, header row)
    for i in range(len(stack) - 1, -1, -1):
        row, col = stack[i]
        header, header_row = lines[row][:col], row
        if not header.strip():  # Allman style: the header is the previous code line
            prev = next((r for r in range(row - 1, -1, -1) if lexed[r].last_col >= 0), None)
            if prev is not None:
                header, header_row = lines[prev], prev
        kind, name = classify_header(header)
        if kind != "block":
            picked = (i, kind, name, header_row)
            break
        if picked is None:
            picked = (i, kind, name, header_row)
    assert picked is not None
    i, kind, name, header_row = picked
    brace_row = stack[i][0]
    end_row = close.get(i, len(lines) - 1)
    body_indent: str | None = None
    for r in range(brace_row + 1, end_row + 1):
        lx = lexed[r]
        if lx.first_col < 0 or lines[r][lx.first_col] == "}":
            continue
        body_indent = indent_of(lines[r])
        break
    if body_indent is None:
        body_indent = indent_of(lines[header_row]) + unit
    return Region(kind, name, header_row, max(end_row, crow), body_indent)
