"""Secret redaction on a public corpus: how many secret values `copiloto.cloud.redact.redact` removes, and how
many ordinary snippets it leaves alone (issue 18: ≥ 98 % removed, ≤ 3 % altered).

    .venv/bin/python bench/redaction.py [--baseline REV ...] [--no-baseline] [--seed 18] [--no-real-code]

The corpus (bench/redaction_corpus.py, data in bench/corpus/redaction/) is built from public sources — gitleaks'
rules and their generators' examples, detect-secrets' tests and test data, the shapes issue 18 names, and real code
from the standard library and installed packages — with every secret value generated at run time from the seed.

- A secret value counts as **removed** when the output holds neither the value nor any 8-character piece of it
  that is not also in the rest of the snippet (so a redactor that keeps `sk_live_` or the last four characters
  still counts as removing it; one that keeps half of a token does not). Values shorter than 8 characters must be
  gone whole. For a PEM block the value is its body: the BEGIN/END lines are not secret. `partial`: the value is
  gone but a piece of 8 or more of its characters is still there; `kept`: the whole value is still there.
- An ordinary snippet counts as **altered** when the output differs from the input in any way.

Arms in one run: `current` (the working tree's redact) and one per `--baseline REV` (default HEAD): redact as it
is at that revision, run from its `git archive`d server/ tree in a child process, so one JSON shows before and
after. The JSON lists every miss and every false positive; secret values
in it are masked as `<kind:length>`, so it holds no realistic-looking token.
Writes bench/results/redaction-<date>.json; exits 0 (a measurement, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import redaction_corpus as rc

REPO = Path(__file__).resolve().parents[1]
REDACT_PATH = "server/copiloto/cloud/redact.py"
WINDOW = 8  # a leaked piece of a secret: this many consecutive characters of it
TARGET_RECALL = 0.98
TARGET_FP_RATE = 0.03

Redactor = Callable[[str], Any]  # returns an object with .text and .found (a Counter of kinds)


def current_redactor() -> Redactor:
    if str(REPO / "server") not in sys.path:
        sys.path.insert(0, str(REPO / "server"))
    from copiloto.cloud.redact import redact

    return redact


_WORKER = """
import json, sys
from copiloto.cloud.redact import redact
out = []
for text in json.load(sys.stdin):
    try:
        result = redact(text)
        out.append({"text": result.text, "found": dict(result.found)})
    except Exception as exc:
        out.append({"error": repr(exc)})
json.dump(out, sys.stdout)
"""


class _Precomputed:
    def __init__(self, text: str, found: dict[str, int]) -> None:
        self.text = text
        self.found = Counter(found)


def ref_redactor(ref: str, texts: list[str]) -> tuple[Redactor | None, str]:
    """redact() as it is at git revision `ref` (redact.py or the redact/ package, whichever that revision has):
    its server/ tree is extracted to a temporary folder and every text redacted there in one child process.
    Returns a lookup of those answers and the short commit; None when the revision cannot be read."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", ref], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        folder = Path(tempfile.mkdtemp(prefix="redact-ref-"))
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref, "server/copiloto"], cwd=REPO, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        answer = subprocess.run(
            [sys.executable, "-c", _WORKER],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(folder / "server")},
            cwd=folder,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"baseline {ref}: {exc}", file=sys.stderr)
        return None, ""
    answers = dict(zip(texts, json.loads(answer), strict=True))

    def redact(text: str) -> Any:
        got = answers[text]
        if "error" in got:
            raise RuntimeError(got["error"])
        return _Precomputed(got["text"], got["found"])

    return redact, commit


def _current_source() -> str:
    """The working tree's redact module as one text (a package: its files in order), to tell whether it is HEAD's."""
    module = sys.modules.get("copiloto.cloud.redact")
    path = Path(getattr(module, "__file__", "") or "")
    if path.name == "__init__.py":
        return "\n".join(p.read_text() for p in sorted(path.parent.glob("*.py")))
    return path.read_text() if path.is_file() else ""


