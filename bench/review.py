"""The review on save, layer 1 (bandit): does it reproduce bandit, how often does it flag clean code, how fast.

    .venv/bin/python bench/review.py [--data ../shared/data/bandit-examples]

- Reproduction: every file of bandit's own examples/ reviewed as on save; findings compared, by file, line and
  test id, with bandit 1.9.4's own (labels_lines.jsonl): missed and extra findings are listed.
- False positives: HumanEval's 164 reference solutions (known-clean functions): the share with any finding.
- Latency: a real `copiloto serve` over stdio; a 1000-line file is opened, then saved 20 times; the time from
  didSave to the publishDiagnostics that answers it (target: p50 ≤ 300 ms).
Writes bench/results/review-<date>.json. The local model's layer (2) is measured here once it lands.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from copiloto.review.security import security_findings
from docgen import problems
from machine import describe

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


def false_positives() -> dict[str, Any]:
    flagged = {}
    for problem in problems(None):
        found = security_findings(problem["prompt"] + problem["canonical_solution"], "solution.py")
        if found:
            flagged[problem["task_id"]] = [f"{f.code}:{f.line}" for f in found]
    return {"functions": 164, "flagged": len(flagged), "rate": len(flagged) / 164, "findings": flagged}


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


async def save_latency(text: str) -> dict[str, Any]:
    client = LanguageClient("review-bench", "1")
    published: asyncio.Queue[float] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(time.perf_counter())

    await client.start_io(sys.executable, "-m", "copiloto", "serve", "--model", "tiny")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = "file:///bench/thousand.py"
    item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    times = []
    for _ in range(SAVES):
        started = time.perf_counter()
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
        times.append((await asyncio.wait_for(published.get(), 30) - started) * 1000)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {
        "lines": text.count("\n"),
        "saves": SAVES,
        "p50_ms": statistics.median(times),
        "max_ms": max(times),
        "first_ms": times[0],
        "target_p50_ms": 300,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="bandit-examples (examples/, labels)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    if not (args.data / "labels_lines.jsonl").is_file():
        print(f"no bandit examples at {args.data} (labels_lines.jsonl)", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "benchmark": "review",
        "machine": describe(),
        "date": date.today().isoformat(),
        "layer1_reproduction": reproduction(args.data),
        "layer1_false_positives": false_positives(),
        "layer1_save_latency": asyncio.run(save_latency(thousand_lines(args.data))),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"review-{report['date']}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    summary = {
        "reproduction": {k: v for k, v in report["layer1_reproduction"].items() if k not in ("missed", "extra")},
        "false_positives": {k: v for k, v in report["layer1_false_positives"].items() if k != "findings"},
        "save_latency": report["layer1_save_latency"],
    }
    print(json.dumps(summary, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
