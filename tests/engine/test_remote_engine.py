"""The remote engine against a real OpenAI-compatible server: llama-cpp-python's own (`llama-cpp-python[server]`)
running the same `tiny` model. Same answers as in process, streaming, cancellation by closing the stream, stops,
an unreachable server (a clear error, then reconnection with backoff), and the local model standing in."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from copiloto.config import EngineSettings
from copiloto.engine.chat import ChatPrompt
from copiloto.engine.fallback import FallbackEngine
from copiloto.engine.local import LocalEngine
from copiloto.engine.remote import RemoteEngine
from copiloto.engine.types import GenerationRequest
from llama_server import free_port, start_llama_server, wait_until_serving

pytestmark = pytest.mark.model

FIB_PREFIX = (
    "def fibonacci(n):\n"
    '    """Return the n-th Fibonacci number."""\n'
    "    a, b = 0, 1\n"
    "    for _ in range(n):\n"
    "        a, b = "
)
FIB_SUFFIX = "\n    return a\n"
LONG = "\n".join(f"value_{i} = {i} * {i}" for i in range(40)) + "\nvalue_40 = "


@pytest.fixture(scope="module")
def remote(remote_server: str) -> Iterator[RemoteEngine]:
    engine = RemoteEngine(EngineSettings(request_timeout_s=60), remote_server).start()
    assert engine.wait_loaded(30), engine.error
    yield engine
    engine.close()


def test_same_answers_as_the_embedded_engine(remote: RemoteEngine, tiny_engine: LocalEngine) -> None:
    """The prompt is laid out by Copiloto (same FIM order as in process), the server only continues it."""
    assert remote.template is not None and (remote.template.family, remote.template.order) == ("qwen", "psm")
    assert remote.model_id is not None and remote.model_id.endswith("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
    requests = [
        GenerationRequest(FIB_PREFIX, FIB_SUFFIX, max_tokens=24, stop=("\n",)),
        GenerationRequest("import math\n\n\ndef area(r):\n    return ", "\n", max_tokens=16, stop=("\n",)),
        GenerationRequest("def is_even(n):\n    return n % ", "\n", max_tokens=8, stop=("\n",)),
    ]
    for request in requests:
        far = remote.submit(request).future.result(60)
        near = tiny_engine.submit(request).future.result(60)
        assert far.stop_reason in ("stop", "eot") and far.error is None
        assert far.text == near.text, request.prefix


def test_tokens_stream_and_cancelling_closes_the_stream(remote: RemoteEngine) -> None:
    seen: list[str] = []
    first = threading.Event()

    def on_text(text: str) -> None:
        seen.append(text)
        first.set()

    job = remote.submit(GenerationRequest(LONG, "", max_tokens=400), on_text)
    assert first.wait(30), "no token streamed"
    job.cancel()
    started = time.perf_counter()
    result = job.future.result(10)
    assert result.stop_reason == "cancelled" and time.perf_counter() - started < 2
    assert len(seen) < 400
    # The server is free again at once: a short request after it does not wait for 400 tokens.
    quick = remote.submit(GenerationRequest("x = ", "", max_tokens=2)).future.result(30)
    assert quick.error is None and quick.generated_tokens <= 3


def test_stop_strings_patterns_and_superseding(remote: RemoteEngine) -> None:
    lines = remote.submit(GenerationRequest(LONG, "", max_tokens=60, stop=("value_42",))).future.result(60)
    assert lines.stop_reason == "stop" and lines.stop_hit == "value_42" and "value_42" not in lines.text
    pattern = remote.submit(GenerationRequest(LONG, "", max_tokens=60, stop_patterns=(r"\nvalue_4\d",)))
    assert pattern.future.result(60).text.count("\n") == 0
    older = remote.submit(GenerationRequest(LONG, "", max_tokens=300, supersede_key="doc"))
    newer = remote.submit(GenerationRequest(FIB_PREFIX, FIB_SUFFIX, max_tokens=12, supersede_key="doc"))
    assert older.future.result(30).stop_reason == "cancelled"
    assert newer.future.result(60).error is None


def test_instructions_and_grammar_go_over_the_wire(remote: RemoteEngine) -> None:
    grammar = 'root ::= "{" ws "\\"ok\\"" ws ":" ws ("true" | "false") ws "}"\nws ::= [ \\t\\n]*'
    prompt = ChatPrompt("Answer in JSON.", "Is 2 + 2 equal to 4? <|im_end|> (a marker in user text stays text)")
    result = remote.submit(GenerationRequest("", chat=prompt, grammar=grammar, max_tokens=20)).future.result(60)
    assert result.error is None and result.text.replace(" ", "") in ('{"ok":true}', '{"ok":false}')


def test_an_unreachable_server_is_a_clear_error_then_found_again(tiny_model: Path, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    states: list[str] = []
    engine = RemoteEngine(EngineSettings(), url, lambda state, _detail: states.append(state)).start()
    try:
        assert not engine.wait_loaded(10)
        assert engine.state == "error" and engine.error is not None and url in engine.error
        failed = engine.submit(GenerationRequest("x = ", "")).future.result(1)
        assert failed.stop_reason == "error" and failed.error == engine.error, "answered at once, with the reason"
        server = start_llama_server(tiny_model, port, tmp_path / "server.log")
        try:
            wait_until_serving(url, server)
            deadline = time.monotonic() + 40  # backoff: 1, 2, 4, 8, 16 s
            while engine.state != "ready" and time.monotonic() < deadline:
                time.sleep(0.2)
            assert engine.state == "ready", states
            assert engine.submit(GenerationRequest("x = ", "", max_tokens=4)).future.result(60).error is None
        finally:
            server.terminate()
            server.wait(10)
    finally:
        engine.close()
    assert states[:2] == ["loading", "error"] and "ready" in states


def test_the_local_model_stands_in_while_the_server_is_away(tiny_model: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    told: list[tuple[str, str | None]] = []
    settings = EngineSettings(n_ctx=2048)
    engine = FallbackEngine(
        lambda on_state: RemoteEngine(settings, url, on_state),
        lambda on_state: LocalEngine(settings, tiny_model, "tiny", on_state=on_state).start(),
        lambda state, detail: told.append((state, detail)),
    ).start()
    try:
        deadline = time.monotonic() + 60
        while engine.state != "ready" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert engine.state == "ready" and engine.serving is engine.local
        result = engine.submit(GenerationRequest(FIB_PREFIX, FIB_SUFFIX, max_tokens=24, stop=("\n",))).future.result(60)
        assert result.text.strip() == "b, a + b" and result.model == "tiny"
        ready = [detail for state, detail in told if state == "ready"]
        assert ready and "the local model tiny serves meanwhile" in (ready[-1] or "") and url in (ready[-1] or "")
    finally:
        engine.close()


def test_a_completion_cancelled_while_the_server_reads_its_prompt_lets_it_finish_reading(remote: RemoteEngine) -> None:
    """Answered as cancelled at once, but its stream stays open until the first token: the server then holds the
    prompt in its cache for the next keystroke's request, instead of throwing the work away."""
    prefix = "\n".join(f"def helper_{i}(x):\n    return x * {i}\n" for i in range(120)) + "\ndef main():\n    return "
    job = remote.submit(GenerationRequest(prefix, "", max_tokens=8, supersede_key="typing.py"))
    time.sleep(0.5)  # sent: the server is reading ~1500 tokens (seconds on this CPU)
    job.cancel()
    started = time.perf_counter()
    assert job.future.result(5).stop_reason == "cancelled" and time.perf_counter() - started < 1
    stream = remote._lingering["typing.py"]
    deadline = time.monotonic() + 60
    while not stream.prompt_done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stream.prompt_done, "the server got to read the whole prompt"
    after = remote.submit(GenerationRequest(prefix + "h", "", max_tokens=8, supersede_key="typing.py"))
    assert after.future.result(60).error is None
