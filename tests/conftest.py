"""Shared fixtures: the real `tiny` model (assembled once from its PyPI parts into models/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from copiloto.config import EngineSettings
from copiloto.engine.local import LocalEngine
from copiloto.models.select import select_model


@pytest.fixture(scope="session")
def tiny_model() -> Path:
    """Path of the verified `tiny` GGUF; `make test` has already assembled it, else it is done here."""
    return select_model("tiny").path


@pytest.fixture(scope="module")
def tiny_engine(tiny_model: Path) -> Iterator[LocalEngine]:
    """A loaded engine on `tiny`, shared by one test module."""
    engine = LocalEngine(EngineSettings(n_ctx=2048), tiny_model, "tiny").start()
    assert engine.wait_loaded(120), engine.error
    yield engine
    engine.close()
