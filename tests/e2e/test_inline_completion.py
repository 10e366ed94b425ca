"""End to end: the real server over stdio, the real `tiny` model — run twice: in process (the embedded llama.cpp)
and over the wire (`engine.backend = "remote"`: llama-cpp-python's OpenAI-compatible server running `tiny`)."""

# ruff: noqa: W291, W293  (the fixtures end lines where a user stops typing, trailing spaces included)

from __future__ import annotations

import ast
import asyncio
from typing import Any

import pytest
import pytest_lsp
from lsp_helpers import SERVER, capabilities, first_text, inline, open_doc, server_env, status, wait_for_state
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(
    scope="module",
    params=["local", "remote"],
    config=ClientServerConfig(server_command=SERVER, server_env=server_env()),
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest) -> Any:
    model = str(request.getfixturevalue("tiny_model"))
    engine: dict[str, Any] = {"model": model, "n_ctx": 2048}
    if request.param == "remote":
        # A one-thread CPU server evaluates the huge document's prompt for seconds: a longer cap than on a GPU.
        url = request.getfixturevalue("remote_server")
        engine = {"backend": "remote", "url": url, "n_ctx": 2048, "request_timeout_s": 60}
    # No time guard on multi-line answers here (it has its own tests in tests/engine): on a busy 2-core machine the
    # 1 s guard cuts a block after its first line, and what these tests check is the whole block's shape.
    options = {"engine": engine, "completion": {"multi_line_time_ms": 0}}
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities(), initialization_options=options)
    )
    info = await wait_for_state(lsp_client, "ready", "error")
    assert info["state"] == "ready", info
    yield
    await lsp_client.shutdown_session()


FIB = '''def fibonacci(n: int) -> int:
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = 
    return a
'''

CALL = """import math


def hypotenuse(a: float, b: float) -> float:
    return math.sqrt(
"""

BLOCK = '''def is_prime(n: int) -> bool:
    """True when n is a prime number."""
    
'''


def splice(text: str, line: int, col: int, insert: str) -> str:
    lines = text.split("\n")
    lines[line] = lines[line][:col] + insert + lines[line][col:]
    return "\n".join(lines)


async def complete_and_splice(client: LanguageClient, name: str, text: str, line: int, col: int) -> tuple[str, str]:
    uri = f"file:///e2e/{name}.py"
    open_doc(client, uri, text)
    result = await inline(client, uri, line, col)
    assert result is not None and result.items, f"no completion for {name}"
    item = result.items[0]
    assert item.range == types.Range(types.Position(line, col), types.Position(line, col))
    completion = first_text(result)
    assert completion.strip(), "empty completion"
    return completion, splice(text, line, col, completion)


async def test_completes_a_function_body_line(client: LanguageClient) -> None:
    completion, code = await complete_and_splice(client, "fib", FIB, 4, 15)
    assert "\n" not in completion  # a single-line hole gets a single line
    ast.parse(code)
    namespace: dict[str, object] = {}
    exec(compile(code, "fib.py", "exec"), namespace)  # the model's answer is also right
    assert namespace["fibonacci"](10) == 55  # type: ignore[operator]


async def test_completes_call_arguments(client: LanguageClient) -> None:
    completion, code = await complete_and_splice(client, "call", CALL, 4, 21)
    ast.parse(code)
    assert completion.count(")") >= 1


async def test_completes_a_multi_line_block(client: LanguageClient) -> None:
    completion, code = await complete_and_splice(client, "block", BLOCK, 2, 4)
    ast.parse(code)
    assert "\n" in completion.strip(), f"expected a multi-line body, got {completion!r}"
    details = (await inline(client, "file:///e2e/block.py", 2, 4)).items[0].command  # type: ignore[union-attr]
    assert details is not None and details.arguments and details.arguments[0]["source"] == "cache"


async def test_burst_of_typing_leaves_only_the_newest(client: LanguageClient) -> None:
    uri = "file:///e2e/burst.py"
    prefix = "def total(values: list[int]) -> int:\n    result = 0\n    for v in values:\n        "
    open_doc(client, uri, prefix)
    typed = "result += v if v > 0 else 0  # sums the positive values only, with a long comment"[:50]
    line, col = 3, 8
    tasks = []
    for i, ch in enumerate(typed):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2 + i),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line, col + i), types.Position(line, col + i)), text=ch
                    )
                ],
            )
        )
        # send_request writes the request now, like an editor that does not wait for the answer.
        params = types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, col + i + 1),
            context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
        )
        tasks.append(asyncio.wrap_future(client.protocol.send_request(types.TEXT_DOCUMENT_INLINE_COMPLETION, params)))
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    cancelled = [o for o in outcomes if isinstance(o, JsonRpcException) and o.code == -32802]
    finished = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(outcomes) == 50
    assert len(finished) == 1 and outcomes[-1] is finished[0], [type(o).__name__ for o in outcomes]
    assert len(cancelled) == 49
    # The server is still answering.
    info = await status(client)
    assert info["state"] == "ready"
    assert info["stats"]["cancelled"] >= 49


