"""Where the tests for a module go, how they import it, and the test file's text after adding to it.

Nothing is written here: `plan` only looks at the project's folders and `merge` returns text. Tests go
to one flat folder (`tests/`, or `test/` where the project has that) as `test_<module>.py`; the
package layout is not mirrored there.
"""

from __future__ import annotations

import ast
import copy
import keyword
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from copiloto.docstrings.target import Target
from copiloto.testgen.errors import TestgenError

# The first that exists wins; a project with neither gets the first.
TEST_DIRS = ("tests", "test")

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
Binding = tuple[str, ...]


@dataclass(frozen=True)
class TestPlan:
    __test__ = False  # not a pytest test class, whatever imports it

    test_file: Path
    module: str  # the dotted name the tests import ("pkg.sub.mod")
    import_line: str  # "from pkg.sub.mod import a, b", or "import pkg.sub.mod" when no names were asked for
    sys_path: tuple[Path, ...]  # what must be importable: the root, root/src, or a loose script's folder
    conftest: Path | None  # the nearest existing conftest.py between the test file and the root
    exists: bool  # the test file is already there (merge into it)
    helpers: tuple[str, ...] = ()  # the module's other public classes (ListNode): imported by the tests that use them


def plan(project_root: Path, module_path: Path, names: Sequence[str] = ()) -> TestPlan:
    """Where the tests of `module_path` go and how they import `names` from it.

    A relative `module_path` is taken from the project root. The dotted name comes from walking up the
    folders while they hold an `__init__.py`; the folder where that stops is what goes on sys.path, so a
    src/ layout gets root/src and a loose script its own folder.
    """
    root = project_root.resolve()
    if not root.is_dir():
        raise TestgenError(f"the project root {project_root} is not a folder")
    module = (root / module_path).resolve()
    if module.suffix != ".py":
        raise TestgenError(f"{module_path} is not a Python file (.py)")
    if not module.is_file():
        raise TestgenError(f"{module_path} does not exist")
    if not module.is_relative_to(root):
        raise TestgenError(f"{module_path} is outside the project root {root}")
    parts, importable_from = _module_parts(root, module)
    dotted = ".".join(parts)
    for part in parts:
        if not part.isidentifier() or keyword.iskeyword(part):
            raise TestgenError(f"{module_path} cannot be imported as {dotted}: {part!r} is not a Python name")
    test_file = _test_dir(root) / f"test_{parts[-1]}.py"
    return TestPlan(
        test_file=test_file,
        module=dotted,
        import_line=import_line(dotted, names),
        sys_path=(importable_from,),
        conftest=_nearest_conftest(root, test_file.parent),
        exists=test_file.is_file(),
    )


_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def project_root(path: Path, workspace_folders: Sequence[Path] = ()) -> Path:
    """The project a file belongs to: the innermost workspace folder holding it, else the nearest folder
    above it with a pyproject.toml, setup.cfg, setup.py or .git, else the file's own folder."""
    file = path.resolve()
    holding = [f.resolve() for f in workspace_folders if file.is_relative_to(f.resolve())]
    if holding:
        return max(holding, key=lambda folder: len(folder.parts))
    for folder in file.parents:
        if any((folder / marker).exists() for marker in _PROJECT_MARKERS):
            return folder
    return file.parent


def unimportable(target: Target) -> str | None:
    """Why a test cannot import `target`, or None: only module-level defs and their classes' methods can."""
    depth = target.qualname.count(".")
    if (target.kind == "method" and depth == 1) or (target.kind != "method" and depth == 0):
        return None
    return f"{target.qualname} is nested inside another def or class: tests cannot import it"


def import_line(module: str, names: Sequence[str] = ()) -> str:
    """`from module import a, b`, or `import module` without names."""
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise TestgenError(f"{name!r} is not a name that can be imported")
    return f"from {module} import {', '.join(names)}" if names else f"import {module}"


