"""Findings of every producer (bandit, the local model, GLPI logs, generated tests) as LSP diagnostics, and
the quick fix a local finding offers. Pure conversions: no server state here."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types

from copiloto.logs.report import LogFinding
from copiloto.logs.watch import SourceHit
from copiloto.lsp.positions import index_to_utf16
from copiloto.orchestrate.review import AGREEMENT_NOTE, Compared
from copiloto.review.flows.rules import SOURCE as FLOWS_SOURCE
from copiloto.review.handoff import DeepFinding
from copiloto.review.local import LocalFinding, checked_fix
from copiloto.review.misuse import SOURCE as MISUSE_SOURCE
from copiloto.review.security import SOURCE as BANDIT_SOURCE
from copiloto.review.security import SecurityFinding
from copiloto.testgen.generate import GeneratedTests

SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
# The local model's opinion is never shown as an error: a wrong red squiggle costs more trust than it buys.
LOCAL_SEVERITIES = {**SEVERITIES, "error": types.DiagnosticSeverity.Warning}
FIX_LABEL = "Copiloto fix"


def _lines_range(lines: Sequence[str], first: int, last: int) -> types.Range:
    """Lines first..last (0-based, inclusive), from the first non-blank character to the end of the last."""
    first = max(0, min(first, len(lines) - 1))
    last = max(first, min(last, len(lines) - 1))
    head, tail = lines[first], lines[last].rstrip("\r")
    start = index_to_utf16(head, len(head) - len(head.lstrip()))
    return types.Range(types.Position(first, start), types.Position(last, index_to_utf16(tail, len(tail))))


def whole_line(line: int) -> types.Range:
    """A 1-based line, for files whose text the server does not hold (logs, unopened sources)."""
    return types.Range(types.Position(line - 1, 0), types.Position(line, 0))


CHECKS = {FLOWS_SOURCE: "flow check", MISUSE_SOURCE: "misuse check"}  # what each of our layer-1 checks is called


def _rated(finding: SecurityFinding) -> str:
    """Bandit's findings say how bandit rates them; ours say which check found them (flow check, misuse check)."""
    if finding.source != BANDIT_SOURCE:
        return f"{finding.name}, {CHECKS.get(finding.source, finding.source)}"
    return (
        f"{finding.name}, bandit severity {finding.bandit_severity.lower()}, "
        f"confidence {finding.bandit_confidence.lower()}"
    )


def security_diagnostic(finding: SecurityFinding, text: str) -> types.Diagnostic:
    lines = text.split("\n")
    row = min(finding.line - 1, len(lines) - 1)
    end = finding.end_column if finding.end_column is not None else len(lines[row].rstrip("\r"))
    return types.Diagnostic(
        range=types.Range(types.Position(row, finding.column), types.Position(row, max(end, finding.column))),
        message=f"{finding.message} ({_rated(finding)})",
        severity=SEVERITIES[finding.severity],
        source=finding.source,
        code=finding.code,
        code_description=types.CodeDescription(href=finding.cwe_link) if finding.cwe_link else None,
    )


def lines_digest(lines: Sequence[str]) -> str:
    return hashlib.blake2b("\n".join(line.rstrip("\r") for line in lines).encode(), digest_size=8).hexdigest()


def local_diagnostic(finding: LocalFinding, text: str) -> types.Diagnostic:
    """The finding on its lines; a fix travels in `data` with a digest of the lines it replaces, so the quick
    fix is only offered while those lines are still what the model saw."""
    lines = text.split("\n")
    data: dict[str, Any] | None = None
    if finding.fix is not None:
        old = lines[finding.line - 1 : finding.end_line]
        data = {"fix": finding.fix, "line": finding.line, "end_line": finding.end_line, "digest": lines_digest(old)}
    return types.Diagnostic(
        range=_lines_range(lines, finding.line - 1, finding.end_line - 1),
        message=f"{finding.message} ({finding.category}, local model)",
        severity=LOCAL_SEVERITIES[finding.severity],
        source=finding.source,
        code=finding.code,
        data=data,
    )


