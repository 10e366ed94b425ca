"""Programs without docstring examples for bench/testgen.py's `--set`: fetched or copied at run time, not vendored.

  - `leetcode`: the LeetCode solutions of the PyPI package alex-solver 1.3 (fetched with `pip download`).
    Each method of its `solver` class becomes a module of its own holding `class Solution` with that method
    (and the helper methods it calls through `self`), with `self` added where the package left it out;
    `ListNode` / `TreeNode` (LeetCode's definitions, commented out in the package) are added where the code
    uses `.next` or `.left`/`.right`. Its two designed classes (`MinStack`, `LRUCache`) are kept whole, one
    target per public method. The docstrings carry a link, the problem in words and `:type:` lines, no examples.
  - `stdlib`: the pure-Python functions of `colorsys` and `bisect`, copied from this interpreter's standard
    library (`bisect`'s switch to the C implementation taken out, so that the Python code is what runs).

Each problem: `task_id`, `module` (the module name the tests import), `source`, `entry_point` (a qualname).
"""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

PACKAGE = "alex-solver==1.3"
CACHE = Path.home() / ".cache" / "copiloto-bench" / "alex-solver-1.3"

LIST_NODE = """class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next
"""
TREE_NODE = """class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right
"""


def problems(name: str) -> list[dict[str, Any]]:
    if name == "leetcode":
        return leetcode()
    if name == "stdlib":
        return stdlib()
    raise ValueError(f"no such set: {name}")


def solver_source() -> str:
    """alex_solver/solver.py from the package's sdist, downloaded once into CACHE."""
    target = CACHE / "solver.py"
    if target.is_file():
        return target.read_text(encoding="utf-8")
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", PACKAGE, "-d", str(CACHE)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    archive = next(CACHE.glob("alex_solver-1.3.tar.gz"))
    with tarfile.open(archive) as tar:
        member = tar.extractfile("alex_solver-1.3/alex_solver/solver.py")
        assert member is not None
        text = member.read().decode("utf-8")
    target.write_text(text, encoding="utf-8")
    return text


def leetcode() -> list[dict[str, Any]]:
    source = solver_source()
    lines = source.splitlines()
    tree = ast.parse(source)
    found: list[dict[str, Any]] = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        if cls.name == "solver":
            methods = {m.name: m for m in cls.body if isinstance(m, ast.FunctionDef)}
            helpers = {called for m in methods.values() for called in _self_calls(m) if called != m.name}
            for method in methods.values():
                if method.name in helpers:
                    continue
                called = sorted(_self_calls(method) - {method.name})
                needed = [method] + [methods[h] for h in called if h in methods]
                body = "\n\n".join(_with_self(lines, m) for m in needed)
                module = f"class Solution:\n{body}\n"
                nodes = ""
                if ".next" in module:
                    nodes += LIST_NODE + "\n\n"
                if ".left" in module or ".right" in module:
                    nodes += TREE_NODE + "\n\n"
                found.append(_problem(f"leetcode/{method.name}", nodes + module, f"Solution.{method.name}"))
        else:
            text = "\n".join(lines[cls.lineno - 1 : cls.end_lineno]) + "\n"
            for item in cls.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                    found.append(_problem(f"leetcode/{cls.name}.{item.name}", text, f"{cls.name}.{item.name}"))
    return found


def stdlib() -> list[dict[str, Any]]:
    import bisect
    import colorsys

    found = []
    colors = inspect.getsource(colorsys)
    for name in ("rgb_to_yiq", "yiq_to_rgb", "rgb_to_hls", "hls_to_rgb", "rgb_to_hsv", "hsv_to_rgb"):
        found.append(_problem(f"stdlib/colorsys.{name}", colors, name))
    halves = inspect.getsource(bisect)
    halves = re.sub(r"\n# Overwrite above definitions.*", "\n", halves, flags=re.DOTALL)
    for name in ("insort_right", "bisect_right", "insort_left", "bisect_left"):
        found.append(_problem(f"stdlib/bisect.{name}", halves, name))
    return found


def _problem(task_id: str, source: str, entry_point: str) -> dict[str, Any]:
    module = re.sub(r"\W+", "_", task_id.lower()).strip("_")
    return {"task_id": task_id, "module": module, "source": source, "entry_point": entry_point}


def _self_calls(method: ast.FunctionDef) -> set[str]:
    return {
        node.func.attr
        for node in ast.walk(method)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
    }


def _with_self(lines: list[str], method: ast.FunctionDef) -> str:
    """The method's text, with `self` added as its first parameter where the package left it out."""
    text = "\n".join(lines[method.lineno - 1 : method.end_lineno])
    if not method.args.args or method.args.args[0].arg != "self":
        added = f"def {method.name}(self, " if method.args.args else f"def {method.name}(self"
        text = text.replace(f"def {method.name}(", added, 1)
    return text