def _module_parts(root: Path, module: Path) -> tuple[list[str], Path]:
    """The module's dotted name as parts, and the folder its top package (or itself) sits in."""
    parts = [] if module.name == "__init__.py" else [module.stem]
    folder = module.parent
    # The root is never part of the name: tests run with it (or below it) on sys.path.
    while folder != root and (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    if not parts:
        raise TestgenError("the project root's own __init__.py is not a module its tests can import")
    return parts, folder


def _test_dir(root: Path) -> Path:
    for name in TEST_DIRS:
        if (root / name).is_dir():
            return root / name
    return root / TEST_DIRS[0]


def _nearest_conftest(root: Path, folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / "conftest.py").is_file():
            return candidate / "conftest.py"
        if candidate == root:
            break
    return None


def merge(existing: str | None, imports: Sequence[str], tests: Sequence[str]) -> str:
    """The test file's text with `imports` and `tests` added; `existing` is None for a new file.

    Import lines already bound the same way are left out; the others go at the top, after the module
    docstring and `from __future__` imports. Each test (one or more top-level defs) is appended; a test
    already there word for word is skipped, and one whose name is taken is renamed `name_2`, `name_3`….
    """
    crlf = existing is not None and "\r\n" in existing
    text = (existing or "").replace("\r\n", "\n")
    tree = _parse(text, "the existing test file")
    new_imports = _missing_imports(tree, imports)
    if new_imports:
        text = _insert_imports(text, tree, new_imports)
    taken = {node.name for node in tree.body if isinstance(node, _DEFS)}
    known = {_shape(node) for node in tree.body if isinstance(node, _DEFS)}
    for test in tests:
        block = textwrap.dedent(test).strip("\n")
        defs = [node for node in _parse(block, "a generated test").body if isinstance(node, _DEFS)]
        if defs and all(_shape(node) in known for node in defs):
            continue
        block = _renamed(block, defs, taken)
        known.update(_shape(node) for node in defs)
        text = f"{text.rstrip()}\n\n\n{block}\n" if text.strip() else f"{block}\n"
    _parse(text, "the merged test file")
    return text.replace("\n", "\r\n") if crlf else text


def _parse(source: str, what: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise TestgenError(f"{what} does not parse ({exc.msg} at line {exc.lineno})") from None
    except ValueError as exc:  # NUL bytes
        raise TestgenError(f"{what} does not parse ({exc})") from None


def _shape(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    """A def's code without its name: merging the same test twice must not add it as `test_x_2`."""
    nameless = copy.copy(node)
    nameless.name = ""
    return ast.dump(nameless)


def _bindings(node: ast.Import | ast.ImportFrom) -> set[Binding]:
    """What an import statement binds, so that `from m import a, b` is known to cover `from m import a`."""
    if isinstance(node, ast.Import):
        return {("import", alias.name, alias.asname or "") for alias in node.names}
    module = "." * node.level + (node.module or "")
    return {("from", module, alias.name, alias.asname or "") for alias in node.names}


def _imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def _missing_imports(tree: ast.Module, imports: Sequence[str]) -> list[str]:
    """The import statements (source text) that bind something the file does not yet; __future__ first."""
    bound = set().union(*(_bindings(node) for node in _imports(tree)))
    missing: list[str] = []
    for line in imports:
        source = textwrap.dedent(line).strip()
        parsed = _parse(source, f"the import line {line!r}")
        if len(list(_imports(parsed))) != len(parsed.body):
            raise TestgenError(f"{line!r} is not an import line")
        for node in _imports(parsed):
            binds = _bindings(node)
            if not binds <= bound:
                bound |= binds
                missing.append(ast.get_source_segment(source, node) or ast.unparse(node))
    return sorted(missing, key=lambda statement: not statement.startswith("from __future__"))


def _insert_imports(text: str, tree: ast.Module, statements: list[str]) -> str:
    lines = text.splitlines(keepends=True)
    at, after_docstring = _imports_line(tree)
    if at == 0:
        # A shebang, an encoding cookie or a licence header stays first.
        while at < len(lines) and lines[at].startswith("#"):
            at += 1
    head, tail = "".join(lines[:at]), "".join(lines[at:])
    if head and not head.endswith("\n"):
        head += "\n"
    block = "".join(f"{statement}\n" for statement in statements)
    if after_docstring:
        block = "\n" + block
    if tail.strip() and not tail.startswith(("\n", "import ", "from ")):
        block += "\n"
    return head + block + tail


def _imports_line(tree: ast.Module) -> tuple[int, bool]:
    """How many lines come before new imports (docstring, __future__ imports); whether the docstring is last."""
    at, after_docstring = 0, False
    body = list(tree.body)
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        at, after_docstring = first.end_lineno or 0, True
        body = body[1:]
    for node in body:
        if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            break
        at, after_docstring = node.end_lineno or at, False
    return at, after_docstring


def _renamed(block: str, defs: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef], taken: set[str]) -> str:
    """`block` with each def whose name is taken renamed `name_2`, `name_3`…; the new names join `taken`."""
    lines = block.split("\n")
    for node in defs:
        name = node.name
        if name in taken:
            suffix = 2
            while f"{name}_{suffix}" in taken:
                suffix += 1
            name = f"{name}_{suffix}"
            # lineno is the `def` / `class` line itself (decorators sit above it).
            header = re.compile(rf"\b((?:def|class)\s+){re.escape(node.name)}\b")
            lines[node.lineno - 1] = header.sub(rf"\g<1>{name}", lines[node.lineno - 1], count=1)
        taken.add(name)
    return "\n".join(lines)
