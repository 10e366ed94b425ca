"""The local engine with the real llama.cpp and the real `tiny` model: KV reuse, cancellation, priority."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from copiloto.completion.pipeline import CompletionService, Prepared
from copiloto.config import CompletionSettings, EngineSettings
from copiloto.engine.local import LocalEngine
from copiloto.engine.text import whole_lines
from copiloto.engine.types import GenerationRequest, Priority

FIB_PREFIX = (
    "def fibonacci(n):\n"
    '    """Return the n-th Fibonacci number."""\n'
    "    a, b = 0, 1\n"
    "    for _ in range(n):\n"
    "        a, b = "
)
FIB_SUFFIX = "\n    return a\n"


@pytest.fixture(scope="module")
def engine(tiny_engine: LocalEngine) -> LocalEngine:
    return tiny_engine


def run(engine: LocalEngine, request: GenerationRequest) -> object:
    return engine.submit(request).future.result(timeout=120)


def test_fim_completes_the_fibonacci_step(engine: LocalEngine) -> None:
    assert engine.template is not None and (engine.template.family, engine.template.order) == ("qwen", "psm")
    result = engine.submit(GenerationRequest(FIB_PREFIX, FIB_SUFFIX, max_tokens=24, stop=("\n",))).future.result(120)
    assert result.text.strip() == "b, a + b"
    assert result.stop_reason in ("stop", "eot")
    assert result.prompt_tokens > 20 and result.generated_tokens > 0


def test_same_prompt_again_reuses_the_kv_cache(engine: LocalEngine) -> None:
    request = GenerationRequest(FIB_PREFIX, FIB_SUFFIX, max_tokens=8, stop=("\n",))
    engine.submit(request).future.result(120)
    again = engine.submit(request).future.result(120)
    assert again.reused_tokens == again.prompt_tokens - 1  # only the last token is replayed for logits


def test_typing_one_character_reuses_most_of_the_prompt(engine: LocalEngine) -> None:
    prefix = "# utilities\n" * 40 + FIB_PREFIX
    engine.submit(GenerationRequest(prefix, FIB_SUFFIX, max_tokens=4)).future.result(120)
    typed = engine.submit(GenerationRequest(prefix + "b", FIB_SUFFIX, max_tokens=4)).future.result(120)
    # PSM (Qwen): the prefix is reused up to the edit; the short suffix after it is evaluated again.
    assert typed.reused_tokens / typed.prompt_tokens > 0.85


def test_newer_request_for_the_same_document_cancels_the_older(engine: LocalEngine) -> None:
    long_prefix = "\n".join(f"value_{i} = {i} * {i}" for i in range(300)) + "\nvalue_300 = "
    first = engine.submit(GenerationRequest(long_prefix, "", max_tokens=64, supersede_key="doc"))
    time.sleep(0.05)
    second = engine.submit(GenerationRequest(FIB_PREFIX, FIB_SUFFIX, max_tokens=8, supersede_key="doc"))
    assert first.future.result(120).stop_reason == "cancelled"
    assert second.future.result(120).stop_reason != "cancelled"


def test_cancel_between_tokens(engine: LocalEngine) -> None:
    seen = threading.Event()
    job = engine.submit(
        GenerationRequest("# a long list of numbers\nnumbers = [", "", max_tokens=400, timeout_s=60),
        on_text=lambda text: seen.set(),
    )
    assert seen.wait(60)
    job.cancel()
    result = job.future.result(60)
    assert result.stop_reason == "cancelled"
    assert 0 < result.generated_tokens < 400


def test_interactive_work_runs_before_background_work(engine: LocalEngine) -> None:
    order: list[str] = []
    blocker = engine.submit(GenerationRequest("x = [", "", max_tokens=30))
    background = engine.submit(GenerationRequest("y = ", "", max_tokens=2, priority=Priority.BACKGROUND))
    interactive = engine.submit(GenerationRequest("z = ", "", max_tokens=2, priority=Priority.INTERACTIVE))
    background.future.add_done_callback(lambda _: order.append("background"))
    interactive.future.add_done_callback(lambda _: order.append("interactive"))
    for job in (blocker, background, interactive):
        job.future.result(120)
    assert order == ["interactive", "background"]


def test_time_cap_stops_a_long_generation(engine: LocalEngine) -> None:
    result = engine.submit(GenerationRequest("numbers = [", "", max_tokens=10_000, timeout_s=0.5)).future.result(120)
    assert result.stop_reason == "timeout"


def test_line_time_limit_ends_a_multi_line_answer_at_its_last_whole_line(engine: LocalEngine) -> None:
    prefix = "def primes(limit):\n    found = []\n"
    unlimited = run(engine, GenerationRequest(prefix, "", max_tokens=64))
    limited = run(engine, GenerationRequest(prefix, "", max_tokens=64, line_time_ms=0))
    assert unlimited.stop_reason == "length" and unlimited.text.count("\n") >= 2
    assert limited.stop_reason == "time"
    assert limited.text.strip() and "\n" not in limited.text.strip("\n"), "one whole line, cut at its end"
    assert unlimited.text.startswith(limited.text), "the same greedy answer, only shorter"
    assert limited.generated_tokens < unlimited.generated_tokens


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("", ""),
        ("x = 1", ""),  # no line end yet: keep generating
        ("\n", ""),
        ("\n    x = 1", ""),  # the newline opens the line, it does not end it
        ("\n    x = 1\n    y", "\n    x = 1"),
        ("x = 1\ny = 2\nz", "x = 1\ny = 2"),
        ("x = 1\n", "x = 1"),
        ("x = 1\n\n", "x = 1"),  # trailing blank lines are not part of the suggestion
    ],
)
def test_whole_lines(text: str, whole: str) -> None:
    assert whole_lines(text) == whole


def test_bad_model_file_fails_every_request_with_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf at all")
    engine = LocalEngine(EngineSettings(), bad).start()
    assert not engine.wait_loaded(30)
    assert engine.state == "error" and "GGUF" in (engine.error or "")
    result = engine.submit(GenerationRequest("x = ")).future.result(5)
    assert result.stop_reason == "error" and result.error
    engine.close()


def test_engine_output_equals_plain_llama_generation(engine: LocalEngine, tiny_model: Path) -> None:
    """The chunked prompt evaluation and KV reuse must not change what the model says."""
    from llama_cpp import Llama

    from copiloto.engine.fim import layout_prompt

    prefix = FIB_PREFIX.replace("(n):", "(n: int) -> int:")
    ours = engine.submit(GenerationRequest(prefix, FIB_SUFFIX, max_tokens=12)).future.result(120)
    llm = Llama(str(tiny_model), n_ctx=2048, verbose=False)
    template = engine.template
    assert template is not None
    tokens = []
    for token in llm.generate(layout_prompt(llm, template, prefix, FIB_SUFFIX), temp=0.0):
        if token in template.stop_ids or len(tokens) >= 12:
            break
        tokens.append(token)
    plain = llm.detokenize(tokens).decode()
    llm.close()  # after detokenizing: a closed Llama has freed its vocabulary (reading it crashed)
    assert ours.text == plain
    assert ours.text.startswith("b, a + b")


def test_only_multi_line_requests_carry_the_line_time_limit(engine: LocalEngine) -> None:
    service = CompletionService(engine, CompletionSettings(multi_line_time_ms=700))
    text = "def area(r):\n    return 3.14 * \n"
    after_opener = service.prepare("file:///a.py", text, text.index("\n"), "python")
    mid_line = service.prepare("file:///a.py", text, text.index("* ") + 2, "python")
    assert isinstance(after_opener, Prepared) and isinstance(mid_line, Prepared)
    assert after_opener.how == "multi" and after_opener.request.line_time_ms == 700
    assert mid_line.how == "single" and mid_line.request.line_time_ms is None
    off = CompletionService(engine, CompletionSettings(multi_line_time_ms=0))
    prepared = off.prepare("file:///a.py", text, text.index("\n"), "python")
    assert isinstance(prepared, Prepared) and prepared.request.line_time_ms is None


def test_closing_ends_the_running_job_and_answers_every_later_one(tiny_model: Path) -> None:
    """Nobody waits forever on a closing engine: the job being generated stops between tokens, and a
    job submitted while close() is still joining the worker gets an error at once, not a silent queue."""
    engine = LocalEngine(EngineSettings(n_ctx=1024), tiny_model, "tiny").start()
    assert engine.wait_loaded(120), engine.error
    long = engine.submit(GenerationRequest("# a very long list of numbers\nnumbers = [", max_tokens=900))
    time.sleep(0.5)  # it is generating now
    began = time.monotonic()
    closing = threading.Thread(target=engine.close)
    closing.start()
    while not engine._closed:  # close() has begun; the worker may still be finishing
        time.sleep(0.001)
    late = engine.submit(GenerationRequest("x = "))
    assert late.future.result(timeout=5).stop_reason in {"error", "cancelled"}
    assert long.future.result(timeout=10).stop_reason == "cancelled"
    closing.join(timeout=15)
    assert not closing.is_alive() and time.monotonic() - began < 10
    assert engine.state == "closed"


def test_whatever_escapes_a_job_the_worker_answers_it_and_carries_on(engine: LocalEngine) -> None:
    """A callback raising even a BaseException (asyncio's CancelledError is one) must not kill the worker thread:
    that request gets an error, the next one is served."""
    import asyncio

    def broken(_text: str) -> None:
        raise asyncio.CancelledError("a callback gone wrong")

    failed = engine.submit(GenerationRequest(FIB_PREFIX, FIB_SUFFIX, max_tokens=8), broken).future.result(60)
    assert failed.stop_reason == "error" and "CancelledError" in (failed.error or "")
    after = engine.submit(GenerationRequest(FIB_PREFIX, FIB_SUFFIX, max_tokens=24, stop=("\n",))).future.result(60)
    assert after.text.strip() == "b, a + b"
