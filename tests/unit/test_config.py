"""Settings precedence: defaults < config file < environment < initializationOptions < didChangeConfiguration."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from copiloto.config import load_settings


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[engine]\nn_ctx = 1024\nn_threads = 3\nmodel = "from-file"\n[completion]\ncache_size = 7\n')
    return path


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_settings(config_file=tmp_path / "none.toml")
    assert s.engine.n_gpu_layers == -1
    assert s.engine.model is None
    assert s.completion.enabled


def test_file_then_env_then_layers(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPILOTO_ENGINE__N_CTX", "2048")
    s = load_settings(config_file=config_file)
    assert (s.engine.n_ctx, s.engine.n_threads, s.engine.model) == (2048, 3, "from-file")
    s = load_settings({"copiloto": {"engine": {"model": "tiny"}}}, config_file=config_file)
    assert (s.engine.n_ctx, s.engine.model) == (2048, "tiny")
    s = load_settings({"engine": {"model": "tiny"}}, {"engine": {"n_ctx": 512}}, config_file=config_file)
    assert (s.engine.n_ctx, s.engine.model, s.completion.cache_size) == (512, "tiny", 7)


def test_nulls_do_not_override(config_file: Path) -> None:
    s = load_settings({"engine": {"model": None}}, config_file=config_file)
    assert s.engine.model == "from-file"


def test_invalid_values_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        load_settings({"engine": {"n_ctx": "lots"}}, config_file=tmp_path / "none.toml")
    with pytest.raises(ValidationError):
        load_settings({"engine": {"no_such_key": 1}}, config_file=tmp_path / "none.toml")
