from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import copiloto.models.verify as verify_module
from copiloto.models import ModelNotPresentError, VerificationError, verify_file
from copiloto.models.verify import marker_matches, marker_path, read_marker

CONTENT = b"GGUF" + bytes(range(256)) * 64
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "m.gguf"
    path.write_bytes(CONTENT)
    return path


def _no_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("the file was re-hashed despite a valid marker")

    monkeypatch.setattr(verify_module, "sha256_file", refuse)


def test_verifies_and_writes_a_marker(model_file: Path) -> None:
    result = verify_file(model_file, sha256=SHA, size=len(CONTENT))
    assert result.verified and result.hashed and result.sha256 == SHA
    assert marker_path(model_file) == model_file.parent / "cache" / "m.gguf.verified.json"
    marker = read_marker(model_file)
    assert marker is not None and marker.sha256 == SHA and marker.size == len(CONTENT)


def test_marker_skips_rehashing(model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    verify_file(model_file, sha256=SHA, size=len(CONTENT))
    _no_hashing(monkeypatch)
    result = verify_file(model_file, sha256=SHA, size=len(CONTENT))
    assert result.verified and not result.hashed


def test_marker_is_ignored_once_the_file_changes(model_file: Path) -> None:
    verify_file(model_file, sha256=SHA, size=len(CONTENT))
    corrupted = bytearray(CONTENT)
    corrupted[100] ^= 0xFF
    model_file.write_bytes(bytes(corrupted))  # same size, new content
    stat = model_file.stat()
    os.utime(model_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert not marker_matches(model_file, SHA)
    with pytest.raises(VerificationError, match="SHA-256"):
        verify_file(model_file, sha256=SHA, size=len(CONTENT))


def test_marker_for_another_digest_does_not_count(model_file: Path) -> None:
    verify_file(model_file, sha256=SHA, size=len(CONTENT))
    assert marker_matches(model_file, SHA)
    assert not marker_matches(model_file, "0" * 64)


def test_force_rehashes(model_file: Path) -> None:
    verify_file(model_file, sha256=SHA, size=len(CONTENT))
    assert verify_file(model_file, sha256=SHA, size=len(CONTENT), force=True).hashed


def test_short_file_is_detected_without_hashing(model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model_file.write_bytes(CONTENT[:-10])
    _no_hashing(monkeypatch)
    with pytest.raises(VerificationError, match="incomplete"):
        verify_file(model_file, sha256=SHA, size=len(CONTENT), hint="Run `copiloto models pull m`.")


def test_corrupt_file_is_detected(model_file: Path) -> None:
    model_file.write_bytes(b"X" * len(CONTENT))
    with pytest.raises(VerificationError, match="corrupt") as info:
        verify_file(model_file, sha256=SHA, size=len(CONTENT), hint="Run `copiloto models pull m`.")
    assert "copiloto models pull m" in str(info.value)
    assert read_marker(model_file) is None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelNotPresentError):
        verify_file(tmp_path / "absent.gguf", sha256=SHA, size=1)


def test_unknown_digest_is_not_verified(model_file: Path) -> None:
    result = verify_file(model_file, sha256="", size=None)
    assert not result.verified and result.sha256 == SHA


def test_marker_in_a_custom_folder(model_file: Path, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    verify_file(model_file, sha256=SHA, size=len(CONTENT), marker_dir=markers)
    assert (markers / "m.gguf.verified.json").is_file()
    assert marker_matches(model_file, SHA, markers)
