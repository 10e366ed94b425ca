"""Put a docstring into the file text, and clean what a model wraps around one."""

from __future__ import annotations

import ast
import re

from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.target import Target
from copiloto.grammars import parser

_FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")
_HEADER_START_RE = re.compile(r"\s*(?:@|(?:async\s+)?def\s|class\s)")
_QUOTED_RE = re.compile(r'\s*[rRuU]?("""|\'\'\')(.*?)(?:\1|$)', re.DOTALL)
_CLOSING_RE = re.compile(r'(?:"""|\'\'\')\s*$')
_LINE_RE = re.compile(r"(?<=\n)")  # split after "\n" only: str.splitlines also splits on \f, \x1c, U+2028


def apply(source: str, target: Target, docstring: str) -> str:
    """The file text with `docstring` (its text, no quotes) replacing the target's or inserted as its first line."""
    text = normalize(docstring)
    if not text:
        raise DocstringError("the docstring is empty")
    newline = "\r\n" if "\r\n" in source else "\n"
    literal = quote(text, target.body_indent, newline)
    lines = _LINE_RE.split(source)
    if target.docstring_span:
        start_line, start_col, end_line, end_col = target.docstring_span
        rest = lines[end_line][end_col:]
        lines[start_line : end_line + 1] = [lines[start_line][:start_col] + literal + rest]
        after = start_line + 1 if not rest.strip() else -1
    else:
        first = target.insert_line
        # Blank lines between the header and the docstring break D201/D211; they go.
        while first > target.header_end_line + 1 and not lines[first - 1].strip():
            first -= 1
        lines[first : target.insert_line] = [target.body_indent + literal + newline]
        after = first + 1
    # pydocstyle (D204) and black want a blank line between a class docstring and the class body.
    if target.kind == "class" and 0 < after < len(lines) and _continues_body(lines[after], target.body_indent):
        lines.insert(after, newline)
    result = "".join(lines)
    _check_parses(source, result)
    return result


def quote(text: str, indent: str, newline: str = "\n") -> str:
    """`text` as a triple-quoted literal whose continuation lines start with `indent` (the first doesn't)."""
    raw = "\\" in text
    body = text.replace('"""', '""\\"')
    body_lines = body.split("\n")
    prefix = 'r"""' if raw else '"""'
    if len(body_lines) == 1 and not body.endswith("\\"):
        # A closing quote right before the closing triple would end the literal early.
        return f'{prefix}{body[:-1]}\\""""' if body.endswith('"') else f'{prefix}{body}"""'
    indented = [body_lines[0], *(indent + line if line else "" for line in body_lines[1:])]
    return prefix + newline.join(indented) + newline + indent + '"""'


def normalize(docstring: str) -> str:
    """Unix newlines, no trailing spaces, no blank edge lines, first line flush, the rest dedented."""
    lines = [line.rstrip() for line in docstring.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return ""
    rest = [line for line in lines[1:] if line]
    common = min((len(line) - len(line.lstrip()) for line in rest), default=0)
    return "\n".join([lines[0].lstrip(), *(line[common:] for line in lines[1:])])


def clean_model_docstring(text: str) -> str:
    """The docstring text inside what a model wraps around it: fences, quotes, a repeated `def` line."""
    text = _unfence(text.replace("\r\n", "\n"))
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and _HEADER_START_RE.match(lines[0]):
        lines = lines[_header_length(lines) :]
    text = "\n".join(lines)
    quoted = _QUOTED_RE.match(text)
    # Inside the quotes only (the model may have gone on to write the body); or, when the opening
    # quotes were in the prompt, everything before the closing ones.
    text = quoted.group(2) if quoted else _CLOSING_RE.sub("", text)
    return normalize(text)


def _continues_body(line: str, indent: str) -> bool:
    return bool(line.strip()) and bool(indent) and line.startswith(indent)


def _unfence(text: str) -> str:
    """The first fenced block's content (an unclosed fence runs to the end), or the text itself."""
    lines = text.split("\n")
    opened = next((i for i, line in enumerate(lines) if _FENCE_RE.match(line)), None)
    if opened is None:
        return text
    closed = next((i for i in range(opened + 1, len(lines)) if _FENCE_RE.match(lines[i])), len(lines))
    return "\n".join(lines[opened + 1 : closed])


def _header_length(lines: list[str]) -> int:
    """How many lines the decorators and `def ...:` header take (brackets may span lines)."""
    depth = 0
    for i, line in enumerate(lines):
        code = line.split("#", 1)[0]
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        if depth <= 0 and not line.lstrip().startswith("@") and code.rstrip().endswith(":"):
            return i + 1
    return 1


def _check_parses(before: str, after: str) -> None:
    try:
        ast.parse(after)
    except SyntaxError as exc:
        raise DocstringError(f"the edit would break the file: {exc.msg} at line {exc.lineno}") from None
    # A file tree-sitter already misreads (new syntax it lacks) is not the edit's fault.
    if _tree_sitter_errors(after) and not _tree_sitter_errors(before):
        raise DocstringError("the edit would break the file: tree-sitter finds a syntax error in it")


def _tree_sitter_errors(text: str) -> bool:
    return bool(parser("python").parse(text.encode("utf-8", "surrogatepass")).root_node.has_error)
