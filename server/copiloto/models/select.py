"""Which model the engine loads.

1. `engine.model` set to a path: that file (it must exist);
2. `engine.model` set to a catalog name: that model (it must be pulled; `tiny` is assembled on demand);
3. nothing set: `codellama-13b` when it is present locally and this llama.cpp build can offload to a GPU;
4. otherwise the embedded `tiny`, assembled from its PyPI parts on first use.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from copiloto.config import Settings
from copiloto.models.catalog import ModelEntry, human_size
from copiloto.models.errors import ModelNotPresentError
from copiloto.models.gpu import fits_vram, gpu_offload_supported
from copiloto.models.store import ModelStore
from copiloto.models.tiny import INSTALL_HINT, assemble_tiny


class ModelChoice(BaseModel):
    name: str  # catalog name, or the file's stem for a path outside the catalog
    path: Path
    entry: ModelEntry | None  # None: a GGUF file the catalog doesn't know (FIM family unknown)
    reason: str  # one human-readable sentence for logs and `copiloto doctor`


def looks_like_path(value: str) -> bool:
    return value.endswith(".gguf") or any(sep in value for sep in ("/", "\\")) or value.startswith(("~", "."))


def select_model(
    model: str | Settings | None = None,
    *,
    models_dir: Path | str | None = None,
    store: ModelStore | None = None,
    gpu_offload: bool | None = None,
    prepare: bool = True,
    verify: bool = False,
) -> ModelChoice:
    """Pick the model file.

    `model`: a catalog name, a .gguf path, None for the default, or a Settings object (its
    `engine.model` and `models_dir` are used). `gpu_offload=None` asks llama.cpp; `prepare=False`
    never assembles `tiny` (a missing file raises instead). Presence is a cheap check (file and
    size); `verify=True` also checks a catalog model's SHA-256 (once: a marker remembers it).
    """
    if isinstance(model, Settings):
        models_dir = models_dir if models_dir is not None else model.models_dir
        model = model.engine.model
    store = store if store is not None else ModelStore(models_dir)
    choice = _select((model or "").strip(), store, gpu_offload=gpu_offload, prepare=prepare)
    if verify and choice.entry is not None:
        store.verify(choice.entry, choice.path)
    return choice


def _select(requested: str, store: ModelStore, *, gpu_offload: bool | None, prepare: bool) -> ModelChoice:
    if requested and looks_like_path(requested):
        return _explicit_path(requested, store)
    if requested:
        entry = store.entry(requested)
        path = _ensure_local(entry, store, prepare=prepare)
        reason = f"engine.model is set to {entry.name!r}"
        return ModelChoice(name=entry.name, path=path, entry=entry, reason=reason)
    return _default(store, gpu_offload=gpu_offload, prepare=prepare)


def default_model_name(store: ModelStore, *, gpu_offload: bool | None = None) -> str:
    """The catalog model chosen when nothing is set (no side effects: nothing is assembled)."""
    catalog = store.catalog
    gpu = gpu_offload_supported() if gpu_offload is None else gpu_offload
    if gpu and store.local_path(catalog.get(catalog.default_gpu)) is not None:
        return catalog.default_gpu
    return catalog.default_cpu


def _explicit_path(value: str, store: ModelStore) -> ModelChoice:
    path = Path(value).expanduser()
    if not path.is_file() and path.name == value and (store.root / value).is_file():
        path = store.root / value  # a bare file name: also look in the models directory
    if not path.is_file():
        raise ModelNotPresentError(
            f"model file {path} does not exist: set engine.model to an existing .gguf file "
            "or to a catalog name (see `copiloto models list`)"
        )
    entry = store.catalog.by_file(path.name)
    name = entry.name if entry is not None else path.stem
    return ModelChoice(name=name, path=path.resolve(), entry=entry, reason=f"engine.model is set to the file {path}")


def _ensure_local(entry: ModelEntry, store: ModelStore, *, prepare: bool) -> Path:
    path = store.local_path(entry)
    if path is not None:
        return path
    if entry.assembled_from == "pypi-parts" and prepare:
        return assemble_tiny(entry, store.root, marker_dir=store.cache_dir)
    how = f"run `copiloto models pull {entry.name}`"
    if entry.assembled_from == "pypi-parts":
        how += f" (it needs {INSTALL_HINT})"
    elif entry.extra:
        how = f"install it with pip install -e '.[{entry.extra}]' or {how}"
    raise ModelNotPresentError(f"model {entry.name!r} is not in {store.root}: {how}")


def _default(store: ModelStore, *, gpu_offload: bool | None, prepare: bool) -> ModelChoice:
    catalog = store.catalog
    gpu = gpu_offload_supported() if gpu_offload is None else gpu_offload
    big = catalog.get(catalog.default_gpu)
    big_path = store.local_path(big)
    if gpu and big_path is not None:
        reason = f"{big.name} is present and this llama.cpp build can offload to the GPU"
        fits = fits_vram(big)
        if fits is False:
            reason += f" (warning: it needs about {big.vram_gb:g} GB of free GPU memory; layers may spill)"
        return ModelChoice(name=big.name, path=big_path, entry=big, reason=reason)

    small = catalog.get(catalog.default_cpu)
    if not gpu:
        why = "this llama.cpp build has no GPU offload"
    else:
        why = f"{big.name} ({human_size(big.size, approximate=not big.size_exact)}) is not downloaded"
        why += f" - `copiloto models pull {big.name}` to use it"
    path = _ensure_local(small, store, prepare=prepare)
    return ModelChoice(name=small.name, path=path, entry=small, reason=f"embedded {small.name}: {why}")


def catalog_listing(store: ModelStore) -> list[dict[str, object]]:
    """The catalog as plain rows for clients (`copiloto/models`): what exists, and what is here."""
    default = default_model_name(store)
    return [
        {
            "name": entry.name,
            "fim": entry.fim,
            "size": entry.size,
            "vram_gb": entry.vram_gb,
            "description": entry.description,
            "presence": store.presence(entry),
            "default": entry.name == default,
        }
        for entry in (store.catalog.get(name) for name in store.catalog.names())
    ]
