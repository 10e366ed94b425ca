"""The local model's checklist (server/copiloto/review/checklist.py) on public insecure and clean code.

    .venv/bin/python bench/review_checklist.py [--model tiny] [--insecure-limit 40] [--clean-limit 40]
        [--extra DIR] [--cache /tmp/copiloto-flows-corpus]

The corpora are bench/review_flows.py's (PyPI sdists at pinned versions, bandit's examples, `--extra` folders).
A function gets a question only where it holds a line that could be that question's sink, so most files get
none; the script samples, evenly over each corpus, files with at least one question, and reports:
- insecure: files where a kept checklist answer lands on a line layer 1 (bandit + flows) does not flag — the
  files the checklist adds — and on a line bandit alone does not flag; per question, asked / answered yes /
  kept after validation;
- clean: files with a kept answer (false positives), as a share of the sampled files with a question and of
  the whole corpus (a file with no question cannot be flagged);
- seconds per question and per function asked, on this CPU.
Writes bench/results/review_checklist-<model>-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from copiloto.config import EngineSettings
from copiloto.engine.local import LocalEngine
from copiloto.models.select import select_model
from copiloto.review.checklist import MAX_QUESTIONS, ask_question, questions_for
from copiloto.review.checklist import validate as validate_answer
from copiloto.review.flows import layer1_findings
from copiloto.review.functions import function_spans
from copiloto.review.local import LocalFinding
from copiloto.review.security import security_findings
from machine import describe
from review_flows import Case, clean_corpus, fetch, files, insecure_corpus

ROOT = Path(__file__).resolve().parent


def with_questions(corpus: dict[str, list[Case]]) -> list[tuple[str, Case]]:
    return [
        (part, case)
        for part, cases in corpus.items()
        for case in cases
        if any(s.parses and questions_for(s) for s in function_spans(case[1]))
    ]


def sample(cases: list[tuple[str, Case]], limit: int) -> list[tuple[str, Case]]:
    """Every k-th case, so that each part of the corpus is represented in its proportion."""
    if limit <= 0 or len(cases) <= limit:
        return cases
    step = len(cases) / limit
    return [cases[int(i * step)] for i in range(limit)]


def ask_file(
    engine: LocalEngine, text: str, per_question: Counter[str], seconds: list[float], per_file: int
) -> list[LocalFinding]:
    """The kept checklist findings of one file: its functions in order, questions capped as on save, at most
    `per_file` questions in all (a CPU budget: a file's later functions may go unasked)."""
    kept = []
    lines = text.split("\n")
    asked = [(span, q) for span in function_spans(text) if span.parses for q in questions_for(span)[:MAX_QUESTIONS]]
    per_question["unasked (per-file cap)"] += max(0, len(asked) - per_file)
    for span, question in asked[:per_file]:
        started = time.perf_counter()
        answer = ask_question(engine, question, span)
        seconds.append(time.perf_counter() - started)
        per_question[f"{question.key} asked"] += 1
        if answer.value is None:
            per_question[f"{question.key} invalid"] += 1
            continue
        if answer.value.answer == "yes":
            per_question[f"{question.key} yes"] += 1
        finding, _ = validate_answer(answer.value, question, span, lines)
        if finding is not None:
            per_question[f"{question.key} kept"] += 1
            kept.append(finding)
    return kept


def measure(engine: LocalEngine, cases: list[tuple[str, Case]], insecure: bool, per_file: int) -> dict[str, Any]:
    per_question: Counter[str] = Counter()
    seconds: list[float] = []
    rows = []
    for part, (name, text) in cases:
        kept = ask_file(engine, text, per_question, seconds, per_file)
        row: dict[str, Any] = {"part": part, "file": name, "kept": [f"{f.line}: {f.message}" for f in kept]}
        if insecure:
            layer1 = {f.line for f in layer1_findings(text, "case.py")}
            bandit = {f.line for f in security_findings(text, "case.py")}
            row["beyond layer 1"] = any(f.line not in layer1 for f in kept)
            row["beyond bandit"] = any(f.line not in bandit for f in kept)
        rows.append(row)
        print(f"  {part}: {name}: {len(kept)} kept", file=sys.stderr, flush=True)
    flagged = [r for r in rows if r["kept"]]
    out: dict[str, Any] = {
        "files": len(rows),
        "files with a kept answer": len(flagged),
        "share": round(len(flagged) / len(rows), 3) if rows else None,
        "questions": sum(v for k, v in per_question.items() if k.endswith(" asked")),
        "per question": dict(sorted(per_question.items())),
        "seconds per question": {
            "mean": round(statistics.fmean(seconds), 2) if seconds else None,
            "p50": round(statistics.median(seconds), 2) if seconds else None,
            "max": round(max(seconds), 2) if seconds else None,
        },
    }
    if insecure:
        out["files beyond layer 1"] = sum(r["beyond layer 1"] for r in rows)
        out["files beyond bandit"] = sum(r["beyond bandit"] for r in rows)
    out["flagged"] = flagged
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/copiloto-flows-corpus"))
    parser.add_argument(
        "--bandit-examples", type=Path, default=ROOT.parent.parent / "shared/data/bandit-examples/examples"
    )
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--insecure-limit", type=int, default=40)
    parser.add_argument("--clean-limit", type=int, default=40)
    parser.add_argument("--per-file", type=int, default=6, help="questions per file at most (CPU budget)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sdists = fetch(args.cache)
    insecure = insecure_corpus(sdists, args.bandit_examples)
    for folder in args.extra:
        insecure[f"extra: {folder.name}"] = files(folder)
    clean = clean_corpus(sdists)
    choice = select_model(args.model)
    engine = LocalEngine(EngineSettings(), choice.path, choice.name).start()
    if not engine.wait_loaded():
        print(f"cannot load {args.model}: {engine.error}", file=sys.stderr)
        return 1
    insecure_cases, clean_cases = with_questions(insecure), with_questions(clean)
    insecure_total, clean_total = sum(map(len, insecure.values())), sum(map(len, clean.values()))
    result: dict[str, Any] = {
        "benchmark": "review_checklist",
        "model": args.model,
        "date": str(date.today()),
        "machine": describe(),
        "insecure": {
            "corpus files": insecure_total,
            "files with a question": len(insecure_cases),
            **measure(engine, sample(insecure_cases, args.insecure_limit), insecure=True, per_file=args.per_file),
        },
        "clean": {
            "corpus files": clean_total,
            "files with a question": len(clean_cases),
            **measure(engine, sample(clean_cases, args.clean_limit), insecure=False, per_file=args.per_file),
        },
    }
    engine.close()
    clean_part = result["clean"]
    if clean_part["files"]:  # files without a question cannot be flagged: scale the sampled rate to the corpus
        rate = clean_part["files with a kept answer"] / clean_part["files"]
        clean_part["estimated share of the corpus"] = round(rate * len(clean_cases) / clean_total, 4)
    out = args.out or ROOT / "results" / f"review_checklist-{args.model}-{date.today()}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for section in ("insecure", "clean"):
        print(section, json.dumps({k: v for k, v in result[section].items() if k != "flagged"}, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
