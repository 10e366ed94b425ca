"""Size + SHA-256 checks, and the "verified" marker that spares re-hashing a 500 MB file on every start.

The marker is a small JSON sidecar kept in `<models dir>/cache/` (git-ignored in the repo), recording the
file's size, mtime and digest; it is valid only while the file's size and mtime are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from copiloto.models.errors import ModelNotPresentError, VerificationError

log = logging.getLogger(__name__)

CHUNK = 8 * 1024 * 1024
ProgressFn = Callable[[int], None]


class VerifiedMarker(BaseModel):
    file: str
    size: int
    mtime_ns: int
    sha256: str


class Verification(BaseModel):
    path: Path
    sha256: str
    verified: bool  # False: no expected digest in the catalog, only the size could be checked
    hashed: bool  # False: a valid marker vouched for the file, nothing was re-read


def sha256_file(path: Path, progress: ProgressFn | None = None) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if progress is not None:
                progress(len(chunk))
    return digest.hexdigest()


def marker_path(path: Path, marker_dir: Path | None = None) -> Path:
    folder = marker_dir if marker_dir is not None else Path(path).parent / "cache"
    return folder / f"{Path(path).name}.verified.json"


def read_marker(path: Path, marker_dir: Path | None = None) -> VerifiedMarker | None:
    try:
        raw = marker_path(path, marker_dir).read_text(encoding="utf-8")
        return VerifiedMarker.model_validate_json(raw)
    except (OSError, ValidationError, ValueError):
        return None


def marker_matches(path: Path, expected_sha256: str = "", marker_dir: Path | None = None) -> bool:
    """True when a marker vouches for the file as it is now (same size and mtime, expected digest)."""
    marker = read_marker(path, marker_dir)
    if marker is None:
        return False
    try:
        stat = Path(path).stat()
    except OSError:
        return False
    same_file = marker.size == stat.st_size and marker.mtime_ns == stat.st_mtime_ns
    return same_file and (not expected_sha256 or marker.sha256 == expected_sha256)


def write_marker(path: Path, sha256: str, marker_dir: Path | None = None) -> None:
    """Best effort: a read-only location only costs a re-hash next time."""
    stat = Path(path).stat()
    marker = VerifiedMarker(file=Path(path).name, size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha256=sha256)
    target = marker_path(path, marker_dir)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(marker.model_dump()), encoding="utf-8")
        os.replace(tmp, target)
    except OSError as err:
        log.debug("could not write verified marker %s: %s", target, err)


def clear_marker(path: Path, marker_dir: Path | None = None) -> None:
    marker_path(path, marker_dir).unlink(missing_ok=True)


def check_size(path: Path, expected: int | None, *, hint: str = "") -> int:
    """The file's size; VerificationError when it differs from `expected` (None: not checked)."""
    actual = Path(path).stat().st_size
    if expected is not None and actual != expected:
        state = "incomplete" if actual < expected else "not the expected file"
        raise VerificationError(
            f"{path} is {actual} bytes, the catalog says {expected}: the file is {state}. {hint}".strip()
        )
    return actual


def check_digest(path: Path, actual: str, expected: str, *, hint: str = "") -> None:
    if expected and actual != expected:
        raise VerificationError(
            f"{path} has SHA-256 {actual}, the catalog says {expected}: the file is corrupt or a different "
            f"build. {hint}".strip()
        )


def verify_file(
    path: Path,
    *,
    sha256: str,
    size: int | None,
    marker_dir: Path | None = None,
    force: bool = False,
    progress: ProgressFn | None = None,
    hint: str = "",
) -> Verification:
    """Check size (always) and SHA-256 (unless a valid marker vouches for the file); write the marker."""
    path = Path(path)
    if not path.is_file():
        raise ModelNotPresentError(f"model file not found: {path}. {hint}".strip())
    check_size(path, size, hint=hint)
    if not force and marker_matches(path, sha256, marker_dir):
        marker = read_marker(path, marker_dir)
        assert marker is not None
        return Verification(path=path, sha256=marker.sha256, verified=bool(sha256), hashed=False)
    digest = sha256_file(path, progress)
    check_digest(path, digest, sha256, hint=hint)
    write_marker(path, digest, marker_dir)
    return Verification(path=path, sha256=digest, verified=bool(sha256), hashed=True)
