"""PHP contexts read from the syntax tree (context/_php.py), through `build_context`: `█` marks the cursor.

Each row: (id, source, mode, scope) where scope is (kind, name, start_line, end_line, body_indent) or a
prefix of it. GLPI-like code: namespaced classes, static methods, closures, heredocs, `?>` HTML, attributes,
the alternative syntax, code being typed. Where the brace heuristic that PHP used before got it wrong, the
comment says what it answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from copiloto.context import build_context

CURSOR = "█"

CASES: list[tuple[str, str, str, tuple[Any, ...]]] = [
    (
        "static-method-between-statements",
        """<?php
namespace Glpi\\Dashboard;

use Ticket;

class Provider
{
    public static function nbTicketsGeneric(array $params = []): array
    {
        $DB = $params['db'];
        █
        return [];
    }
}
""",
        "single",
        ("function", "nbTicketsGeneric", 7, 12, "        "),
    ),
    (
        "allman-brace-of-a-static-method",
        "<?php\nclass Provider\n{\n    public static function run()\n    {█\n",
        "multi",
        ("function", "run", 3, 5, "        "),  # unclosed: to the window's end
    ),
    (
        "closure-body-just-opened",
        """<?php
class Provider
{
    public function labels(array $rows): array
    {
        return array_map(function ($row) use ($rows) {
            █
        }, $rows);
    }
}
""",
        "multi",
        # braces: ("function", "labels"): a header starting with `return` was read as a control block
        ("function", None, 5, 7, "            "),
    ),
    (
        "closure-with-use-assigned",
        "<?php\nfunction totals($rows)\n{\n    $cb = static function ($row) use ($rows) {█\n",
        "multi",
        # braces: ("function", "use"): the word after the closure's parameters was taken for its name
        ("function", None, 3, 4, "        "),
    ),
    (
        "heredoc-with-a-brace",
        """<?php
class Mailer
{
    public function body(): string
    {
        $html = <<<HTML
    } <b>{$this->name}</b>
HTML;
        █
        return $html;
    }
}
""",
        "single",
        # braces: ("class", "Mailer", 1, 10): the heredoc's `}` closed the method
        ("function", "body", 3, 10, "        "),
    ),
    (
        "html-section-with-braces",
        """<?php
function showForm($item)
{
?>
<style>.x { color: red; }</style>
<div onclick="f({a: 1})">
<?php
    █
}
""",
        "multi",
        # braces: "single", body indent "": the HTML's `{`/`}` were counted, `?>` was the body's first line
        ("function", "showForm", 1, 8, "    "),
    ),
    (
        "attribute-before-method-on-its-line",
        """<?php
class Api
{
    #[Route('/tickets', methods: ['GET'])] public function list(): array {█
    }
}
""",
        "multi",
        # braces: ("single", "class", "Api"): `#[` started a comment to the end of the line
        ("function", "list", 3, 4, "        "),
    ),
    (
        "attribute-line-not-in-the-span",
        "<?php\nclass Api\n{\n    #[Deprecated]\n    public function old()\n    {\n        █\n    }\n}\n",
        "multi",
        ("function", "old", 4, 7, "        "),
    ),
    (
        "multi-line-signature",
        """<?php
class Search
{
    public static function addWhere(
        $link,
        $nott
    ): string {
        █
    }
}
""",
        "multi",
        # braces: ("class", "Search"): the header it read was `): string`
        ("function", "addWhere", 3, 8, "        "),
    ),
    (
        "match-in-a-call",
        """<?php
