"""Who writes a docstring (`orchestrate.docstrings`): the local model alone, the local model then Claude
(sequential: Claude refines the draft), or the local model unless it fails (handoff: Claude writes it only when
every local draft failed the checks). Claude's text is checked like the local one; without Claude (no key, over
budget, offline) the local result stands — or its error, when it had none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from copiloto.cloud.client import CloudClient
from copiloto.cloud.refine_docstring import refine_docstring, take_over_docstring
from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.generate import Documented, document
from copiloto.docstrings.styles import Style
from copiloto.engine.types import Engine

Pattern = Literal["sequential", "handoff", "local"]


def write_docstring(
    engine: Engine,
    claude: CloudClient | None,
    pattern: Pattern,
    source: str,
    qualname: str,
    style: Style,
    stopped: Callable[[], bool],
    path: str | None = None,
) -> Documented:
    """The checked docstring for `qualname`; DocstringError when nobody wrote one that passes."""
    usable = claude if claude is not None and pattern != "local" and claude.unavailable_reason() is None else None
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
