"""From what the model wrote to test functions worth running: one behaviour per test, named for it.

The model writes a test body: usually a run of `assert f(...) == ...` lines, some `pytest.raises` blocks,
or, for methods, a few setup statements and asserts. A run of independent asserts is split into one
test each, so verification keeps the right ones and drops the wrong ones instead of losing all of them
to the first wrong value. A body with setup (an object built, then used) stays one test.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import textwrap
from dataclasses import dataclass, field
from typing import Literal

from copiloto.testgen.examples import Example

Origin = Literal["docstring", "model", "refined", "pinned"]  # pinned: an observed value (pin.py)
INDENT = "    "
MAX_CHECKS_PER_BODY = 6  # a model that repeats itself writes dozens; the first few say as much
_SLUG_CHARS = 32


@dataclass(frozen=True)
class Candidate:
    name: str  # the test function's name
    source: str  # the whole `def test_...():` block
    origin: Origin
    example: Example | None = None  # the documented example it checks (origin "docstring")
    uses_pytest: bool = False  # needs `import pytest`
    key: str = field(default="", compare=False)  # what it checks, for leaving out repeats
    stem: str = ""  # the name before unique_name numbered it: kept tests are numbered again among themselves


def complete_body(text: str) -> list[ast.stmt]:
    """The statements of a test body the model wrote (indented, no `def` line), cut before the first
    one that does not parse: generation stops mid-line when it runs out of tokens."""
    lines = textwrap.dedent(text).rstrip().split("\n")
    while lines:
        try:
            return ast.parse("\n".join(lines)).body
        except SyntaxError:
            lines.pop()
    return []


def candidates_from_body(
    body: list[ast.stmt], target: str, origin: Origin, taken: set[str], seen: set[str], stem: str = ""
) -> list[Candidate]:
    """Tests from one written body, one check each: a run of asserts (and `pytest.raises` blocks) is split
    into one test per check; a body with setup gives one test per check holding the setup before it
    (earlier asserts on method calls stay as plain calls: the object's state must not change). Checks
    that never call `target` are left out, and so are tests whose key (what they check) is in `seen`;
    the new keys join it. Tests are named `test_<stem>…` (stem: the target's name by default)."""
    stem = stem or _base(target)
    checks = [node for node in body if _is_check(node)]
    if not checks or not any(_mentions(node, target) for node in body):
        return []
    independent = len(checks) == len(body)
    setup: list[ast.stmt] = []
    tests = []
    for node in body[: _last_check(body, MAX_CHECKS_PER_BODY) + 1]:
        if not _is_check(node):
            setup.append(node)
            continue
        statements = [*setup, node]
        key = ast.dump(_checked_call(node) or node) if independent else "\n".join(map(ast.dump, statements))
        if not ((independent and not _mentions(node, target)) or key in seen):
            seen.add(key)
            slug = _slug(node) if independent else ""
            name = unique_name(f"test_{stem}{slug}", taken)
            tests.append(_candidate(name, statements, origin, key, f"test_{stem}{slug}"))
        if not independent:
            _keep_effects(node, setup)
    return tests


def _last_check(body: list[ast.stmt], most: int) -> int:
    """The index of the `most`-th check in `body` (or of its last one): later statements are left out."""
    indexes = [index for index, node in enumerate(body) if _is_check(node)]
    return indexes[min(most, len(indexes)) - 1]


def _keep_effects(check: ast.stmt, setup: list[ast.stmt]) -> None:
    """After `assert obj.push(1) == 1`, later tests still need the push: the call stays, as a statement."""
    call = _checked_call(check)
    if isinstance(check, ast.Assert) and isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
        setup.append(ast.Expr(call))


def example_key(example: Example) -> str:
    """The key of the call a documented example makes: the model's tests of that call are left out (the
    documentation, not the current code, says what it should give)."""
    return ast.dump(ast.parse(example.call, mode="eval").body)


def from_example(example: Example, target: str, number: int, taken: set[str]) -> Candidate:
    """The test of one documented example: `assert f(2) == 4` (floats compared with pytest.approx)."""
    expected = ast.parse(example.expected, mode="eval").body
    approx = any(isinstance(node, ast.Constant) and isinstance(node.value, float) for node in ast.walk(expected))
    value = f"pytest.approx({example.expected})" if approx else example.expected
    node = ast.parse(f"assert {example.call} == {value}").body[0]
    stem = f"test_{_base(target)}_documented_example_{number}"
    candidate = _candidate(unique_name(stem, taken), [node], "docstring", example_key(example), stem)
    return Candidate(candidate.name, candidate.source, "docstring", example, candidate.uses_pytest, candidate.key, stem)


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`… when taken; the result joins `taken`."""
    chosen, number = name, 2
    while chosen in taken:
        chosen, number = f"{name}_{number}", number + 1
    taken.add(chosen)
    return chosen


def renamed(candidate: Candidate, name: str) -> Candidate:
    """The same test under another name."""
    header = re.compile(rf"^def {re.escape(candidate.name)}\(")
    source = header.sub(f"def {name}(", candidate.source, count=1)
    return dataclasses.replace(candidate, name=name, source=source)


def checked_call(candidate: Candidate) -> str | None:
    """The call a one-assert test checks, as source ("clamp(1, 0, 5)"): what failure feedback names."""
    body = ast.parse(candidate.source).body[0]
    if isinstance(body, ast.FunctionDef) and len(body.body) == 1:
        call = _checked_call(body.body[0])
        return ast.unparse(call) if call is not None else None
    return None


def idiomatic(node: ast.stmt) -> ast.stmt:
    """`assert f(x) == True` as a person writes it: `assert f(x)`; `== False` -> `assert not f(x)`,
    `== None` -> `is None` (ruff's E712/E711). Other statements are returned as they are."""
    if not (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1):
        return node
    op, right = node.test.ops[0], node.test.comparators[0]
    if not (isinstance(op, ast.Eq | ast.NotEq) and isinstance(right, ast.Constant)):
        return node
    left, negate = node.test.left, isinstance(op, ast.NotEq)
    if right.value is None:
        test: ast.expr = ast.Compare(left, [ast.IsNot() if negate else ast.Is()], [right])
    elif right.value is True or right.value is False:
        test = left if (right.value is True) != negate else ast.UnaryOp(ast.Not(), left)
    else:
        return node
    return ast.Assert(test=test, msg=node.msg)


def _candidate(name: str, body: list[ast.stmt], origin: Origin, key: str, stem: str) -> Candidate:
    code = "\n".join(ast.unparse(idiomatic(node)) for node in body)
    source = f"def {name}():\n{textwrap.indent(code, INDENT)}\n"
    uses_pytest = any(isinstance(n, ast.Name) and n.id == "pytest" for node in body for n in ast.walk(node))
    return Candidate(name, source, origin, None, uses_pytest, key, stem)


def _is_check(node: ast.stmt) -> bool:
    """An assert, or a `with pytest.raises(...)` block: a statement that checks something on its own."""
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.With) and len(node.items) == 1:
        context = node.items[0].context_expr
        return isinstance(context, ast.Call) and ast.unparse(context.func) == "pytest.raises"
    return False


def _mentions(node: ast.stmt, target: str) -> bool:
    """Whether the statement calls the target (by name, or as `something.name(...)` for methods)."""
    name = _base(target)
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if (isinstance(func, ast.Name) and func.id == name) or (
                isinstance(func, ast.Attribute) and func.attr == name
            ):
                return True
    return False


def _checked_call(node: ast.stmt) -> ast.expr | None:
    """The call an assert compares (`f(x)` in `assert f(x) == y`), or the one a raises block makes."""
    if isinstance(node, ast.Assert):
        test = node.test
        if isinstance(test, ast.Compare) and isinstance(test.left, ast.Call):
            return test.left
        if isinstance(test, ast.UnaryOp | ast.Call):
            return test.operand if isinstance(test, ast.UnaryOp) else test
    if isinstance(node, ast.With) and node.body and isinstance(node.body[0], ast.Expr):
        return node.body[0].value
    return None


def _slug(node: ast.stmt) -> str:
    """`_10_0_5` for `assert clamp(10, 0, 5) == 5`, `_raises_valueerror` for a raises block; "" when the
    arguments make no short name (the name then gets a number from unique_name)."""
    if isinstance(node, ast.With):
        error = ast.unparse(node.items[0].context_expr.args[0]) if node.items[0].context_expr.args else "error"  # type: ignore[attr-defined]
        return "_raises_" + re.sub(r"\W+", "_", error.split(".")[-1]).lower()
    call = _checked_call(node)
    if not isinstance(call, ast.Call):
        return ""
    arguments = ", ".join(ast.unparse(arg) for arg in call.args)
    arguments = re.sub(r"(?<![\w)\]])-(?=[\d.])", "neg", arguments)  # clamp(-5, 0) and clamp(5, 0) differ
    words = re.sub(r"[^0-9a-zA-Z]+", "_", arguments).strip("_").lower()
    return f"_{words}" if words and len(words) <= _SLUG_CHARS else ""


def _base(target: str) -> str:
    return target.rsplit(".", 1)[-1]