class Status
{
    public function label(int $s): string
    {
        return __(match ($s) {█
    }
}
""",
        "multi",
        ("function", "label", 3),
    ),
    (
        "alternative-syntax-being-typed",
        "<?php\nfunction rows($items)\n{\n    if ($items):█\n}\n",
        "multi",
        # braces: "single": only `{` opened blocks
        ("function", "rows", 1, 4, "    "),
    ),
    (
        "alternative-syntax-empty-body",
        "<?php\nforeach ($items as $item):\n    █\nendforeach;\n",
        "multi",
        # braces: ("single", "module")
        ("block", None, 1, 3, "    "),
    ),
    (
        "alternative-syntax-else-body",
        "<?php\nif ($a):\n    echo 1;\nelse:\n    echo 2;\n    █\nendif;\n",
        "single",
        ("block", None, 3, 6, "    "),  # braces: "module"
    ),
    (
        "alternative-switch",
        "<?php\nswitch ($x):█\n    case 1:\n        break;\nendswitch;\n",
        "multi",
        ("block", None, 1, 4),  # braces: ("single", "module")
    ),
    (
        "half-typed-method-before-the-next",
        """<?php
class Ticket extends CommonITILObject
{
    public function prepareInput($input)
    {
        return $input;
    }

    public function post_addItem($history = true) {█

    public function cleanDBonPurge()
    {
        parent::cleanDBonPurge();
    }
}
""",
        "multi",
        ("function", "post_addItem", 8),
    ),
    (
        "half-typed-statement",
        "<?php\nclass A\n{\n    public function f()\n    {\n        $x = $this->█\n    }\n}\n",
        "single",
        ("function", "f", 3, 6, "        "),
    ),
    (
        "unterminated-string-after-a-heredoc",  # an ERROR at the cursor: the braces on a masked window
        """<?php
class A
{
    public function f()
    {
        $h = <<<EOT
}
EOT;
        $s = "{█
    }
}
""",
        "single",
        # braces: ("class", "A"): the heredoc's `}` closed the method
        ("function", "f", 3),
    ),
    (
        "string-with-a-closing-brace",
        '<?php\nfunction f()\n{\n    $s = "}";\n    █\n}\n',
        "single",
        ("function", "f", 1, 5, "    "),
    ),
    ("line-comment", "<?php\nfunction f()\n{\n    // if ($x) {█\n}\n", "single", ("function", "f")),
    ("block-comment", "<?php\nfunction f()\n{\n    /* {█\n     */\n}\n", "single", ("function", "f")),
    ("interface", "<?php\ninterface HasStats\n{\n    █\n}\n", "multi", ("class", "HasStats", 1, 4, "    ")),
    ("trait", "<?php\ntrait Clonable\n{\n    █\n}\n", "multi", ("class", "Clonable", 1, 4, "    ")),
    ("enum", "<?php\nenum Level: int\n{\n    case Low = 1;\n    █\n}\n", "single", ("class", "Level")),
    ("anonymous-class", "<?php\n$o = new class {\n    █\n};\n", "multi", ("class", None, 1, 3, "    ")),
    ("arrow-function-is-no-scope", "<?php\nfunction f()\n{\n    $g = fn($x) => █\n}\n", "single", ("function", "f")),
    ("namespace-block", "<?php\nnamespace Glpi {\n    █\n}\n", "multi", ("block", None, 1, 3, "    ")),
    ("after-a-closed-function", "<?php\nfunction f() {}█\n", "single", ("module", None)),
    ("if-in-method", "<?php\nclass A {\n    function f($x) {\n        if ($x) {█\n", "multi", ("function", "f")),
    ("no-php-tag-yet", "function f() {█", "multi", ("function", "f")),  # all HTML to PHP: the braces
    ("cursor-in-html", "<?php function g() { ?>\n<div>█\n<?php } ?>\n", "single", ("function", "g")),
    ("language-id-case", "<?php\nfunction f() {█", "multi", ("function", "f", 1, 1, "    ")),
]


def _run(src: str, lang: str = "php") -> Any:
    assert src.count(CURSOR) == 1
    offset = src.index(CURSOR)
    return build_context(src.replace(CURSOR, ""), offset, lang)


@pytest.mark.parametrize(("src", "mode", "scope"), [pytest.param(*row[1:], id=row[0]) for row in CASES])
def test_case(src: str, mode: str, scope: tuple[Any, ...]) -> None:
    ctx = _run(src)
    assert ctx.skip_reason is None and ctx.scope is not None
    got = (ctx.scope.kind, ctx.scope.name, ctx.scope.start_line, ctx.scope.end_line, ctx.scope.body_indent)
    assert (ctx.mode, got[: len(scope)]) == (mode, scope)


def test_the_language_id_is_case_insensitive() -> None:
    src = "<?php\nclass A {\n    #[Pure] public function f() {█\n    }\n}\n"
    assert _run(src, "PHP").scope == _run(src, "php").scope
    assert _run(src, "PHP").scope.name == "f"  # type: ignore[union-attr]


def _long_class(methods: int) -> str:
    """A GLPI-sized class: each method under a docblock, so that a window may start inside one."""
    parts = ["<?php\nnamespace Glpi;\n\nclass Big\n{\n"]
    for i in range(methods):
        parts.append(
            f"    /**\n     * Method {i}: {{braces}} in a docblock.\n     */\n"
            f"    public static function m{i}($x)\n    {{\n        $a = [$x, {i}];\n        return $a;\n    }}\n\n"
        )
    parts.append("}\n")
    return "".join(parts)


@pytest.mark.parametrize("start", range(0, 9))  # 9 rows a method: every way the window's first line falls
def test_windows_cut_inside_a_long_class(start: int) -> None:
    """Past 400 lines, the window starts mid-class (mid-docblock for some); 100 lines after the cursor it
    ends mid-class too. The method is still found."""
    text = _long_class(120)
    at = text.index("function m80(")
    line_end = text.index("\n", text.index("$a = ", at))  # the first statement's line
    ctx = build_context(text, line_end, "php")
    assert ctx.scope is not None and (ctx.scope.kind, ctx.scope.name) == ("function", "m80")
    assert ctx.mode == "single"
    shifted = "\n" * start + text  # move the window's cut by `start` rows
    ctx = build_context(shifted, line_end + start, "php")
    assert ctx.scope is not None and ctx.scope.name == "m80"
    assert ctx.scope.end_line - ctx.scope.start_line == 4


def test_a_blank_line_opening_a_method_deep_in_a_long_class() -> None:
    text = _long_class(120).replace("        $a = [$x, 80];\n        return $a;\n", "        \n")
    offset = text.index("        \n", text.index("function m80(")) + 8
    ctx = build_context(text, offset, "php")
    assert ctx.mode == "multi"
    assert ctx.scope is not None and (ctx.scope.kind, ctx.scope.name, ctx.scope.body_indent) == (
        "function",
        "m80",
        "        ",
    )


_TRICKY = """<?php
namespace Glpi;
#[Attr(['{' => "}"])]
final class T extends CommonDBTM implements I {
    public static function f(
        $object, array $a = []
    ): ?string {
        $h = <<<EOT
  { {$a['x']} }
EOT;
        $n = <<<'N'
}
N;
        $g = fn($x) => match ($x) { 1 => '{', default => "}" };
        if ($a):
            foreach ($a as $k => $v): ?>
<li class="{<?= $k ?>}">{</li>
<?php       endforeach;
        elseif ($object): /* } */
        else: # {
        endif;
        return array_map(static function ($r) use ($a) { return $r; }, $a) ?: null;
    }
    public function broken( {
        $x = "unterminated {
    }
}
"""


def test_every_offset_of_a_tricky_php_document() -> None:
    """Nothing raises, and the scope holds the cursor's line, wherever the cursor is (broken code included)."""
    for offset in range(len(_TRICKY) + 1):
        ctx = build_context(_TRICKY, offset, "php")
        assert ctx.mode in ("single", "multi")
        if ctx.skip_reason is not None:
            continue
        assert ctx.scope is not None
        row = _TRICKY.count("\n", 0, offset)
        assert ctx.scope.start_line <= row <= ctx.scope.end_line, (offset, ctx.scope)
