"""What the commands share: the settings a run's flags add, file locations and targets as the user writes them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from copiloto.config import Settings, load_settings

LANGUAGE_BY_SUFFIX = {
    ".py": "python",
    ".php": "php",
    ".js": "javascript",
    ".ts": "typescript",
    ".go": "go",
    ".rs": "rust",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".java": "java",
    ".rb": "ruby",
    ".sh": "shellscript",
}


def cli_layer(args: argparse.Namespace) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    engine: dict[str, Any] = {}
    if getattr(args, "model", None):
        engine["model"] = args.model
    if getattr(args, "engine_url", None):  # this run only: the remote backend at that server
        engine.update(backend="remote", url=args.engine_url)
    if engine:
        layer["engine"] = engine
    if getattr(args, "models_dir", None):
        layer["models_dir"] = args.models_dir
    return layer


def settings_from_args(args: argparse.Namespace) -> Settings:
    return load_settings(cli_layer(args))


def parse_location(spec: str) -> tuple[Path, int, int]:
    """FILE:LINE:COL, 1-based as compilers print them (COL counts characters); else says so and exits 2."""
    try:
        path, line, col = spec.rsplit(":", 2)
        return Path(path), int(line), int(col)
    except ValueError:
        print(f"copiloto: expected FILE:LINE:COL, 1-based (like app.py:12:5), got {spec!r}", file=sys.stderr)
        raise SystemExit(2) from None


def cannot_read(path: Path, exc: Exception) -> str:
    """`copiloto: cannot read PATH: <the reason, without Python's errno prefix>`."""
    if isinstance(exc, UnicodeDecodeError):
        return f"copiloto: cannot read {path}: it is not UTF-8 text (byte {exc.start})"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"copiloto: cannot read {path}: {reason}"


def read_target(target: str) -> tuple[Path, str, str] | int:
    """(path, source, qualname) from FILE::QUALNAME, or the exit status after saying what is wrong:
    a bad argument or unreadable file (2), a name that is not there or a file that does not parse (1).
    Checked before any model loads."""
    from copiloto.docstrings import DocstringError, find_by_qualname

    path_text, sep, qualname = target.rpartition("::")
    if not sep or not path_text or not qualname:
        print(f"copiloto: expected FILE::QUALNAME (like app.py::Cart.add_item), got {target!r}", file=sys.stderr)
        return 2
    path = Path(path_text)
    try:
        source = path.read_bytes().decode("utf-8")  # bytes: the file's own line endings survive --write
    except (OSError, UnicodeDecodeError) as exc:
        print(cannot_read(path, exc), file=sys.stderr)
        return 2
    try:
        find_by_qualname(source, qualname)
    except DocstringError as exc:
        print(f"copiloto: {exc}", file=sys.stderr)
        return 1
    return path, source, qualname
