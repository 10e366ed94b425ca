"""Copiloto's own requests: the model catalog, the server's copy of a document, and the server's status."""

from __future__ import annotations

from typing import Any

import copiloto
from copiloto.engine.types import engine_info
from copiloto.lsp.core import CopilotoServer, server


@server.feature("copiloto/models")
def models(ls: CopilotoServer, params: Any) -> list[dict[str, object]]:
    """The model catalog with what is present locally: the client's model picker lists it."""
    from copiloto.models.select import catalog_listing
    from copiloto.models.store import ModelStore

    return catalog_listing(ModelStore(ls.settings.models_dir))


@server.feature("copiloto/document")
def document_state(ls: CopilotoServer, params: Any) -> dict[str, Any] | None:
    """The server's copy of an open document (`{"uri": ...}`), for clients and tests that check the sync;
    None for a document that is not open."""
    uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
    doc = ls.documents.get(str(uri)) if uri else None
    return None if doc is None else {"uri": doc.uri, "version": doc.version, "text": doc.text}


@server.feature("copiloto/status")
def status(ls: CopilotoServer, params: Any) -> dict[str, Any]:
    runtime = ls.runtime
    info: dict[str, Any] = {
        "version": copiloto.__version__,
        "state": "error" if ls.startup_error else "starting",
        "error": ls.startup_error,
    }
    if runtime is not None:
        info.update(engine_info(runtime.engine))
        info["error"] = runtime.engine.error
        info["reason"] = runtime.reason
        info["stats"] = runtime.completions.stats.as_dict()
        info["review"] = dict(ls.reviews.totals)
        info["logs"] = ls.log_watching.status()
    info["in_flight"] = ls.in_flight  # requests (and handlers) not finished yet
    return info
