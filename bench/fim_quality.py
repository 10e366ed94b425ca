"""HumanEval infilling pass@1 through two arms on the same model: the raw FIM prompt, and Copiloto's
full completion path (context, single/multi-line policy, budgets, healing, filters).

    .venv/bin/python bench/fim_quality.py [--limit N] [--set single|multi|both] [--model tiny]

Writes bench/results/fim_quality-<model>-<date>.json. Each task's program is
`prompt + completion + suffix + test + check(entry_point)`, run in its own process with a timeout.
The editor view of a task: the document is prompt + suffix with the cursor on an empty line where the
hole is (a newline is added when the suffix does not start with one, as a user would have typed it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from copiloto.config import load_settings
from copiloto.context import build_context
from copiloto.engine.types import GenerationRequest
from copiloto.runtime import start_runtime
from machine import describe

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "human-eval-infilling"
SETS = {
    "single": "HumanEval-SingleLineInfilling.jsonl.gz",
    "multi": "HumanEval-MultiLineInfilling-sample164.jsonl.gz",
}
RAW_MAX_TOKENS = 128


def load_tasks(data: Path, name: str, limit: int | None) -> list[dict[str, Any]]:
    with gzip.open(data / SETS[name], "rt") as fh:
        tasks = [json.loads(line) for line in fh]
    return tasks[:limit] if limit else tasks


def editor_view(task: dict[str, Any]) -> tuple[str, int, str]:
    """The document, the cursor offset, and the text that joins the insertion to the suffix."""
    prompt, suffix = task["prompt"], task["suffix"]
    join = "" if suffix.startswith("\n") else "\n"
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


def progress(name: str, done: int, total: int, futures: Sequence[tuple[Future[bool], ...]], began: float) -> None:
    """One line per 25 tasks: how far, the pass rates of the programs already run, and the time left."""
    finished = [f for f in futures if all(x.done() for x in f)]
    rate = {arm: sum(f[i].result() for f in finished) / max(1, len(finished)) for i, arm in enumerate(("raw", "full"))}
    elapsed = time.perf_counter() - began
    eta = elapsed / done * (total - done)
    print(
        f"  {name} {done}/{total}  raw {rate['raw']:.3f}  full {rate['full']:.3f}  (over {len(finished)} run)"
        f"  {elapsed / 60:.1f} min, ~{eta / 60:.1f} min left",
        flush=True,
    )


def evaluate(runtime: Any, name: str, tasks: list[dict[str, Any]], pool: ThreadPoolExecutor) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    futures: list[tuple[Future[bool], Future[bool], Future[bool]]] = []
    gen_s = {"raw": 0.0, "full": 0.0}
    began = time.perf_counter()
    for done, task in enumerate(tasks, 1):
        text, offset, join = editor_view(task)
        started = time.perf_counter()
        raw = runtime.engine.submit(
            GenerationRequest(task["prompt"], task["suffix"], max_tokens=RAW_MAX_TOKENS, stop=raw_stops(task["suffix"]))
        ).future.result()
        gen_s["raw"] += time.perf_counter() - started
        started = time.perf_counter()
        runtime.completions.cache.clear()
        full = runtime.completions.complete_blocking("file:///bench/task.py", text, offset, "python")
        gen_s["full"] += time.perf_counter() - started
        mode = build_context(text, offset, "python").mode
        rows.append({"task_id": task["task_id"], "raw": raw.text, "full": full.text, "mode": mode})
        # The raw arm is spliced as the model said it (its own newline handling), like a plain FIM client.
        futures.append(
            (
                pool.submit(run_program, program(task, raw.text, "")),
                pool.submit(run_program, program(task, full.text, join)),
                pool.submit(run_program, program(task, "", "")),
            )
        )
        if done % 25 == 0:
            progress(name, done, len(tasks), futures, began)
    for row, (raw_ok, full_ok, empty_ok) in zip(rows, futures, strict=True):
        row["raw_pass"], row["full_pass"], row["empty_pass"] = raw_ok.result(), full_ok.result(), empty_ok.result()
    n = len(rows)
    return {
        "tasks": n,
        "pass_at_1_raw": sum(r["raw_pass"] for r in rows) / n,
        "pass_at_1_full": sum(r["full_pass"] for r in rows) / n,
        "empty_completion_floor": sum(r["empty_pass"] for r in rows),
        "multi_line_mode_share": sum(r["mode"] == "multi" for r in rows) / n,
        "generation_seconds": {k: round(v, 1) for k, v in gen_s.items()},
        "disagreements": [r for r in rows if r["raw_pass"] != r["full_pass"]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="only the first N tasks of each set")
    parser.add_argument("--set", choices=("single", "multi", "both"), default="both")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
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
    started = time.perf_counter()
    report: dict[str, Any] = {
        "model": runtime.choice.name,
        "machine": describe(),
        "date": date.today().isoformat(),
        "stop_strings_full": "copiloto.completion.pipeline.stop_strings",
        "sets": {},
    }
    names = ("single", "multi") if args.set == "both" else (args.set,)
    with ThreadPoolExecutor(max_workers=1) as pool:  # tests run on the other core while the model works
        for name in names:
            result = evaluate(runtime, name, load_tasks(args.data, name, args.limit), pool)
            report["sets"][name] = result
            print(
                f"{name}: {result['tasks']} tasks  raw {result['pass_at_1_raw']:.3f}"
                f"  full {result['pass_at_1_full']:.3f}"
                f"  empty floor {result['empty_completion_floor']}  generation {result['generation_seconds']}",
                flush=True,
            )
    runtime.close()
    first = report["sets"][names[0]]
    report.update(
        pass_at_1_full=first["pass_at_1_full"],
        pass_at_1_raw=first["pass_at_1_raw"],
        tasks=first["tasks"],
        empty_completion_floor=first["empty_completion_floor"],
        wall_seconds=round(time.perf_counter() - started, 1),
    )
    args.out.mkdir(parents=True, exist_ok=True)
    out = (
        args.out
        / f"fim_quality-{report['model']}-{report['date']}{'-limit' + str(args.limit) if args.limit else ''}.json"
    )
    out.write_text(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
