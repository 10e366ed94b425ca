"""Docstrings for one def or class: find it, say what it must document, lint, edit, check examples.

Plain Python with no LSP or model in sight: the "Generate docstring" code action and
`copiloto docstring FILE::QUALNAME` build on it. The flow they follow:

1. `find_by_qualname` / `find_at` → a `Target` (what the docstring has to mention, where it goes);
2. `skeleton(target, style)` is the shape the model fills; `clean_model_docstring` unwraps its answer;
3. `apply` puts it into the file text; `coverage_problems`, `ruff_problems` (on `lint_lines` of the
   target found again in the edited text) and `failing_examples` / `drop_failing_examples` check it;
   `unmentioned_changes` measures whether a method's docstring names the `self.x` its code changes.
"""

from copiloto.docstrings.doctests import (
    ExampleFailure,
    drop_failing_examples,
    example_failures,
    failing_examples,
)
from copiloto.docstrings.edit import apply, clean_model_docstring, normalize, quote
from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.lint import CONVENTIONS, lint_lines, ruff_executable, ruff_problems
from copiloto.docstrings.styles import (
    DEFAULT_STYLE,
    STYLES,
    Sections,
    Style,
    check_style,
    coverage_problems,
    sections,
    skeleton,
    unmentioned_changes,
)
from copiloto.docstrings.target import Target, class_outline, find_at, find_by_qualname, state_changes

__all__ = [
    "CONVENTIONS",
    "DEFAULT_STYLE",
    "STYLES",
    "DocstringError",
    "ExampleFailure",
    "Sections",
    "Style",
    "Target",
    "apply",
    "check_style",
    "class_outline",
    "clean_model_docstring",
    "coverage_problems",
    "drop_failing_examples",
    "example_failures",
    "failing_examples",
    "find_at",
    "find_by_qualname",
    "lint_lines",
    "normalize",
    "quote",
    "ruff_executable",
    "ruff_problems",
    "sections",
    "skeleton",
    "state_changes",
    "unmentioned_changes",
]
