"""Errors of the model layer. Every message says what to do next, so the CLI can print it as is."""

from __future__ import annotations


class ModelError(Exception):
    """Base class: anything that stops us from handing a usable GGUF path to the engine."""


class UnknownModelError(ModelError, KeyError):
    """A name that is neither in the catalog nor an existing file."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(
            f"unknown model {name!r}: use one of {', '.join(known)} (see `copiloto models list`), "
            "or give the path to a .gguf file"
        )

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class ModelNotPresentError(ModelError):
    """A catalog model (or explicit path) that is not on disk."""


class VerificationError(ModelError):
    """A file whose size or SHA-256 is not what the catalog says."""


class PartsMissingError(ModelError):
    """The PyPI wheels that carry an embedded model are not installed."""
