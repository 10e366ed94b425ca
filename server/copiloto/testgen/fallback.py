"""Calls built from the signature, for a target the model wrote no passing test for.

A small model often writes no usable call at all: it forgets the instance (`Solution.climbStairs(5)`),
or it cannot build a linked list or a tree from LeetCode's `ListNode` / `TreeNode`. Then the target is
called here with a few values of each parameter's type, told by its annotation, else by the docstring's
`:type name: T` line, else by how the code uses it (`.next` → a linked list, `len(x)` → a list), else by
its name. A linked list or tree parameter is built from a Python list (`ListNode(1, ListNode(2))`), and a
node the call returns is read back as a list inside the test, so the observed value can be written down.

Every call is probed once and pinned to the value it gives (pin.py: marked, counted as pinned), then
verified like any test (three sandboxed runs, so a value that changes from run to run is never kept).
Only code that looks pure is called this way: no I/O, clock, randomness or globals, no coroutines or
generators; what a call does to its object or to an argument list is pinned too. A guessed input proves
nothing about the code, so a call that raises is dropped, never reported as a possible bug.

One module, over 400 lines, because reading a parameter's type and building its values are one decision.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.target import Target, find_by_qualname
from copiloto.testgen.draft import INDENT, Candidate, unique_name
from copiloto.testgen.objects import _from_name as value_by_name
from copiloto.testgen.objects import _use as value_by_use
from copiloto.testgen.objects import construction, preparation
from copiloto.testgen.pin import Probe, pin

CALLS = 4  # calls per target: enough to reach a branch or two, few enough to read
_SAMPLES: dict[str, tuple[str, ...]] = {
    "int": ("1", "5", "0", "3"),
    "float": ("0.5", "2.0", "0.0", "3.5"),
    "bool": ("True", "False"),
    "str": ("'a'", "'abcabcbb'", "'babad'", "''"),
    "bytes": ("b'a'", "b'abc'"),
    "list[int]": ("[2, 7, 11, 15]", "[0, 1, 0, 3, 12]", "[-2, 1, -3, 4, -1, 2, 1, -5, 4]", "[1]"),
    "list[float]": ("[0.5, 1.5]", "[2.0, -1.0, 3.5]"),
    "list[str]": ("['a', 'b']", "['flower', 'flow', 'flight']"),
    "list[list[int]]": ("[[1, 2], [3, 4]]", "[[1, 3], [2, 6], [8, 10]]"),
    "list[list[str]]": ("[['1', '1', '0'], ['0', '1', '0'], ['0', '0', '1']]", "[['1', '0'], ['0', '1']]"),
    "dict[str, int]": ("{'a': 1, 'b': 2}", "{}"),
}
_LIST_NODES = ([1, 2, 3], [2, 4, 3], [5, 6, 4], [1])
_TREE_NODES: tuple[list[int | None], ...] = (
    [1, 2, 3],
    [1, 2, 2, 3, 4, 4, 3],
    [3, 9, 20, None, None, 15, 7],
    [1, None, 2],
)
_SHAPES: tuple[tuple[Literal["list", "tree"], tuple[str, ...]], ...] = (
    ("list", ("next",)),
    ("tree", ("left", "right")),
)
_ALIASES = {"List": "list", "Dict": "dict", "Sequence": "list", "Iterable": "list", "Tuple": "tuple"}
_BY_LITERAL = {"10": "int", "'abc'": "str", "[1, 2, 3]": "list[int]"}
# Calls that make a result depend on more than the arguments: such code is never called with guessed values.
_IMPURE_CALLS = {"open", "print", "input", "exec", "eval", "compile", "__import__", "breakpoint", "id", "hash"}
_IMPURE_MODULES = {"random", "time", "datetime", "os", "sys", "subprocess", "socket", "shutil", "uuid", "secrets"}
_IMPURE_MODULES |= {"threading", "asyncio", "requests", "urllib", "pathlib", "tempfile", "logging"}
_DOC_TYPE = re.compile(r":type\s+(\w+)\s*:\s*(.+)")


@dataclass(frozen=True)
class Node:
    """A module's linked-list or tree node class, as its constructor builds it."""

    name: str
    kind: Literal["list", "tree"]
    value: str  # the attribute holding the node's value (`val`)
    links: tuple[str, ...]  # `("next",)` or `("left", "right")`
    order: tuple[str, ...]  # the constructor's parameters, in order, each named for the attribute it sets


