"""workspace/executeCommand: a completion accepted (for the stats), and the user's "Deep review"."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from copiloto.lsp.core import CopilotoServer, file_path, server
from copiloto.lsp.features.review import deep_review
from copiloto.review.functions import function_spans
from copiloto.review.handoff import DeepReviewRequest
from copiloto.review.on_save import remembered

ACCEPTED_COMMAND = "copiloto.accepted"
DEEP_REVIEW_COMMAND = "copiloto.deepReview"


@server.command(ACCEPTED_COMMAND)
def accepted(ls: CopilotoServer, *args: Any) -> None:
    if ls.runtime is not None:
        ls.runtime.completions.stats.accepted += 1


@server.command(DEEP_REVIEW_COMMAND)
async def deep_review_command(ls: CopilotoServer, *args: Any) -> int:
    """ "Deep review" of a document, arguments [uri] or [uri, first line, last line] (0-based), with what the
    local review found as context. Returns how many findings were published; -1 without a deep reviewer."""
    if not args or not isinstance(args[0], str) or not all(isinstance(a, int) for a in args[1:3]):
        raise JsonRpcInvalidParams(f"{DEEP_REVIEW_COMMAND} takes [uri] or [uri, first line, last line]")
    doc = ls.document(args[0])
    lines = (args[1] + 1, args[2 if len(args) > 2 else 1] + 1) if len(args) > 1 else None
    known = remembered(ls.reviews.memory, doc.uri, function_spans(doc.text))
    request = DeepReviewRequest(str(file_path(doc.uri) or doc.uri), doc.text, "user", lines, local=tuple(known))
    return await deep_review(ls, doc.uri, request, doc.version, quiet=False)
