"""Objects first: how a test of a method builds its instance, from the class's own code.

A small model writes good arguments for a call it is shown; it writes poor constructors. So the
constructor call is written here: each parameter without a default gets a value of its annotated type,
or, without an annotation, of the type the class's code uses it as (`self.capacity - used` → a number,
`len(self.items)` → a list), else by its name (`n`, `size` → a number; `name` → a string). The model then
only supplies the method's arguments and what it returns. `Solution()` (LeetCode's no-argument
classes) is the easy case. None when a parameter's value cannot be told: the model writes it then.
"""

from __future__ import annotations

import ast

_BY_TYPE = {
    "int": "10",
    "float": "1.5",
    "str": "'abc'",
    "bool": "True",
    "bytes": "b'abc'",
    "list": "[]",
    "dict": "{}",
    "set": "set()",
    "tuple": "()",
    "List": "[]",
    "Dict": "{}",
    "Set": "set()",
    "Tuple": "()",
}
_ITEMS = {"int": "[1, 2, 3]", "str": "['a', 'b']", "float": "[1.5, 2.5]"}
_NUMBER_NAMES = {"n", "k", "m", "size", "capacity", "count", "limit", "width", "height", "length", "maxsize", "total"}
_NUMBER_PARTS = ("size", "count", "capacity", "limit", "max", "min", "num", "width", "height", "len")
_TEXT_NAMES = {"name", "text", "label", "title", "key", "sku", "prefix", "suffix", "sep", "word", "s"}
_LIST_NAMES = {"items", "values", "nums", "numbers", "data", "elements", "words", "lst", "arr"}


def construction(source: str, class_name: str) -> str | None:
    """`Shelf(10)`: a call of the class's constructor with a value for every parameter that has no
    default, or None when one of them cannot be told from the code."""
    cls = _class(source, class_name)
    if cls is None:
        return None
    init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    if init is None:
        return f"{class_name}()" if not _is_dataclass(cls) else None
    positional = [*init.args.posonlyargs, *init.args.args][1:]
    required = positional[: len(positional) - len(init.args.defaults)]
    values = []
    for arg in required:
        value = _value_for(arg, init, cls)
        if value is None:
            return None
        values.append(value)
    for arg, default in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True):
        if default is None:
            value = _value_for(arg, init, cls)
            if value is None:
                return None
            values.append(f"{arg.arg}={value}")
    return f"{class_name}({', '.join(values)})"


def _class(source: str, name: str) -> ast.ClassDef | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


def _is_dataclass(cls: ast.ClassDef) -> bool:
    return any("dataclass" in ast.unparse(d) for d in cls.decorator_list)


def _value_for(arg: ast.arg, init: ast.FunctionDef, cls: ast.ClassDef) -> str | None:
    if arg.annotation is not None:
        return _from_annotation(arg.annotation)
    return _from_use(arg.arg, init, cls) or _from_name(arg.arg)


def _from_annotation(annotation: ast.expr) -> str | None:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):  # int | None
        return _from_annotation(annotation.left) or _from_annotation(annotation.right)
    if isinstance(annotation, ast.Subscript):
        outer = ast.unparse(annotation.value).rsplit(".", 1)[-1]
        inner = annotation.slice
        if outer == "Optional":
            return _from_annotation(inner)
        if outer in ("list", "List", "Sequence", "Iterable") and isinstance(inner, ast.Name):
            return _ITEMS.get(inner.id, "[]")
        return _BY_TYPE.get(outer)
    if isinstance(annotation, ast.Name | ast.Attribute):
        return _BY_TYPE.get(ast.unparse(annotation).rsplit(".", 1)[-1])
    return None


def _from_use(name: str, init: ast.FunctionDef, cls: ast.ClassDef) -> str | None:
    """The type the class's code treats the parameter as: directly in __init__, or as the attribute it
    is stored in (`self.capacity = capacity`) anywhere in the class."""
    attributes = {
        target.attr
        for node in ast.walk(init)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == name
        for target in node.targets
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
    }

    def is_it(node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id == name
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and (node.attr in attributes)
        )

    for node in ast.walk(cls):
        kind = _use(node)
        if kind is not None and any(is_it(operand) for operand in kind[1]):
            return kind[0]
    return None


def _use(node: ast.AST) -> tuple[str, list[ast.expr]] | None:
    """What `node` says about the type of its operands: a value of that type, and the operands."""
    numeric = ast.Sub | ast.Mult | ast.Div | ast.FloorDiv | ast.Mod
    if isinstance(node, ast.BinOp) and isinstance(node.op, numeric):
        return "10", [node.left, node.right]
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        if any(isinstance(c, ast.Constant) and type(c.value) is int for c in operands):
            return "10", operands
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "range":
            return "10", list(node.args)
        if node.func.id in ("len", "sorted", "sum"):
            return "[1, 2, 3]", list(node.args)
    if isinstance(node, ast.For):
        return "[1, 2, 3]", [node.iter]
    return None


def _from_name(name: str) -> str | None:
    lowered = name.lower()
    if (
        lowered in _NUMBER_NAMES
        or lowered.startswith(("n_", "num_", "max_", "min_"))
        or any(lowered.endswith(part) for part in _NUMBER_PARTS)
    ):
        return "10"
    if lowered in _TEXT_NAMES or lowered.endswith(("name", "text", "_id")):
        return "'abc'"
    if lowered in _LIST_NAMES or (lowered.endswith("s") and len(lowered) > 3):
        return "[1, 2, 3]"
    return None


def preparation(source: str, class_name: str, method_name: str) -> str | None:
    """Another public method to call before `method_name`, when the method reads state that the constructor
    leaves empty and that method fills (`MinStack.pop` reads `self.arr`, `[]` until `push` appends): a test
    that calls `pop` on a new stack only shows it failing."""
    cls = _class(source, class_name)
    if cls is None:
        return None
    methods = {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}
    init, method = methods.get("__init__"), methods.get(method_name)
    if init is None or method is None:
        return None
    empty = {
        name
        for node in ast.walk(init)
        if isinstance(node, ast.Assign) and _is_empty(node.value)
        for target in node.targets
        if (name := _self_attribute(target))
    }
    read = {name for node in ast.walk(method) if (name := _self_attribute(node))} & empty
    read -= _filled(method)
    if not read:
        return None
    for name, other in methods.items():
        if name != method_name and not name.startswith("_") and _filled(other) & read:
            return name
    return None


def _self_attribute(node: ast.AST) -> str | None:
    """`arr` for `self.arr`, else None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def _is_empty(value: ast.expr) -> bool:
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.Tuple):
        return not (value.keys if isinstance(value, ast.Dict) else value.elts)
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and not value.args
        and (value.func.id in ("list", "dict", "set", "deque", "OrderedDict", "defaultdict"))
    )


def _filled(method: ast.FunctionDef) -> set[str]:
    """The attributes the method adds to: `self.arr.append(x)`, `self.d[k] = v`, `self.arr += …`."""
    found: set[str | None] = set()
    for node in ast.walk(method):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("append", "add", "extend", "insert", "appendleft", "update", "setdefault"):
                found.add(_self_attribute(node.func.value))
        elif isinstance(node, ast.Assign):  # self.d[k] = v
            found |= {_self_attribute(t.value) for t in node.targets if isinstance(t, ast.Subscript)}
        elif isinstance(node, ast.AugAssign):
            found.add(_self_attribute(node.target))
    return {name for name in found if name is not None}
