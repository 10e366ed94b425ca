"""The offered test file, written where "Generate tests" puts it and run once by plain pytest in the project:
what a user gets after accepting the edit (shared by the end-to-end tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_offered(project: Path, test_file: Path, text: str) -> subprocess.CompletedProcess[str]:
    """Write `text` to `test_file` (in `project`) and run it with plain pytest, nothing but the project on the path."""
    test_file.parent.mkdir(parents=True, exist_ok=True)
    test_file.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
    )