def node_classes(source: str) -> dict[str, Node]:
    """The module's classes whose constructor sets a value and `next` (a linked list) or `left` and `right`
    (a binary tree) from its parameters, every other parameter having a default: those a test can build."""
    found: dict[str, Node] = {}
    for cls in (n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)):
        init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        if init is None:
            continue
        params = [a.arg for a in init.args.args[1:]]
        sets = _attributes_from_parameters(init)
        for kind, links in _SHAPES:
            values = [a for a in sets.values() if a not in links]
            if all(link in sets.values() for link in links) and len(values) == 1:
                defaults = len(init.args.defaults)
                required = params[: len(params) - defaults]
                order = tuple(sets.get(p, "") for p in params)
                # Every parameter sets the value or a link, and only the value may lack a default.
                if set(order) == {values[0], *links} and all(sets[p] == values[0] for p in required):
                    found[cls.name] = Node(cls.name, kind, values[0], links, order)
    return found


def build(node: Node, values: Sequence[int | None]) -> str:
    """The constructor calls that build `values` (a list's items head first; a tree's level order, LeetCode's
    notation with None for a missing child): `ListNode(1, ListNode(2))`."""
    if node.kind == "list":
        built = "None"
        for value in reversed(values):
            built = _construct(node, {node.value: repr(value), "next": built})
        return built
    return _tree(node, _level_order(values), 0)


def reader(node: Node) -> str:
    """A function, defined inside the test, that reads a returned node back as a list (what gets pinned)."""
    if node.kind == "list":
        return textwrap.dedent(f"""\
            def as_list(node):
                values = []
                while node is not None and len(values) < 1000:
                    values.append(node.{node.value})
                    node = node.next
                return values""")
    return textwrap.dedent(f"""\
        def as_list(root):
            values = []
            queue = [root]
            while queue and len(values) < 1000:
                node = queue.pop(0)
                values.append(None if node is None else node.{node.value})
                if node is not None:
                    queue += [node.left, node.right]
            while values and values[-1] is None:
                values.pop()
            return values""")


def parameter_kinds(source: str, target: Target) -> dict[str, str] | None:
    """The kind of value each parameter without a default takes ("int", "list[int]", a node class name), by
    name in signature order, or None when one of them cannot be told."""
    function = _function(source, target)
    if function is None:
        return None
    declared = dict(_DOC_TYPE.findall(target.docstring or ""))
    nodes = node_classes(source)
    positional = [*function.args.posonlyargs, *function.args.args]
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    if any(d is None for d in function.args.kw_defaults):
        return None  # a keyword-only parameter without a default: too unusual to guess for
    kinds = {}
    for arg in positional[: len(positional) - len(function.args.defaults)]:
        text = ast.unparse(arg.annotation) if arg.annotation is not None else declared.get(arg.arg)
        kind = _kind(text, nodes) if text else None
        kind = kind or _kind_by_use(arg.arg, function, nodes)
        if kind is None:
            return None
        kinds[arg.arg] = kind
    return kinds


def looks_pure(source: str, target: Target, owner: Target | None) -> bool:
    """Whether the target (and the methods it calls on `self`, the module's functions it calls) stays clear of
    I/O, the clock, randomness and globals: the only code whose observed value may be pinned from guessed
    arguments."""
    function = _function(source, target)
    if function is None or isinstance(function, ast.AsyncFunctionDef):
        return False
    methods = _methods(source, owner.name) if owner is not None else {}
    functions = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    todo, seen = [function], {function.name}
    while todo:
        current = todo.pop()
        for node in ast.walk(current):
            if isinstance(node, ast.Global | ast.Nonlocal | ast.Yield | ast.YieldFrom | ast.Await):
                return False
            if isinstance(node, ast.Name) and node.id in _IMPURE_CALLS | _IMPURE_MODULES:
                return False
            called = _self_call(node)
            if called in methods and called not in seen:
                seen.add(called)
                todo.append(methods[called])
            called = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else None
            if called in functions and called not in seen:
                seen.add(called)
                todo.append(functions[called])
    return True


def from_signature(candidate: Candidate) -> bool:
    """Whether a kept test is one of this module's (pinned, and counted apart from the model's pinned tests)."""
    return candidate.key.startswith(("signature:", "pinned:signature:"))


