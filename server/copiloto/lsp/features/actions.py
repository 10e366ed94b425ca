"""Code actions: listing is instant (which def/class, no model) and the work happens in codeAction/resolve —
a docstring, tests, the local model's fix of a bandit finding, Claude's explanation of a logged error.
Rewrites of bandit's findings are listed with their edit, once bandit has checked them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from copiloto.docstrings import DocstringError
from copiloto.docstrings.action import Offer, docstring_offers
from copiloto.docstrings.generate import Documented
from copiloto.engine.types import Stopped
from copiloto.errors import CopilotoError
from copiloto.lsp.core import CopilotoServer, file_path, server
from copiloto.lsp.diagnostics import bug_diagnostics, local_fix_action, whole_line
from copiloto.lsp.documents import Document
from copiloto.lsp.features.edits import kept_tests_edit, previewed, replacing
from copiloto.orchestrate.docstrings import write_docstring
from copiloto.orchestrate.explain import NoSuchEntry, explain_log_entry
from copiloto.orchestrate.tests import write_tests
from copiloto.review.fixes import REGISTRY as FIX_REGISTRY
from copiloto.review.fixes import finding_at, verified_fixes
from copiloto.review.fixes.model import TITLE as MODEL_FIX_TITLE
from copiloto.review.fixes.model import ModelFix, model_fix_at
from copiloto.review.security import SOURCE as SECURITY_SOURCE
from copiloto.runtime import Runtime
from copiloto.testgen import TestgenError
from copiloto.testgen.action import KIND as TESTS_KIND
from copiloto.testgen.action import tests_offers
from copiloto.testgen.layout import project_root

log = logging.getLogger(__name__)
UNTRUSTED = (
    "Restricted Mode: generating tests runs this workspace's code; trust the workspace (Manage Workspace Trust) "
    "to use it"
)
MODEL_FIX_ACTION = "model-fix"


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, TESTS_KIND],
        resolve_provider=True,
    ),
)
async def code_action(ls: CopilotoServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """Listing is instant: which def/class, no model; the work happens in codeAction/resolve. Rewrites of
    bandit's findings are the exception: none is offered unchecked, so bandit checks them here, off the loop."""
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        return None
    wanted = params.context.only
    fixes = []
    if not wanted or any(types.CodeActionKind.QuickFix.value.startswith(kind) for kind in wanted):
        fixes = await _quick_fixes(ls, doc, params)
    listed = _offers(ls, doc, params.range.start.line, wanted)
    return (
        fixes
        + [
            types.CodeAction(
                title=offer.title,
                kind=kind,
                disabled=types.CodeActionDisabled(reason=offer.unavailable) if offer.unavailable else None,
                data={"uri": doc.uri, "qualname": offer.qualname, "action": action},
            )
            for kind, action, offer in listed
        ]
        or None
    )


