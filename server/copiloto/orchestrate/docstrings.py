"""Who writes a docstring (`orchestrate.docstrings`): the local model alone, the local model then Claude
(sequential: Claude refines the draft), both at once (concurrent: Claude's is used when it passes the checks, and
the user is told where the two agree and differ on the contract: the exceptions each documents, whether it
returns), or the local model unless it fails (handoff: Claude writes it only when every local draft failed the
checks). Claude's text is checked like the local one; without Claude (no key, over budget, offline) the local
result stands — or its error, when it had none."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from copiloto.cloud.client import CloudClient
from copiloto.config import Pattern
from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.generate import Documented, document
from copiloto.docstrings.styles import Style, sections
from copiloto.engine.types import Engine, Stopped, never_stopped
from copiloto.orchestrate.claude.docstrings import fresh_docstring, refine_docstring, take_over_docstring


def write_docstring(
    engine: Engine,
    claude: CloudClient | None,
    *,
    pattern: Pattern,
    source: str,
    qualname: str,
    style: Style,
    stopped: Stopped = never_stopped,
    path: str | None = None,
) -> Documented:
    """The checked docstring for `qualname`; DocstringError when nobody wrote one that passes."""
    usable = claude if claude is not None and pattern != "local" and claude.unavailable_reason() is None else None
    if usable is not None and pattern == "concurrent":
        return _both_at_once(engine, usable, source, qualname, style, stopped, path)
    try:
        draft = document(engine, source, qualname, style, stopped)
    except DocstringError as exc:
        if usable is None or pattern != "handoff" or stopped():
            raise
        taken = take_over_docstring(usable, source, qualname, style, str(exc), path)
        if taken is None:
            raise
        return taken
    if usable is None or pattern != "sequential" or stopped():
        return draft
    return refine_docstring(usable, source, draft, style, path)


def _both_at_once(
    engine: Engine,
    claude: CloudClient,
    source: str,
    qualname: str,
    style: Style,
    stopped: Stopped,
    path: str | None,
) -> Documented:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="copiloto-claude-docstring") as pool:
        theirs = pool.submit(fresh_docstring, claude, source, qualname, style, path)
        try:
            ours: Documented | DocstringError = document(engine, source, qualname, style, stopped)
        except DocstringError as exc:
            ours = exc
        claudes = theirs.result()
    if claudes is None:  # Claude's failed the checks or could not be had: the local one, or its error
        if isinstance(ours, DocstringError):
            raise ours
        return replace(ours, note="Claude's docstring could not be used: the local model's is shown")
    if isinstance(ours, DocstringError):
        return replace(claudes, note=f"Claude's docstring (the local model's failed: {ours})")
    return replace(claudes, note=compare_docstrings(ours.docstring, claudes.docstring, style))


def compare_docstrings(local: str, claude: str, style: Style) -> str:
    """One sentence for the user: do the two docstrings promise the same (exceptions, a return value)?"""
    mine, theirs = sections(local, style), sections(claude, style)
    differences = []
    for who, one, other in (("Claude", theirs, mine), ("the local model", mine, theirs)):
        extra = sorted(set(one.raises) - set(other.raises))
        if extra:
            differences.append(f"only {who} documents {', '.join(extra)}")
    if mine.returns != theirs.returns:
        differences.append(f"only {'Claude' if theirs.returns else 'the local model'} documents a return value")
    if not differences:
        return "Claude's docstring; the local model's documents the same exceptions and return: they agree"
    return "Claude's docstring; they disagree: " + "; ".join(differences)