def _ref_source(ref: str) -> str:
    """The redact module at `ref` as _current_source spells it."""
    single = subprocess.run(["git", "show", f"{ref}:{REDACT_PATH}"], cwd=REPO, capture_output=True, text=True)
    if single.returncode == 0:
        return single.stdout
    folder = REDACT_PATH.removesuffix(".py")
    listed = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{ref}:{folder}"], cwd=REPO, capture_output=True, text=True
    ).stdout.split()
    return "\n".join(
        subprocess.run(["git", "show", f"{ref}:{folder}/{name}"], cwd=REPO, capture_output=True, text=True).stdout
        for name in sorted(n for n in listed if n.endswith(".py"))
    )


def secret_status(core: str, output: str, snippet: str, all_cores: tuple[str, ...], mask: str = "") -> tuple[str, int]:
    """('removed' | 'partial' | 'kept', the longest leaked piece) for one secret value. A leaked piece: a
    substring of the value in the output, not elsewhere in the snippet, holding WINDOW or more of the value's
    random characters (`mask`: "x" random, "." fixed, such as a provider prefix a redactor may keep)."""
    if core in output:
        return "kept", len(core)
    mask = mask if len(mask) == len(core) else "x" * len(core)
    if mask.count("x") < WINDOW:
        return "removed", 0
    background = snippet
    for other in sorted(all_cores, key=len, reverse=True):
        background = background.replace(other, "\0")
    before = [0]
    for flag in mask:
        before.append(before[-1] + (flag == "x"))
    longest = 0
    end = 0
    for start in range(len(core)):
        end = max(end, start)
        while end < len(core) and before[end] - before[start] < WINDOW:
            end += 1
        if before[end] - before[start] < WINDOW:
            break
        piece = core[start:end]
        if piece in output and piece not in background:
            stop = end
            while stop < len(core) and core[start : stop + 1] in output:
                stop += 1
            longest = max(longest, stop - start)
    return ("partial", longest) if longest else ("removed", 0)


