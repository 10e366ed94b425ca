from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from copiloto.models import fits_in, fits_vram, get, gpu_offload_supported, query_gpus
from copiloto.models.gpu import parse_nvidia_smi, required_mib


def test_parse_nvidia_smi() -> None:
    gpus = parse_nvidia_smi("81559, 1024\n24564, 23000\n\ngarbage\n")
    assert [(g.index, g.total_mib, g.used_mib, g.free_mib) for g in gpus] == [
        (0, 81559, 1024, 80535),
        (1, 24564, 23000, 1564),
    ]


def test_fits_in() -> None:
    big, small = parse_nvidia_smi("81559, 1024\n8192, 7000\n")
    codellama = get("codellama-13b")
    assert fits_in(codellama, [big]) is True
    assert fits_in(codellama, [small]) is False
    assert fits_in(codellama, [small, big]) is True
    assert fits_in(0.5, [small]) is True
    assert fits_in(codellama, None) is None and fits_in(codellama, []) is None
    assert required_mib(12.0) == 11444


def test_no_nvidia_smi_means_no_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert query_gpus() is None
    assert fits_vram(get("tiny")) is None


def test_query_runs_nvidia_smi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = tmp_path / "nvidia-smi"
    script.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\necho "16384, 8192"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    gpus = query_gpus()
    assert gpus is not None and gpus[0].free_mib == 8192
    assert (tmp_path / "args").read_text().split() == [
        "--query-gpu=memory.total,memory.used",
        "--format=csv,noheader,nounits",
    ]
    assert fits_vram(get("qwen2.5-coder-7b")) is True
    assert fits_vram(get("codellama-13b")) is False


def test_failing_nvidia_smi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = tmp_path / "nvidia-smi"
    script.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert query_gpus() is None


def test_gpu_offload_check_returns_a_bool() -> None:
    assert isinstance(gpu_offload_supported(), bool)
