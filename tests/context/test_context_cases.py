"""Table tests for `build_context`: `█` marks the cursor in each source.

Each row: (id, source, languageId, mode, skip_reason, scope) where scope is
(kind, name) or (kind, name, start_line, end_line, body_indent), or None for
"skipped, no scope".
"""

from __future__ import annotations

from typing import Any

import pytest

from copiloto.context import build_context
from copiloto.context.builder import SKIP_LONG_LINE, SKIP_TEXT_AFTER_CURSOR

CURSOR = "█"
SKIP = SKIP_TEXT_AFTER_CURSOR

PY = "python"

CASES: list[tuple[str, str, str, str, str | None, tuple[Any, ...] | None]] = [
    # ---- Python: block openers at end of line -> multi
    ("def", "def f(x):█", PY, "multi", None, ("function", "f", 0, 0, "    ")),
    ("def-trailing-space", "def f(x):  █", PY, "multi", None, ("function", "f")),
    ("def-return-annotation", "def f(x) -> int:█", PY, "multi", None, ("function", "f")),
    ("async-def", "async def fetch(url):█", PY, "multi", None, ("function", "fetch")),
    ("def-multiline-header", "def f(a,\n      b):█", PY, "multi", None, ("function", "f", 0, 1, "    ")),
    ("class", "class A(Base):█", PY, "multi", None, ("class", "A")),
    ("if-in-function", "def f(x):\n    if x:█\n", PY, "multi", None, ("function", "f", 0, 1, "    ")),
    ("if-top-level", "if x:█", PY, "multi", None, ("block", None, 0, 0, "    ")),
    (
        "else",
        "def f(x):\n    if x:\n        return 1\n    else:█\n",
        PY,
        "multi",
        None,
        ("function", "f"),
    ),
    ("elif", "if a:\n    pass\nelif b:█", PY, "multi", None, ("block", None)),
    ("for", "for i in range(3):█", PY, "multi", None, ("block", None)),
    ("while", "while True:█", PY, "multi", None, ("block", None)),
    ("with", "with open(p) as fh:█", PY, "multi", None, ("block", None)),
    ("try", "try:█", PY, "multi", None, ("block", None)),
    ("except", "try:\n    pass\nexcept ValueError as e:█", PY, "multi", None, ("block", None)),
    ("finally", "try:\n    pass\nfinally:█", PY, "multi", None, ("block", None)),
    ("match", "match command:█", PY, "multi", None, ("block", None)),
    ("case", "match command:\n    case [x, y]:█", PY, "multi", None, ("block", None)),
    (
        "method-in-class",
        "class A:\n    def m(self):█",
        PY,
        "multi",
        None,
        ("function", "m", 1, 1, "        "),
    ),
    ("decorated", "@dec\ndef f():█", PY, "multi", None, ("function", "f", 1, 1, "    ")),
    # ---- Python: colons that are not block openers -> single
    ("dict-open", "d = {█", PY, "single", None, ("module", None)),
    ("dict-colon", 'd = {"a":█', PY, "single", None, ("module", None)),
    ("dict-in-function", "def f():\n    d = {█", PY, "single", None, ("function", "f")),
    ("slice", "def f(x):\n    return x[1:█", PY, "single", None, ("function", "f")),
    ("lambda", "f = lambda x:█", PY, "single", None, ("module", None)),
    ("annotation-in-params", "def f(x:█", PY, "single", None, ("module", None)),
    ("one-liner", "def f(): return 1█", PY, "single", None, ("function", "f", 0, 0, "    ")),
    ("comment-colon", "# TODO:█", PY, "single", None, ("module", None)),
    ("comment-after-code", "x = 1  # note:█", PY, "single", None, ("module", None)),
    ("string-colon", 's = "if x:█', PY, "single", None, ("module", None)),
    # ---- Python: cursor mid-line / code before it -> single; text after it -> skip
    ("call-mid", "x = foo(█)", PY, "single", None, ("module", None)),
    ("assign", "x = █", PY, "single", None, ("module", None)),
    ("closers-colon", "if foo(█):", PY, "single", None, ("module", None)),
    ("closers-string-bracket", 'x = ["a█"]', PY, "single", None, ("module", None)),
    ("closers-all", "f(g([{'█'}]));, ", PY, "single", None, ("module", None)),
    ("before-identifier", "x = █foo)", PY, "single", SKIP, None),
    ("inside-word", 'print("a█b")', PY, "single", SKIP, None),
    ("before-comment", "x = █  # note", PY, "single", SKIP, None),
    ("offset-0-nonempty", "█def f(): pass", PY, "single", SKIP, None),
    ("opener-then-text", "def f(x):█ pass", PY, "single", SKIP, None),
    # ---- Python: blank lines
    ("empty-body", "def f(x):\n    █\n", PY, "multi", None, ("function", "f", 0, 1, "    ")),
    ("empty-body-eof", "def f(x):\n    █", PY, "multi", None, ("function", "f", 0, 1, "    ")),
    ("empty-body-mid-whitespace", "def f(x):\n  █  \n", PY, "multi", None, ("function", "f")),
    (
        "docstring-only-body",
        'def f(x):\n    """Square x."""\n    █\n',
        PY,
        "multi",
        None,
        ("function", "f", 0, 2, "    "),
    ),
    (
        "multiline-docstring-body",
        'def f(x):\n    """Square x.\n\n    Really.\n    """\n    █\n',
        PY,
        "multi",
        None,
        ("function", "f"),
    ),
    ("pass-below", "def f(x):\n    █\n    pass\n", PY, "multi", None, ("function", "f", 0, 2, "    ")),
    ("ellipsis-above", "def f(x):\n    ...\n    █\n", PY, "multi", None, ("function", "f")),
    ("empty-class-body", "class A:\n    █", PY, "multi", None, ("class", "A", 0, 1, "    ")),
    ("empty-if-body", "def f(x):\n    if x:\n        █\n", PY, "multi", None, ("function", "f")),
    ("empty-main-guard", 'if __name__ == "__main__":\n    █', PY, "multi", None, ("block", None)),
    (
        "between-statements",
        "def f(x):\n    a = 1\n    █\n    return a\n",
        PY,
        "single",
        None,
        ("function", "f", 0, 3, "    "),
    ),
    ("after-last-statement", "def f(x):\n    return x\n    █\n", PY, "single", None, ("function", "f")),
    ("body-below", "def f(x):\n    █\n    return x\n", PY, "single", None, ("function", "f")),
    ("dedented-after-function", "def f(x):\n    return x\n█\n", PY, "single", None, ("module", None)),
    (
        "class-body-after-method",
        "class A:\n    x = 1\n\n    def m(self):\n        pass\n    █\n",
        PY,
        "single",
        None,
        ("class", "A", 0, 5, "    "),
    ),
    (
        "method-body-blank",
        "class A:\n    def m(self):\n        a = 1\n        █\n",
        PY,
        "single",
        None,
        ("function", "m", 1, 3, "        "),
    ),
    ("blank-col0-after-def", "def f(x):\n█\n", PY, "single", None, ("module", None)),
    ("in-brackets", "x = foo(\n    █\n)", PY, "single", None, ("module", None)),
    ("backslash", "x = 1 + \\\n    █", PY, "single", None, ("module", None)),
    ("in-docstring", 'def f():\n    """Doc.\n\n    █\n    """\n', PY, "single", None, ("function", "f")),
    ("comment-only-body", "def f():\n    # todo\n    █\n", PY, "multi", None, ("function", "f")),
    # ---- CRLF, lone CR, tabs, unicode
    ("crlf-empty-body", "def f(x):\r\n    █\r\n", PY, "multi", None, ("function", "f", 0, 1, "    ")),
    ("crlf-opener", "x = 1\r\nif x:█\r\ny = 2\r\n", PY, "multi", None, ("block", None, 1, 1, "    ")),
    ("crlf-mid", "x = 1\r\ny = █\r\nz = 3\r\n", PY, "single", None, ("module", None, 0, 3, "")),
    ("lone-cr", "def f(x):\r    █\r", PY, "multi", None, ("function", "f", 0, 1, "    ")),
    ("tabs", "class A:\n\tdef m(self):\n\t\t█\n", PY, "multi", None, ("function", "m", 1, 2, "\t\t")),
    ("tabs-opener", "def f(x):\n\tif x:█\n", PY, "multi", None, ("function", "f", 0, 1, "\t")),
    ("unicode-identifiers", "def größe(ü):\n    █", PY, "multi", None, ("function", "größe")),
    ("emoji-default", 'def f(x="😀🎉"):█', PY, "multi", None, ("function", "f")),
    ("emoji-in-string", 's = "😀"\ndef f():\n    t = "🎉🎉"█\n', PY, "single", None, ("function", "f")),
    ("cjk-comment", "def f():  # 関数\n    █", PY, "multi", None, ("function", "f")),
    # ---- syntax errors
    (
        "unclosed-bracket-above",
        "def f(x):\n    y = foo(\n\ndef g():\n    █\n",
        PY,
        "multi",
        None,
        ("function", "g", 3, 4, "    "),
    ),
    ("unclosed-bracket-cursor", "def f(x):\n    y = foo(\n    █\n", PY, "single", None, ("function", "f")),
    ("missing-colon", "def f(x)\n    █", PY, "single", None, ("module", None)),
    ("stray-else", "x = 1\nelse:█", PY, "multi", None, ("block", None, 1, 1, "    ")),
    ("garbage", ")))(((\n:::\n█", PY, "single", None, ("module", None)),
    ("unclosed-string", "def f():\n    s = 'abc█", PY, "single", None, ("function", "f")),
    ("unclosed-docstring", 'def f():\n    """Doc\n    █', PY, "single", None, ("function", "f")),
    # ---- document edges
    ("empty-document", "█", PY, "single", None, ("module", None, 0, 0, "")),
    ("end-of-document", "def f(x):\n    return x\n█", PY, "single", None, ("module", None, 0, 2, "")),
    ("end-no-newline", "x = 1█", PY, "single", None, ("module", None, 0, 0, "")),
    # ---- PHP
    ("php-function", "<?php\nfunction f($x) {█", "php", "multi", None, ("function", "f", 1, 1, "    ")),
    ("php-autoclosed", "<?php\nfunction f($x) {█}", "php", "multi", None, ("function", "f")),
    (
        "php-empty-body",
        "<?php\nfunction f($x) {\n    █\n}\n",
        "php",
        "multi",
        None,
        ("function", "f", 1, 3, "    "),
    ),
    (
        "php-method",
        "<?php\nclass A {\n    public function run(): int {\n        █\n    }\n}\n",
        "php",
        "multi",
        None,
        ("function", "run", 2, 4, "        "),
    ),
    (
        "php-class-body",
        "<?php\nclass A {\n    private $x;\n    █\n}\n",
        "php",
        "single",
        None,
        ("class", "A", 1, 4, "    "),
    ),
    (
        "php-nonempty-body",
        "<?php\nfunction f() {\n    $a = 1;\n    █\n}\n",
        "php",
        "single",
        None,
        ("function", "f"),
    ),
    ("php-if", "<?php\nfunction f($x) {\n    if ($x) {█", "php", "multi", None, ("function", "f")),
    ("php-array", "<?php\n$a = [█", "php", "single", None, ("module", None)),
    ("php-string-brace", '<?php\n$s = "{█', "php", "single", None, ("module", None)),
    ("php-hash-comment", "<?php\n# if ($x) {█", "php", "single", None, ("module", None)),
    ("php-skip", "<?php\necho █$x;", "php", "single", SKIP, None),
    # ---- JavaScript / TypeScript / C-likes
    ("js-object", "const o = {█", "javascript", "multi", None, ("block", None, 0, 0, "    ")),
    ("js-arrow", "const f = (x) => {█", "javascript", "multi", None, ("function", "f")),
    (
        "js-class-method",
        "class A {\n  m(x) {\n    █\n  }\n}\n",
        "javascript",
        "multi",
        None,
        ("function", "m", 1, 3, "    "),
    ),
    (
        "js-if",
        "function g() {\n  return 1;\n}\nif (x) {\n  █\n}\n",
        "javascript",
        "multi",
        None,
        ("block", None, 3, 5, "  "),
    ),
    ("js-comment", "// if (x) {█", "javascript", "single", None, ("module", None)),
    ("js-block-comment", "/* {\n  █\n*/", "javascript", "single", None, ("module", None)),
    ("js-template", "const s = `\n${█", "typescript", "single", None, ("module", None)),
    ("js-call-mid", "foo(█);", "javascript", "single", None, ("module", None)),
    ("js-skip", "foo(█bar);", "javascript", "single", SKIP, None),
    (
        "js-between",
        "function f() {\n  a();\n  █\n  b();\n}\n",
        "javascript",
        "single",
        None,
        ("function", "f"),
    ),
    ("c-main", "int main(void) {\n    █\n}\n", "c", "multi", None, ("function", "main", 0, 2, "    ")),
    ("c-allman", "void f()\n{\n    █\n}\n", "cpp", "multi", None, ("function", "f", 0, 3, "    ")),
    ("go-method", "func (s *S) Run(x int) error {█", "go", "multi", None, ("function", "Run")),
    ("rust-impl", "impl Foo {\n    █\n}\n", "rust", "multi", None, ("class", "Foo")),
    ("java-throws", "void run() throws IOException {█", "java", "multi", None, ("function", "run")),
    ("unclosed-brace-next-fn", "function f() {\n  █\nfunction g() {}\n", "javascript", "multi", None, None),
    (
        "crlf-js",
        "function f() {\r\n    █\r\n}\r\n",
        "javascript",
        "multi",
        None,
        ("function", "f", 0, 2, "    "),
    ),
    ("plaintext", "Dear {█", "plaintext", "multi", None, ("block", None)),
]


