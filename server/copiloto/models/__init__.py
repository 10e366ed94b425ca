"""Model catalog, local store, downloads, the embedded `tiny` model and default selection.

Typical use by the engine:

    choice = select_model(settings.engine.model, models_dir=settings.models_dir)
    engine = LocalEngine(settings.engine, choice.path, model_name=choice.name)
    fim_family = choice.entry.fim if choice.entry else None
"""

from copiloto.models.catalog import Catalog, ModelEntry, get, load_catalog
from copiloto.models.errors import (
    ModelError,
    ModelNotPresentError,
    PartsMissingError,
    UnknownModelError,
    VerificationError,
)
from copiloto.models.gpu import GpuMemory, fits_in, fits_vram, gpu_offload_supported, query_gpus
from copiloto.models.pull import PullResult, pull
from copiloto.models.select import ModelChoice, default_model_name, select_model
from copiloto.models.store import ModelStore, resolve_models_dir
from copiloto.models.tiny import assemble_tiny, parts_available
from copiloto.models.verify import Verification, verify_file

__all__ = [
    "Catalog",
    "FimFamily",
    "GpuMemory",
    "ModelChoice",
    "ModelEntry",
    "ModelError",
    "ModelNotPresentError",
    "ModelStore",
    "PartsMissingError",
    "PullResult",
    "UnknownModelError",
    "Verification",
    "VerificationError",
    "assemble_tiny",
    "default_model_name",
    "fits_in",
    "fits_vram",
    "get",
    "gpu_offload_supported",
    "load_catalog",
    "parts_available",
    "pull",
    "query_gpus",
    "resolve_models_dir",
    "select_model",
    "verify_file",
]
