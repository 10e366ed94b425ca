"""The fake Messages API (fake_api.py) is faithful enough for the real `anthropic` SDK to talk to it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import anthropic
import pytest
from anthropic.types import Message, TextBlock, ToolUseBlock

from fake_api import (
    DEFAULT_TEXT,
    FakeAnthropic,
    Recorded,
    Text,
    Usage,
    delay,
    error,
    malformed,
    text,
    tool_answerer,
    tool_use,
)

MODEL = "claude-test-model"
USER: list[Any] = [{"role": "user", "content": "hi"}]
TOOLS: list[Any] = [
    {
        "name": "get_weather",
        "description": "Weather for a city.",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
]
TOOL_INPUT = {"city": "Montevideo", "units": ["c", "f"], "nested": {"deep": [1, 2.5, None, True]}, "q": 'say "hi"\n'}


def sync_client(api: FakeAnthropic, **kw: Any) -> anthropic.Anthropic:
    kw.setdefault("max_retries", 0)
    return anthropic.Anthropic(api_key="test-key", base_url=api.base_url, **kw)


def async_client(api: FakeAnthropic, **kw: Any) -> anthropic.AsyncAnthropic:
    kw.setdefault("max_retries", 0)
    return anthropic.AsyncAnthropic(api_key="test-key", base_url=api.base_url, **kw)


def create(client: anthropic.Anthropic, **kw: Any) -> Any:
    return client.messages.create(model=MODEL, max_tokens=64, messages=USER, **kw)


def text_of(message: Any) -> str:
    """The text of a reply made of one text block."""
    assert isinstance(message, Message), message
    (block,) = message.content
    assert isinstance(block, TextBlock), block
    return block.text


def content_of(message: Message) -> list[dict[str, Any]]:
    """Content blocks as plain dicts without ids (ids are fresh per reply)."""
    return [{k: v for k, v in block.to_dict().items() if k != "id"} for block in message.content]


def test_text_reply_parses_with_cache_usage(fake_api: FakeAnthropic) -> None:
    usage = Usage(input_tokens=11, output_tokens=7, cache_creation_input_tokens=100, cache_read_input_tokens=2048)
    fake_api.reply(text("Hello there", usage=usage))
    with sync_client(fake_api) as client:
        message = create(client)
    assert isinstance(message, Message)
    assert message.id.startswith("msg_")
    assert message.model == MODEL and message.role == "assistant" and message.type == "message"
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert text_of(message) == "Hello there"
    assert message.usage.input_tokens == 11 and message.usage.output_tokens == 7
    assert message.usage.cache_creation_input_tokens == 100
    assert message.usage.cache_read_input_tokens == 2048


def test_response_headers_and_default_reply(fake_api: FakeAnthropic) -> None:
    with sync_client(fake_api) as client:
        raw = client.messages.with_raw_response.create(model=MODEL, max_tokens=8, messages=USER)
        message = raw.parse()
    assert raw.headers["request-id"].startswith("req_")
    assert raw.headers["content-type"].startswith("application/json")
    assert text_of(message) == DEFAULT_TEXT


def test_tool_use_reply(fake_api: FakeAnthropic) -> None:
    fake_api.reply(tool_use("get_weather", TOOL_INPUT, text="Let me check."))
    with sync_client(fake_api) as client:
        message = create(client, tools=TOOLS)
    assert message.stop_reason == "tool_use"
    first, block = message.content
    assert isinstance(first, TextBlock) and first.text == "Let me check."
    assert isinstance(block, ToolUseBlock)
    assert block.id.startswith("toolu_") and block.name == "get_weather" and block.input == TOOL_INPUT


@pytest.mark.parametrize(
    "reply",
    [
        text("A longer streamed answer, split into many text_delta events.", usage=Usage(5, 9, 3, 4)),
        tool_use("get_weather", TOOL_INPUT, text="Calling a tool."),
        tool_use("get_weather", {}),
    ],
    ids=["text", "tool_use", "tool_use_empty_input"],
)
def test_streaming_matches_non_streaming(fake_api: FakeAnthropic, reply: Any) -> None:
    fake_api.reply(reply, reply, reply)
    with sync_client(fake_api) as client:
        plain = create(client)
        with client.messages.stream(model=MODEL, max_tokens=64, messages=USER) as stream:
            streamed = stream.get_final_message()
        events = list(create(client, stream=True))
    assert content_of(streamed) == content_of(plain)
    assert streamed.stop_reason == plain.stop_reason and streamed.model == MODEL
    assert streamed.usage.output_tokens == plain.usage.output_tokens
    assert streamed.usage.input_tokens == plain.usage.input_tokens
    assert streamed.usage.cache_read_input_tokens == plain.usage.cache_read_input_tokens
    assert streamed.usage.cache_creation_input_tokens == plain.usage.cache_creation_input_tokens
    # Raw iteration: the real event order; `ping` is sent but skipped by the SDK.
    types = [e.type for e in events]
    assert types[0] == "message_start" and types[-2:] == ["message_delta", "message_stop"]
    assert types.count("content_block_start") == types.count("content_block_stop") == len(plain.content)
    assert "content_block_delta" in types
    deltas = [e.delta for e in events if e.type == "content_block_delta"]
    if isinstance(reply, Text):
        assert len(deltas) > 1
        assert "".join(d.text for d in deltas) == reply.text
    else:
        partial = "".join(d.partial_json for d in deltas if d.type == "input_json_delta")
        assert json.loads(partial) == reply.input
    assert fake_api.requests[1].body["stream"] is True
    assert fake_api.requests[0].body.get("stream") in (None, False)


def test_stream_text_iterates(fake_api: FakeAnthropic) -> None:
    fake_api.reply(text("one two three four five"))
    with sync_client(fake_api) as client, client.messages.stream(model=MODEL, max_tokens=8, messages=USER) as stream:
        pieces = list(stream.text_stream)
        headers = stream.response.headers
    assert len(pieces) > 1 and "".join(pieces) == "one two three four five"
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["request-id"].startswith("req_")


async def test_async_client_plain_and_streaming(fake_api: FakeAnthropic) -> None:
    fake_api.reply(text("async hello", usage=Usage(cache_read_input_tokens=9)), tool_use("get_weather", TOOL_INPUT))
    async with async_client(fake_api) as client:
        message = await client.messages.create(model=MODEL, max_tokens=8, messages=USER)
        async with client.messages.stream(model=MODEL, max_tokens=8, messages=USER, tools=TOOLS) as stream:
            final = await stream.get_final_message()
    assert text_of(message) == "async hello"
    assert message.usage.cache_read_input_tokens == 9
    assert isinstance(final.content[0], ToolUseBlock) and final.content[0].input == TOOL_INPUT
    assert fake_api.requests[1].headers["x-stainless-async"].startswith("async")


def test_rate_limit_retry_after_then_success(fake_api: FakeAnthropic) -> None:
    fake_api.reply(error(429, "rate_limit_error", "Number of requests has exceeded your rate limit", 0.2), text("ok"))
    with sync_client(fake_api, max_retries=1) as client:
        started = time.monotonic()
        message = create(client)
        elapsed = time.monotonic() - started
    assert text_of(message) == "ok"
    assert elapsed >= 0.15, elapsed
    first, second = fake_api.wait_requests(2)
    assert len(fake_api.requests) == 2
    assert first.headers["x-stainless-retry-count"] == "0" and second.headers["x-stainless-retry-count"] == "1"
    assert first.body == second.body


def test_rate_limit_without_retries_raises(fake_api: FakeAnthropic) -> None:
    fake_api.reply(error(429, "rate_limit_error", "slow down", retry_after=3))
    with sync_client(fake_api) as client, pytest.raises(anthropic.RateLimitError) as info:
        create(client)
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "3"
    assert info.value.body == {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize(
    ("status", "type_", "exc"),
    [
        (500, "api_error", anthropic.InternalServerError),
        # 2.14 maps 529 to OverloadedError, a subclass of InternalServerError (and so of APIStatusError).
        (529, "overloaded_error", anthropic.OverloadedError),
    ],
)
def test_server_errors_raise(fake_api: FakeAnthropic, status: int, type_: str, exc: type, stream: bool) -> None:
    fake_api.reply(error(status, type_, "boom"))
    with sync_client(fake_api) as client, pytest.raises(exc) as info:
        if stream:
            with client.messages.stream(model=MODEL, max_tokens=8, messages=USER) as s:
                s.get_final_message()
        else:
            create(client)
    assert isinstance(info.value, anthropic.InternalServerError)
    assert isinstance(info.value, anthropic.APIStatusError)
    assert info.value.status_code == status
    assert info.value.body == {"type": "error", "error": {"type": type_, "message": "boom"}}
    assert len(fake_api.requests) == 1


def test_delay_beyond_timeout_raises_timeout(fake_api: FakeAnthropic) -> None:
    fake_api.reply(delay(3.0, then=text("too late")))
    with sync_client(fake_api, timeout=0.3) as client, pytest.raises(anthropic.APITimeoutError):
        started = time.monotonic()
        create(client)
    assert time.monotonic() - started < 2.0
    assert len(fake_api.requests) == 1


def test_delay_within_timeout_answers(fake_api: FakeAnthropic) -> None:
    fake_api.reply(delay(0.2, then=text("late but fine")))
    with sync_client(fake_api, timeout=5.0) as client:
        started = time.monotonic()
        message = create(client)
    assert time.monotonic() - started >= 0.15
    assert text_of(message) == "late but fine"


def test_delay_does_not_block_other_requests(fake_api: FakeAnthropic) -> None:
    fake_api.reply(delay(0.8, then=text("slow")), text("fast"))
    results: dict[str, str] = {}

    def slow() -> None:
        with sync_client(fake_api) as client:
            results["slow"] = text_of(create(client))

    worker = threading.Thread(target=slow)
    worker.start()
    fake_api.wait_requests(1, timeout=5)
    started = time.monotonic()
    with sync_client(fake_api) as client:
        results["fast"] = text_of(create(client))
    assert time.monotonic() - started < 0.5
    worker.join(5)
    assert results == {"slow": "slow", "fast": "fast"}


def test_malformed_json_body_raises_json_decode_error(fake_api: FakeAnthropic) -> None:
    # 2.14 does not wrap it: a 200 `application/json` body that is not JSON escapes as json.JSONDecodeError
    # (a ValueError), not as an anthropic.APIError, and is not retried.
    fake_api.reply(malformed(b'{"id": "msg_1", "content": [trunc'))
    with sync_client(fake_api, max_retries=2) as client, pytest.raises(json.JSONDecodeError):
        create(client)
    assert len(fake_api.requests) == 1


def test_json_that_is_not_a_message_is_not_validated(fake_api: FakeAnthropic) -> None:
    # Without strict validation the SDK builds a Message with the missing fields as None.
    fake_api.reply(malformed(b'{"unexpected": true}'))
    with sync_client(fake_api) as client:
        message = create(client)
    assert isinstance(message, Message)
    assert message.content is None and message.usage is None and message.id is None


def test_non_json_content_type_returns_text(fake_api: FakeAnthropic) -> None:
    # A 200 with a non-JSON content type and a non-JSON body comes back as the body text (a str), not a Message.
    fake_api.reply(malformed("<html>proxy page</html>", content_type="text/html"))
    with sync_client(fake_api) as client:
        result = create(client)
    assert result == "<html>proxy page</html>"


def test_malformed_error_status_raises_status_error(fake_api: FakeAnthropic) -> None:
    fake_api.reply(malformed(b"Bad Gateway", status=502, content_type="text/plain"))
    with sync_client(fake_api) as client, pytest.raises(anthropic.InternalServerError) as info:
        create(client)
    assert info.value.status_code == 502 and info.value.body == "Bad Gateway"


def test_base_url_from_environment(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    fake_api.reply(text("via env"))
    with anthropic.Anthropic(api_key="env-test-key", max_retries=0) as client:
        message = create(client)
    assert text_of(message) == "via env"
    assert fake_api.last_request.api_key == "env-test-key"


def test_recorded_request_holds_what_was_sent(fake_api: FakeAnthropic) -> None:
    system: list[Any] = [
        {"type": "text", "text": "You review code.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Be brief."},
    ]
    messages: list[Any] = [{"role": "user", "content": [{"type": "text", "text": "Review this diff"}]}]
    with sync_client(fake_api) as client:
        client.messages.create(
            model=MODEL,
            max_tokens=321,
            system=system,
            messages=messages,
            tools=TOOLS,
            extra_query={"beta": "true"},
        )
    (request,) = fake_api.requests
    assert request.method == "POST" and request.path == "/v1/messages"
    assert request.body["model"] == MODEL and request.body["max_tokens"] == 321
    assert request.body["messages"] == messages
    assert request.body["system"] == system
    assert request.body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert request.body["tools"] == TOOLS
    assert json.loads(request.raw) == request.body
    # anthropic 2.14 sends `api_key=` as a Bearer token; Recorded.api_key reads either form.
    assert request.headers["authorization"] == "Bearer test-key"
    assert request.api_key == "test-key"
    assert "anthropic-version" in request.headers
    assert b"test-key" not in request.raw


def test_x_api_key_header_recorded(fake_api: FakeAnthropic) -> None:
    with sync_client(fake_api, default_headers={"x-api-key": "sk-ant-header"}) as client:
        create(client)
    assert fake_api.last_request.headers["x-api-key"] == "sk-ant-header"
    assert fake_api.last_request.api_key == "sk-ant-header"


def test_queue_order_and_unknown_path(fake_api: FakeAnthropic) -> None:
    fake_api.reply(text("first"), text("second"))
    assert fake_api.pending == 2
    with sync_client(fake_api) as client:
        assert [text_of(create(client)) for _ in range(3)] == ["first", "second", DEFAULT_TEXT]
        with pytest.raises(anthropic.NotFoundError):
            client.post("/v1/nope", body={}, cast_to=object)
    assert fake_api.pending == 0
    assert fake_api.requests[-1].path == "/v1/nope"
    with pytest.raises(TimeoutError):
        fake_api.wait_requests(5, timeout=0.05)


def test_close_cuts_delays_short() -> None:
    api = FakeAnthropic().start()
    api.reply(delay(30))
    errors: list[BaseException] = []

    def call() -> None:
        try:
            with sync_client(api, timeout=10) as client:
                create(client)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    api.wait_requests(1)
    started = time.monotonic()
    api.close()
    worker.join(5)
    assert not worker.is_alive()
    assert time.monotonic() - started < 3
    assert errors and isinstance(errors[0], anthropic.APIConnectionError)


def test_responder_answers_when_the_queue_is_empty_and_on_request_sees_all() -> None:
    seen: list[Recorded] = []
    with FakeAnthropic(responder=tool_answerer({"city": "Lima"}), on_request=seen.append) as api:
        api.reply(text("queued first"))
        with sync_client(api) as client:
            assert text_of(create(client)) == "queued first"
            forced = create(client, tools=TOOLS, tool_choice={"type": "tool", "name": "get_weather"})
            assert text_of(create(client)) == DEFAULT_TEXT  # no forced tool: the default text
    assert content_of(forced) == [{"type": "tool_use", "name": "get_weather", "input": {"city": "Lima"}}]
    assert seen == api.requests and len(seen) == 3


def test_standalone_mode_records_and_answers_forced_tools(tmp_path: Path) -> None:
    """`python fake_api.py --port-file --record --answer`, as the VS Code client test runs it in another process."""
    port_file, record = tmp_path / "url", tmp_path / "requests.jsonl"
    answer = {"findings": [{"line": 2, "message": "boom"}]}
    script = Path(__file__).parents[1] / "fake_api.py"
    args = [sys.executable, str(script), "--port-file", str(port_file), "--record", str(record)]
    proc = subprocess.Popen([*args, "--answer", json.dumps(answer)])
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the fake did not write its port file"
            time.sleep(0.05)
        client = anthropic.Anthropic(api_key="sk-standalone", base_url=port_file.read_text(), max_retries=0)
        with client:
            tool_choice: Any = {"type": "tool", "name": "get_weather"}
            with client.messages.stream(
                model=MODEL, max_tokens=64, messages=USER, tools=TOOLS, tool_choice=tool_choice
            ) as stream:
                forced = stream.get_final_message()
            plain = create(client)
        assert content_of(forced) == [{"type": "tool_use", "name": "get_weather", "input": answer}]
        assert text_of(plain) == DEFAULT_TEXT
        lines = [json.loads(line) for line in record.read_text().splitlines()]
        assert [(r["path"], r["api_key"]) for r in lines] == [("/v1/messages", "sk-standalone")] * 2
        assert lines[0]["body"]["tool_choice"] == {"type": "tool", "name": "get_weather"}
        assert json.loads(lines[1]["raw"]) == lines[1]["body"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
