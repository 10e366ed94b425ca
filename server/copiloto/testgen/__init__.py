"""Tests for one function: where they go, whether they run, what they cover; no LSP or model here.

The "Generate tests" code action builds on it. The flow it follows:

1. `plan(root, module)` → a `TestPlan`: the test file, the import line, what goes on sys.path;
2. the model writes test functions; `collects` says whether pytest can collect them (else the errors go back);
3. `run_test` runs each one `RunLimits.runs` times (3), sandboxed, against the current code: kept only when
   every run passes; a failure's `output` and `failure_kind` go back to the model;
4. `coverage_of` measures what the kept tests cover of the function (lines and branches);
5. `merge` adds the imports and kept tests to the test file's text: one WorkspaceEdit.
"""

from copiloto.testgen.errors import TestgenError
from copiloto.testgen.layout import TestPlan, import_line, merge, plan, project_root
from copiloto.testgen.runner import (
    Confinement,
    Coverage,
    FailureKind,
    Outcome,
    RunLimits,
    RunResult,
    collects,
    confinement,
    coverage_of,
    run_test,
)

__all__ = [
    "Confinement",
    "Coverage",
    "FailureKind",
    "Outcome",
    "RunLimits",
    "RunResult",
    "TestPlan",
    "TestgenError",
    "collects",
    "confinement",
    "coverage_of",
    "import_line",
    "merge",
    "plan",
    "project_root",
    "run_test",
]
