"""`copiloto doctor`: which model is used and why, whether llama.cpp can offload to a GPU, whether it fits."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
import time

from copiloto.config import Settings
from copiloto.engine.local import default_threads


def _line(label: str, value: object) -> None:
    print(f"  {label:<22} {value}")


def run_doctor(settings: Settings, *, load: bool = False) -> int:
    from copiloto.models.gpu import gpu_offload_supported, query_gpus
    from copiloto.models.select import select_model

    print("Copiloto doctor")
    _line("copiloto", importlib.metadata.version("copiloto"))
    _line("python", f"{platform.python_version()} ({sys.executable})")
    try:
        _line("llama-cpp-python", importlib.metadata.version("llama-cpp-python"))
    except importlib.metadata.PackageNotFoundError:
        _line("llama-cpp-python", "NOT INSTALLED (pip install -e .)")
        return 1
    offload = gpu_offload_supported()
    _line("GPU offload build", "yes" if offload else "no (CPU build; for CUDA: make install CUDA=1)")
    gpus = query_gpus()
    if gpus:
        for i, gpu in enumerate(gpus):
            _line(f"GPU {i}", f"{gpu.total_mib} MiB total, {gpu.free_mib} MiB free")
    else:
        _line("GPU", "none found (nvidia-smi absent or no device)")
    threads = settings.engine.n_threads or default_threads()
    _line(
        "threads",
        f"{threads} ({'set' if settings.engine.n_threads else 'default'}), "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'default (active)')}",
    )
    _line("n_gpu_layers", settings.engine.n_gpu_layers)
    _line("test sandbox", _sandbox_words())
    if settings.engine.backend == "remote":
        return _remote(settings)
    try:
        choice = select_model(settings, prepare=False)
    except Exception as exc:
        _line("model", f"NONE: {exc}")
        return 1
    _line("model", f"{choice.name} -> {choice.path}")
    _line("why", choice.reason)
    if choice.entry is not None:
        entry = choice.entry
        _line("FIM family", entry.fim)
        need = f"about {entry.vram_gb:g} GB at full offload"
        if gpus:
            best = max(g.free_mib for g in gpus)
            verdict = "fits" if best >= entry.vram_gb * 1e9 / 2**20 else "does NOT fit: lower engine.n_gpu_layers"
            _line("VRAM", f"{need}: {verdict} ({best} MiB free)")
        else:
            _line("VRAM", f"{need} (no GPU: runs on the CPU)")
    if load:
        from copiloto.engine.local import LocalEngine

        started = time.perf_counter()
        engine = LocalEngine(settings.engine, choice.path, choice.name).start()
        ok = engine.wait_loaded(600)
        if not ok:
            _line("load", f"FAILED: {engine.error}")
            engine.close()
            return 1
        template = engine.template
        _line("load", f"{time.perf_counter() - started:.2f} s")
        if template is not None:
            _line("FIM template", f"{template.family} / {template.order}")
        offloaded = "all layers" if settings.engine.n_gpu_layers < 0 else f"{settings.engine.n_gpu_layers} layers"
        _line("GPU offload", f"{offloaded} requested" if offload else "none (CPU build)")
        engine.close()
    return 0


def _sandbox_words() -> str:
    """What confines a generated test here, and what cannot."""
    from copiloto.testgen import confinement, jail

    fence = confinement()
    held = ["rlimits", "an allow-listed environment", "its own HOME and TMPDIR", "redacted output"]
    if fence.private:
        held.append("files private (mount namespace: no home, /tmp, /run, sockets)")
    if fence.pid:
        held.append("all its processes die with it (PID namespace)")
    if fence.files:
        held.append("writes only in the sandbox (" + ("Landlock" if jail.abi_version() else "read-only mounts") + ")")
    if fence.network == "cut":
        held.append("no network (network namespace)")
    if fence.signals:
        held.append("no signals out")
    return "; ".join([", ".join(held), *(f"but {gap}" for gap in fence.gaps())])


def _remote(settings: Settings) -> int:
    """The remote backend: is the server there, which model, which FIM format, how long a probe takes."""
    from copiloto.engine.remote import RemoteEngine

    url = settings.engine.url
    _line("backend", f"remote: {url or 'NO engine.url'}")
    if not url:
        return 1
    started = time.perf_counter()
    engine = RemoteEngine(settings.engine, url).start()
    try:
        if not engine.wait_loaded(15):
            _line("server", f"NOT REACHABLE: {engine.error}")
            fallback = settings.engine.model
            _line("stand-in", f"{fallback} (engine.model)" if fallback else "none: set engine.model for a local one")
            return 1
        _line("server", f"answers ({(time.perf_counter() - started) * 1000:.0f} ms for /v1/models)")
        _line("model", engine.model_id)
        if engine.template is not None:
            _line("FIM template", f"{engine.template.family} / {engine.template.order}")
        return 0
    finally:
        engine.close()
