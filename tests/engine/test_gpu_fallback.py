"""Out of GPU memory at load: on a GPU build the engine tries half the layers, a quarter, then the CPU, and says
so. This machine has no GPU, so the GPU's refusal is played by the test (every load with layers on the GPU
fails, as llama.cpp's does when it cannot allocate them); the model, the load and the answers are real."""

from __future__ import annotations

from pathlib import Path

import pytest

from copiloto.config import EngineSettings
from copiloto.engine import local
from copiloto.engine.local import LocalEngine
from copiloto.engine.types import GenerationRequest

pytestmark = pytest.mark.model


class FullGpu(LocalEngine):
    """A GPU that holds no layer at all: every load asking for some fails like llama.cpp's."""

    tried: list[int]

    def _open(self, n_gpu_layers: int) -> object:  # type: ignore[override]
        self.tried.append(n_gpu_layers)
        if n_gpu_layers != 0:
            raise ValueError(f"Failed to load model from file: {self.model_path}")
        return super()._open(0)


@pytest.mark.parametrize(("asked", "tried"), [(-1, [-1, 12, 6, 0]), (10, [10, 6, 0])])
def test_out_of_gpu_memory_falls_back_to_fewer_layers_then_the_cpu(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch, asked: int, tried: list[int]
) -> None:
    monkeypatch.setattr(local, "_gpu_offload", lambda: True)
    states: list[tuple[str, str | None]] = []
    engine = FullGpu(
        EngineSettings(n_gpu_layers=asked, n_ctx=1024), tiny_model, "tiny", lambda s, d: states.append((s, d))
    )
    engine.tried = []
    engine.start()
    try:
        assert engine.wait_loaded(120), engine.error
        assert engine.tried == tried, "half the layers (tiny has 24), a quarter, then none"
        assert engine.gpu_layers == 0
        assert engine.offload_note == f"not enough GPU memory for engine.n_gpu_layers={asked}: loaded with the CPU only"
        assert ("loading", engine.offload_note) in states, "the user is told while it loads"
        result = engine.submit(GenerationRequest("def add(a, b):\n    return ", "", max_tokens=6)).future.result(60)
        assert result.error is None and result.text
    finally:
        engine.close()


def test_a_cpu_build_does_not_retry(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "_gpu_offload", lambda: False)
    engine = FullGpu(EngineSettings(n_gpu_layers=-1, n_ctx=1024), tiny_model, "tiny")
    engine.tried = []
    engine.start()
    try:
        assert not engine.wait_loaded(120)
        assert engine.tried == [-1] and "Failed to load model" in (engine.error or "")
    finally:
        engine.close()
