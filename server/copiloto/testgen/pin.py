"""Characterization tests: a model test whose call runs but whose expected value is wrong keeps its call,
and the value the current code gives is pinned in its place.

A probe runs the test's setup and the checked expression once, sandboxed, and reports what happened:
the value's `repr`, the object's public attributes the call changed, or the exception it raised (with
the line of the code under test that raised it), and whether the arguments and the value fit the
signature's annotations. `pin` then writes the test again with the observed values, under a comment
that says they are observed, not specified. What looks like a bug is not pinned: an exception that
neither the docstring nor the code's own `raise` statements allow (arguments that fit the signature),
or a value the return annotation does not allow. Those are reported as possible bugs instead.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from dataclasses import dataclass, field, replace

from copiloto.docstrings.target import Target
from copiloto.testgen.draft import INDENT, Candidate, idiomatic
from copiloto.testgen.draft import _checked_call as checked_expression
from copiloto.testgen.examples import is_value

MARKER = "# pinned: observed behaviour, not checked against a spec"
PROBE_NAME = "test_copiloto_probe"
MAX_REPR = 200  # longer values make tests nobody reads: not pinned
_TAG = "COPILOTO-PROBE:"
_TAG_RE = re.compile(re.escape(_TAG) + r"(\{.*\})")
# Errors a call with ill-typed arguments raises inside untyped code: the test's mistake more often than a bug.
_ARGUMENT_ERRORS = ("TypeError", "AttributeError")

_HELPERS = """
import inspect as _cp_inspect
import json as _cp_json
import traceback as _cp_traceback
import types as _cp_types
import typing as _cp_typing
from pathlib import Path as _cp_Path

_CP_MODULE = {module!r}


def _cp_conforms(value, hint):
    if hint is _cp_typing.Any or isinstance(hint, (str, _cp_typing.TypeVar)):
        return True
    origin = _cp_typing.get_origin(hint)
    if origin is _cp_typing.Union or origin is _cp_types.UnionType:
        return any(_cp_conforms(value, arg) for arg in _cp_typing.get_args(hint))
    if origin is not None:
        hint = origin
    if hint is None:
        hint = type(None)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return True
    if hint is complex and isinstance(value, (int, float)):
        return True
    try:
        return isinstance(value, hint)
    except TypeError:
        return True


def _cp_hints(function):
    try:
        return _cp_typing.get_type_hints(function)
    except Exception:
        return {{}}


def _cp_args_fit(function, args, kwargs):
    if function is None:
        return True
    try:
        bound = _cp_inspect.signature(function).bind(*args, **kwargs)
    except TypeError:
        return False
    except ValueError:
        return True
    hints = _cp_hints(function)
    return all(_cp_conforms(v, hints[k]) for k, v in bound.arguments.items() if k in hints)


def _cp_value_fits(function, value):
    hints = _cp_hints(function) if function is not None else {{}}
    return "return" not in hints or _cp_conforms(value, hints["return"])


def _cp_state(owner):
    try:
        items = vars(owner).items()
    except TypeError:
        return {{}}
    return {{k: repr(v) for k, v in items if not k.startswith("_")}}


def _cp_line(error):
    lines = [f.lineno for f in _cp_traceback.extract_tb(error.__traceback__)
             if _cp_Path(f.filename).resolve() == _cp_Path(_CP_MODULE).resolve()]
    return lines[-1] if lines else None
