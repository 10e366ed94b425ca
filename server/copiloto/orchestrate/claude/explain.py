""" "Explain with Claude" for a GLPI log group: the latest entry (redacted) and the workspace lines its backtrace
points at go to Claude, which answers with the root cause and the source lines involved, checked against the
lines it was shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from copiloto.cloud.client import CloudClient
from copiloto.context import enclosing_function

SYSTEM = (
    "You help a team that runs GLPI (the PHP helpdesk) find the root cause of errors in its logs. You get one "
    "log entry with its backtrace and the source lines its frames point at. Explain the root cause in two or "
    "three sentences a developer can act on, name the source lines involved (only lines you were shown) and why, "
    "and suggest a fix when you can. Answer through the report_explanation tool."
)
TOOL = "report_explanation"
CONTEXT_LINES = 12  # shown around each frame's line
MAX_FUNCTION_LINES = 80  # a PHP frame's whole function is shown instead, when it is no longer than this


class InvolvedLine(BaseModel):
    file: str = Field(description="the file as shown")
    line: int = Field(description="1-based line number as shown")
    why: str


class Explanation(BaseModel):
    """The root cause of the log entry and the source lines involved."""

    root_cause: str
    involved: list[InvolvedLine]
    fix: str | None = None


@dataclass(frozen=True)
class Frame:
    file: Path  # absolute, in the workspace
    shown_as: str  # relative to the workspace root
    line: int


def _shown(frame: Frame) -> tuple[list[str], int, int, str | None]:
    """The file's lines, the first and last (1-based) shown for `frame` and the function they are, if they are
    one: a root cause is often earlier in the function than the failing line, so a PHP frame's whole function
    is shown, unless it is too long for the prompt."""
    text = frame.file.read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    function = enclosing_function(text, frame.line - 1) if frame.file.suffix.lower() == ".php" else None
    if function is not None and function.end_row - function.start_row < MAX_FUNCTION_LINES:
        return lines, function.start_row + 1, function.end_row + 1, function.name
    return lines, max(1, frame.line - CONTEXT_LINES), min(len(lines), frame.line + CONTEXT_LINES), None


def excerpt(frame: Frame) -> str:
    return _excerpt(frame, *_shown(frame))


def _excerpt(frame: Frame, lines: list[str], first: int, last: int, function: str | None) -> str:
    body = "\n".join(f"{n}: {lines[n - 1]}" for n in range(first, last + 1))
    what = f"lines {first}-{last}, the whole function {function}()" if function else f"lines {first}-{last}"
    return f"--- {frame.shown_as} ({what}; the frame is line {frame.line})\n{body}"


async def explain(
    client: CloudClient, entry: str, frames: Sequence[Frame], log_path: str | None = None
) -> tuple[Explanation, list[InvolvedLine]]:
    """Claude's explanation and, of the lines it names, those it was shown. CloudUnavailable when Claude cannot
    be used now (the reason, or `log_path` matches cloud.exclude), CloudError when it failed."""
    shown = [f for f in frames if not client.never_sends(f.shown_as) and f.file.is_file()]
    views = [(f, _shown(f)) for f in shown]  # each file read (and parsed) once: what is sent is what is checked
    context = "Log entry:\n" + entry + "\n\nSource:\n" + "\n\n".join(_excerpt(f, *view) for f, view in views)
    answer = await client.ask(SYSTEM, context, "What is the root cause?", Explanation, TOOL, path=log_path)
    windows = {(f.shown_as, n) for f, (_, first, last, _) in views for n in range(first, last + 1)}
    return answer.value, [i for i in answer.value.involved if (i.file, i.line) in windows]
