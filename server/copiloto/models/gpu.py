"""What the machine offers a model: llama.cpp GPU offload, and free GPU memory (from nvidia-smi)."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel

from copiloto.models.catalog import ModelEntry

log = logging.getLogger(__name__)

NVIDIA_SMI_QUERY = ["--query-gpu=memory.total,memory.used", "--format=csv,noheader,nounits"]
MIB = 1024 * 1024


class GpuMemory(BaseModel):
    index: int
    total_mib: int
    used_mib: int

    @property
    def free_mib(self) -> int:
        return max(0, self.total_mib - self.used_mib)


@lru_cache(maxsize=1)
def gpu_offload_supported() -> bool:
    """Whether this llama.cpp build can offload layers to a GPU (CUDA, Metal, Vulkan...)."""
    try:
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except Exception as err:  # a broken or CPU-less build: treat as "no GPU"
        log.debug("llama_supports_gpu_offload failed: %s", err)
        return False


def parse_nvidia_smi(text: str) -> list[GpuMemory]:
    """Parse `nvidia-smi --query-gpu=memory.total,memory.used --format=csv,noheader,nounits` (MiB)."""
    gpus: list[GpuMemory] = []
    for line in text.splitlines():
        fields = [field.strip() for field in line.split(",")]
        if len(fields) != 2:
            continue
        try:
            total, used = int(float(fields[0])), int(float(fields[1]))
        except ValueError:
            continue
        gpus.append(GpuMemory(index=len(gpus), total_mib=total, used_mib=used))
    return gpus


def query_gpus(timeout_s: float = 5.0) -> list[GpuMemory] | None:
    """Memory of each NVIDIA GPU; None when there is no nvidia-smi or it reports no GPU."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        proc = subprocess.run([exe, *NVIDIA_SMI_QUERY], capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.SubprocessError) as err:
        log.debug("nvidia-smi failed: %s", err)
        return None
    if proc.returncode != 0:
        return None
    return parse_nvidia_smi(proc.stdout) or None


def required_mib(need: ModelEntry | float) -> int:
    """Catalog VRAM (decimal GB) in MiB."""
    gigabytes = need.vram_gb if isinstance(need, ModelEntry) else float(need)
    return int(gigabytes * 1e9 / MIB + 0.5)


def fits_in(need: ModelEntry | float, gpus: Sequence[GpuMemory] | None) -> bool | None:
    """Whether one GPU has enough free memory for full offload; None when there is no GPU."""
    if not gpus:
        return None
    return max(gpu.free_mib for gpu in gpus) >= required_mib(need)


def fits_vram(need: ModelEntry | float) -> bool | None:
    """`fits_in` with the GPUs nvidia-smi reports now."""
    return fits_in(need, query_gpus())
