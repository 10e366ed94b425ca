"""Explain a GLPI log entry with Claude (`orchestrate.explain`): the group's latest entry and the workspace lines
its backtrace points at go to Claude; the answer keeps only the lines Claude was shown. The server's
"Explain with Claude" action and `copiloto logs --explain LINE` both call `explain_log_entry`, so they send the
same thing and report the same lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from copiloto.cloud.client import CloudClient
from copiloto.errors import Unavailable
from copiloto.logs.entries import Frame as LogFrame
from copiloto.logs.report import resolve
from copiloto.logs.watch import LogWatch
from copiloto.orchestrate.claude.explain import Frame, InvolvedLine, explain


@dataclass(frozen=True)
class LogExplanation:
    root_cause: str
    fix: str | None
    involved: list[InvolvedLine]  # files relative to `root`; only lines Claude was shown
    root: Path  # the workspace the frames resolved in


class NoSuchEntry(Unavailable):
    """No group of the log has its latest entry at that line (the log moved on, or a wrong line): nothing asked."""


async def explain_log_entry(*, client: CloudClient, watch: LogWatch, log_file: Path, line: int) -> LogExplanation:
    """Claude's root cause for the group whose latest entry starts at `line` (1-based) of `log_file`.
    NoSuchEntry when there is none; CloudUnavailable / CloudError (CopilotoError) when Claude cannot answer."""
    found = watch.group_at(log_file, line)
    if found is None:
        raise NoSuchEntry(f"no log entry starts at {log_file.name}:{line} (any more)")
    group, root = found
    frames = workspace_frames(group.latest.frames, root)
    explanation, involved = await explain(client, group.latest.raw, frames, str(log_file))
    return LogExplanation(explanation.root_cause, explanation.fix, involved, root)


def workspace_frames(frames: Sequence[LogFrame], root: Path) -> list[Frame]:
    """The backtrace frames that name a line of a file in the workspace (a log is input: see `resolve`)."""
    shown: list[Frame] = []
    for frame in frames:
        path = resolve(frame.file, root) if frame.line is not None else None
        if path is not None and frame.line is not None:
            shown.append(Frame(path, path.relative_to(root).as_posix(), frame.line))
    return shown
