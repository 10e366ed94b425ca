"""Layer 2 of the review: the local model reads each function that changed and answers in JSON.

The answer is constrained by a grammar made from `ModelReview`'s schema, then validated here: a finding must
point at lines of the function it was asked about, name a known category and say something; a fix must change
those lines and leave the code parsing. What fails is dropped and counted, never shown. review/on_save.py asks
this open question and the checklist's narrow ones (review/checklist.py) of each changed function.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, computed_field

from copiloto.engine.chat import ChatPrompt
from copiloto.engine.structured import ask
from copiloto.engine.types import Engine, Priority, Stopped
from copiloto.review.functions import FunctionSpan, function_spans

SOURCE = "copiloto/local"
Category = Literal["bug", "security", "performance", "style"]
ModelSeverity = Literal["error", "warning", "information"]
MAX_FUNCTION_CHARS = 12_000  # longer functions are reviewed from their start only (the prompt says so)
MAX_MESSAGE_CHARS = 300
# A review is background work: on a CPU a long function's prompt alone takes seconds; the engine's default
# deadline (made for completions) would cut most answers short.
REVIEW_TIMEOUT_S = 120.0

SYSTEM = (
    "Review the Python function below like a senior engineer. Report a finding only for a definite defect: "
    "code that crashes, returns a wrong result, loops forever, is injectable, or leaks a resource. Do not report "
    "style or speculation. Cite the numbered lines; a fix is the corrected text of those lines. If there is no "
    'definite defect, answer {"findings": []}.'
)


class ModelFinding(BaseModel):
    """One finding as the model writes it (the grammar is made from this schema)."""

    category: Category
    severity: ModelSeverity
    line: int
    end_line: int
    message: str
    fix: str | None = None


class ModelReview(BaseModel):
    findings: list[ModelFinding]


class LocalFinding(BaseModel):
    """A validated finding, in file lines (1-based, inclusive), ready to publish."""

    qualname: str
    category: Category
    severity: ModelSeverity
    line: int
    end_line: int
    message: str
    fix: str | None = None  # replacement text for lines line..end_line (whole lines, no final newline)
    source: str = SOURCE

    @computed_field  # type: ignore[prop-decorator]
    @property
    def code(self) -> str:
        return f"local-{self.category}"

    def moved(self, by: int) -> LocalFinding:
        return self.model_copy(update={"line": self.line + by, "end_line": self.end_line + by})


@dataclass
class ReviewStats:
    functions: int = 0  # functions in the file
    reviewed: int = 0  # asked the model about (changed since their last review)
    questions: int = 0  # checklist questions asked (review/checklist.py)
    unparsed: int = 0  # skipped: a syntax error inside
    invalid_answers: int = 0  # answers that were not valid JSON of the schema, or unfinished (dropped)
    answer_errors: list[str] = field(default_factory=list)  # why, per function
    dropped: list[str] = field(default_factory=list)  # findings that failed validation, and why
    duplicates: int = 0  # findings layer 1 already reports


@dataclass
class LocalReview:
    findings: list[LocalFinding]
    stats: ReviewStats


def numbered(span: FunctionSpan) -> str:
    """The function with its file line numbers (1-based), the form findings cite."""
    text = span.text if len(span.text) <= MAX_FUNCTION_CHARS else span.text[:MAX_FUNCTION_CHARS] + "\n# (cut here)"
    return "\n".join(f"{span.start_line + 1 + i}: {line}" for i, line in enumerate(text.split("\n")))


def review_function(
    engine: Engine, span: FunctionSpan, file_text: str, stats: ReviewStats, stopped: Stopped
) -> list[LocalFinding]:
    prompt = ChatPrompt(SYSTEM, numbered(span))
    answer = ask(engine, prompt, ModelReview, priority=Priority.BACKGROUND, timeout_s=REVIEW_TIMEOUT_S, stopped=stopped)
    if answer.value is None:
        if answer.result.stop_reason != "cancelled" and not stopped():
            stats.invalid_answers += 1
            stats.answer_errors.append(f"{span.qualname}: {answer.error}")
        return []
    kept: list[LocalFinding] = []
    for raw in answer.value.findings:
        finding, why = validate(raw, span, file_text)
        if finding is None:
            stats.dropped.append(f"{span.qualname}: {why}")
        elif not any(k.line == finding.line and k.category == finding.category for k in kept):
            kept.append(finding)
    return kept


def validate(raw: ModelFinding, span: FunctionSpan, file_text: str) -> tuple[LocalFinding | None, str]:
    """The finding in file lines when it holds up, else None and the reason."""
    first, last = span.start_line + 1, span.end_line + 1
    if not (first <= raw.line <= last and raw.line <= raw.end_line <= last):
        return None, f"lines {raw.line}-{raw.end_line} are outside {span.qualname} ({first}-{last})"
    message = " ".join(raw.message.split())
    if not message:
        return None, "empty message"
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    fix = checked_fix(raw.fix, raw.line, raw.end_line, file_text) if raw.fix else None
    finding = LocalFinding(
        qualname=span.qualname,
        category=raw.category,
        severity=raw.severity,
        line=raw.line,
        end_line=raw.end_line,
        message=message,
        fix=fix,
    )
    return finding, ""


def checked_fix(fix: str, line: int, end_line: int, file_text: str) -> str | None:
    """The fix, indented like the lines it replaces, when it changes them and the file still parses after."""
    lines = file_text.split("\n")
    old = lines[line - 1 : end_line]
    new = _indented_like(fix.rstrip("\n").split("\n"), old)
    if [n.rstrip() for n in new] == [o.rstrip() for o in old] or not "".join(new).strip():
        return None
    fixed = "\n".join(lines[: line - 1] + new + lines[end_line:])
    return "\n".join(new) if _parses(fixed) or (not _parses(file_text) and _function_parses(fixed, line)) else None


def _indented_like(new: list[str], old: list[str]) -> list[str]:
    want = _indent(old[0]) if old else ""
    have = min((_indent(n) for n in new if n.strip()), key=len, default="")
    if len(have) >= len(want):
        return new
    body = textwrap.dedent("\n".join(new)).split("\n")
    return [want + n if n.strip() else n for n in body]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _function_parses(text: str, line: int) -> bool:
    """For a file that was broken before the fix: the fixed function on its own parses."""
    for span in function_spans(text):
        if span.start_line < line <= span.end_line + 1:
            return span.parses and _parses(textwrap.dedent(span.text))
    return False