"""


@dataclass(frozen=True)
class Probe:
    """What the checked expression of one test did when run once."""

    value: str | None = None  # repr of the value (None when it raised)
    value_fits: bool = True  # the value is one the return annotation allows
    raised: str | None = None  # the exception's class name
    message: str = ""
    line: int | None = None  # 1-based line of the module under test that raised
    args_fit: bool = True  # the arguments bind to the signature and fit its annotations
    changed: dict[str, str] = field(default_factory=dict)  # the object's public attributes the call changed: repr
    arguments: dict[int, str] = field(default_factory=dict)  # positional arguments the call changed (in place): repr


@dataclass(frozen=True)
class Suspect:
    """A probe that looks like a bug rather than a wrong expectation: reported, never pinned."""

    call: str
    line: int | None  # 1-based line of the module under test (where it raised), None: the def line
    message: str


def probe_source(candidate: Candidate, module_file: str) -> str | None:
    """A test module that runs `candidate`'s setup and its checked expression and reports what happened
    (in its failure message), or None when the test checks no expression that could be pinned."""
    parts = _parts(candidate)
    if parts is None:
        return None
    setup, expression, _ = parts
    lines = [*(ast.unparse(node) for node in setup)]
    owner = "None"
    function = "None"
    if isinstance(expression, ast.Call) and not _unpacks(expression):
        if isinstance(expression.func, ast.Attribute) and isinstance(expression.func.value, ast.Name):
            owner = expression.func.value.id
        function = "_cp_f"
        args = ", ".join(ast.unparse(a) for a in expression.args)
        kwargs = ", ".join(f"{k.arg!r}: {ast.unparse(k.value)}" for k in expression.keywords)
        lines += [
            f"_cp_owner = {owner}",
            "_cp_before = _cp_state(_cp_owner)",
            f"_cp_f = {ast.unparse(expression.func)}",
            f"_cp_a = [{args}]",
            f"_cp_k = {{{kwargs}}}",
            "_cp_ab = [repr(a) for a in _cp_a]",
            "try:",
            f"{INDENT}_cp_v = _cp_f(*_cp_a, **_cp_k)",
        ]
    else:
        lines += [
            "_cp_owner = None",
            "_cp_before = {}",
            "_cp_a, _cp_k, _cp_ab = [], {}, []",
            "try:",
            f"{INDENT}_cp_v = {ast.unparse(expression)}",
        ]
    lines += [
        "except Exception as _cp_e:",
        f"{INDENT}_cp_r = {{'raised': type(_cp_e).__name__, 'message': str(_cp_e)[:200], 'line': _cp_line(_cp_e)}}",
        "else:",
        f"{INDENT}_cp_r = {{'value': repr(_cp_v), 'value_fits': _cp_value_fits({function}, _cp_v)}}",
        f"_cp_r['args_fit'] = _cp_args_fit({function}, _cp_a, _cp_k)",
        "_cp_after = _cp_state(_cp_owner)",
        "_cp_r['changed'] = {k: v for k, v in _cp_after.items() if _cp_before.get(k) != v}",
        "_cp_r['arguments'] = {i: repr(a) for i, a in enumerate(_cp_a) if repr(a) != _cp_ab[i]}",
        f"raise AssertionError({_TAG!r} + _cp_json.dumps(_cp_r))",
    ]
    body = textwrap.indent("\n".join(lines), INDENT)
    return f"{_HELPERS.format(module=module_file)}\n\ndef {PROBE_NAME}():\n{body}\n"


def read_probe(output: str) -> Probe | None:
    """The probe's report from a run's output, or None when it never got there (the setup failed)."""
    found = _TAG_RE.findall(output)
    if not found:
        return None
    try:
        data = json.loads(found[-1])
    except ValueError:
        return None
    changed = data.get("changed") or {}
    return Probe(
        value=data.get("value"),
        value_fits=bool(data.get("value_fits", True)),
        raised=data.get("raised"),
        message=str(data.get("message") or ""),
        line=data.get("line"),
        args_fit=bool(data.get("args_fit", True)),
        changed={str(k): str(v) for k, v in changed.items()},
        arguments={int(k): str(v) for k, v in (data.get("arguments") or {}).items()},
    )


def allowed_errors(target: Target) -> set[str]:
    """Exception names the target may raise: those its code raises and those its docstring names."""
    names = {name.rsplit(".", 1)[-1] for name in target.raises}
    names |= set(re.findall(r"\b([A-Z]\w*(?:Error|Exception))\b", target.docstring or ""))
    return names


def suspect(candidate: Candidate, probe: Probe, target: Target, annotated: bool) -> Suspect | None:
    """The probe's outcome when it looks like a bug in the code rather than a wrong expectation.

    An exception raised inside the code under test that it does not allow, for arguments that fit the
    signature (when the signature has no annotations, a TypeError or AttributeError is taken for the
    test's own mistake); or a value the return annotation does not allow."""
    parts = _parts(candidate)
    if parts is None:
        return None
    call = ast.unparse(parts[1])
    first, last = target.def_line + 1, target.end_line + 1
    if probe.raised is not None:
        inside = probe.line is not None and first <= probe.line <= last
        if not inside or not probe.args_fit or probe.raised in allowed_errors(target):
            return None
        if not annotated and probe.raised in _ARGUMENT_ERRORS:
            return None
        said = f": {probe.message}" if probe.message else ""
        return Suspect(
            call,
            probe.line,
            f"possible bug: {call} raises {probe.raised}{said} (line {probe.line}), which neither the "
            f"docstring nor the code of {target.name} allows",
        )
    if not probe.value_fits and probe.args_fit:
        shown = probe.value if probe.value is not None and len(probe.value) <= 80 else "a value"
        return Suspect(
            call,
            None,
            f"possible bug: {call} returns {shown}, which the annotation -> {target.return_annotation} does not allow",
        )
    return None


def pin(candidate: Candidate, probe: Probe, target: Target) -> Candidate | None:
    """`candidate` with its expectation replaced by what the probe observed, marked as pinned; None when
    there is nothing to pin (an unreadable value, an exception the target does not allow)."""
    parts = _parts(candidate)
    if parts is None:
        return None
    setup, expression, _ = parts
    bound, arranged, expression = _bind_changed_arguments(expression, probe, target)
    call = ast.unparse(expression)
    checks: list[str] = []
    uses_pytest = candidate.uses_pytest
    if probe.raised is not None:
        if probe.raised not in allowed_errors(target) or probe.raised in _ARGUMENT_ERRORS:
            return None
        checks.append(f"with pytest.raises({probe.raised}):\n{INDENT}{call}")
        uses_pytest = True
    elif probe.value is not None and len(probe.value) <= MAX_REPR and is_value(probe.value) and probe.value_fits:
        statement = ast.parse(f"assert {call} == {probe.value}").body[0]
        checks.append(ast.unparse(idiomatic(statement)))
    elif probe.changed or bound:
        checks.append(call)  # the value cannot be written down; what the call did to its object can
    else:
        return None
    owner = _owner(expression)
    if owner is not None and probe.raised is None:
        for attribute, value in sorted(probe.changed.items()):
            if len(value) <= MAX_REPR and is_value(value):
                checks.append(f"assert {owner}.{attribute} == {value}")
    if probe.raised is None:
        checks += [f"assert {name} == {value}" for name, value in bound.items()]
    if checks == [call]:
        return None
    body = [ast.unparse(node) for node in setup] + arranged + [MARKER, *checks]
    source = f"def {candidate.name}():\n{textwrap.indent(chr(10).join(body), INDENT)}\n"
    key = f"pinned:{candidate.key}"
    return replace(candidate, source=source, origin="pinned", uses_pytest=uses_pytest, key=key, example=None)


def _bind_changed_arguments(
    expression: ast.expr, probe: Probe, target: Target
) -> tuple[dict[str, str], list[str], ast.expr]:
    """Arguments the call changed in place (`moveZeroes([0, 1])`): each gets a variable of its own, named for
    its parameter, so that the test can check it afterwards. Returns {variable: value after}, the
    assignments that come before the call, and the call with the variables in place of the literals."""
    if probe.raised is not None or not probe.arguments or not isinstance(expression, ast.Call):
        return {}, [], expression
    names = [p for p in target.params if not p.startswith("*") and p not in ("self", "cls")]
    call = ast.Call(expression.func, list(expression.args), expression.keywords)
    bound: dict[str, str] = {}
    arranged: list[str] = []
    for index, value in sorted(probe.arguments.items()):
        if index >= len(call.args) or len(value) > MAX_REPR or not is_value(value):
            continue
        argument = call.args[index]
        if isinstance(argument, ast.Name):
            bound[argument.id] = value
            continue
        name = names[index] if index < len(names) and names[index].isidentifier() else f"argument_{index + 1}"
        bound[name] = value
        arranged.append(f"{name} = {ast.unparse(argument)}")
        call.args[index] = ast.Name(name, ast.Load())
    return bound, arranged, ast.fix_missing_locations(call) if bound else expression


def is_pinned(candidate: Candidate) -> bool:
    return candidate.origin == "pinned"


def _parts(candidate: Candidate) -> tuple[list[ast.stmt], ast.expr, ast.stmt] | None:
    """The test's setup, the expression its last statement checks, and that statement."""
    try:
        tree = ast.parse(candidate.source)
    except SyntaxError:
        return None
    function = tree.body[0] if tree.body else None
    if not isinstance(function, ast.FunctionDef) or not function.body:
        return None
    last = function.body[-1]
    expression: ast.expr | None = None
    if isinstance(last, ast.Assert) and isinstance(last.test, ast.Compare) and len(last.test.ops) == 1:
        expression = last.test.left
    else:
        expression = checked_expression(last)
    if expression is None or isinstance(expression, ast.Constant):
        return None
    return function.body[:-1], expression, last


def _owner(expression: ast.expr) -> str | None:
    if isinstance(expression, ast.Call):
        func = expression.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return func.value.id
    return None


def _unpacks(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