def signature_calls(source: str, target: Target, owner: Target | None, taken: set[str]) -> list[Candidate]:
    """Up to CALLS tests that call the target with values of its parameters' kinds, each checked against a
    placeholder (`== None`) that pin.py replaces with the observed value; [] when the target is not one
    to call this way."""
    kinds = parameter_kinds(source, target)
    if kinds is None or not looks_pure(source, target, owner) or (owner is not None and owner is target):
        return []
    nodes = node_classes(source)
    setup, callee = _arranged(source, target, owner, nodes)
    if callee is None:
        return []
    stem = f"test_{_snake(owner.name) + '_' if owner else ''}{_snake(target.name)}_from_signature"
    most = max([len(_samples(kind, nodes)) for kind in kinds.values()] + [1])
    tests: list[Candidate] = []
    reserved = {"as_list", "pytest", callee.split(".")[0]}  # names the test itself uses
    for number in range(min(CALLS, most)):
        built, arguments = [], []
        for i, (parameter, kind) in enumerate(kinds.items()):
            samples = _samples(kind, nodes)
            value = samples[(number + i) % len(samples)]
            if kind in nodes:  # a node is built on a line of its own, named for its parameter: readable calls
                variable = parameter if parameter.isidentifier() and parameter not in reserved else f"{kind}_{i}"
                built.append(f"{variable} = {value}")
                value = variable
            arguments.append(value)
        name = unique_name(stem, taken)
        body = [*setup, *built, f"assert {callee}({', '.join(arguments)}) == None"]
        source_text = f"def {name}():\n{textwrap.indent(chr(10).join(body), INDENT)}\n"
        key = "signature:" + "\n".join(body[len(setup) :])
        tests.append(Candidate(name, source_text, "model", key=key, stem=stem))
    return list({c.key: c for c in tests}.values())  # a one-value kind repeats itself


def read_back(candidate: Candidate, probe: Probe, nodes: dict[str, Node]) -> Candidate | None:
    """`candidate` with its call wrapped in `as_list(...)` when the probe saw it return one of the module's
    node objects (whose repr cannot be pinned), else None."""
    found = re.match(r"<[\w.]*?\b(\w+) object at 0x", probe.value or "")
    node = nodes.get(found.group(1)) if found else None
    if node is None:
        return None
    lines = candidate.source.rstrip("\n").split("\n")
    check = ast.parse(lines[-1].strip()).body[0]
    if not (isinstance(check, ast.Assert) and isinstance(check.test, ast.Compare)):
        return None  # not one of signature_calls' tests
    wrapped = f"{INDENT}assert as_list({ast.unparse(check.test.left)}) == None"
    helper = textwrap.indent(reader(node), INDENT)
    source = "\n".join([lines[0], helper, *lines[1:-1], wrapped]) + "\n"
    return replace(candidate, source=source, key=f"{candidate.key}:as_list")


def pinned_calls(
    source: str,
    target: Target,
    owner: Target | None,
    taken: set[str],
    probe: Callable[[Sequence[Candidate]], list[tuple[Candidate, Probe]]],
) -> list[Candidate]:
    """The signature's calls, each pinned to the value the probe observed (returned nodes read back as lists);
    the calls that raised, or gave nothing that can be written down, are left out. Still to be verified."""
    drafts = signature_calls(source, target, owner, taken)
    if not drafts:
        return []
    nodes = node_classes(source)
    probed = probe(drafts)
    again = [(c, a) for c, p in probed if (a := read_back(c, p, nodes)) is not None]
    wrapped = {c.name for c, _ in again}
    probed = [(c, p) for c, p in probed if c.name not in wrapped] + probe([a for _, a in again])
    pinned = [pin(c, p, target) for c, p in probed if p.raised is None]
    return [c for c in pinned if c is not None]


def _arranged(
    source: str, target: Target, owner: Target | None, nodes: dict[str, Node]
) -> tuple[list[str], str | None]:
    """The statements before the call (the object built, and filled when the method reads what another method
    fills: `push` before `pop`), and what is called; callee None when the object cannot be built."""
    if owner is None:
        return [], target.name
    built = construction(source, owner.name)
    if built is None:
        return [], None
    variable = _snake(owner.name) if _snake(owner.name).isidentifier() else "obj"
    setup = [f"{variable} = {built}"]
    first = preparation(source, owner.name, target.name)
    if first is not None:
        fill = _method(source, owner.name, first)
        kinds = parameter_kinds(source, fill) if fill is not None else None
        if kinds is not None and not any(k in nodes for k in kinds.values()):
            values = [_samples(k, nodes)[0] for k in kinds.values()]
            setup.append(f"{variable}.{first}({', '.join(values)})")
    return setup, f"{variable}.{target.name}"


