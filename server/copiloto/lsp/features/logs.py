"""GLPI logs: find and watch them (file events from the client, or polling), read what they gained, and
publish the diagnostics of the logs and of the source lines they point at. The state is the server's
LogWatching (lsp/log_watching.py)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from lsprotocol import types

from copiloto.logs.classify import ModelClassifier
from copiloto.logs.watch import LogWatch, discover
from copiloto.lsp.core import CopilotoServer
from copiloto.lsp.diagnostics import log_diagnostic, source_hit_diagnostic

log = logging.getLogger(__name__)
LOG_POLL_S = 2.0  # how often logs are re-read for clients that cannot watch files for us


async def start_log_watch(ls: CopilotoServer) -> None:
    """Find the logs the globs name, show what they say, and ask the client to tell us when they change."""
    settings = ls.settings.logs
    roots = ls.workspace_folders()
    if not settings.enabled or not roots:
        return
    loop = asyncio.get_running_loop()
    classify = None
    if settings.classify_with_model:  # answers come from its own thread; each one re-rates the groups
        classify = ModelClassifier(
            lambda: ls.runtime.engine if ls.runtime is not None else None,
            on_answer=lambda: loop.call_soon_threadsafe(_log_answer_arrived, ls),
        )
    ls.log_watching.watch = LogWatch(roots, settings.globs, classify=classify)
    watching = await _register_log_watchers(ls, settings.globs)
    found = await asyncio.get_running_loop().run_in_executor(None, discover, roots, settings.globs)
    log.info("watching %d GLPI log(s) (%s)", len(found), ", ".join(settings.globs))
    await refresh_logs(ls, found)
    if not watching:  # no file events from this client: look at the logs we know every few seconds
        ls.spawn(_poll_logs(ls))


async def _register_log_watchers(ls: CopilotoServer, globs: list[str]) -> bool:
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps else None
    if not (watched and watched.dynamic_registration):
        return False
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in globs]
    )
    registration = types.Registration(
        id="copiloto-glpi-logs", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception as exc:
        log.warning("client refused to watch the logs (%s): polling them instead", exc)
        return False
    return True


async def _poll_logs(ls: CopilotoServer) -> None:
    while ls.log_watching.watch is not None and not ls.connection_closed:
        await asyncio.sleep(LOG_POLL_S)
        if (watch := ls.log_watching.watch) is not None:
            await refresh_logs(ls, watch.paths())


async def refresh_logs(ls: CopilotoServer, paths: list[Path]) -> None:
    """Read what the logs at `paths` gained and republish the diagnostics of logs and of the sources."""
    watch = ls.log_watching.watch
    if watch is None or not paths:
        return
    async with ls.log_watching.lock:
        loop = asyncio.get_running_loop()
        changed = [path for path in paths if await loop.run_in_executor(None, watch.update, path)]
        if changed:
            await _publish_logs(ls, watch)


def _log_answer_arrived(ls: CopilotoServer) -> None:
    """The model rated an entry no rule knew: re-rate the groups and publish (one pass for a burst)."""
    if ls.log_watching.want_rerate():
        ls.spawn(_rerate_logs(ls))


async def _rerate_logs(ls: CopilotoServer) -> None:
    watch = ls.log_watching.watch
    if watch is None:
        return
    async with ls.log_watching.lock:
        ls.log_watching.rerating()
        if await asyncio.get_running_loop().run_in_executor(None, watch.reclassify):
            await _publish_logs(ls, watch)


async def _publish_logs(ls: CopilotoServer, watch: LogWatch) -> None:
    """Publish every log's groups and the source lines they point at (caller holds the logs lock)."""
    loop = asyncio.get_running_loop()
    hits = await loop.run_in_executor(None, watch.source_hits)
    diagnostics: dict[str, list[types.Diagnostic]] = {}
    for path in watch.paths():
        diagnostics[path.as_uri()] = [log_diagnostic(f) for f in watch.findings(path)]
    for file, file_hits in hits.items():
        text = await loop.run_in_executor(None, _source_text, ls, file)
        diagnostics[file.as_uri()] = [source_hit_diagnostic(hit, text) for hit in file_hits]
    # a log deleted, rotated, or no longer pointing here
    for uri in ls.log_watching.replace_uris(set(diagnostics)):
        ls.publish(uri, "logs", [])
    for uri, found in diagnostics.items():
        ls.publish(uri, "logs", found)


def _source_text(ls: CopilotoServer, path: Path) -> str | None:
    doc = ls.documents.get(path.as_uri())
    if doc is not None:
        return doc.text
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path.stat().st_size < 4_000_000 else None
    except OSError:
        return None
