"""Shared fixtures: the real `tiny` model (assembled once from its PyPI parts into models/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from copiloto.models.select import select_model


@pytest.fixture(scope="session")
def tiny_model() -> Path:
    """Path of the verified `tiny` GGUF; `make test` has already assembled it, else it is done here."""
    return select_model("tiny").path
