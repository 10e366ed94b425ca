"""The language server Copiloto runs: `server`, with every feature's handlers registered on it.

The server object itself (state and lifecycle) is in lsp/core.py, the handlers in lsp/features/; this module
brings them together. They cannot share one module: each feature module imports `server` to register on it,
and import-linter keeps sibling modules free of import cycles."""

from __future__ import annotations

from copiloto.lsp.core import CopilotoProtocol, CopilotoServer, server

# Importing a feature module registers its handlers on `server`.
from copiloto.lsp.features import actions, commands, completion, logs, review, status, sync  # noqa: F401

__all__ = ["CopilotoProtocol", "CopilotoServer", "server"]
