"""Quick fixes for bandit's findings: one small, pure rewrite per file, keyed by bandit test id.

Each rewrite is `(text, finding) -> new text | None` (None: no safe fix) and touches only the flagged call.
Nothing is offered unchecked: `attempt` applies every rewrite registered for the finding's test id and keeps
a result only when the new text parses, bandit no longer reports that finding at that place, and bandit
reports nothing new (apart from the low-severity successors a fix declares: B603/B607 for an argument list).
"""

from __future__ import annotations

import ast
import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from copiloto.review.fixes import mktemp, shell_true, verify_false, weak_hash, yaml_load
from copiloto.review.security import SecurityFinding, security_findings

Rewrite = Callable[[str, SecurityFinding], "str | None"]
Outcome = Literal["offered", "refused", "broke-parse", "finding-remains", "new-finding", "failed"]


@dataclass(frozen=True)
class Fix:
    code: str  # bandit test id
    title: str  # "use yaml.safe_load"
    rewrite: Rewrite
    successors: frozenset[str] = frozenset()  # findings the fixed call may raise instead (low severity)


@dataclass(frozen=True)
class Attempt:
    fix: Fix
    outcome: Outcome
    text: str | None  # the whole new text, when offered (or, for the record, when rejected)
    detail: str = ""


def _registry(*fixes: Fix) -> dict[str, tuple[Fix, ...]]:
    out: dict[str, tuple[Fix, ...]] = {}
    for fix in fixes:
        out[fix.code] = (*out.get(fix.code, ()), fix)
    return out


REGISTRY: dict[str, tuple[Fix, ...]] = _registry(
    Fix(yaml_load.CODE, yaml_load.TITLE, yaml_load.rewrite),
    *(Fix(code, shell_true.TITLE, shell_true.rewrite, shell_true.SUCCESSORS) for code in shell_true.CODES),
    Fix(weak_hash.CODE, weak_hash.NOT_FOR_SECURITY_TITLE, weak_hash.not_for_security),
    Fix(weak_hash.CODE, weak_hash.SHA256_TITLE, weak_hash.sha256),
    Fix(mktemp.CODE, mktemp.TITLE, mktemp.rewrite),
    Fix(verify_false.CODE, verify_false.TITLE, verify_false.rewrite),
)


@functools.lru_cache(maxsize=32)
def findings_of(text: str) -> tuple[SecurityFinding, ...]:
    """bandit on `text`, remembered: a client asks for code actions at every cursor move."""
    return tuple(security_findings(text))


def finding_at(text: str, code: str, line: int, column: int) -> SecurityFinding | None:
    """bandit's current finding `code` at (1-based line, column): the column as bandit reports it (UTF-8 bytes,
    as diagnostics carry it today) or in UTF-16 code units (LSP's own unit)."""
    lines = text.split("\n")
    for f in findings_of(text):
        if f.code != code or f.line != line or f.line > len(lines):
            continue
        head = lines[f.line - 1].encode("utf-8")[: f.column].decode("utf-8", errors="ignore")
        if column in (f.column, len(head.encode("utf-16-le")) // 2):
            return f
    return None


def check(text: str, finding: SecurityFinding, fix: Fix, new: str | None) -> Attempt:
    """Whether `new` (the rewrite of `text`) may be offered for `finding`."""
    if new is None or new == text:
        return Attempt(fix, "refused", None)
    try:
        ast.parse(new)
    except (SyntaxError, ValueError) as exc:
        return Attempt(fix, "broke-parse", new, str(exc))
    before, after = Counter(f.code for f in findings_of(text)), findings_of(new)
    counted = Counter(f.code for f in after)
    same_place = any(f.code == finding.code and (f.line, f.column) == (finding.line, finding.column) for f in after)
    if same_place or counted[finding.code] >= before[finding.code]:
        return Attempt(fix, "finding-remains", new)
    unexpected = sorted(code for code in counted - before if code not in fix.successors)
    if unexpected:
        return Attempt(fix, "new-finding", new, ", ".join(unexpected))
    return Attempt(fix, "offered", new)


def attempt(text: str, finding: SecurityFinding) -> list[Attempt]:
    """Every registered rewrite for the finding, checked."""
    out = []
    for fix in REGISTRY.get(finding.code, ()):
        try:
            new = fix.rewrite(text, finding)
        except Exception as exc:  # a rewrite bug must never cost the user their code actions
            out.append(Attempt(fix, "failed", None, f"{type(exc).__name__}: {exc}"))
            continue
        out.append(check(text, finding, fix, new))
    return out


def verified_fixes(text: str, finding: SecurityFinding) -> list[Attempt]:
    """The fixes that may be offered for `finding`, in registry order."""
    return [done for done in attempt(text, finding) if done.outcome == "offered"]
