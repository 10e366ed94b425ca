"""Copiloto's own checks of layer 1 — the flows (copiloto/flows) and the misuses (copiloto/misuse): what they find
that bandit does not, and how often they flag clean code. "flows" below counts both.

    .venv/bin/python bench/review_flows.py [--cache /tmp/copiloto-flows-corpus] [--bandit-examples DIR]

Every program here was written by others and comes from PyPI sdists at pinned versions, downloaded with pip into
--cache and unpacked there (nothing is vendored), plus bandit's own examples from shared/data:

- Insecure programs: hackscan 0.5.0's labelled suite (benchmarks/suite: Flask, Django, FastAPI and CLI modules
  whose sink lines say `# vuln: <class>` or `# safe: <class>`) and its framework corpus (tests/corpus/frameworks,
  `# expect: RULE!` = request data reaches it); the Python snippets with a request or input() source that the
  test suites of aegis-ai-core 1.5.0 and aigis-sast 0.5.0 hold as strings; bandit's examples/ (93 files);
  precli 0.8.6's Python rule examples whose `# level:` is not NONE (stdlib misuses: digests, TLS, cleartext
  protocols, ReDoS, logging, sockets...).
  `--extra DIR` adds a folder of insecure programs got by other means (see bench/README.md) as one more part.
  Per file: flagged by bandit, flagged by the flows, flagged beyond bandit (a flow finding that layer 1 keeps,
  i.e. not on a line bandit flags for the same CWE), flagged by the flows where bandit flags nothing at all; for
  precli's examples also beyond bandit on the line the example is labelled with (its own misuse, not another).
- The labelled sink lines (SQL and command injection, the classes both tools cover): caught and false alarms of
  each tool, a line counting as flagged when a finding of the tool's matching CWE starts on it.
- Clean code: HumanEval's 164 reference solutions, FastAPI 0.115.0's docs_src (701 example apps), Flask 3.1.2's
  examples and source, Django 5.2.8's views and contrib admin/auth, hackscan's `safe/` corpus, precli's examples
  of level NONE (the safe twins of its rules): the share of files
  with a flow finding (target ≤ 5 %), each one listed.
- Seconds per file (flows alone; bandit alongside on the insecure corpus), and how often each rule fired.
Writes bench/results/review_flows-<date>.json.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import statistics
import subprocess
import sys
import tarfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from copiloto.review.flows import PHP_SUFFIXES, flow_findings, layer1_findings
from copiloto.review.misuse import misuse_findings
from copiloto.review.security import SOURCE as BANDIT
from copiloto.review.security import SecurityFinding, security_findings
from docgen import problems
from machine import describe

ROOT = Path(__file__).resolve().parent
SDISTS = {
    "hackscan": "0.5.0",
    "aegis-ai-core": "1.5.0",
    "aigis-sast": "0.5.0",
    "flask": "3.1.2",
    "django": "5.2.8",
    "fastapi": "0.115.0",
    "precli": "0.8.6",
}
PRECLI_LEVEL = re.compile(r"^# level: (\w+)", re.MULTILINE)
# precli's examples say where the finding their rule exists for starts and ends
PRECLI_LINES = re.compile(r"^# start_line: (\d+)\n# end_line: (\d+)", re.MULTILINE)
# a corpus sorted by weakness (SecurityEval's CWE-089/author_1.py): the CWE each file exists for
CWE_FOLDER = re.compile(r"CWE-0*(\d+)/")
SOURCE = re.compile(
    r"request\.(args|form|values|json|get_json|cookies|headers|files|data|GET|POST|COOKIES|body|FILES|META)"
    r"|\binput\(|sys\.argv|@\w+\.(get|post|put|delete|route)\("
)
# semgrep-rules' test files: `# ruleid: a-rule` marks a line the rule must flag, `# ok: a-rule` one it must not
# (on the line itself, or alone on the line above the code); todoruleid/todook are the rule's known misses: skipped
SEMGREP_LABEL = re.compile(r"#\s*(ruleid|ok)\s*:\s*([\w.,\- ]+)")
SEMGREP_TODO = re.compile(r"#\s*todo")
LABEL = re.compile(r"#\s*(vuln|safe):\s*(sqli|cmdi)\b|#\s*expect:\s*HS-(SQLI|CMDI)-001(!?)")
CWE_OF = {"sqli": 89, "cmdi": 78}
Case = tuple[str, str]  # (name, text)


def fetch(cache: Path) -> dict[str, Path]:
    """Each pinned sdist, downloaded once with pip and unpacked under `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    folders: dict[str, Path] = {}
    for name, version in SDISTS.items():
        stem = f"{name.replace('-', '_')}-{version}"
        folder = next(
            (p for p in cache.glob("*") if p.is_dir() and p.name.lower() in (stem, f"{name}-{version}")), None
        )
        if folder is None:
            archive = next(iter(cache.glob(f"{stem}.tar.gz")), None) or next(
                iter(cache.glob(f"{name}-{version}.tar.gz")), None
            )
            if archive is None:
                subprocess.run(
                    [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                     f"{name}=={version}", "-d", str(cache)],
                    check=True,
                )  # fmt: skip
                archive = next(cache.glob(f"{stem}.tar.gz"), None) or next(cache.glob(f"{name}-{version}.tar.gz"))
            with tarfile.open(archive) as tar:
                tar.extractall(cache, filter="data")
            folder = cache / archive.name.removesuffix(".tar.gz")
        folders[name] = folder
    return folders


def files(folder: Path, pattern: str = "*.py") -> list[Case]:
    return [
        (str(p.relative_to(folder.parent)), p.read_text(encoding="utf-8", errors="replace"))
        for p in sorted(folder.rglob(pattern))
    ]


def snippets(folder: Path) -> list[Case]:
    """The Python programs a test suite holds as strings: ≥ 2 lines, parse, a source and a call in them."""
    found: list[Case] = []
    for name, text in files(folder / "tests"):
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value.strip():
                try:
                    ast.parse(node.value)
                except SyntaxError:
                    continue
                if SOURCE.search(node.value) and re.search(r"\w\(", node.value):
                    found.append((f"{name}:{node.lineno}", node.value))
    return found


def insecure_corpus(sdists: dict[str, Path], bandit_examples: Path) -> dict[str, list[Case]]:
    hackscan = sdists["hackscan"]
    return {
        "hackscan suite": files(hackscan / "benchmarks" / "suite"),
        "hackscan frameworks": files(hackscan / "tests" / "corpus" / "frameworks"),
        "test-suite snippets (aegis-ai-core, aigis-sast)": snippets(sdists["aegis-ai-core"])
        + snippets(sdists["aigis-sast"]),
        "bandit examples": files(bandit_examples),
        "precli examples, insecure": precli_examples(sdists["precli"], insecure=True),
    }


def precli_examples(precli: Path, *, insecure: bool) -> list[Case]:
    """precli's (bandit's successor) Python rule examples: a file whose `# level:` is NONE must stay silent,
    the others hold the misuse the rule exists for (weak digests, TLS and cleartext protocols, ReDoS...)."""
    return [
        (name, text)
        for name, text in files(precli / "tests" / "unit" / "rules" / "python")
        if "/examples/" in name and ((m := PRECLI_LEVEL.search(text)) is not None and m.group(1) != "NONE") == insecure
    ]


def clean_corpus(sdists: dict[str, Path]) -> dict[str, list[Case]]:
    django = sdists["django"] / "django"
    hackscan_safe = [c for c in files(sdists["hackscan"] / "tests" / "corpus") if "/safe/" in c[0]]
    return {
        "HumanEval reference solutions": [
            (p["task_id"], p["prompt"] + p["canonical_solution"]) for p in problems(None)
        ],
        "FastAPI docs_src": files(sdists["fastapi"] / "docs_src"),
        "Flask examples and source": files(sdists["flask"] / "examples") + files(sdists["flask"] / "src"),
        "Django views, contrib admin and auth": [
            c for c in files(django) if "/views" in c[0] or "/contrib/admin/" in c[0] or "/contrib/auth/" in c[0]
        ],
        "hackscan safe corpus": hackscan_safe,
        "precli examples, level NONE": precli_examples(sdists["precli"], insecure=False),
    }


def timed(function: Any, text: str, name: str) -> tuple[list[SecurityFinding], float]:
    start = time.perf_counter()
    found = function(text, name)
    return found, time.perf_counter() - start


def ours(text: str, name: str) -> list[SecurityFinding]:
    """Copiloto's own layer-1 findings: the flows, and for Python the misuses (review/misuse)."""
    python = not name.lower().endswith(PHP_SUFFIXES)
    return flow_findings(text, name) + (misuse_findings(text, name) if python else [])


