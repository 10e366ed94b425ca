"""A team on one server: eight editor sessions (eight `copiloto serve` over stdio) with `engine.backend = "remote"`
share one llama-cpp-python server running `tiny`, all asking at once. Each gets its own document's completion —
the same text a session gets when it asks alone — and the file it completes still parses."""

from __future__ import annotations

import ast
import asyncio

import pytest
from lsp_helpers import SERVER, capabilities, first_text, inline, open_doc, server_env, wait_for_state
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = [pytest.mark.model, pytest.mark.asyncio(loop_scope="module")]

# (document, line, column of the cursor): each hole has one obvious filling, different from the others.
HOLES = [
    ("def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = \n    return a\n", 3, 15),
    ("def is_even(n: int) -> bool:\n    return n % \n", 1, 15),
    ("def square(x: float) -> float:\n    return x * \n", 1, 15),
    ("def greet(name: str) -> str:\n    return 'Hello, ' + \n", 1, 23),
    ("def add(a: int, b: int) -> int:\n    return a + \n", 1, 15),
    ("def mean(xs: list[float]) -> float:\n    return sum(xs) / \n", 1, 21),
    ("def last(items: list[int]) -> int:\n    return items[\n", 1, 17),
    ("import math\n\n\ndef area(r: float) -> float:\n    return math.pi * \n", 4, 21),
]


async def session(url: str) -> LanguageClient:
    client: LanguageClient = await ClientServerConfig(server_command=SERVER, server_env=server_env()).start()  # type: ignore[assignment]
    await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(),
            # eight requests queue on a one-request-at-a-time CPU server: the last waits for seven others
            initialization_options={"engine": {"backend": "remote", "url": url, "request_timeout_s": 120}},
        )
    )
    info = await wait_for_state(client, "ready", "error")
    assert info["state"] == "ready", info
    return client


async def complete(client: LanguageClient, n: int) -> str:
    text, line, col = HOLES[n]
    uri = f"file:///team/hole_{n}.py"
    open_doc(client, uri, text)
    return first_text(await inline(client, uri, line, col))


async def close(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


@pytest.fixture
async def alone(remote_server: str) -> dict[int, str]:
    """What one session alone gets for each hole, asked one after another."""
    client = await session(remote_server)
    try:
        return {n: await complete(client, n) for n in range(len(HOLES))}
    finally:
        await close(client)


async def test_eight_sessions_at_once_get_their_own_completions(remote_server: str, alone: dict[int, str]) -> None:
    clients = await asyncio.gather(*(session(remote_server) for _ in HOLES))
    try:
        together = await asyncio.gather(*(complete(client, n) for n, client in enumerate(clients)))
    finally:
        await asyncio.gather(*(close(client) for client in clients))
    assert all(together), together
    assert dict(enumerate(together)) == alone, "each session got exactly its own document's completion"
    assert len(set(together)) == len(HOLES), "eight different holes, eight different answers"
    for (text, line, col), completion in zip(HOLES, together, strict=True):
        lines = text.split("\n")
        lines[line] = lines[line][:col] + completion + lines[line][col:]
        ast.parse("\n".join(lines))
