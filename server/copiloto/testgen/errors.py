"""The one error this package raises: its message is meant to be shown to the user as is."""

from __future__ import annotations


class TestgenError(ValueError):
    """No tests can be planned, merged or run as asked; the message says why."""

    __test__ = False  # a class named Test* would otherwise be collected by pytest wherever it is imported
