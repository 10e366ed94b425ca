"""Mutation score of a pytest test file against one small Python module, measured with mutmut 3.

`mutation_score` lays out a throwaway project in a temporary directory::

    <module_name>.py              the module under test
    tests/test_<module_name>.py   the tests (they import it as `from <module_name> import ...`)
    pyproject.toml                [tool.mutmut] and an empty [tool.pytest.ini_options] (so pytest's rootdir
                                  and config stop there, and never reach this repository's)

and runs `mutmut run` there as a subprocess (in its own process group, killed whole on timeout). mutmut copies
the project to `mutants/`, rewrites every function of the module into a trampoline over its mutants, runs the
tests once on the unmutated code (the stats run; it fails when the tests do), then once per mutant. The verdicts
are read back with `mutmut export-cicd-stats` (mutants/mutmut-cicd-stats.json).

What is counted (mutmut's statuses, from the exit code of the tests run against each mutant):

- killed: `killed` (the tests failed) plus `timeout` (they ran past mutmut's time limit), as mutmut's own badge
  counts them; `timeout` is also given on its own.
- survived: `survived` (the tests passed) plus `no tests` (no test reached the mutated function, so nothing could
  catch it); `no_tests` is also given on its own. When no test calls any function of the module mutmut stops before
  testing; then every mutant it made counts as survived (score 0).
- total: every mutant mutmut made, the above plus `suspicious`, `skipped`, `segfault` and the rest.
- score: killed / (killed + survived), None when there is nothing to score.

mutmut 3 only mutates code inside functions and methods (module-level statements, constants and class bodies are
left alone), and relies on os.fork, so this runs on Linux and macOS only. A mutant times out after
(its tests' clean duration + 1 s) × 5 wall seconds (timeout_multiplier below; mutmut's default is 15).

Try it: `python bench/mutation.py MODULE.py TESTS.py` prints the result as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

# Runs mutmut's CLI the way its `mutmut` script does. `python -m mutmut` would execute mutmut.__main__ a second time
# as __main__, which mutmut warns about (its multiprocessing start method is set at import).
MUTMUT_CLI = "import sys; from mutmut.__main__ import cli; sys.argv[0] = 'mutmut'; sys.exit(cli())"
STATS_FILE = Path("mutants") / "mutmut-cicd-stats.json"
MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Inherited variables that would change what pytest or mutmut do in the child (this repo's pytest options and
# plugins, its import path, coverage hooks, a mutant name from an enclosing mutmut run).
DROPPED_ENV_PREFIXES = ("PYTEST_", "MUTMUT_", "COV_CORE_")
DROPPED_ENV = {"PYTHONPATH", "PYTHONSTARTUP", "MUTANT_UNDER_TEST", "COVERAGE_PROCESS_START", "PY_IGNORE_IMPORTMISMATCH"}
OUTPUT_TAIL = 2000
SPINNER = re.compile(r"\s*[\u2800-\u28ff]")  # mutmut's progress lines start with a braille spinner
# Names the throwaway project already uses (or pytest would collect as tests).
RESERVED_NAMES = {"test", "tests", "conftest", "mutants", "setup"}
NO_TEST_REACHES_A_MUTANT = "could not find any test case for any mutant"


@dataclass(frozen=True)
class MutationScore:
    killed: int  # mutmut's `killed` + `timeout`
    survived: int  # mutmut's `survived` + `no tests`
    total: int  # every mutant mutmut made (also `suspicious`, `skipped`, `segfault`, ...)
    score: float | None  # killed / (killed + survived); None when no mutants (or when it could not be measured)
    seconds: float  # wall-clock time of the whole measurement
    error: str | None = None  # why it could not be measured
    timeout: int = 0  # of `killed`: mutants whose tests ran past mutmut's time limit
    no_tests: int = 0  # of `survived`: mutants in functions no test called


def pyproject(module_name: str) -> str:
    return f"""\
[tool.mutmut]
source_paths = ["{module_name}.py"]
pytest_add_cli_args_test_selection = ["tests/"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "--tb=short"]
# The throwaway project is no git checkout; don't let mutmut ask git about it.
use_git_change_detection = false
# A mutant's tests time out after (their clean duration + 1 s) × 5 wall seconds (mutmut's default multiplier, 15,
# spends 15 s on each mutant that loops forever); its CPU limit is twice that.
timeout_multiplier = 5.0

[tool.pytest.ini_options]
addopts = ""
"""


def child_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DROPPED_ENV and not key.startswith(DROPPED_ENV_PREFIXES)
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["NO_COLOR"] = "1"
    return env


def tail(text: str) -> str:
    """The end of mutmut's output, less its progress spinners."""
    text = "\n".join(line for line in text.splitlines() if not SPINNER.match(line)).strip()
    return text if len(text) <= OUTPUT_TAIL else "…" + text[-OUTPUT_TAIL:]


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_mutmut(args: list[str], *, cwd: Path, python: Path, timeout_s: float) -> tuple[int | None, str]:
    """Run a mutmut command; the exit code (None on timeout, after killing its process group) and its output."""
    with subprocess.Popen(
        [str(python), "-c", MUTMUT_CLI, *args],
        cwd=cwd,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=max(timeout_s, 0.001))
        except subprocess.TimeoutExpired:
            kill_group(process.pid)
            output, _ = process.communicate()
            return None, output
        # mutmut's forked workers share its process group; leave none behind.
        kill_group(process.pid)
        return process.returncode, output


