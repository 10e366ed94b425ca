"""Command line: `copiloto serve | demo | complete | docstring | tests | review | logs | models | doctor`."""

from __future__ import annotations

import argparse
import faulthandler
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any, BinaryIO

from copiloto.config import Settings, load_settings
from copiloto.errors import CopilotoError

LANGUAGE_BY_SUFFIX = {
    ".py": "python",
    ".php": "php",
    ".js": "javascript",
    ".ts": "typescript",
    ".go": "go",
    ".rs": "rust",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".java": "java",
    ".rb": "ruby",
    ".sh": "shellscript",
}


def cli_layer(args: argparse.Namespace) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    engine: dict[str, Any] = {}
    if getattr(args, "model", None):
        engine["model"] = args.model
    if getattr(args, "engine_url", None):  # this run only: the remote backend at that server
        engine.update(backend="remote", url=args.engine_url)
    if engine:
        layer["engine"] = engine
    if getattr(args, "models_dir", None):
        layer["models_dir"] = args.models_dir
    return layer


def settings_from_args(args: argparse.Namespace) -> Settings:
    return load_settings(cli_layer(args))


def cmd_serve(args: argparse.Namespace) -> int:
    from copiloto.lsp.server import server

    # Flags on the server's command line sit above the config file and environment, below what the
    # editor sends in initializationOptions and didChangeConfiguration.
    server.cli_layer = cli_layer(args)
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 <pid>` dumps every thread's stack to stderr
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io(stdin=sys.stdin.buffer, stdout=protect_stdout())
    return 0


def protect_stdout() -> BinaryIO:
    """Give the LSP channel its own copy of fd 1 and point fd 1 at stderr.

    llama-cpp-python silences llama.cpp while it loads a model by dup2-ing /dev/null over fds 1 and 2:
    protocol messages written meanwhile would vanish (the client then waits forever). With the channel
    on its own fd, nothing a library prints or redirects can corrupt or swallow a message.
    """
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def parse_location(spec: str) -> tuple[Path, int, int]:
    """FILE:LINE:COL, 1-based as compilers print them (COL counts characters)."""
    try:
        path, line, col = spec.rsplit(":", 2)
        return Path(path), int(line), int(col)
    except ValueError:
        raise SystemExit(f"expected FILE:LINE:COL (1-based), got {spec!r}") from None


def cmd_complete(args: argparse.Namespace) -> int:
    from copiloto.lsp.positions import InvalidPosition, line_starts, position_to_offset
    from copiloto.runtime import start_runtime

    path, line, col = parse_location(args.location)
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        print(f"copiloto: cannot read {path}: {exc}", file=sys.stderr)
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
        if completion.reason and not completion.text:
            print(f"copiloto: no completion: {completion.reason}", file=sys.stderr)
        print(completion.text)
    return 0 if completion.source != "error" else 1


def read_target(target: str) -> tuple[Path, str, str] | int:
    """(path, source, qualname) from FILE::QUALNAME, or the exit status after saying what is wrong:
    a bad argument or unreadable file (2), a name that is not there or a file that does not parse (1).
    Checked before any model loads."""
    from copiloto.docstrings import DocstringError, find_by_qualname

    path_text, sep, qualname = target.rpartition("::")
    if not sep or not path_text or not qualname:
        print(f"copiloto: expected FILE::QUALNAME (like app.py::Cart.add_item), got {target!r}", file=sys.stderr)
        return 2
    path = Path(path_text)
    try:
        source = path.read_bytes().decode("utf-8")  # bytes: the file's own line endings survive --write
    except (OSError, UnicodeDecodeError) as exc:
        print(f"copiloto: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    try:
        find_by_qualname(source, qualname)
    except DocstringError as exc:
        print(f"copiloto: {exc}", file=sys.stderr)
        return 1
    return path, source, qualname


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
        done = write_docstring(runtime.engine, claude, pattern, source, qualname, style, lambda: False, str(path))
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
    from copiloto.runtime import claude_for_tests, start_cloud, start_runtime
    from copiloto.testgen import TestgenError, project_root
    from copiloto.testgen.generate import generate_tests

    target = read_target(args.target)
    if isinstance(target, int):
        return target
    path, source, qualname = target
    root = Path(args.root).resolve() if args.root else project_root(path)
    settings = settings_from_args(args)
    runtime, claude = start_runtime(settings), claude_for_tests(settings, start_cloud(settings).client)
    try:
        if not runtime.engine.wait_loaded():
            print(f"copiloto: {runtime.engine.error}", file=sys.stderr)
            return 1
        done = generate_tests(
            runtime.engine,
            root,
            path.resolve(),
            source,
            qualname,
            settings.tests,
            claude.refiners,
            takeovers=claude.takeovers,
            companions=claude.companions,
        )
    except TestgenError as exc:
        print(f"copiloto: {exc}", file=sys.stderr)
        return 1
    finally:
        runtime.close()
    for bug in done.possible_bugs:
        print(f"{path}:{bug.line + 1}: {bug.message}", file=sys.stderr)
    print(f"copiloto: {done.summary(root)}", file=sys.stderr)
    if done.test_file_text is None:
        return 1
    if args.write:
        done.plan.test_file.parent.mkdir(parents=True, exist_ok=True)
        done.plan.test_file.write_text(done.test_file_text, encoding="utf-8")
    else:
        print(done.added_text())
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Print the review findings of a Python file as on save — bandit's, then the local model's — as text or
    JSON; `--deep` also asks the deep reviewer (Claude)."""
    import asyncio

    from copiloto.review.flows import layer1_findings
    from copiloto.review.functions import ReviewMemory
    from copiloto.review.handoff import DeepReviewRequest, deep_review
    from copiloto.review.local import LocalFinding
    from copiloto.review.on_save import review_text
    from copiloto.runtime import start_cloud, start_runtime

    path = Path(args.file)
    settings = settings_from_args(args)
    try:
        data = path.read_bytes()
        if len(data) > settings.review.max_file_kb * 1024 or b"\x00" in data:
            why = "binary" if b"\x00" in data else f"over review.max_file_kb ({settings.review.max_file_kb} KB)"
            print(f"copiloto: not reviewing {path}: it is {why}", file=sys.stderr)
            return 2
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"copiloto: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    layer1 = layer1_findings(text, path.name)
    rows: list[dict[str, Any]] = [finding.model_dump(mode="json") for finding in layer1]
    local: list[LocalFinding] = []
    if not args.no_local:
        runtime = start_runtime(settings)
        try:
            if not runtime.engine.wait_loaded():
                print(f"copiloto: {runtime.engine.error}", file=sys.stderr)
                return 1
            done = review_text(runtime.engine, path.resolve().as_uri(), text, ReviewMemory(), layer1)
        finally:
            runtime.close()
        local = done.findings
        rows += [finding.model_dump(mode="json") for finding in local]
        if done.stats.invalid_answers:
            print(f"copiloto: {done.stats.invalid_answers} answers of the model were not valid", file=sys.stderr)
    if args.deep:  # Claude needs no local model
        request = DeepReviewRequest(str(path), text, "user", local=tuple(local), layer1=tuple(layer1))
        try:
            rows += [
                f.model_dump(mode="json") for f in asyncio.run(deep_review(start_cloud(settings).reviewer, request))
            ]
        except CopilotoError as exc:
            print(f"copiloto: deep review: {exc}", file=sys.stderr)
    rows.sort(key=lambda row: (row["line"], row["source"]))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            column = f"{row['column'] + 1}:" if "column" in row else ""
            code = row.get("code", row["source"])
            print(f"{path}:{row['line']}:{column} {row['severity']}: [{code}] {row['message']}")
    return 0


def cmd_logs(args: argparse.Namespace) -> int:
    """Print the findings of GLPI log files (or folders of them): one per group of like entries."""
    import json

    from copiloto.logs.report import as_text, log_files, read_log

    root = Path(args.root).resolve() if args.root else Path.cwd()
    files = log_files([Path(p) for p in args.paths])
    missing = [str(f) for f in files if not f.is_file()]
    if missing or not files:
        print(f"copiloto: no such log file: {', '.join(missing) or ' '.join(args.paths)}", file=sys.stderr)
        return 2
    reports = [read_log(path, root) for path in files]
    if args.json:
        rows = [finding.model_dump(mode="json") for report in reports for finding in report.findings]
        print(json.dumps(rows, indent=2))
    else:
        for report in reports:
            for line in as_text(report):
                print(line)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from copiloto.doctor import run_doctor

    return run_doctor(settings_from_args(args), load=args.load)


def cmd_demo(args: argparse.Namespace) -> int:
    from copiloto.demo.run import run_demo

    return run_demo(model=args.model, models_dir=args.models_dir, engine_url=args.engine_url)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copiloto", description=__doc__)
    parser.add_argument("--model", help="catalog name or GGUF path (default: see `copiloto doctor`)")
    parser.add_argument("--models-dir", dest="models_dir", help="where model weights live")
    parser.add_argument(
        "--engine-url",
        dest="engine_url",
        metavar="URL",
        help="use the OpenAI-compatible server at URL (engine.backend = remote) for this run",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the language server (stdio)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio (debugging)")
    serve.add_argument("--stdio", action="store_true", help="stdio transport (the default)")
    serve.set_defaults(func=cmd_serve)

    complete = sub.add_parser("complete", help="complete at FILE:LINE:COL through the same pipeline")
    complete.add_argument("location", metavar="FILE:LINE:COL")
    complete.add_argument("--json", action="store_true", help="print text, latency and token counts as JSON")
    complete.set_defaults(func=cmd_complete)

    docstring = sub.add_parser("docstring", help="write a docstring for FILE::QUALNAME (Class.method)")
    docstring.add_argument("target", metavar="FILE::QUALNAME")
    docstring.add_argument("--write", action="store_true", help="put it into the file instead of printing it")
    docstring.add_argument("--style", choices=("google", "numpy", "sphinx"), help="default: docstrings.style")
    docstring.set_defaults(func=cmd_docstring)

    tests = sub.add_parser("tests", help="write tests for FILE::QUALNAME that run and pass, with their coverage")
    tests.add_argument("target", metavar="FILE::QUALNAME")
    tests.add_argument("--write", action="store_true", help="add them to the project's test file")
    tests.add_argument("--root", help="the project root (default: nearest folder with pyproject.toml or .git)")
    tests.set_defaults(func=cmd_tests)

    review = sub.add_parser("review", help="review a Python file as on save: bandit, then the local model")
    review.add_argument("file", metavar="FILE")
    review.add_argument("--json", action="store_true", help="a JSON list of findings")
    review.add_argument("--no-local", action="store_true", help="bandit only: do not load the local model")
    review.add_argument("--deep", action="store_true", help="also hand the file to the deep reviewer (Claude)")
    review.set_defaults(func=cmd_review)

    logs = sub.add_parser("logs", help="group the entries of GLPI log files and point at the source lines")
    logs.add_argument("paths", nargs="+", metavar="PATH", help="a log file, or a folder of *.log files")
    logs.add_argument("--json", action="store_true", help="a JSON list of findings")
    logs.add_argument("--root", help="the GLPI workspace that backtraces resolve in (default: the current folder)")
    logs.set_defaults(func=cmd_logs)

    doctor = sub.add_parser("doctor", help="which model, why, GPU offload, VRAM fit")
    doctor.add_argument("--load", action="store_true", help="also load the model and time it")
    doctor.set_defaults(func=cmd_doctor)

    demo = sub.add_parser("demo", help="a real LSP session over the bundled example project")
    demo.set_defaults(func=cmd_demo)

    from copiloto.models.cli import register

    register(sub)
    return parser


def _hoist_global_options(argv: list[str]) -> list[str]:
    """Let the global options follow the subcommand too (`copiloto complete --model tiny f.py:1:1`)."""
    hoisted: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = arg.split("=", 1)[0]
        if name in ("--model", "--models-dir", "--engine-url"):
            if "=" in arg:
                hoisted.append(arg)
            elif i + 1 < len(argv):
                hoisted += [arg, argv[i + 1]]
                i += 1
        else:
            rest.append(arg)
        i += 1
    return hoisted + rest


def main(argv: list[str] | None = None) -> int:
    argv = _hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # pygls and httpx2 log every message/request at INFO: only with --verbose
        logging.getLogger("pygls").setLevel(logging.WARNING)
        logging.getLogger("httpx2").setLevel(logging.WARNING)
    from copiloto.engine.types import EngineError
    from copiloto.models.errors import ModelError

    try:
        return int(args.func(args) or 0)
    except (ModelError, EngineError) as exc:  # a user's mistake: the message says the fix, no traceback
        print(f"copiloto: {exc}", file=sys.stderr)
        return 1
