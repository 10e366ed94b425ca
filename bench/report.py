"""Markdown tables from benchmark results, for the README: `python bench/report.py [RESULT.json ...]`.

Without arguments it reads the newest latency and quality results in bench/results/ (full runs only,
not `--limit` ones).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def newest(pattern: str) -> Path | None:
    found = sorted((p for p in RESULTS.glob(pattern) if "-limit" not in p.name), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def cell(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if not unit and abs(value) < 10:  # a ratio or a share
            return f"{value:.3f}"
        return f"{value:,.1f}{unit}" if abs(value) < 100 else f"{value:,.0f}{unit}"
    return f"{value}{unit}"


def latency_tables(report: dict[str, Any]) -> str:
    rows = [
        "| system | p50 | p95 | p99 | answered | cancelled | stale | empty | service p50 | reuse | decode tok/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, data in report["systems"].items():
        lat, service = data["latency_ms"], data["service_ms"]
        rows.append(
            f"| {report['labels'].get(name, name)} | {cell(lat['p50'], ' ms')} | {cell(lat['p95'], ' ms')}"
            f" | {cell(lat['p99'], ' ms')} | {lat['n']}/{data['requests']} | {data['cancelled']} | {data['stale']}"
            f" | {data['empty']} | {cell(service['p50'], ' ms')} | {cell(data['prompt_reuse'])}"
            f" | {'–' if data['decode_tokens_per_s'] is None else format(data['decode_tokens_per_s'], '.1f')} |"
        )
    ratios = ["", "| ratio | measured | target | met |", "|---|---|---|---|"]
    for key, target in report["targets"].items():
        ratios.append(f"| `{key}` | {cell(report[key])} | {target} | {cell(report['targets_met'][key])} |")
    traces = ", ".join(f"{t['name']} ({t['keys']} keys)" for t in report["traces"])
    head = (
        f"Latency: {report['model']} ({report['model_file']}), {report['machine']}, {report['threads']} thread(s),"
        f" debounce {report['debounce_ms']:.0f} ms, {report['date']}; traces {traces}."
    )
    return "\n".join([head, "", *rows, *ratios])


def quality_table(report: dict[str, Any]) -> str:
    rows = [
        "| set | tasks | raw pass@1 | full pass@1 | empty-completion floor | generation s (raw / full) |",
        "|---|---|---|---|---|---|",
    ]
    for name, data in report["sets"].items():
        gen = data["generation_seconds"]
        rows.append(
            f"| {name} | {data['tasks']} | {data['pass_at_1_raw']:.3f} | {data['pass_at_1_full']:.3f}"
            f" | {data['empty_completion_floor']} | {gen['raw']:.0f} / {gen['full']:.0f} |"
        )
    minutes = report["wall_seconds"] / 60
    head = f"Quality: {report['model']}, {report['machine']}, {report['date']}, wall {minutes:.0f} min."
    return "\n".join([head, "", *rows])


def docgen_table(report: dict[str, Any]) -> str:
    rows = [
        "| style | functions | inserted | parse | ruff D | parameters covered | doctests | s / function |",
        "|---|---|---|---|---|---|---|---|",
        f"| {report['style']} | {report['functions']} | {report['inserted_rate']:.1%} | {report['parse_rate']:.1%}"
        f" | {report['ruff_d_pass_rate']:.1%} | {report['parameter_coverage_rate']:.1%}"
        f" | {cell(report['doctest_pass_rate'])} ({report['doctest_examples']} examples)"
        f" | {report['seconds_per_function']} |",
    ]
    head = f"Docstrings: {report['model']}, {report['machine']}, {report['date']}."
    return "\n".join([head, "", *rows])


def pct(share: float | None) -> str:
    return cell(None if share is None else 100 * share, " %")


def testgen_table(report: dict[str, Any]) -> str:
    rows = [
        "| functions | with tests | tests written | collect | pass 3× | kept | offered tests pass |"
        " line / branch coverage | mutation score (HumanEval's own) | s / function |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {report['problems']} | {report['problems_with_tests']} | {report['tests_written']}"
        f" | {pct(report['collect_rate'])} | {pct(report['pass_rate'])} | {pct(report['kept_rate'])}"
        f" | {pct(report['offered_pass_rate'])} ({report['offered_tests']})"
        f" | {cell(report['line_coverage_mean'], ' %')} / {cell(report['branch_coverage_mean'], ' %')}"
        f" | {pct(report['mutation_score_mean'])} ({pct(report['human_eval_mutation_score_mean'])},"
        f" {report['mutation_sample']} functions) | {report['seconds_per_function']} |",
    ]
    head = f"Tests: {report['model']}, {report['machine']}, {report['date']}."
    return "\n".join([head, "", *rows])


TABLES = {"latency": latency_tables, "docgen": docgen_table, "testgen": testgen_table}


def main(paths: list[str]) -> int:
    chosen = [Path(p) for p in paths] or [p for p in (newest("latency-*.json"), newest("fim_quality-*.json")) if p]
    if not chosen:
        print("no results in bench/results/: run bench/latency.py or bench/fim_quality.py first", file=sys.stderr)
        return 1
    for path in chosen:
        report = json.loads(path.read_text())
        print(TABLES.get(report.get("benchmark", ""), quality_table)(report))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
