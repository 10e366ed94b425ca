"""What a failed test says to a person: the statement of the test that failed and what the code did there,
read from pytest's short traceback (`--tb=short`) — not the traceback's last line, which for an assertion on a
method is `where put = <Shelf object at 0x…>.put`."""

from __future__ import annotations

import re

# "test_x.py:9: in test_shelf_put": the frame of the test function itself; the next line is its statement.
_TEST_FRAME = re.compile(r"^\S+:\d+: in (?P<test>test\w*)$")
# "+  where 2 = put('a', 5)": pytest's rewrite of what a call in the assertion returned.
_WHERE = re.compile(r"^\+\s+where (?P<value>.+?) = (?P<call>.+)$")
# Checks wrapped around the call under test (`isinstance(f(x), int)`): their own value says little.
_WRAPPERS = ("isinstance(", "len(", "type(", "all(", "any(", "sorted(", "set(", "list(", "tuple(", "bool(")


def failure_words(output: str) -> str:
    """One line: `assert shelf.put("a", 5) == 0`, but put('a', 5) gave 2 — or `shelf.put(None)` raised
    TypeError: …; "" when the output holds no traceback."""
    lines = output.splitlines()
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    if not errors:
        return ""
    statement = next(
        (lines[i + 1].strip() for i, line in enumerate(lines[:-1]) if _TEST_FRAME.match(line.strip())), ""
    )
    first = re.sub(r"^AssertionError: (?=assert )", "", errors[0])
    if statement.startswith("assert ") or first.startswith("assert "):
        wheres = [m for e in errors if (m := _WHERE.match(e)) is not None and "<" not in m["value"]]
        where = next((m for m in wheres if not m["call"].startswith(_WRAPPERS)), None)
        got = f"{where['call']} gave {where['value']}" if where is not None else first
        return f"`{statement}` failed: {got}" if statement else got
    if errors[-1].startswith("Failed: "):  # pytest.fail(), pytest.raises(...) that did not raise
        return f"`{statement}` failed: {errors[-1].removeprefix('Failed: ')}" if statement else errors[-1]
    return f"`{statement}` raised {errors[-1]}" if statement else errors[-1]
