"""PHP completion context: the tree-sitter analysis (context/_php.py) against the brace heuristic it replaced
(context/_braces.py), at the end of every line of real PHP files.

    .venv/bin/python bench/php_context.py [--max-public-files 200] [--max-per-file 400] [--out PATH]

Files: ours (bench/traces, tests/, the demo project) and public PHP found on this machine (installed packages,
../shared), at most --max-public-files of them, at most --max-per-file line ends each (evenly spread). At each
line end `build_context(text, offset, "php")` runs twice: as shipped, and with PHP sent to the brace heuristic;
the two scopes (kind and name; rows) and modes are compared, and each analysis is timed on its own (the window
the builder cuts is the same for both). Which way the tree analysis went is counted too: the tree, the brace
fallback on a masked window (an ERROR around the cursor), the plain brace fallback (the cursor in HTML).

Writes bench/results/php_context-<date>.json with the agreement shares, the timings (p50, p95, max in ms) and
a sample of the disagreements, each with the line and both answers; exits 0 (a measurement, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from copiloto.context import _braces, _php, builder
from copiloto.context._braces import BraceResult
from copiloto.context.model import CompletionContext

REPO = Path(__file__).resolve().parent.parent
OURS = [REPO / "bench" / "traces", REPO / "tests", REPO / "server" / "copiloto" / "demo"]
PUBLIC_ROOTS = [Path("/usr"), Path("/opt"), REPO.parent / "shared", REPO / ".venv"]
MAX_FILE_BYTES = 200_000
SAMPLE = 80  # disagreements kept in the report, per kind ...
PER_FILE = 2  # ... and per file, so that the sample is not one long function's lines


def php_files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.endswith(".php") and path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
                yield path


def collect(max_public: int) -> tuple[list[Path], list[Path]]:
    ours = [p for root in OURS for p in php_files(root)]
    public: list[Path] = []
    for root in PUBLIC_ROOTS:
        for path in php_files(root):
            if len(public) >= max_public:
                return ours, public
            if REPO not in path.parents or ".venv" in path.parts:
                public.append(path)
    return ours, public


def line_ends(text: str, limit: int) -> list[int]:
    ends = [i for i, ch in enumerate(text) if ch == "\n"] + [len(text)]
    step = max(1, len(ends) // limit)
    return ends[::step][:limit]


class Timed:
    """An analysis of the window, timed; swapped in for builder._php.analyze."""

    def __init__(self, fn: Callable[..., BraceResult]) -> None:
        self.fn = fn
        self.ms: list[float] = []

    def analyze(self, lines: list[str], crow: int, ccol: int, unit: str, *, at_start: bool = True) -> BraceResult:
        t0 = time.perf_counter()
        result = self.fn(lines, crow, ccol, unit, at_start=at_start)
        self.ms.append((time.perf_counter() - t0) * 1000)
        return result


def braces_only(lines: list[str], crow: int, ccol: int, unit: str, *, at_start: bool = True) -> BraceResult:
    return _braces.analyze(lines, crow, ccol, unit, "php")


def swap(module: ModuleType, name: str, value: object) -> None:
    """Replace a module global for the measurement (a stand-in with the same interface)."""
    module.__dict__[name] = value


class PathCounter:
    """Which way `_php.analyze` went: its calls of the fallbacks are counted (installed once)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        masked, brace_analyze = _php._fallback, _braces.analyze

        def fallback(*args: Any) -> BraceResult:
            self.counts["masked-braces"] += 1
            return masked(*args)

        def braces(*args: Any) -> BraceResult:
            self.counts["braces-calls"] += 1  # the masked fallback's own call too
            return brace_analyze(*args)

        swap(_php, "_fallback", fallback)
        swap(_php, "_braces", _Shim(braces))

    def take(self) -> dict[str, int]:
        masked = self.counts["masked-braces"]
        out = {"masked-braces": masked, "plain-braces": self.counts["braces-calls"] - masked}
        self.counts.clear()
        return out


