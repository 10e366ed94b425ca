"""ruff's pydocstyle rules (D) on one definition's docstring.

The convention goes on the command line (`--config lint.pydocstyle.convention='google'`) with
`--isolated`, so the user's or this project's ruff settings (selected rules, excludes that could match
the stdin file name) never change the verdict. ruff has no Sphinx convention: "pep257" is the one that
leaves field lists alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.styles import Style
from copiloto.docstrings.target import Target

CONVENTIONS: dict[Style, str] = {"google": "google", "numpy": "numpy", "sphinx": "pep257"}
RUFF_TIMEOUT_S = 20.0
# The module and package docstrings are not ours to write.
_IGNORED = frozenset({"D100", "D104"})


def lint_lines(target: Target) -> tuple[int, int]:
    """The 0-based, inclusive lines to pass to ruff_problems: the `def` line to the docstring's end."""
    last = target.docstring_span[2] if target.docstring_span else target.header_end_line
    return target.def_line, last


def ruff_problems(source_with_docstring: str, style: Style, lines: tuple[int, int]) -> list[str]:
    """ruff's D problems located on `lines` (0-based, inclusive; see lint_lines), as "D205: message".

    Pass the lines of the target found again in the edited text: the edit moves everything below it.
    """
    first, last = lines
    problems = []
    for item in run_ruff(source_with_docstring, CONVENTIONS[style]):
        code = str(item.get("code") or "")
        row = int(item["location"]["row"]) - 1
        if code in _IGNORED or not first <= row <= last:
            continue
        # A missing docstring counts only for the target itself, reported on its `def` line.
        if code.startswith("D1") and row != first:
            continue
        problem = f"{code}: {item['message']}"
        if problem not in problems:
            problems.append(problem)
    return problems


def ruff_executable() -> str:
    """ruff next to this interpreter (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent
    for name in ("ruff", "ruff.exe"):
        if (here / name).is_file():
            return str(here / name)
    found = shutil.which("ruff")
    if found is None:
        raise DocstringError("checking docstrings needs ruff: install it (pip install ruff) into this environment")
    return found


def run_ruff(source: str, convention: str, timeout_s: float = RUFF_TIMEOUT_S) -> list[dict[str, Any]]:
    """ruff's JSON diagnostics for `source` with the D rules and the pydocstyle `convention`."""
    command = [
        ruff_executable(),
        "check",
        "--isolated",
        "--no-cache",
        "--select",
        "D",
        "--config",
        f"lint.pydocstyle.convention='{convention}'",
        "--output-format",
        "json",
        "--exit-zero",
        "--stdin-filename",
        "x.py",
        "-",
    ]
    try:
        done = subprocess.run(
            command, input=source, capture_output=True, encoding="utf-8", timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise DocstringError(f"ruff took longer than {timeout_s:g} s to check the docstring") from None
    if done.returncode != 0:
        raise DocstringError(f"ruff failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    result: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    return result
