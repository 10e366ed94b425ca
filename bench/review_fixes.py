"""Quick fixes for bandit's findings (issue 19, part 6): how many findings get a fix, and do the fixes hold.

    .venv/bin/python bench/review_fixes.py [--data ../shared/data/bandit-examples/examples] [--extra DIR ...]

Every `.py` file under the folders is run through bandit as on save; every finding whose test id has rewrites
(copiloto.review.fixes.REGISTRY) gets every rewrite attempted and checked as the code action does. Reported:
- findings, and for the ids with rewrites the share with at least one fix offered, by test id;
- attempts by outcome: offered, refused (the rewrite saw no safe fix), broke-parse (the rewrite produced text
  that does not parse: caught by the check, never offered), finding-remains, new-finding, failed (an exception);
- an independent re-check of every offered fix (parse, bandit again: the finding gone from its place, nothing
  new but the declared successors): `removes_its_finding` must be 100 % and `offered_broken` 0;
- seconds per finding spent attempting and checking its fixes (what a code-action request costs).
Writes bench/results/review_fixes-<date>.json (the offered fixes' diffs included, to read them).

    .venv/bin/python bench/review_fixes.py --model-limit 25 [--model tiny]

The model arm instead ("Fix with the local model", copiloto.review.fixes.model): for `--model-limit` findings of
`--data` that no rewrite fixes, taken in turn from each test id so that many ids are asked about, the local model
is asked (up to 2 samples) and its answers checked as the code action does. Reported: findings with a fix offered,
the offered re-checked independently (`removes_its_finding` must be 100 % by construction, `offered_broken` 0),
the answers by outcome (`broke-parse`: answers that did not parse, rejected), and seconds per finding. Writes
bench/results/review_fixes-<date>-model.json.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from copiloto.config import EngineSettings
from copiloto.engine.local import LocalEngine
from copiloto.engine.types import Engine
from copiloto.models.select import select_model
from copiloto.review.fixes import REGISTRY, attempt, verified_fixes
from copiloto.review.fixes.model import SAMPLES, model_fix, model_fix_record
from copiloto.review.security import SecurityFinding, security_findings
from machine import describe

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "bandit-examples" / "examples"


def recheck(text: str, new: str, code: str, line: int, column: int, allowed: frozenset[str]) -> tuple[bool, bool]:
    """(parses, removes its finding and adds nothing unexpected), computed without the fixes package."""
    try:
        ast.parse(new)
    except SyntaxError:
        return False, False
    before, after = security_findings(text), security_findings(new)
    gone = not any(f.code == code and (f.line, f.column) == (line, column) for f in after)
    fewer = Counter(f.code for f in after)[code] < Counter(f.code for f in before)[code]
    added = Counter(f.code for f in after) - Counter(f.code for f in before)
    return True, gone and fewer and all(c in allowed for c in added)


def run(folders: list[Path]) -> dict[str, Any]:
    files = sorted({p for folder in folders for p in folder.rglob("*.py") if p.is_file()})
    by_id: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    offered_ids: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    offered = removes = offered_broken = 0
    seconds: list[float] = []
    samples: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for path, text in readable(files):
        for finding in security_findings(text, path.name):
            by_id[finding.code] += 1
            if finding.code not in REGISTRY:
                continue
            fixable[finding.code] += 1
            start = time.perf_counter()
            attempts = attempt(text, finding)
            seconds.append(time.perf_counter() - start)
            where = f"{path.relative_to(path.parents[1]) if len(path.parents) > 1 else path}:{finding.line}"
            for done in attempts:
                outcomes[done.fix.title][done.outcome] += 1
                if done.outcome in ("broke-parse", "finding-remains", "new-finding", "failed"):
                    rejected.append(
                        {"where": where, "fix": done.fix.title, "outcome": done.outcome, "detail": done.detail}
                    )
                if done.outcome != "offered" or done.text is None:
                    continue
                offered += 1
                parses, ok = recheck(text, done.text, finding.code, finding.line, finding.column, done.fix.successors)
                offered_broken += not parses
                removes += ok
                diff = difflib.unified_diff(text.splitlines(True), done.text.splitlines(True), n=0)
                lines = [d.rstrip("\n") for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")]
                samples.append({"where": where, "code": finding.code, "fix": done.fix.title, "diff": lines})
            if any(done.outcome == "offered" for done in attempts):
                offered_ids[finding.code] += 1
    total_fixable = sum(fixable.values())
    return {
        "files": len(files),
        "findings": sum(by_id.values()),
        "findings_by_id": dict(by_id.most_common()),
        "findings_with_rewrites": total_fixable,
        "findings_with_a_fix_offered": sum(offered_ids.values()),
        "share_of_all_findings_with_a_fix": round(sum(offered_ids.values()) / max(1, sum(by_id.values())), 3),
        "share_with_a_fix_by_id": {
            code: {"findings": n, "offered": offered_ids[code], "share": round(offered_ids[code] / n, 3)}
            for code, n in sorted(fixable.items())
        },
        "attempts_by_fix": {title: dict(counts) for title, counts in outcomes.items()},
        "fixes_offered": offered,
        "removes_its_finding": round(removes / offered, 3) if offered else None,
        "offered_broken": offered_broken,
        "broke_parse_before_verification": sum(c["broke-parse"] for c in outcomes.values()),
        "seconds_per_finding": {
            "mean": round(sum(seconds) / len(seconds), 3) if seconds else None,
            "max": round(max(seconds), 3) if seconds else None,
        },
        "rejected": rejected,
        "offered": samples,
    }


def readable(files: list[Path]) -> Iterator[tuple[Path, str]]:
    """The files with their text, leaving out those that are not UTF-8 (2 of bandit's examples)."""
    for path in files:
        try:
            yield path, path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue


def without_a_rewrite(files: list[Path]) -> list[tuple[Path, str, SecurityFinding]]:
    """Every finding no rewrite fixes, ordered so that each test id comes in turn (B101, B102, ..., B101, ...)."""
    by_id: dict[str, list[tuple[Path, str, SecurityFinding]]] = defaultdict(list)
    for path, text in readable(files):
        for finding in security_findings(text, path.name):
            if not verified_fixes(text, finding):
                by_id[finding.code].append((path, text, finding))
    queues = [by_id[code] for code in sorted(by_id)]
    return [queue[i] for i in range(max(map(len, queues), default=0)) for queue in queues if i < len(queue)]


def model_arm(folder: Path, engine: Engine, limit: int) -> dict[str, Any]:
    files = sorted(p for p in folder.rglob("*.py") if p.is_file())
    candidates = without_a_rewrite(files)
    outcomes: Counter[str] = Counter()
    offered = removes = offered_broken = 0
    seconds: list[float] = []
    records: list[dict[str, Any]] = []
    for path, text, finding in candidates[:limit]:
        start = time.perf_counter()
        done = model_fix(engine, text, finding)
        seconds.append(time.perf_counter() - start)
        outcomes.update(a.outcome for a in done.attempts)
        record: dict[str, Any] = {
            "where": f"{path.relative_to(folder)}:{finding.line}",
            "code": finding.code,
            "seconds": round(seconds[-1], 1),
            "attempts": [f"{a.outcome}: {a.detail}" if a.detail else a.outcome for a in done.attempts],
        }
        if done.text is not None:
            offered += 1
            allowed = model_fix_record(finding.code).successors
            parses, ok = recheck(text, done.text, finding.code, finding.line, finding.column, allowed)
            offered_broken += not parses
            removes += ok
            diff = difflib.unified_diff(text.splitlines(True), done.text.splitlines(True), n=0)
            record["diff"] = [d.rstrip("\n") for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")]
        else:
            record["reason"] = done.reason
        records.append(record)
        print(json.dumps(record), file=sys.stderr)
    asked = len(records)
    ordered = sorted(seconds)
    return {
        "findings_without_a_rewrite": len(candidates),
        "asked": asked,
        "test_ids_asked": len({r["code"] for r in records}),
        "samples_per_finding_at_most": SAMPLES,
        "with_a_fix_offered": offered,
        "share_offered": round(offered / asked, 3) if asked else None,
        "removes_its_finding": round(removes / offered, 3) if offered else None,
        "offered_broken": offered_broken,
        "answers": sum(outcomes.values()),
        "answers_by_outcome": dict(outcomes.most_common()),
        "answers_that_broke_parsing_rejected": outcomes["broke-parse"],
        "seconds_per_finding": {
            "mean": round(sum(seconds) / asked, 1) if asked else None,
            "median": round(ordered[asked // 2], 1) if asked else None,
            "max": round(ordered[-1], 1) if asked else None,
        },
        "findings": records,
    }


def run_model_arm(args: argparse.Namespace) -> None:
    choice = select_model(args.model)
    engine = LocalEngine(EngineSettings(), choice.path, choice.name).start()
    if not engine.wait_loaded():
        raise SystemExit(f"cannot load {args.model}: {engine.error}")
    report: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": describe(),
        "python": sys.version.split()[0],
        "model": choice.name,
        "corpus": str(args.data),
    }
    try:
        report["model_arm"] = model_arm(args.data, engine, args.model_limit)
    finally:
        engine.close()
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"review_fixes-{report['date']}-model.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report["model_arm"].items() if k != "findings"}, indent=2))
    print(f"written: {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="bandit's examples/ folder")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="more folders (unpacked public sdists)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--model-limit", type=int, default=0, help="run the model arm on this many findings")
    parser.add_argument("--model", default="tiny", help="model for the model arm (catalog name or GGUF path)")
    args = parser.parse_args()
    if args.model_limit > 0:
        run_model_arm(args)
        return
    report: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": describe(),
        "python": sys.version.split()[0],
        "corpora": {},
    }
    for folder in [args.data, *args.extra]:
        report["corpora"][str(folder)] = run([folder])
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"review_fixes-{report['date']}.json"
    out.write_text(json.dumps(report, indent=2))
    summary = {
        name: {k: v for k, v in corpus.items() if k not in ("rejected", "offered", "findings_by_id")}
        for name, corpus in report["corpora"].items()
    }
    print(json.dumps(summary, indent=2))
    print(f"written: {out}")


if __name__ == "__main__":
    main()
