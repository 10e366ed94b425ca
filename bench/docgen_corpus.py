"""Methods with state, and their classes, from the installed CPython standard library: docgen's second set.

HumanEval has no classes. These targets are real methods that read or change `self`, each in its whole
module (the class around it is the context a docstring needs), with the target's own docstring taken out
and kept for reference. The rule, applied in this order to the fixed list of classes below:

- a method defined directly in the class body, once (a property's setter would shadow its getter);
- not a staticmethod, and it uses its first parameter (`self` / `cls`);
- it has a docstring (the reference), and its body without it is 3 to 40 lines long;
- state-changing methods first (`copiloto.docstrings.state_changes`), then source order;
  at most `PER_CLASS` of them;
- the class itself too, when it has a docstring and an `__init__` or `__new__`.

The source is the interpreter's own, so the set follows the Python version (recorded in the results).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from dataclasses import dataclass

from copiloto.docstrings import find_by_qualname, state_changes

# (module, class): pure-Python classes that keep state. OrderedDict's Python version is in the source
# even where the C one replaces it at import.
CLASSES: tuple[tuple[str, str], ...] = (
    ("fractions", "Fraction"),
    ("collections", "Counter"),
    ("collections", "OrderedDict"),
    ("collections", "ChainMap"),
    ("queue", "Queue"),
    ("string", "Template"),
    ("textwrap", "TextWrapper"),
    ("shlex", "shlex"),
    ("statistics", "NormalDist"),
    ("difflib", "SequenceMatcher"),
    ("graphlib", "TopologicalSorter"),
    ("calendar", "Calendar"),
)
PER_CLASS = 3
MIN_LINES, MAX_LINES = 3, 40


@dataclass(frozen=True)
class Case:
    task_id: str  # "fractions.Fraction.limit_denominator"
    module: str
    qualname: str  # "Fraction.limit_denominator"
    kind: str  # "method" or "class"
    source: str  # the whole module, this target's docstring removed
    original_docstring: str


def python_version() -> str:
    return ".".join(map(str, sys.version_info[:3]))


def build() -> list[Case]:
    """Every case of the set, in the order of CLASSES."""
    cases: list[Case] = []
    for module_name, class_name in CLASSES:
        source = inspect.getsource(importlib.import_module(module_name))
        node = _class_node(ast.parse(source), class_name)
        if ast.get_docstring(node) and (_method(node, "__init__") or _method(node, "__new__")):
            cases.append(_case(module_name, source, class_name, "class"))
        for method in chosen_methods(node):
            cases.append(_case(module_name, source, f"{class_name}.{method.name}", "method"))
    return cases


def chosen_methods(node: ast.ClassDef) -> list[ast.FunctionDef]:
    """The class's methods that the rule keeps: state-changing ones first, at most PER_CLASS."""
    defs = [c for c in node.body if isinstance(c, ast.FunctionDef)]
    names = [d.name for d in defs]
    kept = [d for d in defs if names.count(d.name) == 1 and _eligible(d)]
    kept.sort(key=lambda d: not state_changes(d))  # stable: source order within each group
    return kept[:PER_CLASS]


def strip_docstring(source: str, qualname: str) -> tuple[str, str]:
    """(the module without `qualname`'s docstring lines, that docstring cleaned)."""
    target = find_by_qualname(source, qualname)
    if target.docstring_span is None or target.docstring is None:
        raise ValueError(f"{qualname} has no docstring")
    first, _, last, _ = target.docstring_span
    lines = source.split("\n")
    del lines[first : last + 1]
    stripped = "\n".join(lines)
    ast.parse(stripped)
    return stripped, target.docstring


def _case(module_name: str, source: str, qualname: str, kind: str) -> Case:
    stripped, docstring = strip_docstring(source, qualname)
    return Case(f"{module_name}.{qualname}", module_name, qualname, kind, stripped, docstring)


def _class_node(tree: ast.Module, name: str) -> ast.ClassDef:
    # Top level only, or inside `try:` / `if` blocks at top level; the first definition is the Python one.
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise LookupError(f"no class {name}")


def _method(node: ast.ClassDef, name: str) -> ast.FunctionDef | None:
    return next((c for c in node.body if isinstance(c, ast.FunctionDef) and c.name == name), None)


def _eligible(method: ast.FunctionDef) -> bool:
    if ast.get_docstring(method) is None or len(method.body) < 2:
        return False
    if any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in method.decorator_list):
        return False
    body = method.body[1:]
    lines = (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1
    return MIN_LINES <= lines <= MAX_LINES and _uses_first_parameter(method)


def _uses_first_parameter(method: ast.FunctionDef) -> bool:
    positional = [*method.args.posonlyargs, *method.args.args]
    if not positional:
        return False
    first = positional[0].arg
    return any(isinstance(n, ast.Name) and n.id == first for n in ast.walk(method))
