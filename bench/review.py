"""The review on save: does layer 1 reproduce bandit, what does layer 2 (the local model) add, how often does
the whole pipeline flag clean code, how fast do the diagnostics come.

    .venv/bin/python bench/review.py [--data ../shared/data/bandit-examples] [--model tiny] [--no-local]

- Layer 1 reproduction: every file of bandit's own examples/ reviewed as on save; findings compared, by file,
  line and test id, with bandit 1.9.4's own (labels_lines.jsonl): missed and extra findings are listed.
- Layer 2 on the same files: the local findings, by category, and how many are on lines bandit does not flag.
- Layer 2 on known defects (bench/review_cases.py, 12 functions with one defect each): caught = a finding whose
  lines hold the defect.
- False positives of the whole pipeline (layer 1 + layer 2): HumanEval's 164 reference solutions (known-clean
  functions): the share with any finding (target ≤ 5 %), per layer.
- Typing during a review: completion latency (p50) with the engine idle vs while layer 2 keeps reviewing in the
  background (the review gives way between tokens); the ratio is the figure.
- Latency through a real `copiloto serve` over stdio: a 1000-line file saved 20 times, didSave → the layer-1
  publish (target p50 ≤ 300 ms); and didSave → the layer-2 publish for a file of 10 functions (all new), then
  after editing one function (only that one is reviewed again).
Writes bench/results/review-<date>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from copiloto.config import EngineSettings
from copiloto.engine.local import LocalEngine
from copiloto.engine.types import GenerationRequest
from copiloto.lsp.values import plain
from copiloto.models.select import select_model
from copiloto.review.functions import ReviewMemory
from copiloto.review.on_save import review_text
from copiloto.review.security import security_findings
from docgen import problems
from machine import describe
from review_cases import DEFECTIVE

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "bandit-examples"
SAVES = 20


def reproduction(data: Path) -> dict[str, Any]:
    labels = [json.loads(line) for line in (data / "labels_lines.jsonl").read_text().splitlines() if line.strip()]
    expected = Counter((row["file"], row["line"], row["test_id"]) for row in labels)
    found: Counter[tuple[str, int, str]] = Counter()
    unreadable = []
    for path in sorted((data / "examples").rglob("*.py")):
        name = path.relative_to(data / "examples").as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            unreadable.append(name)
            continue
        found.update((name, f.line, f.code) for f in security_findings(text, path.name))
    missed, extra = expected - found, found - expected
    return {
        "files": len(list((data / "examples").rglob("*.py"))),
        "unreadable_files": unreadable,
        "expected_findings": sum(expected.values()),
        "found_findings": sum(found.values()),
        "reproduced": sum((expected & found).values()),
        "recall": sum((expected & found).values()) / max(1, sum(expected.values())),
        "precision": sum((expected & found).values()) / max(1, sum(found.values())),
        "missed": sorted(missed.elements())[:50],
        "extra": sorted(extra.elements())[:50],
    }


def false_positives(engine: LocalEngine | None) -> dict[str, Any]:
    """The share of HumanEval's reference solutions with any finding, per layer and for the whole pipeline."""
    flagged: dict[str, list[str]] = {}
    by_layer = Counter[str]()
    invalid = reviewed = 0
    errors: list[str] = []
    started = time.perf_counter()
    rows = problems(None)
    for problem in rows:
        text = problem["prompt"] + problem["canonical_solution"]
        found = [f"{f.code}:{f.line}" for f in security_findings(text, "solution.py")]
        by_layer["layer1"] += bool(found)
        if engine is not None:
            local = review_text(engine, problem["task_id"], text, ReviewMemory())
            invalid += local.stats.invalid_answers
            errors += [f"{problem['task_id']}: {e}" for e in local.stats.answer_errors]
            reviewed += local.stats.reviewed
            ours = [f"{f.code}:{f.line}: {f.message}" for f in local.findings]
            by_layer["layer2"] += bool(ours)
            found += ours
        if found:
            flagged[problem["task_id"]] = found
    return {
        "modules": len(rows),
        "functions_reviewed_by_model": reviewed,
        "flagged": len(flagged),
        "rate": len(flagged) / len(rows),
        "rate_layer1": by_layer["layer1"] / len(rows),
        "rate_layer2": by_layer["layer2"] / len(rows) if engine is not None else None,
        "target_rate": 0.05,
        "invalid_model_answers": invalid,
        "invalid_why": errors,
        "seconds_per_module": (time.perf_counter() - started) / len(rows),
        "findings": flagged,
    }


