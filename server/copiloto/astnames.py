"""Names in Python syntax trees (the standard `ast`), shared by the docstring writer, the review's misuse rules
and its fixes."""

from __future__ import annotations

import ast


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a Name/Attribute chain, "" for anything else (a call, a subscript)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""
