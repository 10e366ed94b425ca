"""Typing traces rebuild the file they were cut from, key by key, with a person's pauses."""

from __future__ import annotations

import itertools
import json.decoder
import textwrap
from pathlib import Path

import pytest

from typing_trace import (
    AFTER_ENTER_PAUSE_S,
    KEY_PAUSE_S,
    LINE_END_PAUSE_S,
    build_trace,
    keystrokes_for,
    language_of,
    region_start,
)

REPO = Path(__file__).resolve().parents[2]
FILES = [
    Path(textwrap.__file__),
    Path(json.decoder.__file__),
    REPO / "server" / "copiloto" / "completion" / "pipeline.py",
    REPO / "bench" / "traces" / "TicketStatsProvider.php",
]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_typing_every_key_gives_back_the_file(path: Path) -> None:
    trace = build_trace(path, max_keys=200)
    final, cursor = trace.documents()[-1]
    assert final == path.read_text(encoding="utf-8")
    assert final[cursor] == "\n", "a trace ends at a line end, never before the rest of a half-typed line"
    assert 100 <= len(trace.keys) <= 200


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_cursor_line_has_nothing_after_it_while_typing(path: Path) -> None:
    for text, cursor in build_trace(path, max_keys=150).documents():
        assert text[cursor:].split("\n", 1)[0] == ""


def test_enter_carries_the_next_lines_indentation() -> None:
    assert keystrokes_for("if x:\n    y = 1\nz") == [*"if x:", "\n    ", *"y = 1", "\n", "z"]


def test_pauses_are_a_persons() -> None:
    trace = build_trace(FILES[0], max_keys=250)
    keys = trace.keys
    for key, following in itertools.pairwise(keys):
        gap = following.at_s - key.at_s
        if following.text.startswith("\n"):
            low, high = LINE_END_PAUSE_S
        elif key.text.startswith("\n"):
            low, high = AFTER_ENTER_PAUSE_S
        else:
            low, high = KEY_PAUSE_S
        assert low <= gap <= high + 1e-3


def test_the_same_seed_gives_the_same_trace_and_another_seed_other_pauses() -> None:
    one, again, other = (build_trace(FILES[1], 120, seed=s) for s in (0, 0, 1))
    assert one == again
    assert [k.text for k in one.keys] == [k.text for k in other.keys]
    assert [k.at_s for k in one.keys] != [k.at_s for k in other.keys]


def test_typing_starts_at_a_definition_in_the_second_half() -> None:
    lines = ["def early():", "    pass"] + ["x = 1"] * 8 + ["def f():", "    return 1"] + ["y = 2"] * 3 + ["class C:"]
    assert region_start(lines) == 10
    assert region_start(["a"] * 10) == 4  # no definition: from the same place anyway


def test_languages_follow_the_file_name() -> None:
    assert [language_of(p) for p in FILES] == ["python", "python", "python", "php"]
