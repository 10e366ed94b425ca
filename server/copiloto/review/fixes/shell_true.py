"""B602 (subprocess_popen_with_shell_equals_true): `subprocess.run("ls -l " + path, shell=True)` →
`subprocess.run(["ls", "-l", path])`, dropping `shell=True`.

Only B602: bandit gives it to the subprocess functions it resolved (aliases included, `from subprocess import
Popen as pop`). B604 (any_other_function_with_shell_equals_true) is by definition a callee bandit could not
resolve to subprocess, whose meaning of `shell` is unknown (bandit's own example is a local `def Popen`): no fix.

The command must be built from literals the rewrite can read: a string literal, an f-string, a `+`
concatenation of literals, f-strings and expressions, `"..." % args` with plain `%s` fields, or
`"...".format(...)` with plain `{}`/`{0}`/`{name}` fields. It is split into words the way /bin/sh would split the
literal text (whitespace, '...' and "..." quoting); every interpolated value stays inside the word it sits in
and becomes exactly one argument (`str(x)` for an f-string, `%s` or `{}` field, the expression itself in a
concatenation, where it is already a str). That one-value-one-argument reading is what removes the injection; it differs
from the shell only for a value that relied on being split or globbed by it.

It refuses when the command is opaque (a variable, a list: with shell=True a list means something else, `%`
or `.format` with anything but plain fields, or with `*args`/`**kwargs`, or `%` with a right side that may be
a tuple at run time), when the literal text uses anything the shell would interpret beyond quoting (pipes,
redirections, `;`, `&&`, `$`, backquotes, globs, `~`, braces, backslashes, `#`), when the first word is a shell
builtin (`cd`, `export`, ...) or a `VAR=value` assignment, when `shell` is not the literal True, when
`executable=` or `**kwargs` are given, or when a field has a format spec.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass

from copiloto.review.fixes._edit import Source, keyword, removing_keyword, replace
from copiloto.review.security import SecurityFinding

CODES = ("B602",)
TITLE = "pass an argument list instead of shell=True"
# Without a shell bandit still notes every subprocess call (B603, low), and now sees a command looked up on
# PATH (B607, low), which the shell did as well: the expected successors, both of low severity.
SUCCESSORS = frozenset({"B603", "B607"})
_META = set("|&;<>()$`\\*?[]{}~!#\n\r\t\f\v")
_IN_DOUBLE_QUOTES = set("$`\\!")
_BUILTINS = {
    ".", ":", "alias", "bg", "bind", "break", "builtin", "cd", "command", "continue", "declare", "dirs", "eval",
    "exec", "exit", "export", "fg", "getopts", "hash", "jobs", "let", "local", "popd", "pushd", "read",
    "readonly", "return", "set", "shift", "shopt", "source", "times", "trap", "type", "typeset", "ulimit",
    "umask", "unalias", "unset", "wait",
}  # fmt: skip


@dataclass(frozen=True)
class _Field:
    """An expression inside the command: `code` is its source, `wrap` what makes it a str ("" when it is)."""

    code: str
    wrap: str


_Part = str | _Field


def _flagged(call: ast.Call) -> bool:
    shell = keyword(call, "shell")
    return shell is not None and isinstance(shell.value, ast.Constant) and shell.value.value is True


def _field(source: Source, value: ast.expr, wrap: str) -> _Part:
    """A formatted value; a str literal is literal text (read as the shell would read it)."""
    if wrap == "str" and isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return _Field(source.expression(value), wrap)


_PERCENT = re.compile(r"%(.)", re.DOTALL)
# `"%s" % x` with x a single value: taken as one value when it is a name, attribute, call or subscript (a tuple
# there would format differently: assumed not, as the code uses it with one `%s`); any other expression refuses.
_NOT_A_TUPLE = (ast.Constant, ast.JoinedStr, ast.Name, ast.Attribute, ast.Call, ast.Subscript)


def _percent(source: Source, template: str, right: ast.expr) -> list[_Part] | None:
    """`"ls %s" % x` as parts: only `%s` and `%%`, one field per value."""
    if isinstance(right, ast.Tuple):
        values: list[ast.expr] = list(right.elts)
    elif isinstance(right, _NOT_A_TUPLE) and not (isinstance(right, ast.Constant) and isinstance(right.value, tuple)):
        values = [right]
    else:
        return None
    if any(isinstance(value, ast.Starred) for value in values):
        return None
    parts: list[_Part] = []
    last, used = 0, 0
    for match in _PERCENT.finditer(template):
        parts.append(template[last : match.start()])
        last = match.end()
        if match.group(1) == "%":
            parts.append("%")
        elif match.group(1) == "s" and used < len(values):
            parts.append(_field(source, values[used], "str"))
            used += 1
        else:
            return None
    if "%" in template[last:] or used != len(values):
        return None
    return [*parts, template[last:]]


def _format(source: Source, template: str, call: ast.Call) -> list[_Part] | None:
    """`"ls {}".format(x)` as parts: plain fields only (no attribute, index, spec or `*`/`**`)."""
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(kw.arg is None for kw in call.keywords):
        return None
    named = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
    parts: list[_Part] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for literal, field, spec, conversion in parsed:
        parts.append(literal)
        if field is None:
            continue
        if spec or conversion not in (None, "s", "r", "a"):
            return None
        if field == "":
            index: int | str = auto
            auto += 1
        else:
            index = int(field) if field.isdigit() else field
        if isinstance(index, int):
            if index >= len(call.args):
                return None
            value = call.args[index]
        elif index.isidentifier() and index in named:
            value = named[index]
        else:
            return None
        wrap = {None: "str", "s": "str", "r": "repr", "a": "ascii"}[conversion]
        parts.append(_field(source, value, wrap))
    return parts


def _pieces(source: Source, node: ast.AST) -> list[_Part] | None:
    """The command as literal text and fields, in order; None when it is not built from literals."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = node.left
        return (
            _percent(source, template.value, node.right)
            if isinstance(template, ast.Constant) and isinstance(template.value, str)
            else None
        )
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return _format(source, node.func.value.value, node)
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts: list[_Part] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue) and value.format_spec is None:
                wrap = {-1: "str", 115: "str", 114: "repr", 97: "ascii"}.get(value.conversion)
                code = source.segment(value.value)
                try:
                    same = ast.dump(ast.parse(code.strip(), mode="eval").body) == ast.dump(value.value)
                except SyntaxError:
                    same = False
                if wrap is None or not same:
                    return None
                parts.append(_Field(code.strip(), wrap))
            else:
                return None
        return parts
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pieces(source, node.left), _pieces(source, node.right)
        if left is None and not isinstance(node.left, ast.BinOp):
            left = [_Field(source.expression(node.left), "")]
        if right is None:
            right = [_Field(source.expression(node.right), "")]
        return None if left is None else left + right
    return None


