"""Render the dashboard's ticket summary as plain text."""

from __future__ import annotations

from glpi_dashboard.tickets import Ticket, count_by_status, open_tickets


def summary_lines(tickets: list[Ticket]) -> list[str]:
    lines = [f"{len(tickets)} tickets, {len(open_tickets(tickets))} open"]
    for status, count in sorted(count_by_status(tickets).items()):
        lines.append(f"  {status:<10} {count:>5}")
    return lines


def print_summary(tickets: list[Ticket]) -> None:
    for line in summary_lines(tickets):
        print(line)