def masked(text: str, cores: tuple[str, ...], kind: str) -> str:
    for core in sorted(cores, key=len, reverse=True):
        text = text.replace(core, f"<{kind}:{len(core)}>")
    return text


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def run_arm(redact: Redactor, corpus: rc.Corpus) -> dict[str, Any]:
    started = time.perf_counter()
    values = removed = partial = kept = 0
    by: dict[str, dict[str, Counter[str]]] = {
        "kind": defaultdict(Counter),
        "context": defaultdict(Counter),
        "source": defaultdict(Counter),
        "source_group": defaultdict(Counter),
    }
    found_secret: Counter[str] = Counter()
    found_ordinary: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    cases_all_removed = 0
    for case in corpus.secrets:
        try:
            result = redact(case.text)
        except Exception as exc:  # a crash on a case is a miss, and reported
            errors.append({"id": case.id, "error": repr(exc)})
            output, found = case.text, Counter[str]()
        else:
            output, found = result.text, result.found
        for kind in found:
            found_secret[kind] += 1
        statuses = []
        for index, core in enumerate(case.secrets):
            mask = case.masks[index] if index < len(case.masks) else ""
            status, leaked = secret_status(core, output, case.text, case.secrets, mask)
            statuses.append((status, leaked, len(core)))
            values += 1
            removed += status == "removed"
            partial += status == "partial"
            kept += status == "kept"
            for axis, key in (
                ("kind", case.kind),
                ("context", case.context),
                ("source", case.source),
                ("source_group", case.source.split(":")[0]),
            ):
                by[axis][key]["values"] += 1
                by[axis][key][status] += 1
        if all(s == "removed" for s, _, _ in statuses):
            cases_all_removed += 1
        else:
            misses.append(
                {
                    "id": case.id,
                    "source": case.source,
                    "kind": case.kind,
                    "context": case.context,
                    "status": [f"{s} ({leaked}/{n} chars)" if s == "partial" else s for s, leaked, n in statuses],
                    "found": dict(found),
                    "snippet": masked(case.text, case.secrets, case.kind),
                    "output": masked(output, case.secrets, case.kind),
                }
            )
    altered = 0
    fp_by: dict[str, dict[str, Counter[str]]] = {
        "source": defaultdict(Counter),
        "source_group": defaultdict(Counter),
        "context": defaultdict(Counter),
    }
    false_positives: list[dict[str, Any]] = []
    for ordinary in corpus.ordinary:
        try:
            result = redact(ordinary.text)
        except Exception as exc:
            errors.append({"id": ordinary.id, "error": repr(exc)})
            continue
        changed = result.text != ordinary.text
        altered += changed
        for kind in result.found:
            found_ordinary[kind] += 1
        for axis, key in (
            ("source", ordinary.source),
            ("source_group", ordinary.source.split(":")[0]),
            ("context", ordinary.context),
        ):
            fp_by[axis][key]["snippets"] += 1
            fp_by[axis][key]["altered"] += changed
        if changed:
            false_positives.append(
                {
                    "id": ordinary.id,
                    "source": ordinary.source,
                    "origin": ordinary.origin,
                    "found": dict(result.found),
                    "snippet": ordinary.text,
                    "output": result.text,
                }
            )

    def table(counts: dict[str, Counter[str]]) -> dict[str, dict[str, Any]]:
        return {
            key: {
                "values": c["values"],
                "removed": c["removed"],
                "partial": c["partial"],
                "kept": c["kept"],
                "recall": _rate(c["removed"], c["values"]),
            }
            for key, c in sorted(counts.items())
        }

    def fp_table(counts: dict[str, Counter[str]]) -> dict[str, dict[str, Any]]:
        return {
            key: {"snippets": c["snippets"], "altered": c["altered"], "fp_rate": _rate(c["altered"], c["snippets"])}
            for key, c in sorted(counts.items())
        }

    n_secret, n_ordinary = len(corpus.secrets), len(corpus.ordinary)
    kinds = sorted(set(found_secret) | set(found_ordinary))
    return {
        "secrets": {
            "cases": n_secret,
            "values": values,
            "removed": removed,
            "partial": partial,
            "kept": kept,
            "recall": _rate(removed, values),
            "cases_fully_redacted": _rate(cases_all_removed, n_secret),
            "by_source_group": table(by["source_group"]),
            "by_context": table(by["context"]),
            "by_kind": table(by["kind"]),
            "by_source": table(by["source"]),
        },
        "ordinary": {
            "snippets": n_ordinary,
            "altered": altered,
            "fp_rate": _rate(altered, n_ordinary),
            "by_source_group": fp_table(fp_by["source_group"]),
            "by_context": fp_table(fp_by["context"]),
            "by_source": fp_table(fp_by["source"]),
        },
        "found_share": {
            kind: {
                "secret_cases": _rate(found_secret[kind], n_secret),
                "ordinary_snippets": _rate(found_ordinary[kind], n_ordinary),
            }
            for kind in kinds
        },
        "targets": {
            "recall": TARGET_RECALL,
            "fp_rate": TARGET_FP_RATE,
            "recall_met": removed / values >= TARGET_RECALL if values else None,
            "fp_rate_met": altered / n_ordinary <= TARGET_FP_RATE if n_ordinary else None,
        },
        "errors": errors,
        "seconds": round(time.perf_counter() - started, 2),
        "misses": misses,
        "false_positives": false_positives,
    }


