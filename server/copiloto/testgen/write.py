"""Ask the local model for test bodies: the module above, the test file below, a started line to finish.

Small models write good calls and plausible expected values when the test is started for them
(`assert clamp(`); they wander when asked for a test file from nothing. What earlier runs showed goes
into the body as comments (`# clamp(10, 10, 11) returns 10`), the way a developer writes down what they
saw, and the model writes its next asserts knowing it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from copiloto.context.budget import cut_to_budget
from copiloto.docstrings.target import Target
from copiloto.engine.types import Engine, GenerationRequest, Priority, Stopped, never_stopped
from copiloto.testgen.draft import INDENT
from copiloto.testgen.errors import TestgenError
from copiloto.testgen.examples import is_value

PREFIX_TOKENS = 1200  # the module and the test file so far
BODY_TOKENS = 160  # six one-line asserts and change: a draft rarely has more worth running
REQUEST_TIMEOUT_S = 90.0
_STOPS = ("\ndef ", "\nclass ", "\n\n\n", "\nif __name__", "\n@")
_MAX_RAISES = 2  # exceptions that get a `pytest.raises` draft of their own


@dataclass(frozen=True)
class Prompt:
    module_path: str  # as the project names it ("pkg/mod.py")
    module_source: str
    test_path: str  # "tests/test_mod.py"
    header: str  # the test file's imports
    target: Target  # the function or method under test
    owner: Target | None  # the class, for a method


@dataclass(frozen=True)
class Observation:
    """What a run showed about one call, told to the model on the next draft."""

    call: str
    seen: str  # "returns 10", "raises TypeError: ..."
    value: str | None = None  # the returned value's repr, when it is a literal ("10", "'a'", "[1, 2]")

    def as_line(self) -> str:
        """An assert the model reads as a known-good example when the value is a literal, else a comment."""
        return f"assert {self.call} == {self.value}" if self.value is not None else f"# {self.call} {self.seen}"


def starts(
    target: Target,
    owner: Target | None,
    is_async: bool = False,
    construct: str | None = None,
    prepare: str | None = None,
) -> list[str]:
    """The lines each draft begins with: asserts on the return value, then one raises block per exception.

    A method starts by building its object: with `construct` (the constructor call, objects.py) the
    object is built and the method's call started, so the model only writes arguments and expectations;
    without it the model writes the constructor's arguments. `prepare`: another method that fills the
    state the method reads (`push` before `pop`), started first. A function that returns nothing starts with a
    call; a coroutine function's value comes through `asyncio.run`."""
    call = _callee(target, owner)
    if owner is not None and construct is not None and owner is not target and not is_async:
        built = f"{INDENT}{_variable(owner.name)} = {construct}\n"
        if prepare is not None:
            return [f"{built}{INDENT}{_variable(owner.name)}.{prepare}("]
        method = [f"{built}{INDENT}{'assert ' if target.returns else ''}{call}("]
        for error in target.raises[:_MAX_RAISES]:
            method.append(f"{built}{INDENT}with pytest.raises({error.rsplit('.', 1)[-1]}):\n{INDENT * 2}{call}(")
        return method
    if owner is not None:
        return [f"{INDENT}{_variable(owner.name)} = {owner.name}("]
    if not target.returns and not target.yields:
        return [f"{INDENT}asyncio.run({call}(" if is_async else f"{INDENT}{call}("]
    value = f"list({call}(" if target.yields else f"{call}("
    if is_async:
        value = f"asyncio.run({call}("
    drafts = [f"{INDENT}assert {value}"]
    for error in target.raises[:_MAX_RAISES]:
        drafts.append(f"{INDENT}with pytest.raises({error.rsplit('.', 1)[-1]}):\n{INDENT * 2}{call}(")
    return drafts


def write_body(
    engine: Engine,
    prompt: Prompt,
    start: str,
    observations: Sequence[Observation] = (),
    kept: Sequence[str] = (),
    stopped: Stopped = never_stopped,
    uncovered: Sequence[str] = (),
) -> str:
    """One test body (indented statements, starting with `start`), as the model continues it.

    `uncovered`: source lines of the target no kept test reaches yet, named in a comment so that the
    model picks arguments that get there."""
    if stopped():
        raise TestgenError("cancelled")
    name = prompt.target.name if prompt.owner is None else f"{_snake(prompt.owner.name)}_{prompt.target.name}"
    known = [f"{INDENT}{line}" for body in kept for line in body.strip("\n").splitlines()]
    notes = [f"{INDENT}{o.as_line()}" for o in observations]
    if uncovered:
        notes.append(f"{INDENT}# next: arguments that reach " + "; ".join(f"`{line}`" for line in uncovered))
    test_file = "\n".join(
        [f"# file: {prompt.test_path}", prompt.header, "", "", f"def test_{name}():", *known, *notes, start]
    )
    above = f"# file: {prompt.module_path}\n{prompt.module_source.rstrip()}\n\n\n"
    # The module is cut from its top when long; the test file is never cut (it ends where the model writes).
    room = max(0, PREFIX_TOKENS - engine.count_tokens(test_file))
    above, _ = cut_to_budget(above, "", engine.count_tokens, room, 0)
    request = GenerationRequest(
        prefix=above + test_file,
        max_tokens=BODY_TOKENS,
        stop=_STOPS,
        priority=Priority.ACTION,
        timeout_s=REQUEST_TIMEOUT_S,
    )
    result = engine.submit(request).future.result()
    if result.stop_reason == "error":
        raise TestgenError(f"the model failed: {result.error}")
    return start + result.text


def observations_from(call: str, output: str) -> Observation | None:
    """What pytest's report of a failed one-call test shows the call did: its value or its exception."""
    for value, expression in _WHERE.findall(output):
        if " ".join(expression.split()) == " ".join(call.split()):
            value = value.strip()
            return Observation(call, f"returns {value}", value if is_value(value) else None)
    # Strings, lists and dicts get a diff instead of a "where" line: `assert 'a-b' == 'a b'`.
    for comparison in _COMPARED.findall(output):
        value = _left_literal(comparison)
        if value is not None:
            return Observation(call, f"returns {value}", value)
    error = _ERROR.findall(output)
    if error:
        kind, message = error[-1]
        if kind == "AssertionError":
            return None  # an assert that pytest could not explain: nothing learned about the call
        message = message.strip()
        return Observation(call, f"raises {kind}" + (f": {message[:120]}" if message else ""))
    if "DID NOT RAISE" in output:
        return Observation(call, "does not raise")
    return None


_COMPARED = re.compile(r"^E\s+(?:AssertionError: )?assert (.+ == .+)$", re.MULTILINE)
_WHERE = re.compile(r"^E\s+\+\s+where (.+?) = (.+)$", re.MULTILINE)
_ERROR = re.compile(r"^E\s+([A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt))(?::\s*(.*))?$", re.MULTILINE)


def _left_literal(comparison: str) -> str | None:
    """`'a-b'` from `'a-b' == 'a b'`: the value before the first " == " that makes a whole literal (the
    right side may be anything: `8.0 == 15.0 ± 1.5e-05` from pytest.approx)."""
    at = comparison.find(" == ")
    while at != -1:
        left = comparison[:at].strip()
        if is_value(left):
            return left
        at = comparison.find(" == ", at + 1)
    return None


def _callee(target: Target, owner: Target | None) -> str:
    if owner is not None:
        return f"{_variable(owner.name)}.{target.name}"
    return target.name


def _variable(class_name: str) -> str:
    snake = _snake(class_name)
    return snake if snake.isidentifier() else "obj"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