def layer2_on_bandit_examples(data: Path, engine: LocalEngine) -> dict[str, Any]:
    """What the local model adds on bandit's examples: its findings, and those on lines bandit leaves alone."""
    categories = Counter[str]()
    new_lines: list[str] = []
    functions = reviewed = invalid = duplicates = 0
    for path in sorted((data / "examples").rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        layer1 = security_findings(text, path.name)
        local = review_text(engine, path.name, text, ReviewMemory(), layer1)
        functions += local.stats.functions
        reviewed += local.stats.reviewed
        invalid += local.stats.invalid_answers
        duplicates += local.stats.duplicates
        flagged = {f.line for f in layer1}
        for finding in local.findings:
            categories[finding.category] += 1
            if not any(finding.line <= n <= finding.end_line for n in flagged):
                new_lines.append(f"{path.name}:{finding.line}: {finding.category}: {finding.message}")
    return {
        "functions": functions,
        "reviewed": reviewed,
        "findings": sum(categories.values()),
        "by_category": dict(categories),
        "on_lines_bandit_does_not_flag": len(new_lines),
        "left_out_as_bandit_duplicates": duplicates,
        "invalid_model_answers": invalid,
        "examples": new_lines[:40],
    }


def typing_during_review(engine: LocalEngine, module: str, keystrokes: int = 20) -> dict[str, Any]:
    """Completion latency while the engine is idle vs while layer 2 reviews a module in the background: the
    review gives way between tokens, so the ratio should stay near 1."""
    prefixes = [f"def f{i}(values):\n    total = 0\n    for v in values:\n        total += " for i in range(keystrokes)]

    def latencies() -> list[float]:
        times = []
        for prefix in prefixes:
            started = time.perf_counter()
            engine.submit(GenerationRequest(prefix=prefix, max_tokens=8)).future.result()
            times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.2)  # a typist's pause
        return times

    idle = latencies()
    stop = threading.Event()
    reviews = 0

    def review_forever() -> None:
        nonlocal reviews
        while not stop.is_set():
            review_text(engine, f"bench-{reviews}", module, ReviewMemory(), stopped=stop.is_set)
            reviews += 1

    worker = threading.Thread(target=review_forever)
    worker.start()
    time.sleep(1.0)  # the review is generating when the typing starts
    busy = latencies()
    stop.set()
    worker.join()
    return {
        "keystrokes": keystrokes,
        "idle_p50_ms": statistics.median(idle),
        "during_review_p50_ms": statistics.median(busy),
        "during_review_max_ms": max(busy),
        "ratio_p50": statistics.median(busy) / statistics.median(idle),
    }


def layer2_on_known_defects(engine: LocalEngine) -> dict[str, Any]:
    caught: list[str] = []
    missed: list[str] = []
    for name, source, line in DEFECTIVE:
        local = review_text(engine, name, source, ReviewMemory())
        hit = [f for f in local.findings if f.line <= line <= f.end_line]
        (caught if hit else missed).append(name if not hit else f"{name}: {hit[0].message}")
    return {
        "functions": len(DEFECTIVE),
        "caught": len(caught),
        "recall": len(caught) / len(DEFECTIVE),
        "caught_by": caught,
        "missed": missed,
    }


def thousand_lines(data: Path) -> str:
    """Real code with findings: bandit's examples concatenated until the file has 1000 lines."""
    lines: list[str] = []
    for path in sorted((data / "examples").glob("*.py")):
        try:
            lines += path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        if len(lines) >= 1000:
            break
    return "\n".join(lines[:1000]) + "\n"


