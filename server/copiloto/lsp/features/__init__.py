"""The LSP handlers, one module per feature; each registers its own on `server` (lsp/core.py) when imported.
Handlers stay thin: convert LSP types, call a plain module, convert back."""
