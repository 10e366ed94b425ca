"""Command line: `copiloto serve | demo | complete | docstring | tests | review | logs | models | doctor`."""

from __future__ import annotations

import argparse
import logging
import sys

from copiloto.cli.code import cmd_complete, cmd_docstring, cmd_tests
from copiloto.cli.common import settings_from_args
from copiloto.cli.review import cmd_logs, cmd_review
from copiloto.cli.serve import cmd_serve


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
    tests.add_argument("--show-failed", action="store_true", help="also print the rejected tests and why each failed")
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
    logs.add_argument(
        "--explain",
        type=int,
        metavar="LINE",
        help="ask Claude for the root cause of the entry at LINE of the one log given (the line the listing shows)",
    )
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


def _configure_logging(args: argparse.Namespace) -> None:
    """The server's log (stderr, the editor's output channel) is timestamped at INFO; a command a person runs says
    only its warnings, as `copiloto: ...` lines; --verbose gives everything, timestamped."""
    if args.verbose or args.command in ("serve", "demo"):
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.INFO,
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        if not args.verbose:  # pygls and httpx2 log every message/request at INFO: only with --verbose
            logging.getLogger("pygls").setLevel(logging.WARNING)
            logging.getLogger("httpx2").setLevel(logging.WARNING)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("copiloto: %(message)s"))
    handler.addFilter(_not_the_engine_failure)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def _not_the_engine_failure(record: logging.LogRecord) -> bool:
    """The engine logs why it failed for the server's log; a command prints that same reason as its last line."""
    return not (record.name.startswith("copiloto.engine") and record.levelno >= logging.ERROR and not record.exc_info)


def main(argv: list[str] | None = None) -> int:
    argv = _hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(argv)
    _configure_logging(args)
    from copiloto.engine.types import EngineError
    from copiloto.models.errors import ModelError

    try:
        return int(args.func(args) or 0)
    except (ModelError, EngineError) as exc:  # a user's mistake: the message says the fix, no traceback
        print(f"copiloto: {exc}", file=sys.stderr)
        return 1
