"""A file made writable by every user (CWE-732) through a call bandit does not read: `Path.chmod(0o666)` and
other `.chmod` methods (bandit's B103 covers `os.chmod` and `os.fchmod`). Any local account can then change
what the program reads or runs."""

from __future__ import annotations

import ast
import stat
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, calls

RULE = Rule("CM-PERMISSIVE-MODE", 732, "warning", "world_writable_mode")
BANDITS = frozenset({"os.chmod", "os.fchmod", "os.lchmod"})


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if not isinstance(call.func, ast.Attribute) or call.func.attr not in ("chmod", "lchmod") or name in BANDITS:
            continue
        mode = _mode(argument(call, 0, "mode"))
        if mode is not None and mode & stat.S_IWOTH:
            yield Hit(call, f"chmod to {oct(mode)} lets every user write the file: drop the write bit for others")


def _mode(node: ast.AST | None) -> int | None:
    """A mode written as a number, or as `|` of numbers and stat constants."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(getattr(stat, node.attr, None), int):
        return int(getattr(stat, node.attr))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _mode(node.left), _mode(node.right)
        return None if left is None or right is None else left | right
    return None
