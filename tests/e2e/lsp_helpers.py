"""Helpers for the end-to-end LSP tests: start options, requests, and waiting for the model."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from lsprotocol import types
from pytest_lsp import LanguageClient

from copiloto.lsp.values import plain

SERVER = [sys.executable, "-m", "copiloto", "serve"]
T = TypeVar("T")


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}  # never the real Claude API
    env["COPILOTO_CONFIG"] = "/nonexistent/copiloto.toml"  # never read a developer's own config
    env.update(extra)
    return env


def capabilities(inline: bool = True) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True),
        text_document=types.TextDocumentClientCapabilities(
            inline_completion=types.InlineCompletionClientCapabilities() if inline else None,
            completion=types.CompletionClientCapabilities(),
            code_action=types.CodeActionClientCapabilities(disabled_support=True, resolve_support=None),
        ),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True,
                resource_operations=[types.ResourceOperationKind.Create],
                change_annotation_support=types.ChangeAnnotationsSupportOptions(groups_on_label=True),
            ),
        ),
    )


async def status(client: LanguageClient) -> dict[str, Any]:
    value = await client.protocol.send_request_async("copiloto/status", {})
    return plain(value)


async def wait_for_state(client: LanguageClient, *states: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        info = await status(client)
        if info.get("state") in states or (info.get("error") and "error" in states):
            return info
        if time.monotonic() > deadline:
            raise AssertionError(f"server never reached {states}: {info}")
        await asyncio.sleep(0.05)


def open_doc(client: LanguageClient, uri: str, text: str, language: str = "python") -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )


async def inline(client: LanguageClient, uri: str, line: int, col: int) -> types.InlineCompletionList | None:
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=col),
            context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
        )
    )
    return result if isinstance(result, types.InlineCompletionList) or result is None else None


def first_text(result: types.InlineCompletionList | None) -> str:
    if not result or not result.items:
        return ""
    text = result.items[0].insert_text
    return text if isinstance(text, str) else text.value


async def wait_until(check: Callable[[], Awaitable[T | None] | T | None], timeout: float, what: str) -> T:
    """Poll `check` (sync or async) until it returns something truthy; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.05)


async def quick_fixes(client: LanguageClient, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    """The quick fixes the server offers for `diagnostic` (a Ctrl+. on it)."""
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]