def mutants_made(project: Path, module_name: str) -> int | None:
    """How many mutants mutmut made of the module (its .meta file), None when it wrote none."""
    meta = project / "mutants" / f"{module_name}.py.meta"
    try:
        return len(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run_failure(returncode: int, output: str) -> str:
    if "No module named mutmut" in output or "No module named 'mutmut'" in output:
        return "mutmut is not installed for this python"
    if "failed to collect stats. runner returned 5" in output:
        return "no tests were collected from the test file"
    if "failed to collect stats" in output or "Failed to run clean test" in output:
        return "the tests fail (or cannot be collected) on the unmutated code:\n" + tail(output)
    if NO_TEST_REACHES_A_MUTANT in output:
        return "no test calls any function of the module"
    return f"mutmut run exited with {returncode}:\n" + tail(output)


def mutation_score(
    module_name: str,
    module_source: str,
    test_source: str,
    *,
    timeout_s: float = 300,
    python: Path | None = None,
    max_children: int | None = None,
) -> MutationScore:
    """Mutation score of `test_source` (a pytest file) against `module_source`, imported as `module_name`.

    `python` is the interpreter that has mutmut and pytest (default: this one); `timeout_s` bounds the whole
    measurement; `max_children` is how many mutants mutmut tests at once (default: mutmut's, one per CPU).
    """
    start = time.monotonic()

    def failed(error: str) -> MutationScore:
        return MutationScore(0, 0, 0, None, round(time.monotonic() - start, 3), error)

    if not MODULE_NAME.fullmatch(module_name) or module_name in RESERVED_NAMES or module_name.startswith("test_"):
        return failed(f"not a usable module name: {module_name!r}")
    interpreter = python or Path(sys.executable)
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        project = Path(tmp)
        (project / f"{module_name}.py").write_text(module_source, encoding="utf-8")
        (project / "tests").mkdir()
        (project / "tests" / f"test_{module_name}.py").write_text(test_source, encoding="utf-8")
        (project / "pyproject.toml").write_text(pyproject(module_name), encoding="utf-8")

        args = ["run"] if max_children is None else ["run", "--max-children", str(max_children)]
        try:
            returncode, output = run_mutmut(args, cwd=project, python=interpreter, timeout_s=timeout_s)
        except OSError as exc:
            return failed(f"could not start {interpreter}: {exc}")
        if returncode is None:
            return failed(f"mutmut run timed out after {timeout_s:g} s")
        if returncode != 0 and NO_TEST_REACHES_A_MUTANT in output:
            # mutmut stops before testing when no test calls a mutated function: every mutant it made survives.
            made = mutants_made(project, module_name)
            if made is not None:
                return MutationScore(
                    killed=0,
                    survived=made,
                    total=made,
                    score=0.0 if made else None,
                    seconds=round(time.monotonic() - start, 3),
                    no_tests=made,
                )
        if returncode != 0:
            return failed(run_failure(returncode, output))

        left = timeout_s - (time.monotonic() - start)
        returncode, output = run_mutmut(["export-cicd-stats"], cwd=project, python=interpreter, timeout_s=left)
        stats_path = project / STATS_FILE
        if returncode is None:
            return failed(f"mutmut export-cicd-stats timed out after {timeout_s:g} s in all")
        if returncode != 0 or not stats_path.exists():
            if "No previous mutation data found" in output:
                # Nothing to mutate: no functions in the module (or only code mutmut leaves alone).
                return MutationScore(0, 0, 0, None, round(time.monotonic() - start, 3))
            return failed(f"mutmut export-cicd-stats exited with {returncode}:\n" + tail(output))
        stats = json.loads(stats_path.read_text(encoding="utf-8"))

    timeout = int(stats.get("timeout", 0))
    no_tests = int(stats.get("no_tests", 0))
    killed = int(stats.get("killed", 0)) + timeout
    survived = int(stats.get("survived", 0)) + no_tests
    scored = killed + survived
    return MutationScore(
        killed=killed,
        survived=survived,
        total=int(stats.get("total", 0)),
        score=killed / scored if scored else None,
        seconds=round(time.monotonic() - start, 3),
        timeout=timeout,
        no_tests=no_tests,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("module", type=Path, help="the module under test (its file name gives the module name)")
    parser.add_argument("tests", type=Path, help="a pytest file that imports it as `from MODULE import ...`")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the whole run (default 300)")
    parser.add_argument("--python", type=Path, help="the interpreter with mutmut and pytest (default: this one)")
    parser.add_argument("--max-children", type=int, help="mutants tested at once (default: one per CPU)")
    args = parser.parse_args(argv)
    result = mutation_score(
        args.module.stem,
        args.module.read_text(encoding="utf-8"),
        args.tests.read_text(encoding="utf-8"),
        timeout_s=args.timeout,
        python=args.python,
        max_children=args.max_children,
    )
    print(json.dumps(asdict(result), indent=2))
    return 0 if result.error is None else 1


if __name__ == "__main__":
    sys.exit(main())
