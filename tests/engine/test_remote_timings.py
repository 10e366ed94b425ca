"""The server's own account of a request, from the fields each engine sends in its stream."""

from __future__ import annotations

from copiloto.engine.remote import _ServerTimings


def read(*chunks: dict[str, object]) -> _ServerTimings:
    timings = _ServerTimings()
    for chunk in chunks:
        timings.read(chunk)
    return timings


def test_llama_server_timings() -> None:
    last = {
        "choices": [{"text": "", "finish_reason": "stop"}],
        "timings": {"prompt_n": 12, "prompt_ms": 31.5, "predicted_n": 9, "predicted_ms": 140.2, "cache_n": 480},
    }
    t = read({"choices": [{"text": "b"}]}, last)
    assert (t.prompt_tokens, t.generated_tokens, t.cached_tokens) == (12, 9, 480)
    assert (t.prompt_ms, t.decode_ms) == (31.5, 140.2)


def test_vllm_usage_in_the_last_event() -> None:
    t = read({"choices": [{"text": "b"}]}, {"choices": [], "usage": {"prompt_tokens": 300, "completion_tokens": 7}})
    assert (t.prompt_tokens, t.generated_tokens) == (300, 7) and t.prompt_ms is None


def test_a_server_that_says_nothing_else_counts_its_events() -> None:
    t = read(*({"choices": [{"text": piece}]} for piece in ("a", ", ", "b")))
    assert t.generated_tokens == 3 and t.prompt_tokens == 0 and t.decode_ms is None