class _Shim:
    """Stands for the _braces module inside _php."""

    def __init__(self, analyze: Callable[..., BraceResult]) -> None:
        self.analyze = analyze


PATHS = PathCounter()


def scope_of(ctx: CompletionContext) -> list[Any] | None:
    s = ctx.scope
    return None if s is None else [s.kind, s.name, s.start_line, s.end_line, s.body_indent]


def compare_file(path: Path, limit: int, tree: Timed, heur: Timed, stats: Counter[str], diffs: dict[str, list]) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    seen: Counter[str] = Counter()
    for offset in line_ends(text, limit):
        swap(builder, "_php", tree)
        new = builder.build_context(text, offset, "php")
        swap(builder, "_php", heur)
        old = builder.build_context(text, offset, "php")
        swap(builder, "_php", _php)
        if new.skip_reason is not None:
            continue
        stats["positions"] += 1
        a, b = scope_of(new), scope_of(old)
        row = text.count("\n", 0, offset)
        record = {
            "file": str(path),
            "line": row + 1,
            "text": lines[row][:160],
            "php": [new.mode, a],
            "braces": [old.mode, b],
        }
        for key, same in (
            ("scope", a is not None and b is not None and a[:2] == b[:2]),
            ("rows", a is not None and b is not None and a[2:4] == b[2:4]),
            ("mode", new.mode == old.mode),
        ):
            stats[f"{key}_agree"] += same
            if key == "scope" and not same:  # which kinds disagree: php's answer first
                stats[f"kinds {a[0] if a else None} / {b[0] if b else None}"] += 1
            seen[key] += not same
            if not same and seen[key] <= PER_FILE and len(diffs[key]) < SAMPLE:
                diffs[key].append(record)


def percentiles(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {}
    ordered = sorted(ms)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "max": round(ordered[-1], 3),
    }


def run(files: list[Path], limit: int) -> dict[str, Any]:
    builder.build_context("<?php\nfunction f() {\n", 20, "php")  # grammar loaded, parser made: not timed
    tree, heur = Timed(_php.analyze), Timed(braces_only)
    PATHS.take()
    stats: Counter[str] = Counter()
    diffs: dict[str, list] = {"scope": [], "rows": [], "mode": []}
    for path in files:
        compare_file(path, limit, tree, heur, stats, diffs)
    n = stats["positions"] or 1
    taken = PATHS.take()
    return {
        "files": len(files),
        "positions": stats["positions"],
        "agreement": {k: round(stats[f"{k}_agree"] / n, 4) for k in ("scope", "rows", "mode")},
        "disagreements": {k: stats["positions"] - stats[f"{k}_agree"] for k in ("scope", "rows", "mode")},
        "scope_kinds_php_braces": {k[6:]: v for k, v in sorted(stats.items()) if k.startswith("kinds ")},
        "php_paths": {"tree": stats["positions"] - sum(taken.values()), **taken},
        "ms_php": percentiles(tree.ms),
        "ms_braces": percentiles(heur.ms),
        "sample": diffs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--max-public-files", type=int, default=200)
    parser.add_argument("--max-per-file", type=int, default=400)
    parser.add_argument("--out", type=Path, help="default: bench/results/php_context-<date>.json")
    args = parser.parse_args()
    ours, public = collect(args.max_public_files)
    report = {
        "ours": run(ours, args.max_per_file),
        "public": run(public, args.max_per_file),
        "max_per_file": args.max_per_file,
    }
    out = args.out or REPO / "bench" / "results" / f"php_context-{date.today().isoformat()}.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for group in ("ours", "public"):
        r = report[group]
        print(group, r["files"], "files", r["positions"], "positions", r["agreement"], r["php_paths"])
        print("  ms php", r["ms_php"], "ms braces", r["ms_braces"])
    print("wrote", out)


if __name__ == "__main__":
    main()