def _words(parts: list[_Part]) -> list[list[_Part]] | None:
    """Split as /bin/sh splits the literal text; None at anything it would interpret beyond quoting."""
    words: list[list[_Part]] = []
    word: list[_Part] | None = None
    quote = ""
    for part in parts:
        if isinstance(part, _Field):
            word = word if word is not None else []
            word.append(part)
            continue
        for char in part:
            if quote:
                if char == quote:
                    quote = ""
                elif quote == '"' and char in _IN_DOUBLE_QUOTES:
                    return None
                else:
                    assert word is not None
                    word.append(char)
            elif char == " ":
                if word is not None:
                    words.append(word)
                word = None
            elif char in _META:
                return None
            else:
                word = word if word is not None else []
                if char in "'\"":
                    quote = char
                else:
                    word.append(char)
    if quote:
        return None
    if word is not None:
        words.append(word)
    return words


def _quoted(text: str, quote: str) -> str:
    """A literal in the command's own quotes when it can be."""
    return f"{quote}{text}{quote}" if quote not in text and "\\" not in text else repr(text)


def _element(word: list[_Part], quote: str) -> str:
    """One argument's source: a literal, a field, or their concatenation."""
    merged: list[_Part] = []
    for part in word:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    codes = [
        _quoted(part, quote) if isinstance(part, str) else f"{part.wrap}({part.code})" if part.wrap else part.code
        for part in merged
    ]
    return " + ".join(codes)


def rewrite(text: str, finding: SecurityFinding) -> str | None:
    source = Source.parse(text)
    if source is None:
        return None
    call = source.call_at(finding.line, finding.column, _flagged)
    if call is None or keyword(call, "executable") is not None or any(kw.arg is None for kw in call.keywords):
        return None
    given = keyword(call, "args")
    command = call.args[0] if call.args else given.value if given is not None else None
    if command is None or isinstance(command, ast.Starred):
        return None
    parts = _pieces(source, command)
    if parts is None or not any(isinstance(part, str) and part.strip() for part in parts):
        return None  # opaque, or no literal text to say where the words are
    words = _words(parts)
    if not words:
        return None
    head = words[0]
    if all(isinstance(part, str) for part in head):
        name = "".join(str(part) for part in head)
        if not name or name in _BUILTINS or "=" in name:
            return None
    shell = keyword(call, "shell")
    assert shell is not None
    removal = removing_keyword(source, call, shell)
    first, last = source.span(command)
    if removal is None or source.has_comment(first, last):
        return None
    quote = "'" if source.text[first:last].lstrip("rRfFbBuU(").startswith("'") else '"'
    listed = "[" + ", ".join(_element(word, quote) for word in words) + "]"
    return replace(text, [(first, last, listed), removal])