def corpus_summary(corpus: rc.Corpus) -> dict[str, Any]:
    return {
        "secret_cases": len(corpus.secrets),
        "secret_values": sum(len(c.secrets) for c in corpus.secrets),
        "ordinary_snippets": len(corpus.ordinary),
        "secret_cases_by_source_group": dict(Counter(c.source.split(":")[0] for c in corpus.secrets).most_common()),
        "secret_cases_by_context": dict(Counter(c.context for c in corpus.secrets).most_common()),
        "ordinary_by_source_group": dict(Counter(c.source.split(":")[0] for c in corpus.ordinary).most_common()),
        "ordinary_by_source": dict(Counter(c.source for c in corpus.ordinary).most_common()),
        "ordinary_by_context": dict(Counter(c.context for c in corpus.ordinary).most_common()),
        **corpus.notes,
    }


def print_report(arms: dict[str, dict[str, Any]]) -> None:
    names = list(arms)
    print(f"{'':34}" + "".join(f"{n:>22}" for n in names))

    def row(label: str, cells: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{c:>22}" for c in cells))

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f} %"

    row(
        "recall (values removed)",
        [f"{pct(a['secrets']['recall'])} ({a['secrets']['removed']}/{a['secrets']['values']})" for a in arms.values()],
    )
    row("  partial / kept", [f"{a['secrets']['partial']} / {a['secrets']['kept']}" for a in arms.values()])
    row(
        "ordinary altered (FP rate)",
        [
            f"{pct(a['ordinary']['fp_rate'])} ({a['ordinary']['altered']}/{a['ordinary']['snippets']})"
            for a in arms.values()
        ],
    )
    first = arms[names[0]]
    for group in first["secrets"]["by_source_group"]:
        row(
            f"  recall {group}",
            [pct(a["secrets"]["by_source_group"].get(group, {}).get("recall")) for a in arms.values()],
        )
    for group in first["ordinary"]["by_source_group"]:
        row(
            f"  FP {group}",
            [pct(a["ordinary"]["by_source_group"].get(group, {}).get("fp_rate")) for a in arms.values()],
        )
    print("lowest recall by context (" + names[0] + "):")
    contexts = sorted(first["secrets"]["by_context"].items(), key=lambda kv: kv[1]["recall"] or 0)[:10]
    for context, c in contexts:
        row(
            f"  {context} ({c['values']})",
            [pct(a["secrets"]["by_context"].get(context, {}).get("recall")) for a in arms.values()],
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=rc.SEED)
    parser.add_argument(
        "--baseline",
        action="append",
        metavar="REV",
        help="also measure redact as it is at this git revision (repeatable; default: HEAD)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="only the working tree's redact")
    parser.add_argument("--no-real-code", action="store_true", help="leave out the sampled real code")
    parser.add_argument("--real-code-limit", type=int, default=400)
    parser.add_argument("--out", type=Path, help="default: bench/results/redaction-<date>.json")
    args = parser.parse_args()

    corpus = rc.build(seed=args.seed, real_code=not args.no_real_code, real_code_limit=args.real_code_limit)
    arms: dict[str, dict[str, Any]] = {"current": run_arm(current_redactor(), corpus)}
    baselines: dict[str, dict[str, Any]] = {}
    if not args.no_baseline:
        texts = sorted({c.text for c in corpus.secrets} | {c.text for c in corpus.ordinary})
        for ref in args.baseline or ["HEAD"]:
            redactor, commit = ref_redactor(ref, texts)
            if redactor is None:
                continue
            arms[ref] = run_arm(redactor, corpus)
            baselines[ref] = {"commit": commit, "current_identical": _current_source() == _ref_source(ref)}
    print_report(arms)
    out = args.out or REPO / "bench" / "results" / f"redaction-{date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "date": date.today().isoformat(),
        "seed": args.seed,
        "baselines": baselines,
        "definitions": {
            "removed": f"neither the value nor any piece of it holding {WINDOW} of its random characters (and not "
            "also elsewhere in the snippet) is in the output; fixed parts such as a provider prefix may "
            "stay",
            "partial": f"the value is gone but a piece holding {WINDOW}+ of its random characters remains",
            "kept": "the whole value is in the output",
            "altered": "an ordinary snippet whose output differs from its input",
        },
        "corpus": corpus_summary(corpus),
        "arms": arms,
    }
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
