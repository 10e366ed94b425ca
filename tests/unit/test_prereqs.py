"""`make test` and `make demo` check what the system must have before building anything, and say the one command
that installs what is missing (client-vscode/scripts/prereqs.sh). Run here with a PATH that lacks tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"


def _path_with(tmp_path: Path, tools: list[str]) -> str:
    """A PATH of one folder holding only `tools` (and python3, the base interpreter)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "python3").symlink_to(BASE_PYTHON)
    for tool in tools:
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed here")
        (folder / tool).symlink_to(found)
    return str(folder)


def _make(target: str, path: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    env = {**os.environ, "PATH": path}
    done = subprocess.run(
        ["/usr/bin/make", "--no-print-directory", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    return done, time.monotonic() - started


BASICS = ["bash", "c++", "cmake", "id", "sed", "dpkg"]


def test_make_test_stops_at_once_when_npm_and_chromium_are_missing(tmp_path: Path) -> None:
    done, seconds = _make("prereqs-test", _path_with(tmp_path, BASICS))  # no npm, chromium, nvim, apt-get
    assert done.returncode != 0 and seconds < 10
    assert "make test needs:" in done.stderr and "npm" in done.stderr and "chromium" in done.stderr
    assert "sudo apt-get install -y npm chromium neovim" in done.stderr, done.stderr


def test_make_demo_needs_neither(tmp_path: Path) -> None:
    done, _ = _make("prereqs-demo", _path_with(tmp_path, BASICS))
    assert done.returncode == 0, done.stderr


def test_a_missing_compiler_stops_the_demo_too(tmp_path: Path) -> None:
    done, _ = _make("prereqs-demo", _path_with(tmp_path, ["bash", "cmake", "id", "sed"]))
    assert done.returncode != 0 and "a C/C++ compiler" in done.stderr and "build-essential" in done.stderr


def test_this_machine_has_everything() -> None:
    done, _ = _make("prereqs-test", os.environ["PATH"])
    assert done.returncode == 0, done.stderr
