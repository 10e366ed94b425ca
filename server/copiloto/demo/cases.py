"""The cursor positions `copiloto demo` asks completions for (1-based line and column, as editors show)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoCase:
    file: str
    line: int
    column: int
    what: str


CASES = (
    DemoCase("glpi_dashboard/tickets.py", 49, 16, "loop body: the next Fibonacci pair"),
    DemoCase("glpi_dashboard/tickets.py", 57, 9, "a two-line body: divisor test"),
    DemoCase("glpi_dashboard/tickets.py", 38, 42, "end of an expression"),
    DemoCase("glpi_dashboard/tickets.py", 43, 5, "an empty function body"),
    DemoCase("glpi_dashboard/report.py", 17, 15, "a call's arguments"),
)
