from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from models_testlib import AssembledTiny

import copiloto.models.select as select_module
import copiloto.models.tiny as tiny_module
from copiloto.config import Settings
from copiloto.models import (
    ModelEntry,
    ModelNotPresentError,
    ModelStore,
    PartsMissingError,
    UnknownModelError,
    VerificationError,
    default_model_name,
    get,
    select_model,
)


@pytest.fixture(autouse=True)
def _no_nvidia_smi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(select_module, "fits_vram", lambda _entry: None)


def _gpu(monkeypatch: pytest.MonkeyPatch, available: bool) -> None:
    monkeypatch.setattr(select_module, "gpu_offload_supported", lambda: available)


def _fake_codellama(models: Path) -> Path:
    """A sparse file of the catalog size: 'present' for selection, no disk used."""
    models.mkdir(parents=True, exist_ok=True)
    path = models / get("codellama-13b").file
    with path.open("wb") as fh:
        fh.truncate(get("codellama-13b").size)
    return path


def _with_tiny(models: Path, tiny_store: AssembledTiny) -> None:
    models.mkdir(parents=True, exist_ok=True)
    (models / get("tiny").file).symlink_to(tiny_store.result.path)


def test_explicit_path(tmp_path: Path) -> None:
    model = tmp_path / "my-model.gguf"
    model.write_bytes(b"GGUF")
    choice = select_model(str(model), models_dir=tmp_path / "models")
    assert choice.path == model and choice.entry is None and choice.name == "my-model"
    assert "engine.model" in choice.reason


def test_explicit_path_of_a_catalog_file_keeps_its_entry(tmp_path: Path) -> None:
    model = tmp_path / get("qwen2.5-coder-1.5b").file
    model.write_bytes(b"GGUF")
    choice = select_model(str(model))
    assert choice.entry == get("qwen2.5-coder-1.5b") and choice.name == "qwen2.5-coder-1.5b"


def test_explicit_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ModelNotPresentError, match="does not exist"):
        select_model(str(tmp_path / "nope.gguf"))


def test_explicit_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _gpu(monkeypatch, True)
    _fake_codellama(tmp_path)
    choice = select_model("smollm2-135m", models_dir=tmp_path)
    assert choice.path.parent != tmp_path  # from its wheel
    assert choice.name == "smollm2-135m" and choice.entry is not None and choice.entry.fim == "none"
    assert "smollm2-135m" in choice.reason


def test_explicit_name_not_downloaded(tmp_path: Path) -> None:
    with pytest.raises(ModelNotPresentError) as info:
        select_model("qwen2.5-coder-1.5b", models_dir=tmp_path)
    assert "copiloto models pull qwen2.5-coder-1.5b" in str(info.value)


def test_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match="codellama-13b"):
        select_model("llama-99b", models_dir=tmp_path)


def test_gpu_and_codellama_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _gpu(monkeypatch, True)
    path = _fake_codellama(tmp_path)
    choice = select_model(models_dir=tmp_path)
    assert choice.name == "codellama-13b" and choice.path == path
    assert choice.entry is not None and choice.entry.fim == "codellama"
    assert "GPU" in choice.reason
    assert default_model_name(ModelStore(tmp_path)) == "codellama-13b"


def test_codellama_without_gpu_offload_falls_back_to_tiny(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_store: AssembledTiny
) -> None:
    _gpu(monkeypatch, False)
    _fake_codellama(tmp_path)
    _with_tiny(tmp_path, tiny_store)
    choice = select_model(models_dir=tmp_path)
    assert choice.name == "tiny" and choice.path == tmp_path / get("tiny").file
    assert "no GPU offload" in choice.reason


def test_gpu_without_codellama_falls_back_to_tiny(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_store: AssembledTiny
) -> None:
    _gpu(monkeypatch, True)
    _with_tiny(tmp_path, tiny_store)
    choice = select_model(models_dir=tmp_path)
    assert choice.name == "tiny"
    assert "not downloaded" in choice.reason and "copiloto models pull codellama-13b" in choice.reason


def test_default_uses_the_assembled_tiny(tiny_store: AssembledTiny, monkeypatch: pytest.MonkeyPatch) -> None:
    _gpu(monkeypatch, False)

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("tiny is already there: nothing to assemble")

    monkeypatch.setattr(select_module, "assemble_tiny", refuse)
    choice = select_model(store=tiny_store.store)
    assert choice.path == tiny_store.result.path and choice.entry == get("tiny")


def test_tiny_without_parts_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _gpu(monkeypatch, False)
    monkeypatch.setattr(tiny_module, "part_path", lambda _index: None)
    with pytest.raises(PartsMissingError, match=r"pip install -e '\.\[tiny\]'"):
        select_model(models_dir=tmp_path)


def test_prepare_false_does_not_assemble(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _gpu(monkeypatch, False)
    with pytest.raises(ModelNotPresentError, match="copiloto models pull tiny"):
        select_model(models_dir=tmp_path, prepare=False)


def test_settings_object(tmp_path: Path) -> None:
    model = tmp_path / "x.gguf"
    model.write_bytes(b"GGUF")
    settings = Settings.model_validate({"engine": {"model": str(model)}, "models_dir": str(tmp_path / "m")})
    choice = select_model(settings)
    assert choice.path == model


def test_settings_models_dir_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _gpu(monkeypatch, True)
    _fake_codellama(tmp_path)
    settings = Settings.model_validate({"models_dir": str(tmp_path)})
    assert select_model(settings).name == "codellama-13b"


def test_bare_file_name_is_looked_up_in_the_models_dir(tmp_path: Path) -> None:
    (tmp_path / "custom.gguf").write_bytes(b"GGUF")
    choice = select_model("custom.gguf", models_dir=tmp_path)
    assert choice.path == tmp_path / "custom.gguf" and choice.entry is None


def test_verify_catches_a_corrupt_catalog_model(
    tmp_path: Path, make_store: Callable[..., ModelStore], entry_factory: Callable[..., ModelEntry]
) -> None:
    content = b"GGUF real weights"
    store = make_store(tmp_path, entry_factory("fake", content))
    (tmp_path / "fake.gguf").write_bytes(b"GGUF fake weights")  # same size, other bytes
    assert select_model("fake", store=store).name == "fake"  # the cheap check passes
    with pytest.raises(VerificationError, match="copiloto models pull fake"):
        select_model("fake", store=store, verify=True)


def test_verify_of_tiny_uses_its_marker(tiny_store: AssembledTiny, monkeypatch: pytest.MonkeyPatch) -> None:
    import copiloto.models.verify as verify_module

    def refuse(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("re-hashed despite the marker")

    monkeypatch.setattr(verify_module, "sha256_file", refuse)
    assert select_model("tiny", store=tiny_store.store, verify=True).path == tiny_store.result.path