async def save_latency(text: str, functions_file: str, model: str) -> dict[str, Any]:
    """didSave → layer 1's publish (local review off), then didSave → layer 2's publish (on)."""
    client = LanguageClient("review-bench", "1")
    published: asyncio.Queue[tuple[float, list[str]]] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait((time.perf_counter(), [str(d.source) for d in params.diagnostics]))

    await client.start_io(sys.executable, "-m", "copiloto", "serve", "--model", model)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={"review": {"local_model": False}},
        )
    )
    client.initialized(types.InitializedParams())
    for _ in range(600):  # the model loads before anything is measured
        info = plain(await client.protocol.send_request_async("copiloto/status", {}))
        if info.get("state") in ("ready", "error"):
            break
        await asyncio.sleep(0.1)
    uri = "file:///bench/thousand.py"
    open_document(client, uri, text)
    times = []
    for _ in range(SAVES):
        started = time.perf_counter()
        save(client, uri)
        times.append((await asyncio.wait_for(published.get(), 30))[0] - started)
    layer1 = {
        "lines": text.count("\n"),
        "saves": SAVES,
        "p50_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "first_ms": times[0] * 1000,
        "target_p50_ms": 300,
    }
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"copiloto": {"review": {"local_model": True}}})
    )
    await asyncio.sleep(0.5)
    layer2 = {}
    uri = "file:///bench/functions.py"
    open_document(client, uri, functions_file)
    for label, version, content in (
        ("all_new", None, functions_file),
        ("one_edited", 2, functions_file.replace("    return", "    result = None\n    return", 1)),
    ):
        if version is not None:
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=content)],
                )
            )
        while not published.empty():
            published.get_nowait()
        started = time.perf_counter()
        save(client, uri)
        first = (await asyncio.wait_for(published.get(), 60))[0] - started  # layer 1
        second = (await asyncio.wait_for(published.get(), 600))[0] - started  # layer 2
        layer2[label] = {"layer1_ms": first * 1000, "layer2_ms": second * 1000}
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"layer1": layer1, "layer2": {"functions": functions_file.count("\ndef ") + 1, **layer2}}


def open_document(client: LanguageClient, uri: str, text: str) -> None:
    item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))


def save(client: LanguageClient, uri: str) -> None:
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))


def ten_functions() -> str:
    """Ten HumanEval reference solutions in one module (clean code: what a save usually holds)."""
    return "\n\n".join(p["prompt"] + p["canonical_solution"] for p in problems(10))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="bandit-examples (examples/, labels)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--model", default="tiny", help="model for layer 2 (catalog name or GGUF path)")
    parser.add_argument("--no-local", action="store_true", help="layer 1 only")
    parser.add_argument(
        "--only", choices=("typing", "latency", "defects"), help="run one part only, print it (quick checks)"
    )
    args = parser.parse_args()
    if not (args.data / "labels_lines.jsonl").is_file():
        print(f"no bandit examples at {args.data} (labels_lines.jsonl)", file=sys.stderr)
        return 2
    if args.only == "latency":
        print(json.dumps(asyncio.run(save_latency(thousand_lines(args.data), ten_functions(), args.model)), indent=2))
        return 0
    engine = None
    if not args.no_local or args.only:
        choice = select_model(args.model)
        engine = LocalEngine(EngineSettings(), choice.path, choice.name).start()
        if not engine.wait_loaded():
            print(f"cannot load {args.model}: {engine.error}", file=sys.stderr)
            return 1
    if args.only == "defects" and engine is not None:
        print(json.dumps(layer2_on_known_defects(engine), indent=2))
        engine.close()
        return 0
    if args.only == "typing" and engine is not None:
        print(json.dumps(typing_during_review(engine, ten_functions()), indent=2))
        engine.close()
        return 0
    report: dict[str, Any] = {
        "benchmark": "review",
        "machine": describe(),
        "date": date.today().isoformat(),
        "model": args.model if engine is not None else None,
        "layer1_reproduction": reproduction(args.data),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"review-{report['date']}.json"

    def record(key: str, value: Any) -> None:  # written after every part: a long run is never all lost
        report[key] = value
        out.write_text(json.dumps(report, indent=2, default=str))

    if engine is not None:
        record("typing_during_review", typing_during_review(engine, ten_functions()))
        record("layer2_on_known_defects", layer2_on_known_defects(engine))
        record("layer2_on_bandit_examples", layer2_on_bandit_examples(args.data, engine))
    record("false_positives", false_positives(engine))
    if engine is not None:
        engine.close()
    record("save_latency", asyncio.run(save_latency(thousand_lines(args.data), ten_functions(), args.model)))
    skip = ("missed", "extra", "findings", "examples", "caught_by")
    summary = {
        key: {k: v for k, v in value.items() if k not in skip} if isinstance(value, dict) else value
        for key, value in report.items()
        if key != "machine"
    }
    print(json.dumps(summary, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
