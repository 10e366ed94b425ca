"""What "Explain with Claude" shows of a backtrace frame: a PHP frame's whole function when it is short enough,
else the lines around the frame's line; and the lines it shows are the ones Claude's answer may name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from copiloto.context import enclosing_function
from copiloto.orchestrate.claude import explain as ex
from copiloto.orchestrate.claude.explain import CONTEXT_LINES, MAX_FUNCTION_LINES, Explanation, Frame, excerpt

HELPER = """<?php
namespace Glpi\\Helpdesk;

class TicketStats
{
    #[\\Deprecated]
    public static function count(array $criteria): int
    {
        $iterator = self::request($criteria);
        $callback = function ($row) use ($criteria) {
            return $row['total'];
        };
        return array_sum(array_map($callback, iterator_to_array($iterator)));
    }
}
"""


def _frame(tmp_path: Path, name: str, text: str, line: int) -> Frame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Frame(path, name, line)


def _numbers(shown: str) -> list[int]:
    return [int(line.split(":", 1)[0]) for line in shown.split("\n")[1:]]


def test_a_php_frame_shows_its_whole_method_attributes_included(tmp_path: Path) -> None:
    shown = excerpt(_frame(tmp_path, "TicketStats.php", HELPER, 11))  # in the closure
    assert shown.split("\n")[0] == (
        "--- TicketStats.php (lines 6-14, the whole function count(); the frame is line 11)"
    )
    assert _numbers(shown) == list(range(6, 15))
    assert "14:     }" in shown and "15: }" not in shown


def test_a_long_php_function_falls_back_to_the_lines_around_the_frame(tmp_path: Path) -> None:
    body = "".join(f"        $a{i} = {i};\n" for i in range(MAX_FUNCTION_LINES))
    text = f"<?php\nclass A\n{{\n    public function long()\n    {{\n{body}    }}\n}}\n"
    line = 50
    shown = excerpt(_frame(tmp_path, "A.php", text, line))
    assert "function" not in shown.split("\n")[0]
    assert _numbers(shown) == list(range(line - CONTEXT_LINES, line + CONTEXT_LINES + 1))


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("top.php", "<?php\n$a = 1;\nfoo($a);\n", 3),  # file level: no function
        ("notes.txt", "function f() {\n    return 1;\n}\n", 2),  # not PHP: lines around, as before
        ("stale.php", "<?php\nfunction f() {}\n", 40),  # a log older than the file: past its end
    ],
)
def test_outside_a_php_function_the_lines_around_the_frame(tmp_path: Path, name: str, text: str, line: int) -> None:
    shown = excerpt(_frame(tmp_path, name, text, line))
    n = len(text.split("\n"))
    first, last = max(1, line - CONTEXT_LINES), min(n, line + CONTEXT_LINES)
    assert shown.split("\n")[0] == f"--- {name} (lines {first}-{last}; the frame is line {line})"


def test_enclosing_function_names_the_method_not_the_closure() -> None:
    span = enclosing_function(HELPER, 10)
    assert span is not None and (span.name, span.start_row, span.end_row) == ("count", 5, 13)
    assert enclosing_function(HELPER, 3) is None  # in the class, outside any method
    assert enclosing_function(HELPER, 99) is None


class _Client:
    """The CloudClient surface explain() uses: Claude names a line of the method far from the frame's line."""

    def __init__(self, involved: list[dict[str, Any]]) -> None:
        self.involved = involved

    def never_sends(self, path: str) -> bool:
        return False

    async def ask(self, system: str, context: str, question: str, model: type, tool: str, path: Any) -> Any:
        self.context = context
        value = Explanation(root_cause="r", involved=self.involved)
        return type("Answer", (), {"value": value})()


async def test_every_line_shown_may_be_named_and_no_other(tmp_path: Path) -> None:
    body = "".join(f"        $a{i} = {i};\n" for i in range(40))
    text = f"<?php\nfunction run()\n{{\n{body}    return $a0;\n}}\n\nfunction other() {{}}\n"
    frame = _frame(tmp_path, "run.php", text, 44)  # the return; the function is lines 2-45
    named = [{"file": "run.php", "line": n, "why": "w"} for n in (2, 4, 44, 45, 46, 47)]
    client = _Client(named)
    _answer, kept = await ex.explain(client, "entry", [frame])  # type: ignore[arg-type]
    assert "4:         $a0 = 0;" in client.context  # 40 lines before the frame: outside ±CONTEXT_LINES
    assert [i.line for i in kept] == [2, 4, 44, 45]
