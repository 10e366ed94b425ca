"""The import contracts of pyproject.toml ([tool.importlinter], run by `make lint`) hold on the package, and
break when a lower layer imports a higher one: the check is not one that cannot fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev dependency")


def _lint_imports(package_parent: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_package_keeps_its_contracts() -> None:
    done = _lint_imports(ROOT / "server", ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("astnames.py", "import copiloto.logs.entries", "Copiloto's layers"),  # the bottom layer reaching up
        ("models/store.py", "import copiloto.models.select", "No import cycles"),  # a cycle of siblings
        ("testgen/layout.py", "import copiloto.cloud.client", "Features know nothing of Claude"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, line: str, broken: str) -> None:
    copy = tmp_path / "server"
    shutil.copytree(ROOT / "server" / "copiloto", copy / "copiloto", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = copy / "copiloto" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = _lint_imports(copy, tmp_path)
    assert done.returncode != 0
    verdicts = [line for line in done.stdout.splitlines() if line.endswith((" KEPT", " BROKEN"))]
    assert [v for v in verdicts if v.endswith("BROKEN")] == [next(v for v in verdicts if v.startswith(broken))]
