"""The commands that read and report: `copiloto review` (as on save) and `copiloto logs`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copiloto.cli.common import cannot_read, settings_from_args
from copiloto.errors import CopilotoError

if TYPE_CHECKING:  # the commands import what they use when they run
    from copiloto.config import Settings
    from copiloto.logs.watch import LogWatch
    from copiloto.orchestrate.review import Collected
    from copiloto.review.security import SecurityFinding


def cmd_review(args: argparse.Namespace) -> int:
    """Print the review findings of a Python file as on save — bandit's, then the local model's paired with Claude
    as `orchestrate.review` says — as text or JSON; `--deep` asks the deep reviewer (Claude) about the whole file
    instead of the pattern's question."""
    import asyncio

    from copiloto.orchestrate.review import Collected, SavedFile, review_saved
    from copiloto.review.flows import layer1_findings
    from copiloto.review.functions import ReviewMemory
    from copiloto.review.handoff import DeepFinding, DeepReviewRequest, deep_review
    from copiloto.review.on_save import why_not_reviewed
    from copiloto.runtime import start_cloud, start_runtime

    path = Path(args.file)
    settings = settings_from_args(args)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(cannot_read(path, exc), file=sys.stderr)
        return 2
    if (why := why_not_reviewed(text, settings.review.max_file_kb)) is not None:
        print(f"copiloto: not reviewing {path}: {why}", file=sys.stderr)
        return 2
    if (broken := _syntax_error(text)) is not None:  # bandit and the model would both read nothing in it
        print(f"copiloto: not reviewing {path}: it does not parse ({broken}); fix that first", file=sys.stderr)
        return 1
    reviewer = start_cloud(settings).reviewer  # Claude needs no local model

    async def ask_claude(request: DeepReviewRequest) -> list[DeepFinding] | None:
        try:
            return await deep_review(reviewer, request)
        except CopilotoError as exc:
            print(f"copiloto: deep review: {exc}", file=sys.stderr)
            return None

    layer1 = layer1_findings(text, path.name)
    shown = Collected()
    if not args.no_local:
        runtime = start_runtime(settings)
        try:
            if not runtime.engine.wait_loaded():
                print(f"copiloto: {runtime.engine.error}", file=sys.stderr)
                return 1
            saved = SavedFile(str(path), path.resolve().as_uri(), text, tuple(layer1))
            pattern = "local" if args.deep else settings.orchestrate.review
            asyncio.run(
                review_saved(
                    saved,
                    pattern=pattern,
                    threshold=settings.review.handoff_severity,
                    engine=runtime.engine,
                    memory=ReviewMemory(),
                    ask_claude=ask_claude,
                    sink=shown,
                    stopped=lambda: False,
                )
            )
        finally:
            runtime.close()
        if shown.done is not None and shown.done.stats.invalid_answers:
            print(f"copiloto: {shown.done.stats.invalid_answers} answers of the model were not valid", file=sys.stderr)
    if args.deep:
        request = DeepReviewRequest(str(path), text, "user", local=tuple(shown.local), layer1=tuple(layer1))
        found = asyncio.run(ask_claude(request))
        shown.show_claude(found or [], replaces_local=False)
    rows = _review_rows(layer1, shown)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            column = f"{row['column'] + 1}:" if "column" in row else ""
            code = row.get("code", row["source"])
            print(f"{path}:{row['line']}:{column} {row['severity']}: [{code}] {row['message']}")
    return 0


def _syntax_error(text: str) -> str | None:
    import ast

    try:
        ast.parse(text)
    except SyntaxError as exc:
        return f"{exc.msg} at line {exc.lineno}"
    except ValueError as exc:  # NUL bytes, caught earlier by why_not_reviewed
        return str(exc)
    return None


def _review_rows(layer1: Sequence[SecurityFinding], shown: Collected) -> list[dict[str, Any]]:
    """Every finding as a JSON row, by line: layer 1's, then what the review showed last."""
    rows = [f.model_dump(mode="json") for f in [*layer1, *shown.local, *shown.claude]]
    rows += [{**dataclasses.asdict(c), "source": c.source, "code": c.code} for c in shown.compared]
    return sorted(rows, key=lambda row: (row["line"], row["source"]))


def cmd_logs(args: argparse.Namespace) -> int:
    """Print the findings of GLPI log files (or folders of them): one per group of like entries, read as the server
    reads them; `--explain LINE` asks Claude about the entry at that line instead."""
    from copiloto.logs.report import as_text, log_files
    from copiloto.logs.watch import read_logs

    root = Path(args.root).resolve() if args.root else Path.cwd()
    files = log_files([Path(p) for p in args.paths])
    missing = [str(f) for f in files if not f.is_file()]
    if missing or not files:
        said = f"no such log file: {', '.join(missing)}" if missing else f"no *.log file in {' '.join(args.paths)}"
        print(f"copiloto: {said}", file=sys.stderr)
        return 2
    watch = read_logs(files, root)
    if args.explain is not None:
        if len(files) != 1:
            print(f"copiloto: --explain needs one log file, not {len(files)}", file=sys.stderr)
            return 2
        return _explain(watch, files[0], args.explain, settings_from_args(args))
    reports = [watch.report(path, shown_as=str(path)) for path in files]
    if args.json:
        rows = [finding.model_dump(mode="json") for report in reports for finding in report.findings]
        print(json.dumps(rows, indent=2))
    else:
        for report in reports:
            for line in as_text(report):
                print(line)
    return 0


def _explain(watch: LogWatch, log_file: Path, line: int, settings: Settings) -> int:
    """`copiloto logs FILE --explain LINE`: Claude's root cause, then the source lines it names, compiler-style."""
    import asyncio

    from copiloto.orchestrate.explain import NoSuchEntry, explain_log_entry
    from copiloto.runtime import start_cloud

    client = start_cloud(settings).client
    try:
        explained = asyncio.run(explain_log_entry(client=client, watch=watch, log_file=log_file, line=line))
    except NoSuchEntry as exc:
        print(f"copiloto: {exc}; `copiloto logs {log_file}` lists the entries and their lines", file=sys.stderr)
        return 2
    except CopilotoError as exc:
        print(f"copiloto: explain: {exc}", file=sys.stderr)
        return 1
    print(f"{log_file}:{line}: root cause: {explained.root_cause}")
    if explained.fix:
        print(f"    fix: {explained.fix}")
    for item in explained.involved:
        print(f"{explained.root / item.file}:{item.line}: {item.why}")
    return 0
