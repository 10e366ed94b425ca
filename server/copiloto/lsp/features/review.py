"""Review on save: bandit and the flow check at once (layer 1), the local model in the background (layer 2),
and Claude as the review pattern says (orchestrate.review) or as the deep reviewer. The bookkeeping is the
server's Reviews (lsp/reviews.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types

from copiloto.docstrings.action import PYTHON
from copiloto.errors import CopilotoError
from copiloto.lsp.core import CopilotoServer, file_path, server
from copiloto.lsp.diagnostics import compared_diagnostic, deep_diagnostic, local_diagnostic, security_diagnostic
from copiloto.orchestrate.review import Compared, SavedFile, review_saved
from copiloto.review.flows import PHP_SUFFIXES, layer1_findings
from copiloto.review.handoff import DeepFinding, DeepReviewRequest
from copiloto.review.handoff import deep_review as handoff_review
from copiloto.review.local import LocalFinding, LocalReview
from copiloto.review.on_save import why_not_reviewed
from copiloto.review.security import SecurityFinding

PHP_LANGUAGES = frozenset({"php"})
log = logging.getLogger(__name__)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
async def did_save(ls: CopilotoServer, params: types.DidSaveTextDocumentParams) -> None:
    """Review the saved text: bandit and the flow check at once (layer 1), then the local model (layer 2) in
    the background. Both are published for the version that was saved; a newer version drops them. PHP gets
    the flow check only (GLPI's superglobals into SQL, output, includes)."""
    doc = ls.documents.get(params.text_document.uri)
    settings = ls.settings.review
    language = doc.language_id.lower() if doc is not None else ""
    if doc is None or not settings.on_save or language not in PYTHON | PHP_LANGUAGES:
        return
    text, version, name = doc.text, doc.version, doc.uri.rsplit("/", 1)[-1]
    if language in PHP_LANGUAGES and not name.lower().endswith(PHP_SUFFIXES):
        name += ".php"  # the flow check reads the language from the name
    if (why := why_not_reviewed(text, settings.max_file_kb)) is not None:
        log.info("not reviewing %s: %s", name, why)
        return
    found = await asyncio.get_running_loop().run_in_executor(None, layer1_findings, text, name)
    ls.publish(doc.uri, "bandit", [security_diagnostic(finding, text) for finding in found], version)
    if settings.local_model and language in PYTHON:
        ls.spawn(review_locally(ls, doc.uri, text, version, found))


async def review_locally(ls: CopilotoServer, uri: str, text: str, version: int, layer1: list[SecurityFinding]) -> None:
    """The local model's review of the functions that changed, paired with Claude as orchestrate.review says;
    a newer save of the document stops it."""
    runtime = ls.runtime
    if runtime is None:
        return
    if runtime.engine.state in ("starting", "loading"):  # saved while the model loads: review once it is in
        await asyncio.get_running_loop().run_in_executor(None, runtime.engine.wait_loaded, 600)
    if runtime.engine.state != "ready" or runtime is not ls.runtime:
        return
    stop = ls.reviews.begin(uri)  # a newer save stops the review still running
    saved = SavedFile(str(file_path(uri) or uri), uri, text, tuple(layer1))
    try:
        await review_saved(
            saved,
            pattern=ls.settings.orchestrate.review,
            threshold=ls.settings.review.handoff_severity,
            engine=runtime.engine,
            memory=ls.reviews.memory,
            ask_claude=lambda request: _ask_claude(ls, request),
            sink=_Published(ls, uri, text, version),
            stopped=stop.is_set,
        )
    finally:
        ls.reviews.finished(uri, stop)


class _Published:
    """The review's findings as the document's diagnostics, for the version that was saved."""

    def __init__(self, ls: CopilotoServer, uri: str, text: str, version: int) -> None:
        self.ls, self.uri, self.text, self.version = ls, uri, text, version

    def reviewed(self, done: LocalReview) -> None:
        _count_review(self.ls, self.uri, self.version, done)

    def show_local(self, findings: Sequence[LocalFinding]) -> None:
        self.ls.publish(self.uri, "local", [local_diagnostic(f, self.text) for f in findings], self.version)

    def show_claude(self, findings: Sequence[DeepFinding], *, replaces_local: bool) -> None:
        if replaces_local:
            self.ls.publish(self.uri, "local", [], self.version)
        self.ls.publish(self.uri, "claude", [deep_diagnostic(f, self.text) for f in findings], self.version)

    def show_compared(self, findings: Sequence[Compared]) -> None:
        self.ls.publish(self.uri, "local", [], self.version)
        self.ls.publish(self.uri, "claude", [compared_diagnostic(c, self.text) for c in findings], self.version)

    def claude_answer_stands(self) -> bool:
        return self.ls.published(self.uri, "claude") is not None


def _count_review(ls: CopilotoServer, uri: str, version: int, done: LocalReview) -> None:
    """Add a finished review to the totals `copiloto/status` reports, and log it."""
    stats, totals = done.stats, ls.reviews.totals
    doc = ls.documents.get(uri)
    for key, value in (
        ("saves", 1),
        ("reviewed", stats.reviewed),
        ("findings", len(done.findings)),
        ("invalid_answers", stats.invalid_answers),
        ("dropped", len(stats.dropped)),
        ("duplicates", stats.duplicates),
        ("stale", int(doc is not None and doc.version != version)),
    ):
        totals[key] += value
    log.info(
        "local review of %s: %d of %d functions reviewed, %d findings, %d invalid answers, %d dropped, "
        "%d already reported by bandit, %d not parsing",
        uri.rsplit("/", 1)[-1],
        stats.reviewed,
        stats.functions,
        len(done.findings),
        stats.invalid_answers,
        len(stats.dropped),
        stats.duplicates,
        stats.unparsed,
    )
    for why in stats.dropped:
        log.debug("dropped a local finding: %s", why)
    for why in stats.answer_errors:
        log.info("dropped the local model's answer: %s", why)


async def _ask_claude(ls: CopilotoServer, request: DeepReviewRequest, quiet: bool = True) -> list[DeepFinding] | None:
    """Claude's findings, or None when it cannot give them now — the user is told why: once for work they
    did not ask for (`quiet`), every time for their own command (under a progress report)."""
    token = None if quiet else await ls.work_progress.begin(f"Deep review of {Path(request.path).name}")
    try:
        found = await handoff_review(ls.cloud.reviewer, request, ls.work_progress.reporter(token))
    except asyncio.CancelledError:  # the user moved on: the HTTP request is abandoned with the task
        ls.work_progress.end(token, "Cancelled")
        raise
    except CopilotoError as exc:  # not available now, or failed after its retries
        failed = exc.kind == "failed"
        ls.work_progress.end(token, "Failed" if failed else "Not available")
        message = f"Copiloto: deep review failed: {exc}" if failed else f"Copiloto: {exc}"
        if quiet:
            ls.tell_once(types.MessageType.Info, message)
        else:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
        return None
    ls.work_progress.end(token, f"{len(found)} findings")
    return found


async def deep_review(
    ls: CopilotoServer, uri: str, request: DeepReviewRequest, version: int | None, quiet: bool
) -> int:
    """Hand `request` to the deep reviewer and publish what it finds; -1 when it cannot review now."""
    found = await _ask_claude(ls, request, quiet)
    if found is None:
        return -1
    ls.publish(uri, "claude", [deep_diagnostic(f, request.text) for f in found], version)
    return len(found)
