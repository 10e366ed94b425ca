"""Ticket statistics for the dashboard, computed from rows of GLPI's glpi_tickets table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

STATUS_NAMES = {1: "new", 2: "assigned", 3: "planned", 4: "waiting", 5: "solved", 6: "closed"}


@dataclass
class Ticket:
    id: int
    name: str
    status: int
    priority: int
    date_creation: datetime
    solvedate: datetime | None = None


def count_by_status(tickets: list[Ticket]) -> dict[str, int]:
    """How many tickets are in each status, by status name."""
    counts = Counter(STATUS_NAMES.get(t.status, "unknown") for t in tickets)
    return dict(counts)


def open_tickets(tickets: list[Ticket]) -> list[Ticket]:
    """Tickets that are neither solved nor closed."""
    return [t for t in tickets if t.status not in (5, 6)]


def mean_resolution_time(tickets: list[Ticket]) -> timedelta | None:
    """Average time from creation to solution over the solved tickets."""
    durations = [t.solvedate - t.date_creation for t in tickets if t.solvedate is not None]
    if not durations:
        return None
    return sum(durations, timedelta()) / len(durations)


def oldest_open(tickets: list[Ticket], limit: int = 5) -> list[Ticket]:
    """The `limit` open tickets waiting the longest."""
    return sorted(open_tickets(tickets), key=lambda t: t.date_creation)[:limit]


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number (a warm-up the demo starts with)."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    for d in range(2, int(n**0.5) + 1):
        if n % d == 0:
            return False
    return True
