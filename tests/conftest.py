"""Shared fixtures: the real `tiny` model (assembled once from its PyPI parts into models/)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from copiloto.config import EngineSettings
from copiloto.engine.local import LocalEngine
from copiloto.models.select import select_model
from fake_api import FakeAnthropic
from llama_server import free_port, start_llama_server, wait_until_serving

# Never the real Claude API from the tests, whatever the developer's shell holds: the tests that talk to Claude
# point the SDK at the local fake (tests/fake_api.py) themselves.
for _name in [name for name in os.environ if name.startswith("ANTHROPIC_")]:
    del os.environ[_name]


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


@pytest.fixture(scope="module")
def remote_server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a llama-cpp-python server running `tiny`, fresh for each test module: that server finishes
    evaluating a prompt whose client has gone, so one module's abandoned requests must not delay the next's."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    process = start_llama_server(tiny_model, port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def fake_api() -> Iterator[FakeAnthropic]:
    """A started local fake of Claude's Messages API (tests/fake_api.py), closed after the test."""
    with FakeAnthropic() as api:
        yield api
