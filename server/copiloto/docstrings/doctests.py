"""Run a docstring's examples against the edited module, and drop the ones that fail.

A model writes plausible examples, not always true ones. They run in a child interpreter (the module's
import may do anything, and an example may loop forever) with the module loaded from a temporary copy.
Matching is strict, as `python -m doctest` and pytest's doctest runner are by default.
"""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MODULE_NAME = "doctest_module"

_GOOGLE_EXAMPLES_RE = re.compile(r"\s*Examples?::?\s*")
_NUMPY_EXAMPLES_RE = re.compile(r"\s*Examples?\s*")
_UNDERLINE_RE = re.compile(r"\s*-{3,}\s*")

# Runs in the child: argv = module file, module name, qualname, result file, extra sys.path entries;
# stdin = the docstring. Writes [[example source, reason], ...] to the result file.
_CHILD = r"""
import doctest, importlib.util, json, sys, traceback
path, module_name, qualname, result_path, *extra_path = sys.argv[1:]
sys.path[:0] = extra_path
docstring = sys.stdin.read()
failures = []

def finish():
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(failures, f)

try:
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
except BaseException as exc:
    reason = "the module does not import: " + traceback.format_exception_only(type(exc), exc)[-1].strip()
    failures = [[e.source, reason] for e in doctest.DocTestParser().get_examples(docstring)]
    finish()
    sys.exit(0)

class Recorder(doctest.DocTestRunner):
    def report_failure(self, out, test, example, got):
        failures.append([example.source, "expected %r, got %r" % (example.want, got)])

    def report_unexpected_exception(self, out, test, example, exc_info):
        failures.append([example.source, "raised " + traceback.format_exception_only(*exc_info[:2])[-1].strip()])

test = doctest.DocTestParser().get_doctest(docstring, dict(vars(module)), qualname, path, 0)
Recorder(verbose=False).run(test, out=lambda _: None)
finish()
"""


@dataclass(frozen=True)
class ExampleFailure:
    source: str  # the example's code as doctest parses it: prompts removed, newline-terminated
    reason: str


def failing_examples(
    module_source_after_edit: str,
    qualname: str,
    docstring: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    *,
    module_name: str = DEFAULT_MODULE_NAME,
    sys_path: Sequence[str] = (),
) -> list[str]:
    """The sources of the docstring's examples that fail (see example_failures for the reasons)."""
    failures = example_failures(
        module_source_after_edit, qualname, docstring, timeout_s, module_name=module_name, sys_path=sys_path
    )
    return [f.source for f in failures]


def example_failures(
    module_source_after_edit: str,
    qualname: str,
    docstring: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    *,
    module_name: str = DEFAULT_MODULE_NAME,
    sys_path: Sequence[str] = (),
) -> list[ExampleFailure]:
    """Each failing example with why; when the module can't even load, every example, with that reason.

    `module_name` is what the module is imported as (reprs in expected output name it); `sys_path`
    entries (the project root) come first on the child's path so the module's own imports resolve.
    """
    examples = doctest.DocTestParser().get_examples(docstring)
    if not examples:
        return []
    with tempfile.TemporaryDirectory(prefix="copiloto-doctest-") as tmp:
        module_path = Path(tmp, f"{module_name}.py")
        module_path.write_text(module_source_after_edit, encoding="utf-8")
        result_path = Path(tmp, "result.json")
        reason = _run_child(
            [str(module_path), module_name, qualname, str(result_path), *sys_path], docstring, tmp, timeout_s
        )
        if reason is None and result_path.is_file():
            return [ExampleFailure(s, r) for s, r in json.loads(result_path.read_text(encoding="utf-8"))]
    return [ExampleFailure(e.source, reason or "the doctest run wrote no result") for e in examples]


def _run_child(args: list[str], docstring: str, cwd: str, timeout_s: float) -> str | None:
    """Run the examples in a child interpreter; None when it finished, else why it didn't."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *args],
            input=docstring,
            capture_output=True,
            encoding="utf-8",
            cwd=cwd,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"the examples took longer than {timeout_s:g} s"
    if done.returncode != 0:
        return f"the doctest run failed (exit {done.returncode}): {done.stderr.strip()[-300:]}"
    return None


def drop_failing_examples(docstring: str, failing: Iterable[str]) -> str:
    """`docstring` without the examples whose source is in `failing` (with their expected output).

    An Examples section left with nothing in it goes too.
    """
    to_drop = set(failing)
    lines = docstring.split("\n")
    dropped: set[int] = set()
    for example in doctest.DocTestParser().get_examples(docstring):
        if example.source in to_drop:
            end = example.lineno + example.source.count("\n") + example.want.count("\n")
            dropped.update(range(example.lineno, end))
            if _separates_examples(lines, example.lineno, end):
                dropped.add(end)  # else the next example would start with a blank line under its header
    if not dropped:
        return docstring
    kept = [line for i, line in enumerate(lines) if i not in dropped]
    return "\n".join(_squeeze_blank_lines(_drop_empty_examples(kept)))


def _separates_examples(lines: list[str], start: int, end: int) -> bool:
    """Whether the blank line after an example (lines start..end) only sits between it and the next one."""
    if start == 0 or not lines[start - 1].strip() or end + 1 >= len(lines) or lines[end].strip():
        return False
    return lines[end + 1].lstrip().startswith(">>>")


def _drop_empty_examples(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        end = _empty_examples_end(lines, i)
        if end is None:
            out.append(lines[i])
            i += 1
        else:
            i = end
    return out


def _empty_examples_end(lines: list[str], i: int) -> int | None:
    """Where an Examples section starting at line i ends, if it holds nothing but blank lines."""
    line = lines[i]
    numpy = _NUMPY_EXAMPLES_RE.fullmatch(line) and i + 1 < len(lines) and _UNDERLINE_RE.fullmatch(lines[i + 1])
    if numpy:
        j = i + 2
        while j < len(lines) and not lines[j].strip():
            j += 1
        # Empty: the text ends, or the next line starts another section (a header over an underline).
        ends = j == len(lines) or (j + 1 < len(lines) and bool(_UNDERLINE_RE.fullmatch(lines[j + 1])))
        return j if ends else None
    if _GOOGLE_EXAMPLES_RE.fullmatch(line):
        indent = len(line) - len(line.lstrip())
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        ends = j == len(lines) or len(lines[j]) - len(lines[j].lstrip()) <= indent
        return j if ends else None
    return None


def _squeeze_blank_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out