def _run(src: str, lang: str):
    assert src.count(CURSOR) == 1
    offset = src.index(CURSOR)
    text = src.replace(CURSOR, "")
    return text, offset, build_context(text, offset, lang)


@pytest.mark.parametrize(
    ("src", "lang", "mode", "skip", "scope"),
    [pytest.param(*row[1:], id=row[0]) for row in CASES],
)
def test_case(src: str, lang: str, mode: str, skip: str | None, scope: tuple[Any, ...] | None) -> None:
    _text, _offset, ctx = _run(src, lang)
    assert (ctx.mode, ctx.skip_reason) == (mode, skip)
    if skip is not None:
        assert ctx.scope is None
        return
    assert ctx.scope is not None
    if scope is None:  # only "some scope" is asserted
        return
    got = (ctx.scope.kind, ctx.scope.name, ctx.scope.start_line, ctx.scope.end_line, ctx.scope.body_indent)
    assert got[: len(scope)] == scope


@pytest.mark.parametrize("row", CASES, ids=[row[0] for row in CASES])
def test_invariants(row: tuple[Any, ...]) -> None:
    _id, src, lang, *_ = row
    text, offset, ctx = _run(src, lang)
    assert ctx.prefix == text[:offset]
    assert ctx.suffix == text[offset:]
    assert ctx.prefix.endswith(ctx.line_prefix)
    assert ctx.suffix.startswith(ctx.line_suffix)
    assert "\n" not in ctx.line_prefix + ctx.line_suffix
    assert "\r" not in ctx.line_prefix + ctx.line_suffix
    for line in ctx.prev_lines + ctx.next_lines:
        assert "\n" not in line and "\r" not in line
    assert ctx.indent_unit in ("    ", "  ", "\t")
    if ctx.scope is not None:
        row_no = len(text[:offset].replace("\r\n", "\n").replace("\r", "\n").split("\n")) - 1
        assert ctx.scope.start_line <= row_no <= ctx.scope.end_line


def test_long_line_is_skipped() -> None:
    text = "x = '" + "a" * 10_000 + "'\n"
    ctx = build_context(text, 5000, "python")
    assert ctx.skip_reason == SKIP_LONG_LINE
    assert ctx.scope is None
    assert ctx.prefix == text[:5000]
