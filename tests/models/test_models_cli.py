from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from models_testlib import AssembledTiny, FakeHub

import copiloto.models.select as select_module
from copiloto.models.cli import register

CONTENT = b"GGUF" + bytes(50_000)


def _parser(global_models_dir: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copiloto")
    if global_models_dir:
        parser.add_argument("--models-dir", dest="models_dir")
    register(parser.add_subparsers(dest="command"))
    return parser


def _run(argv: list[str], *, global_models_dir: bool = True) -> int:
    args = _parser(global_models_dir).parse_args(argv)
    return int(args.func(args))


@pytest.fixture(autouse=True)
def _no_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(select_module, "gpu_offload_supported", lambda: False)


def test_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--models-dir", str(tmp_path), "models", "list"]) == 0
    out = capsys.readouterr().out
    for name in (
        "codellama-13b",
        "codellama-7b",
        "qwen2.5-coder-1.5b",
        "qwen2.5-coder-7b",
        "tiny",
        "smollm2-135m",
    ):
        assert name in out
    tiny_line = next(line for line in out.splitlines() if " tiny " in line)
    assert tiny_line.startswith("*")
    assert "491 MB" in tiny_line and "0.9 GB" in tiny_line and "qwen" in tiny_line
    assert "bundled" in next(line for line in out.splitlines() if "smollm2-135m" in line)
    assert f"models directory: {tmp_path}" in out


def test_list_shows_present_models(tiny_store: AssembledTiny, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["models", "list", "--models-dir", str(tiny_store.store.root)], global_models_dir=False) == 0
    tiny_line = next(line for line in capsys.readouterr().out.splitlines() if " tiny " in line)
    assert " yes " in tiny_line


def test_path_of_a_present_model(tiny_store: AssembledTiny, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--models-dir", str(tiny_store.store.root), "models", "path", "tiny"]) == 0
    assert capsys.readouterr().out.strip() == str(tiny_store.result.path)


def test_path_of_an_absent_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["models", "path", "codellama-13b", "--models-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "not present" in err and "copiloto models pull codellama-13b" in err


def test_path_of_an_unknown_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--models-dir", str(tmp_path), "models", "path", "nope"]) == 1
    assert "unknown model 'nope'" in capsys.readouterr().err


def test_pull_through_the_cli(
    fake_hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Serve the real catalog's qwen2.5-coder-1.5b under a catalog patched to this small content.
    import copiloto.models.catalog as catalog_module
    from copiloto.models import Catalog, load_catalog

    real = load_catalog()
    entry = real.get("qwen2.5-coder-1.5b")
    fake = entry.model_copy(update={"sha256": fake_hub.add(entry.repo, entry.file, CONTENT), "size": len(CONTENT)})
    patched = Catalog(
        models={**real.models, fake.name: fake}, default_gpu=real.default_gpu, default_cpu=real.default_cpu
    )
    monkeypatch.setattr(catalog_module, "_default_catalog", lambda: patched)

    assert _run(["--models-dir", str(tmp_path), "models", "pull", "qwen2.5-coder-1.5b"]) == 0
    out = capsys.readouterr().out
    assert "downloaded, verified sha256" in out and str(tmp_path / entry.file) in out
    assert _run(["--models-dir", str(tmp_path), "models", "path", "qwen2.5-coder-1.5b"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / entry.file)


def test_pull_failure_exits_1(fake_hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--models-dir", str(tmp_path), "models", "pull", "codellama-7b"]) == 1
    assert "copiloto: could not download TheBloke/CodeLlama-7B-GGUF/codellama-7b.Q4_K_M.gguf" in capsys.readouterr().err


def test_models_without_a_command_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["models"]) == 2
    assert "list" in capsys.readouterr().err
