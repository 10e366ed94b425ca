"""Function boundaries (tree-sitter) and the memory of what was reviewed."""

from __future__ import annotations

import pytest

from copiloto.review.functions import FunctionSpan, ReviewMemory, function_spans

FILE = """import os

@decorator
def top(x):
    return x


class Box:
    def put(self, item):
        def inner():
            return item
        return inner

    async def get(self):
        return 1


if os.name == "nt":
    def windows_only():
        return 2

def broken(y):
    return y +

def after():
    return 3
"""


def spans() -> dict[str, FunctionSpan]:
    return {span.qualname: span for span in function_spans(FILE)}


@pytest.mark.parametrize(
    ("qualname", "start", "end", "parses"),
    [
        ("top", 2, 4, True),  # decorators belong to the function
        ("Box.put", 8, 11, True),  # nested defs are part of their parent
        ("Box.get", 13, 14, True),
        ("windows_only", 18, 19, True),  # defs inside if blocks are found
        ("broken", 21, 22, False),  # a syntax error inside: not reviewed
        ("after", 24, 25, True),  # the file's error does not hide the functions after it
    ],
)
def test_spans(qualname: str, start: int, end: int, parses: bool) -> None:
    span = spans()[qualname]
    assert (span.start_line, span.end_line, span.parses) == (start, end, parses)
    assert span.text == "\n".join(FILE.split("\n")[start : end + 1])


def test_only_functions_and_methods_are_listed() -> None:
    assert list(spans()) == ["top", "Box.put", "Box.get", "windows_only", "broken", "after"]


def test_digest_follows_the_text_not_the_place() -> None:
    moved = function_spans("\n\n" + FILE)
    assert [s.digest for s in moved] == [s.digest for s in function_spans(FILE)]
    edited = function_spans(FILE.replace("return 3", "return 4"))
    assert edited[-1].digest != function_spans(FILE)[-1].digest


def test_memory_reviews_what_changed_and_parses() -> None:
    memory = ReviewMemory()
    first = function_spans(FILE)
    todo = memory.to_review("u", first)
    assert [s.qualname for s in todo] == ["top", "Box.put", "Box.get", "windows_only", "after"]
    for span in todo:
        memory.remember("u", span, (f"finding in {span.qualname}",))
    assert memory.to_review("u", first) == []
    edited = function_spans(FILE.replace("return 3", "return 4"))
    assert [s.qualname for s in memory.to_review("u", edited)] == ["after"]
    assert next(s.qualname for s in memory.to_review("other", edited)) == "top"  # per document


def test_memory_keeps_findings_of_moved_functions_and_drops_changed_ones() -> None:
    memory = ReviewMemory()
    for span in function_spans(FILE):
        memory.remember("u", span, (span.qualname,))
    shifted = function_spans("# a new first line\n" + FILE.replace("return 3", "return 4"))
    current = {span.qualname: (span.start_line, found) for span, found in memory.current("u", shifted)}
    assert current["top"] == (3, ("top",))  # moved down one line, finding kept
    assert "after" not in current  # changed: its old findings no longer apply
    memory.forget("u")
    assert list(memory.current("u", shifted)) == []


def test_memory_is_bounded() -> None:
    memory = ReviewMemory(max_documents=2)
    span = function_spans(FILE)[0]
    for uri in ("a", "b", "c"):
        memory.remember(uri, span, ())
    assert memory.to_review("a", [span]) == [span]  # the oldest document was forgotten
    assert memory.to_review("c", [span]) == []