async def test_positions_outside_the_document_are_errors(client: LanguageClient) -> None:
    uri = "file:///e2e/short.py"
    open_doc(client, uri, "x = 1\n")
    with pytest.raises(JsonRpcException) as past_line:
        await inline(client, uri, 0, 50)
    assert past_line.value.code == -32602
    with pytest.raises(JsonRpcException) as past_doc:
        await inline(client, uri, 7, 0)
    assert past_doc.value.code == -32602
    with pytest.raises(JsonRpcException):
        await inline(client, "file:///e2e/never-opened.py", 0, 0)
    assert (await status(client))["state"] == "ready"


async def test_utf16_positions_after_emoji_and_cjk(client: LanguageClient) -> None:
    uri = "file:///e2e/emoji.py"
    text = 'greeting = "😀 日本"\nlabel = greeting + '
    open_doc(client, uri, text)
    col = len("label = greeting + ")  # ASCII line: UTF-16 units equal characters
    result = await inline(client, uri, 1, col)
    assert result is not None
    # A position in the emoji line counted in UTF-16 units is accepted, one in characters past it is not.
    with pytest.raises(JsonRpcException):
        await inline(client, uri, 0, len('greeting = "😀 日本"') + 2)


async def test_huge_document_is_bounded(client: LanguageClient) -> None:
    uri = "file:///e2e/huge.py"
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(200_000))  # ~5 MB
    text = body + "def last(x):\n    return "
    assert len(text) > 5_000_000
    open_doc(client, uri, text)
    lines = text.count("\n")
    result = await asyncio.wait_for(inline(client, uri, lines, len("    return ")), timeout=60)
    assert result is not None
    assert (await status(client))["state"] == "ready"


async def test_invalid_utf8_content_is_served(client: LanguageClient) -> None:
    # What an editor sends for a file with invalid UTF-8: replacement characters or lone surrogates.
    uri = "file:///e2e/bad-bytes.py"
    text = 'data = "\ufffd\udcff\udc80"\nvalue = '
    open_doc(client, uri, text)
    result = await inline(client, uri, 1, len("value = "))
    assert result is not None
    assert (await status(client))["state"] == "ready"


async def test_settings_change_reaches_the_server(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"copiloto": {"completion": {"enabled": False}}})
    )
    uri = "file:///e2e/disabled.py"
    open_doc(client, uri, FIB)
    for _ in range(50):
        result = await inline(client, uri, 4, 15)
        if not first_text(result):
            break
        await asyncio.sleep(0.05)
    assert first_text(result) == ""
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"copiloto": {"completion": {"enabled": True}}})
    )
    await asyncio.sleep(0.1)
    assert first_text(await inline(client, uri, 4, 15))


async def test_crlf_document_gets_crlf_completions(client: LanguageClient) -> None:
    uri = "file:///e2e/crlf.py"
    open_doc(client, uri, BLOCK.replace("\n", "\r\n"))
    completion = first_text(await inline(client, uri, 2, 4))
    assert "\r\n" in completion
    assert "\n" not in completion.replace("\r\n", "")
    ast.parse(splice(BLOCK, 2, 4, completion.replace("\r\n", "\n")))


async def test_model_catalog_request(client: LanguageClient) -> None:
    from copiloto.lsp.values import plain

    rows = plain(await client.protocol.send_request_async("copiloto/models", {}))
    by_name = {row["name"]: row for row in rows}
    assert {"tiny", "codellama-13b"} <= set(by_name)
    assert by_name["tiny"]["presence"] == "yes" and by_name["tiny"]["fim"] == "qwen"
    assert sum(row["default"] for row in rows) == 1


async def test_model_loading_was_reported_with_progress(client: LanguageClient) -> None:
    reports = [r for token, rs in client.progress_reports.items() if str(token).startswith("copiloto-load") for r in rs]
    kinds = [r.kind for r in reports]
    assert kinds[:1] == ["begin"] and kinds[-1] == "end", kinds
    assert "Loading" in (reports[0].message or "")
    assert reports[-1].message == "Model ready"
