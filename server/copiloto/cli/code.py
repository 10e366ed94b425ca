"""The commands on code: `copiloto complete`, `docstring` and `tests`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from copiloto.cli.common import LANGUAGE_BY_SUFFIX, cannot_read, parse_location, read_target, settings_from_args


def cmd_complete(args: argparse.Namespace) -> int:
    from copiloto.lsp.positions import InvalidPosition, line_starts, position_to_offset
    from copiloto.runtime import start_runtime

    path, line, col = parse_location(args.location)
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        print(cannot_read(path, exc), file=sys.stderr)
        return 2
    starts = line_starts(text)
    try:
        # LSP columns are UTF-16 units; for the command line a column is a character, so convert directly.
        if line < 1 or col < 1 or line > len(starts):
            raise InvalidPosition(f"line {line} is outside the file ({len(starts)} lines)")
        line_text = text[starts[line - 1] :].split("\n", 1)[0].rstrip("\r")
        if col - 1 > len(line_text):
            raise InvalidPosition(f"column {col} is past the end of line {line} ({len(line_text)} characters)")
        offset = position_to_offset(text, starts, line - 1, len(line_text[: col - 1].encode("utf-16-le")) // 2)
    except InvalidPosition as exc:
        print(f"copiloto: {exc}", file=sys.stderr)
        return 2
    runtime = start_runtime(settings_from_args(args))
    try:
        if not runtime.engine.wait_loaded():
            print(f"copiloto: {runtime.engine.error}", file=sys.stderr)
            return 1
        language = LANGUAGE_BY_SUFFIX.get(path.suffix, "plaintext")
        completion = runtime.completions.complete_blocking(path.resolve().as_uri(), text, offset, language)
    finally:
        runtime.close()
    if args.json:
        model = completion.result.model if completion.result and completion.result.model else runtime.engine.model_name
        print(json.dumps({"text": completion.text, **completion.details(), "model": model}, ensure_ascii=False))
    else:
        if not completion.text:
            print(f"copiloto: no completion: {_why_none(completion.reason)}", file=sys.stderr)
        print(completion.text)
    return 0 if completion.source != "error" else 1


def _why_none(reason: str | None) -> str:
    from copiloto.context.builder import SKIP_TEXT_AFTER_CURSOR

    if reason is None:
        return "the model suggested nothing here"
    if reason == SKIP_TEXT_AFTER_CURSOR:  # the editor asks at the end of what is typed; so should a person
        return f"{reason}: complete at the end of a line, or before closing brackets and quotes only"
    return reason


def cmd_docstring(args: argparse.Namespace) -> int:
    """Print a new docstring for FILE::QUALNAME, or with --write put it into the file."""
    from copiloto.docstrings import DocstringError
    from copiloto.orchestrate.docstrings import write_docstring
    from copiloto.runtime import start_cloud, start_runtime

    target = read_target(args.target)
    if isinstance(target, int):
        return target
    path, source, qualname = target
    settings = settings_from_args(args)
    style = args.style or settings.docstrings.style
    runtime = start_runtime(settings)
    try:
        if not runtime.engine.wait_loaded():
            print(f"copiloto: {runtime.engine.error}", file=sys.stderr)
            return 1
        claude, pattern = start_cloud(settings).client, settings.orchestrate.docstrings
        done = write_docstring(
            runtime.engine, claude, pattern=pattern, source=source, qualname=qualname, style=style, path=str(path)
        )
    except DocstringError as exc:
        print(f"copiloto: {exc}", file=sys.stderr)
        return 1
    finally:
        runtime.close()
    if done.note:
        print(f"copiloto: {done.note}", file=sys.stderr)
    if args.write:
        path.write_bytes(done.source.encode("utf-8"))
        print(f"copiloto: docstring written to {path}::{done.target.qualname} ({style})", file=sys.stderr)
    else:
        print(done.docstring)
    return 0


def cmd_tests(args: argparse.Namespace) -> int:
    """Print verified tests for FILE::QUALNAME with their coverage, or with --write add them to the test file."""
    from copiloto.orchestrate.tests import write_tests
    from copiloto.runtime import start_cloud, start_runtime
    from copiloto.testgen import TestgenError, project_root
    from copiloto.testgen.failure_words import failure_words

    target = read_target(args.target)
    if isinstance(target, int):
        return target
    path, source, qualname = target
    root = Path(args.root).resolve() if args.root else project_root(path)
    settings = settings_from_args(args)
    runtime, client = start_runtime(settings), start_cloud(settings).client
    try:
        if not runtime.engine.wait_loaded():
            print(f"copiloto: {runtime.engine.error}", file=sys.stderr)
            return 1
        done = write_tests(
            runtime.engine,
            client,
            settings,
            project_root=root,
            module_path=path.resolve(),
            source=source,
            qualname=qualname,
        )
    except TestgenError as exc:
        print(f"copiloto: {exc}", file=sys.stderr)
        return 1
    finally:
        runtime.close()
    for bug in done.possible_bugs:
        print(f"{path}:{bug.line + 1}: {bug.message}", file=sys.stderr)
    if args.show_failed:
        for failure in done.failures:
            words = failure_words(failure.result.output) or f"{failure.result.failure_kind}"
            print(f"# rejected: {words}\n{failure.candidate.source}", file=sys.stderr)
    print(f"copiloto: {done.summary(root)}", file=sys.stderr)
    if done.test_file_text is None:
        if done.failures and not args.show_failed:
            print("copiloto: --show-failed prints the rejected tests and why each failed", file=sys.stderr)
        return 1
    if args.write:
        done.plan.test_file.parent.mkdir(parents=True, exist_ok=True)
        done.plan.test_file.write_text(done.test_file_text, encoding="utf-8")
    else:
        print(done.added_text())
    return 0