def filename(case: str) -> str:
    return Path(case.split(":", 1)[0]).name if case.split(":", 1)[0].endswith(".py") else "snippet.py"


def measure_insecure(corpus: dict[str, list[Case]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    total: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    flows_s: list[float] = []
    bandit_s: list[float] = []
    beyond_files: list[dict[str, Any]] = []
    for part, cases in corpus.items():
        counts: Counter[str] = Counter()
        for name, text in cases:
            flows, seconds = timed(ours, text, filename(name))
            bandit, bandit_seconds = timed(security_findings, text, filename(name))
            flows_s.append(seconds)
            bandit_s.append(bandit_seconds)
            kept = [f for f in layer1_findings(text, filename(name)) if f.source != BANDIT]
            counts["files"] += 1
            counts["bandit"] += bool(bandit)
            counts["flows"] += bool(flows)
            counts["beyond bandit"] += bool(kept)
            counts["flows where bandit is silent"] += bool(flows) and not bandit
            rules.update({f.code for f in flows})
            if (label := PRECLI_LINES.search(text)) is not None:  # was it the example's own misuse?
                lines = range(int(label.group(1)), int(label.group(2)) + 1)
                counts["beyond bandit, on the example's labelled line"] += any(f.line in lines for f in kept)
            if (folder := CWE_FOLDER.search(name)) is not None:  # was it the weakness the file is filed under?
                cwe = int(folder.group(1))
                counts["bandit, of the file's own CWE"] += any(f.cwe == cwe for f in bandit)
                counts["beyond bandit, of the file's own CWE"] += any(f.cwe == cwe for f in kept)
            if kept:
                beyond_files.append({"file": name, "flows": [f"{f.line}: {f.code} {f.message}" for f in kept]})
        total.update(counts)
        out[part] = _shares(counts)
    return {
        "by part": out,
        "all": _shares(total),
        "rules (files where each fired)": dict(rules.most_common()),
        "rules (share of flagged files)": {k: round(v / max(total["flows"], 1), 3) for k, v in rules.most_common()},
        "ms per file, flows": _ms(flows_s),
        "ms per file, bandit": _ms(bandit_s),
        "files beyond bandit": beyond_files,
    }


def _shares(counts: Counter[str]) -> dict[str, Any]:
    n = max(counts["files"], 1)
    return {k: {"files": v, "share": round(v / n, 3)} if k != "files" else v for k, v in counts.items()}


def _ms(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {}
    return {"mean": round(statistics.fmean(seconds) * 1000, 2), "p50": round(statistics.median(seconds) * 1000, 2),
            "max": round(max(seconds) * 1000, 2)}  # fmt: skip


def labelled_lines(corpus: dict[str, list[Case]]) -> dict[str, Any]:
    """Sink lines labelled vulnerable or safe (SQL and command injection): what each tool flags."""
    tally: Counter[str] = Counter()
    missed: list[str] = []
    for part in ("hackscan suite", "hackscan frameworks"):
        for name, text in corpus[part]:
            bandit = security_findings(text, filename(name))
            flows = flow_findings(text, filename(name))
            for number, line in enumerate(text.split("\n"), 1):
                match = LABEL.search(line)
                if match is None or (match.group(3) and not match.group(4)):  # an `expect` without `!`: no source
                    continue
                kind = "vuln" if match.group(3) else match.group(1)
                cwe = CWE_OF[(match.group(2) or match.group(3)).lower()]
                by_bandit = any(f.line == number and f.cwe == cwe for f in bandit)
                by_flows = any(f.line == number and f.cwe == cwe for f in flows)
                tally[f"{kind} lines"] += 1
                tally[f"{kind}: bandit flags"] += by_bandit
                tally[f"{kind}: flows flag"] += by_flows
                tally[f"{kind}: flows flag, bandit does not"] += by_flows and not by_bandit
                if kind == "vuln" and not by_flows:
                    missed.append(f"{name}:{number}: {line.strip()}")
                if kind == "safe" and by_flows:
                    missed.append(f"FALSE ALARM {name}:{number}: {line.strip()}")
    return {"counts": dict(tally), "flows missed / false alarms": missed}


Label = tuple[int, str, str]  # (line it labels, 'ruleid' or 'ok', the semgrep rule)


def semgrep_tests(folder: Path) -> list[tuple[str, str, list[Label]]]:
    """semgrep-rules' security tests under `folder`, each with its labelled lines."""
    return [(name, text, semgrep_labels(text)) for name, text in files(folder) if "/security/" in name]


def semgrep_labels(text: str) -> list[Label]:
    """The lines a semgrep test file labels; a label alone on its line labels the next line of code."""
    lines = text.split("\n")
    found: list[Label] = []
    for number, line in enumerate(lines, 1):
        match = SEMGREP_LABEL.search(line)
        if match is None or SEMGREP_TODO.search(line):
            continue
        target = number
        if line.lstrip().startswith("#"):
            target = next((n for n in range(number + 1, len(lines) + 1)
                           if lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")), 0)  # fmt: skip
        if target:
            found.append((target, match.group(1), match.group(2).strip()))
    return found


def semgrep_insecure(tests: list[tuple[str, str, list[Label]]]) -> list[Case]:
    """The test files that hold a line a rule must flag."""
    return [(name, text) for name, text, labels in tests if any(kind == "ruleid" for _, kind, _ in labels)]


def semgrep_lines(tests: list[tuple[str, str, list[Label]]]) -> dict[str, Any]:
    """Lines semgrep-rules' security tests label: `ruleid` lines each tool flags (a finding in the labelled match,
    see `match_lines`), and `ok` lines each flags (a finding on the labelled statement: a false alarm, or a finding
    of another weakness than the semgrep rule's)."""
    tally: Counter[str] = Counter()
    rules_beyond: Counter[str] = Counter()
    alarms: list[str] = []
    for name, text, labels in tests:
        if not labels:
            continue
        bandit = {f.line for f in security_findings(text, filename(name))}
        kept = [f for f in layer1_findings(text, filename(name)) if f.source != BANDIT]
        regions = match_lines(text, labels)
        for number, kind, rule in labels:
            by_bandit = any(line in regions[number, kind] for line in bandit)
            by_ours = [f for f in kept if f.line in regions[number, kind]]
            tally[f"{kind} lines"] += 1
            tally[f"{kind}: bandit flags"] += by_bandit
            tally[f"{kind}: ours flags"] += bool(by_ours)
            tally[f"{kind}: ours flags, bandit does not"] += bool(by_ours) and not by_bandit
            if kind == "ruleid" and by_ours and not by_bandit:
                rules_beyond[rule] += 1
            if kind == "ok" and by_ours:
                alarms += [f"{name}:{number}: {f.code} ({rule})" for f in by_ours]
    return {"counts": dict(tally), "ruleid lines ours flags beyond bandit, by semgrep rule": dict(rules_beyond),
            "ok lines ours flags": alarms}  # fmt: skip


def statement_lines(tree: ast.Module) -> dict[int, range]:
    """Each line of a module → the lines of the innermost simple statement that holds it (a call spanning lines
    is labelled on one line, and flagged by one tool on its first line and by another on an argument's)."""
    spans: dict[int, range] = {}
    compound = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.While, ast.With, ast.Try)
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, compound):
            span = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            for line in span:
                if line not in spans or len(span) < len(spans[line]):
                    spans[line] = span
    return spans


def match_lines(text: str, labels: list[Label]) -> dict[tuple[int, str], range]:
    """Each (labelled line, kind) → the lines a tool's finding must fall on to count there.

    An `ok` label says no match starts on its statement: its statement's lines. semgrep labels a `ruleid` where the
    match starts — a call's first line, or for a pattern over statements (`url = request.GET["u"]` …
    `os.system("wget " + url)`) the first statement — so a tool is credited for a finding from the labelled
    statement on, up to 4 lines further, in the same function, before the next labelled line. Both tools get the
    same lines. A file that does not parse: the labelled line alone, and the window."""
    try:
        tree: ast.Module | None = ast.parse(text)
    except SyntaxError:
        tree = None
    spans = statement_lines(tree) if tree is not None else {}
    definitions = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in (ast.walk(tree) if tree is not None else ())
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    last = text.count("\n") + 1
    labelled = sorted({number for number, _, _ in labels})
    regions: dict[tuple[int, str], range] = {}
    for number, kind, _ in labels:
        span = spans.get(number, range(number, number + 1))
        if kind == "ok":
            regions[number, kind] = span
            continue
        later = [n for n in labelled if n > number]
        inside = [end for start, end in definitions if start <= number <= end]
        end = min(number + 4, later[0] - 1 if later else last, min(inside, default=last))
        regions[number, kind] = range(span.start, max(end, span.stop - 1) + 1)
    return regions


def measure_clean(corpus: dict[str, list[Case]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    flagged: list[str] = []
    seconds: list[float] = []
    rules: Counter[str] = Counter()
    total = hits = 0
    for part, cases in corpus.items():
        n = h = 0
        for name, text in cases:
            flows, spent = timed(ours, text, filename(name))
            seconds.append(spent)
            n += 1
            if flows:
                h += 1
                rules.update({f.code for f in flows})
                flagged += [f"{name}:{f.line}: {f.code} {f.message}" for f in flows]
        out[part] = {"files": n, "with a flow finding": h, "share": round(h / max(n, 1), 4)}
        total, hits = total + n, hits + h
    return {
        "by part": out,
        "all": {"files": total, "with a flow finding": hits, "share": round(hits / max(total, 1), 4)},
        "rules (files where each fired)": dict(rules.most_common()),
        "ms per file, flows": _ms(seconds),
        "flagged": flagged,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/copiloto-flows-corpus"))
    parser.add_argument(
        "--bandit-examples", type=Path, default=ROOT.parent.parent / "shared/data/bandit-examples/examples"
    )
    parser.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        help="a folder of insecure programs got by other means (its .py files are one more part of the corpus)",
    )
    parser.add_argument(
        "--heldout",
        type=Path,
        action="append",
        default=[],
        help="a folder of insecure programs no rule was shaped on: measured apart, not part of 'all'",
    )
    parser.add_argument(
        "--semgrep-tests",
        type=Path,
        help="semgrep-rules' python/ folder: its security tests' files with a `ruleid` line are one more part, and "
        "their labelled lines are counted",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "results" / f"review_flows-{date.today()}.json")
    args = parser.parse_args()
    sdists = fetch(args.cache)
    insecure = insecure_corpus(sdists, args.bandit_examples)
    for folder in args.extra:
        insecure[f"extra: {folder.name}"] = files(folder)
    tests = semgrep_tests(args.semgrep_tests) if args.semgrep_tests else []
    if tests:
        insecure["semgrep-rules security tests"] = semgrep_insecure(tests)
    result: dict[str, Any] = {
        "date": str(date.today()),
        "machine": describe(),
        "sdists": SDISTS,
        "insecure": measure_insecure(insecure),
        "labelled sink lines": labelled_lines(insecure),
        "clean": measure_clean(clean_corpus(sdists)),
    }
    if tests:
        result["semgrep-rules labelled lines"] = semgrep_lines(tests)
    if args.heldout:
        result["held out"] = measure_insecure({f"held out: {folder.name}": files(folder) for folder in args.heldout})
        result["held out"].pop("files beyond bandit")  # counted, not listed: no rule may be shaped on it
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for section in ("insecure", "clean", "held out"):
        if section not in result:
            continue
        summary = {k: v for k, v in result[section].items() if k not in ("files beyond bandit", "flagged")}
        print(section, json.dumps(summary, indent=1, ensure_ascii=False))
    print("labelled sink lines", json.dumps(result["labelled sink lines"], indent=1, ensure_ascii=False))
    if "semgrep-rules labelled lines" in result:
        print("semgrep-rules", json.dumps(result["semgrep-rules labelled lines"]["counts"], indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
