"""The session and the documents: initialize/initialized/shutdown, document sync, configuration changes and
watched files (the GLPI logs)."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from copiloto.lsp.core import CopilotoServer, file_path, server
from copiloto.lsp.features.logs import refresh_logs, start_log_watch

log = logging.getLogger(__name__)


@server.feature(types.INITIALIZE)
def initialize(ls: CopilotoServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    ls.init_options = options if isinstance(options, dict) else {}
    # VS Code's Restricted Mode (the extension says so); editors without workspace trust are trusted.
    ls.workspace_trusted = ls.init_options.get("workspaceTrusted") is not False
    ls.apply_settings(None)


@server.feature(types.INITIALIZED)
async def initialized(ls: CopilotoServer, params: types.InitializedParams) -> None:
    await ls.start()
    await start_log_watch(ls)


@server.feature(types.SHUTDOWN)
def shutdown(ls: CopilotoServer, params: Any) -> None:
    if ls.runtime is not None:
        ls.runtime.close()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CopilotoServer, params: types.DidOpenTextDocumentParams) -> None:
    d = params.text_document
    ls.documents.open(d.uri, d.text, d.version, d.language_id)
    path = file_path(d.uri)
    if path is not None and ls.log_watching.watches(path):
        ls.spawn(refresh_logs(ls, [path]))  # a log opened in the editor shows its groups at once


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(ls: CopilotoServer, params: types.DidChangeWatchedFilesParams) -> None:
    """A watched GLPI log was created, grew, was rotated or deleted: read what is new."""
    if ls.log_watching.watch is None:
        return
    paths = [path for change in params.changes if (path := file_path(change.uri)) is not None]
    await refresh_logs(ls, [path for path in paths if ls.log_watching.watches(path)])


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CopilotoServer, params: types.DidChangeTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        log.warning("change for a document that is not open: %s", params.text_document.uri)
        return
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            r = change.range
            doc.apply_change((r.start.line, r.start.character), (r.end.line, r.end.character), change.text)
        else:
            doc.apply_change(None, None, change.text)
    doc.version = params.text_document.version


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: CopilotoServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.close(params.text_document.uri)
    ls.reviews.stop(params.text_document.uri)
    if ls.runtime is not None:
        ls.runtime.completions.cache.clear(params.text_document.uri)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: CopilotoServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if not settings:  # pull model: the client only says "something changed"
        try:
            values = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="copiloto")])
            )
            settings = {"copiloto": values[0]} if values and isinstance(values[0], dict) else None
        except Exception:
            log.warning("client did not answer workspace/configuration")
            settings = None
    ls.apply_settings(settings if isinstance(settings, dict) else None)