def local_fix_action(
    diagnostic: types.Diagnostic, uri: str, version: int, text: str, preview: bool
) -> types.CodeAction | None:
    """A quick fix replacing the finding's lines with its fix; None when the lines changed since or the file
    would no longer parse. `preview`: the edit is annotated as needing confirmation, which makes VS Code show
    it as a diff before applying it."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else None
    if diagnostic.source != LocalFinding.model_fields["source"].default or data is None or "fix" not in data:
        return None
    try:
        line, end_line, fix = int(data["line"]), int(data["end_line"]), str(data["fix"])
    except (KeyError, TypeError, ValueError):
        return None
    lines = text.split("\n")
    old = lines[line - 1 : end_line]
    if end_line > len(lines) or lines_digest(old) != data.get("digest"):
        return None
    eol = "\r\n" if old and old[-1].endswith("\r") else "\n"
    new = checked_fix(fix, line, end_line, text.replace("\r\n", "\n"))
    if new is None:
        return None
    last = old[-1].rstrip("\r") if old else ""
    edit = types.AnnotatedTextEdit(
        range=types.Range(types.Position(line - 1, 0), types.Position(end_line - 1, index_to_utf16(last, len(last)))),
        new_text=new.replace("\n", eol),
        annotation_id=FIX_LABEL,
    )
    before, after = [o.rstrip("\r") + "\n" for o in old], [n + "\n" for n in new.split("\n")]
    diff = "".join(difflib.unified_diff(before, after, "before", "after"))
    annotation = types.ChangeAnnotation(label=FIX_LABEL, needs_confirmation=preview, description=diff)
    return types.CodeAction(
        title=f"Fix: {diagnostic.message.split(' (', 1)[0][:80]}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=[edit],
                )
            ],
            change_annotations={FIX_LABEL: annotation},
        ),
    )


def compared_diagnostic(found: Compared, text: str) -> types.Diagnostic:
    """A finding of the concurrent pattern, saying who reported it."""
    lines = text.split("\n")
    agreed = found.agreement == "both"
    return types.Diagnostic(
        range=_lines_range(lines, found.line - 1, found.end_line - 1),
        message=f"{found.message} ({AGREEMENT_NOTE[found.agreement]})",
        severity=(SEVERITIES if agreed else LOCAL_SEVERITIES)[found.severity],
        source=found.source,
        code=found.code,
    )


def deep_diagnostic(finding: DeepFinding, text: str) -> types.Diagnostic:
    """A finding of the deep reviewer (Claude) on its lines; like the local model's, never shown as an error."""
    return types.Diagnostic(
        range=_lines_range(text.split("\n"), finding.line - 1, finding.end_line - 1),
        message=finding.message,
        severity=LOCAL_SEVERITIES[finding.severity],
        source=finding.source,
    )


def log_diagnostic(finding: LogFinding) -> types.Diagnostic:
    """One group of log entries, on its latest occurrence in the log."""
    return types.Diagnostic(
        range=whole_line(finding.line),
        message=finding.message,
        severity=SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Information),
        source=finding.source,
        code=finding.code,
        data={"log": finding.log, "log_line": finding.line},
    )


def source_hit_diagnostic(hit: SourceHit, source_text: str | None) -> types.Diagnostic:
    """A workspace line a log's backtrace points at, with the log entry as related information."""
    line_range = whole_line(hit.line)
    if source_text is not None:
        lines = source_text.split("\n")
        if hit.line <= len(lines):
            line_range = _lines_range(lines, hit.line - 1, hit.line - 1)
    return types.Diagnostic(
        range=line_range,
        message=hit.message,
        severity=SEVERITIES.get(hit.severity, types.DiagnosticSeverity.Information),
        source="copiloto/logs",
        code=hit.code,
        data={"log": str(hit.log), "log_line": hit.log_line},
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=hit.log.as_uri(), range=whole_line(hit.log_line)),
                message=f"latest entry in {Path(hit.log).name}, line {hit.log_line}",
            )
        ],
    )


def bug_diagnostics(done: GeneratedTests, text: str) -> list[types.Diagnostic]:
    """Documented examples the code does not meet, found while generating tests."""
    lines = text.split("\n")
    return [
        types.Diagnostic(
            range=_lines_range(lines, bug.line, bug.line),
            message=bug.message,
            severity=types.DiagnosticSeverity.Information,
            source="copiloto",
            code="possible-bug",
        )
        for bug in done.possible_bugs
        if bug.line < len(lines)
    ]