async def _quick_fixes(ls: CopilotoServer, doc: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The fixes of the request's diagnostics (local findings, logs) and of bandit's findings on its lines."""
    fixes = []
    preview = ls.can_preview_edits()
    for diagnostic in params.context.diagnostics:
        fix = local_fix_action(diagnostic, doc.uri, doc.version, doc.text, preview) or _explain_action(diagnostic)
        if fix is not None:
            fixes.append(fix)
    bandit = _bandit_diagnostics(ls, doc.uri, params)
    if bandit:
        loop = asyncio.get_running_loop()
        model = ls.runtime is not None and _resolves_edits(ls)
        fixes += await loop.run_in_executor(None, _bandit_fixes, bandit, doc.uri, doc.version, doc.text, preview, model)
    return fixes


def _offers(ls: CopilotoServer, doc: Document, line: int, wanted: Sequence[str] | None) -> list[tuple[str, str, Offer]]:
    """The docstring and tests actions for the def/class at `line`: (kind, action, offer)."""
    listed: list[tuple[str, str, Offer]] = []
    for kind, action, offers in (
        (types.CodeActionKind.RefactorRewrite.value, "docstring", docstring_offers),
        (TESTS_KIND, "tests", tests_offers),
    ):
        if not wanted or any(kind.startswith(prefix) for prefix in wanted):
            found = offers(doc.text, line, doc.language_id)
            if action == "tests" and not ls.workspace_trusted:
                found = [replace(offer, unavailable=UNTRUSTED) for offer in found]
            listed += [(kind, action, offer) for offer in found]
    text_caps = ls.client_capabilities.text_document
    code_action_caps = text_caps.code_action if text_caps else None
    if not (code_action_caps and code_action_caps.disabled_support):  # such clients would show it as usable
        listed = [entry for entry in listed if entry[2].unavailable is None]
    return listed


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: CopilotoServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    if data.get("action") == "explain":
        return await resolve_explain(ls, action, str(data.get("log", "")), int(data.get("log_line") or 0))
    doc = ls.document(str(data.get("uri", "")))
    if data.get("action") == "tests" and not ls.workspace_trusted:
        return _tell(ls, action, types.MessageType.Warning, UNTRUSTED)
    runtime = ls.runtime
    if runtime is None or runtime.engine.state != "ready":
        raise JsonRpcException("the model is not ready yet", code=-32803)  # RequestFailed
    if data.get("action") == "tests":
        return await resolve_tests(ls, action, doc, str(data.get("qualname", "")))
    if data.get("action") == MODEL_FIX_ACTION:
        return await resolve_model_fix(ls, action, doc, data)
    return await resolve_docstring(ls, action, doc, str(data.get("qualname", "")), runtime)


async def resolve_docstring(
    ls: CopilotoServer, action: types.CodeAction, doc: Document, qualname: str, runtime: Runtime
) -> types.CodeAction:
    """Write the docstring of `qualname` (the local model, and Claude as orchestrate.docstrings says)."""
    text, version = doc.text, doc.version
    style = ls.settings.docstrings.style
    claude, pattern = ls.cloud.client, ls.settings.orchestrate.docstrings

    def write(stopped: Stopped) -> Documented:
        path = file_path(doc.uri)  # cloud.exclude applies to it
        return write_docstring(
            runtime.engine,
            claude,
            pattern=pattern,
            source=text,
            qualname=qualname,
            style=style,
            stopped=stopped,
            path=str(path or doc.uri),
        )

    try:
        done = await ls.work_progress.run(f"Writing a docstring for {qualname}", write, lambda _: "Docstring written")
    except DocstringError as exc:
        return _tell(ls, action, types.MessageType.Warning, str(exc))
    if done.note:
        _tell(ls, action, types.MessageType.Info, done.note)
    # Versioned: if the user typed meanwhile, the client refuses the edit instead of misplacing it.
    action.edit = types.WorkspaceEdit(document_changes=[replacing(doc.uri, version, text, done.source)])
    return action


async def resolve_tests(ls: CopilotoServer, action: types.CodeAction, doc: Document, qualname: str) -> types.CodeAction:
    """Write, run and keep tests for `qualname`; the action's edit adds the kept ones to the test file."""
    runtime = ls.runtime
    assert runtime is not None
    path = file_path(doc.uri)
    if path is None or not path.is_file():
        return _tell(ls, action, types.MessageType.Warning, "save the file first: the tests import it from disk")
    text = doc.text  # what is on disk: the user may type on while the tests run
    if path.read_bytes().decode("utf-8", errors="replace") != text:
        why = f"save {path.name} first: the tests run against the code on disk"
        return _tell(ls, action, types.MessageType.Warning, why)
    root = project_root(path, ls.workspace_folders())
    settings, client = ls.settings, ls.cloud.client
    try:
        done = await ls.work_progress.run(
            f"Writing and running tests for {qualname}",
            lambda stopped: write_tests(
                runtime.engine,
                client,
                settings,
                project_root=root,
                module_path=path,
                source=text,
                qualname=qualname,
                stopped=stopped,
            ),
            lambda done: f"{len(done.kept)} tests kept",
        )
    except TestgenError as exc:
        return _tell(ls, action, types.MessageType.Warning, str(exc))
    ls.publish(doc.uri, "tests", bug_diagnostics(done, text))
    kind = types.MessageType.Info if done.kept else types.MessageType.Warning
    bugs = f"; {len(done.possible_bugs)} possible bug(s) shown in {path.name}" if done.possible_bugs else ""
    _tell(ls, action, kind, done.summary(root) + bugs)
    if done.kept:
        action.edit = kept_tests_edit(ls, done)
    return action


async def resolve_model_fix(
    ls: CopilotoServer, action: types.CodeAction, doc: Document, data: dict[str, Any]
) -> types.CodeAction:
    """The local model's fix for a bandit finding: the action gets the edit only when the fix passed the same
    check as the rewrites (review/fixes/model.py); otherwise the user is told why."""
    runtime = ls.runtime
    assert runtime is not None
    code, line, column = str(data.get("code", "")), int(data.get("line") or 0), int(data.get("column") or 0)
    text, version = doc.text, doc.version  # the user may type on: the edit is versioned
    done: ModelFix = await ls.work_progress.run(
        f"Asking the local model to fix {code}",
        lambda stopped: model_fix_at(runtime.engine, text, code, line, column, stopped),
        lambda done: "Fix checked" if done.text is not None else "No fix kept",
    )
    if done.text is None:
        return _tell(ls, action, types.MessageType.Warning, f"no fix for {code} on line {line}: {done.reason}")
    action.edit = previewed(replacing(doc.uri, version, text, done.text), text, done.text, ls.can_preview_edits())
    return action


def _resolves_edits(ls: CopilotoServer) -> bool:
    """Whether the client fills in an action's edit through codeAction/resolve (else a listed action without
    one would do nothing when chosen)."""
    caps = ls.client_capabilities.text_document
    resolve = caps.code_action.resolve_support if caps and caps.code_action else None
    return bool(resolve and "edit" in resolve.properties)


def _bandit_diagnostics(ls: CopilotoServer, uri: str, params: types.CodeActionParams) -> list[types.Diagnostic]:
    """The request's bandit diagnostics, and the published ones on its lines."""
    first, last = params.range.start.line, params.range.end.line
    published = ls.published(uri, "bandit") or []
    near = [d for d in published if d.range.start.line <= last and d.range.end.line >= first]
    found: dict[tuple[str, int, int], types.Diagnostic] = {}
    for diagnostic in [*params.context.diagnostics, *near]:
        if diagnostic.source == SECURITY_SOURCE:
            start = diagnostic.range.start
            found.setdefault((str(diagnostic.code), start.line, start.character), diagnostic)
    return list(found.values())


def _bandit_fixes(
    diagnostics: list[types.Diagnostic], uri: str, version: int, text: str, preview: bool, model: bool = False
) -> list[types.CodeAction]:
    """The verified rewrites of each finding still in `text` (bandit runs here: call it off the event loop).
    `preview`: annotated as needing confirmation, so VS Code shows the diff first, like the model's fixes.
    `model`: a finding without a rewrite gets "Fix with the local model" instead, without an edit (resolved)."""
    actions = []
    for diagnostic in diagnostics:
        start = diagnostic.range.start  # bandit's line and column, as security_diagnostic published them
        code = str(diagnostic.code)
        if code not in FIX_REGISTRY:  # nothing to check before the model is asked: resolve finds the finding
            actions += [_model_fix_action(diagnostic, uri)] if model else []
            continue
        try:
            finding = finding_at(text, code, start.line + 1, start.character)
            offered = verified_fixes(text, finding) if finding is not None else []
        except Exception:  # bandit on a text it cannot take: no fix, the other actions still come
            log.exception("no fix for %s at %s:%s", diagnostic.code, uri, start.line + 1)
            continue
        if finding is not None and not offered and model:
            actions.append(_model_fix_action(diagnostic, uri))
        for done in offered:
            assert done.text is not None
            actions.append(
                types.CodeAction(
                    title=f"Copiloto: {done.fix.title}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=previewed(replacing(uri, version, text, done.text), text, done.text, preview),
                )
            )
    return actions


def _model_fix_action(diagnostic: types.Diagnostic, uri: str) -> types.CodeAction:
    """Listed at once, with no edit: the model is asked in codeAction/resolve."""
    start = diagnostic.range.start
    return types.CodeAction(
        title=f"Copiloto: {MODEL_FIX_TITLE}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        data={
            "action": MODEL_FIX_ACTION,
            "uri": uri,
            "code": str(diagnostic.code),
            "line": start.line + 1,
            "column": start.character,
        },
    )


