"""Where the tests for a module go and how they import it (TestPlan), on small real folder trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from copiloto.testgen import TestgenError, import_line, plan

TESTS_MOD = "tests/test_mod.py"


def make(root: Path, files: list[str]) -> None:
    """Create `files` (relative paths; a trailing "/" makes a folder) under `root`."""
    for name in files:
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("", encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "module", "test_file", "line", "sys_path"),
    [
        # a flat project: one module at the root
        (["mod.py"], "mod.py", "tests/test_mod.py", "from mod import f", "."),
        (["pkg/__init__.py", "pkg/mod.py"], "pkg/mod.py", "tests/test_mod.py", "from pkg.mod import f", "."),
        (
            ["pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/mod.py"],
            "pkg/sub/mod.py",
            "tests/test_mod.py",
            "from pkg.sub.mod import f",
            ".",
        ),
        # a folder without __init__.py ends the package: `sub` is imported as a top-level package
        (
            ["pkg/sub/__init__.py", "pkg/sub/mod.py"],
            "pkg/sub/mod.py",
            "tests/test_mod.py",
            "from sub.mod import f",
            "pkg",
        ),
        (
            ["src/pkg/__init__.py", "src/pkg/mod.py"],
            "src/pkg/mod.py",
            "tests/test_mod.py",
            "from pkg.mod import f",
            "src",
        ),
        (["src/tool.py"], "src/tool.py", "tests/test_tool.py", "from tool import f", "src"),
        # a loose script: importable from its own folder only
        (["scripts/tool.py"], "scripts/tool.py", "tests/test_tool.py", "from tool import f", "scripts"),
        (["pkg/__init__.py"], "pkg/__init__.py", "tests/test_pkg.py", "from pkg import f", "."),
        # an existing test/ folder is used; tests/ wins when both exist; the layout is never mirrored
        (["mod.py", "test/"], "mod.py", "test/test_mod.py", "from mod import f", "."),
        (["mod.py", "test/", "tests/"], "mod.py", "tests/test_mod.py", "from mod import f", "."),
        (["pkg/__init__.py", "pkg/a.py", "tests/pkg/"], "pkg/a.py", "tests/test_a.py", "from pkg.a import f", "."),
    ],
)
def test_plan(tmp_path: Path, files: list[str], module: str, test_file: str, line: str, sys_path: str) -> None:
    make(tmp_path, files)
    planned = plan(tmp_path, tmp_path / module, ["f"])
    root = tmp_path.resolve()
    assert planned.test_file == root / test_file
    assert planned.import_line == line
    assert planned.module == line.split()[1]
    assert planned.sys_path == ((root / sys_path).resolve(),)
    assert planned.conftest is None
    assert not planned.exists


def test_a_relative_module_path_is_taken_from_the_root(tmp_path: Path) -> None:
    make(tmp_path, ["pkg/__init__.py", "pkg/mod.py", "tests/test_mod.py"])
    planned = plan(tmp_path, Path("pkg/mod.py"))
    assert planned.import_line == "import pkg.mod"
    assert planned.exists


@pytest.mark.parametrize(
    ("files", "conftest"),
    [
        (["mod.py", "conftest.py"], "conftest.py"),
        (["mod.py", "tests/conftest.py"], "tests/conftest.py"),
        (["mod.py", "conftest.py", "tests/conftest.py"], "tests/conftest.py"),  # the nearest
        (["mod.py", "test/conftest.py", "tests/"], None),  # not on the way to tests/test_mod.py
    ],
)
def test_plan_finds_the_nearest_conftest(tmp_path: Path, files: list[str], conftest: str | None) -> None:
    make(tmp_path, files)
    planned = plan(tmp_path, tmp_path / "mod.py")
    assert planned.conftest == (tmp_path.resolve() / conftest if conftest else None)


@pytest.mark.parametrize(
    ("files", "module", "message"),
    [
        (["a/mod.py", "b/"], "a/mod.py", "outside the project root"),
        (["notes.txt"], "notes.txt", "not a Python file"),
        ([], "missing.py", "does not exist"),
        (["my-mod.py"], "my-mod.py", "'my-mod' is not a Python name"),
        (["pkg/__init__.py", "pkg/class.py"], "pkg/class.py", "'class' is not a Python name"),
        (["__init__.py"], "__init__.py", "root's own __init__.py"),
    ],
)
def test_plan_errors(tmp_path: Path, files: list[str], module: str, message: str) -> None:
    make(tmp_path, files)
    root = tmp_path / "b" if message == "outside the project root" else tmp_path
    with pytest.raises(TestgenError, match=message):
        plan(root, tmp_path / module)


def test_the_project_root_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(TestgenError, match="not a folder"):
        plan(tmp_path / "nowhere", tmp_path / "mod.py")


@pytest.mark.parametrize(
    ("names", "line"),
    [((), "import pkg.mod"), (("f",), "from pkg.mod import f"), (("f", "G"), "from pkg.mod import f, G")],
)
def test_import_line(names: tuple[str, ...], line: str) -> None:
    assert import_line("pkg.mod", names) == line


def test_import_line_rejects_what_is_not_a_name() -> None:
    with pytest.raises(TestgenError, match="not a name"):
        import_line("pkg.mod", ["f()"])