def _method(source: str, class_name: str, method: str) -> Target | None:
    try:
        return find_by_qualname(source, f"{class_name}.{method}")
    except DocstringError:
        return None


def _kind(text: str, nodes: dict[str, Node]) -> str | None:
    """The kind a written type names (`List[int]` → "list[int]", `Optional[ListNode]` → "ListNode"), None
    for a type without samples."""
    try:
        annotation = ast.parse(text.strip().strip("'\""), mode="eval").body
    except SyntaxError:
        return None
    name = _type_name(annotation)
    if name in nodes or name in _SAMPLES:
        return name
    return None


def _type_name(annotation: ast.expr) -> str:
    """A type annotation in the lower-case spelling _SAMPLES uses, Optional and `| None` taken off."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        kept = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        return _type_name(kept[0]) if len(kept) == 1 else ""
    if isinstance(annotation, ast.Subscript):
        outer = ast.unparse(annotation.value).rsplit(".", 1)[-1]
        if outer == "Optional":
            return _type_name(annotation.slice)
        inner = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        return f"{_ALIASES.get(outer, outer)}[{', '.join(_type_name(i) for i in inner)}]"
    text = ast.unparse(annotation).rsplit(".", 1)[-1]
    return _ALIASES.get(text, text)


def _kind_by_use(name: str, function: ast.FunctionDef | ast.AsyncFunctionDef, nodes: dict[str, Node]) -> str | None:
    """The kind the code treats the parameter as: a node class when it reads the node's links, else what
    its operations or its name say (objects.py's rules)."""
    read = {n.attr for n in ast.walk(function) if isinstance(n, ast.Attribute) and _is_name(n.value, name)}
    for node in nodes.values():
        if read & set(node.links):
            return node.name
    for node_ in ast.walk(function):
        use = value_by_use(node_)
        if use is not None and any(_is_name(operand, name) for operand in use[1]):
            return _BY_LITERAL.get(use[0])
    return _BY_LITERAL.get(value_by_name(name) or "")


def _samples(kind: str, nodes: dict[str, Node]) -> tuple[str, ...]:
    node = nodes.get(kind)
    if node is None:
        return _SAMPLES[kind]
    shapes: Sequence[Sequence[int | None]] = _LIST_NODES if node.kind == "list" else _TREE_NODES
    return tuple(build(node, values) for values in shapes)


def _construct(node: Node, given: dict[str, str]) -> str:
    """One constructor call: positional arguments up to the last one given that is not None."""
    values = [given.get(attribute, "None") for attribute in node.order]
    while values and values[-1] == "None" and node.order[len(values) - 1] != node.value:
        values.pop()
    return f"{node.name}({', '.join(values)})"


def _level_order(values: Sequence[int | None]) -> dict[int, tuple[int | None, int | None, int | None]]:
    """LeetCode's level order as {index: (value, left child's index, right child's index)}."""
    tree: dict[int, tuple[int | None, int | None, int | None]] = {}
    if not values or values[0] is None:
        return tree
    queue, at = [0], 1
    while queue and at <= len(values):
        index = queue.pop(0)
        children: list[int | None] = []
        for _ in range(2):
            child = at if at < len(values) and values[at] is not None else None
            if child is not None:
                queue.append(child)
            children.append(child)
            at += 1
        tree[index] = (values[index], children[0], children[1])
    for index in queue:
        tree.setdefault(index, (values[index], None, None))
    return tree


def _tree(node: Node, tree: dict[int, tuple[int | None, int | None, int | None]], index: int | None) -> str:
    if index is None or index not in tree:
        return "None"
    value, left, right = tree[index]
    return _construct(
        node, {node.value: repr(value), "left": _tree(node, tree, left), "right": _tree(node, tree, right)}
    )


def _attributes_from_parameters(init: ast.FunctionDef) -> dict[str, str]:
    """{parameter: attribute} for each `self.attribute = parameter` in the constructor."""
    return {
        node.value.id: target.attr
        for node in ast.walk(init)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name)
        for target in node.targets
        if isinstance(target, ast.Attribute) and _is_name(target.value, "self")
    }


def _function(source: str, target: Target) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.lineno == target.def_line + 1:
            return node
    return None


def _methods(source: str, class_name: str) -> dict[str, ast.FunctionDef]:
    for cls in ast.parse(source).body:
        if isinstance(cls, ast.ClassDef) and cls.name == class_name:
            return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}
    return {}


def _self_call(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_name(node.func.value, "self"):
        return node.func.attr
    return None


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