def _explain_action(diagnostic: types.Diagnostic) -> types.CodeAction | None:
    """ "Explain with Claude" for an error a GLPI log reports (on the log or on a line its backtrace names)."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else None
    if diagnostic.source != "copiloto/logs" or diagnostic.severity != types.DiagnosticSeverity.Error or not data:
        return None
    return types.CodeAction(
        title="Copiloto: Explain with Claude",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        data={"action": "explain", "log": data.get("log"), "log_line": data.get("log_line")},
    )


async def resolve_explain(ls: CopilotoServer, action: types.CodeAction, log_file: str, line: int) -> types.CodeAction:
    """Claude's root cause for the log group; the source lines it names get `copiloto/claude` diagnostics."""
    watch = ls.log_watching.watch
    if watch is None:
        return _tell(ls, action, types.MessageType.Warning, "GLPI logs are not being watched (logs.enabled)")
    token = await ls.work_progress.begin(f"Asking Claude about {Path(log_file).name}:{line}")
    try:
        explained = await explain_log_entry(client=ls.cloud.client, watch=watch, log_file=Path(log_file), line=line)
    except NoSuchEntry as exc:
        ls.work_progress.end(token, "Gone")
        return _tell(ls, action, types.MessageType.Warning, str(exc))
    except CopilotoError as exc:
        ls.work_progress.end(token, "Not available" if exc.kind == "unavailable" else "Failed")
        return _tell(ls, action, types.MessageType.Warning, str(exc))
    ls.work_progress.end(token, "Explained")
    by_file: dict[str, list[types.Diagnostic]] = {}
    for item in explained.involved:
        by_file.setdefault((explained.root / item.file).as_uri(), []).append(
            types.Diagnostic(
                range=whole_line(item.line),
                message=f"{item.why} (root cause: {explained.root_cause})",
                severity=types.DiagnosticSeverity.Information,
                source="copiloto/claude",
                code="explained",
            )
        )
    for uri, diagnostics in by_file.items():
        ls.publish(uri, "claude", diagnostics)
    fix = f" Fix: {explained.fix}" if explained.fix else ""
    return _tell(ls, action, types.MessageType.Info, f"Claude: {explained.root_cause}{fix}")


def _tell(ls: CopilotoServer, action: types.CodeAction, kind: types.MessageType, message: str) -> types.CodeAction:
    ls.window_show_message(types.ShowMessageParams(type=kind, message=f"Copiloto: {message}"))
    return action
