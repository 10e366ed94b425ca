"""The holes `copiloto demo` asks completions for.

The example project is complete code. Each case cuts a hole in it, as if the user were typing there:
the rest of the cursor's line (and `cut_lines` lines after it) is removed, and the cursor sits at
`line`:`column` (1-based, as editors show). What was there is printed next to the suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoCase:
    file: str
    line: int
    column: int
    what: str
    cut_lines: int = 0

    def cut(self, text: str) -> tuple[str, int, str]:
        """The document with the hole, the cursor offset, and the text that was removed."""
        lines = text.split("\n")
        row = self.line - 1
        head = lines[row][: self.column - 1]
        removed = "\n".join([lines[row][self.column - 1 :], *lines[row + 1 : row + 1 + self.cut_lines]])
        holed = [*lines[:row], head, *lines[row + 1 + self.cut_lines :]]
        offset = sum(len(line) + 1 for line in lines[:row]) + len(head)
        return "\n".join(holed), offset, removed


CASES = (
    DemoCase("glpi_dashboard/tickets.py", 50, 16, "loop body: the next Fibonacci pair"),
    DemoCase("glpi_dashboard/tickets.py", 58, 9, "a two-line body: the divisor test", cut_lines=1),
    DemoCase("glpi_dashboard/tickets.py", 38, 42, "the end of an expression"),
    DemoCase("glpi_dashboard/tickets.py", 43, 5, "an empty function body"),
    DemoCase("glpi_dashboard/report.py", 17, 15, "a call's arguments"),
)
