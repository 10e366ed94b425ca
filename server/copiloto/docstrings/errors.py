"""The one error this package raises: its message is meant to be shown to the user as is."""

from __future__ import annotations


class DocstringError(ValueError):
    """Nothing can be documented or edited as asked; the message says why."""
