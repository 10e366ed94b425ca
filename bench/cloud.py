"""Prompt tokens per deep review with and without prompt caching.

    .venv/bin/python bench/cloud.py [--reviews 5]

A session of `--reviews` deep reviews of one unchanged file (each save brings other leads, so only the question
changes) goes through the real client and the real anthropic SDK to the tests' fake Messages API; the requests
are read back as they went on the wire. The prompt is split at the client's cache breakpoints, in the API's
prefix order: tools + system prompt (breakpoint 1), the file (breakpoint 2), the question (never cached).

Tokens are *estimated* (no Claude tokenizer works offline): characters / CHARS_PER_TOKEN. Caching follows the
API's published rules: a breakpoint's prefix is cached only from MIN_CACHEABLE tokens on (Sonnet models); the
first request writes it (billed at 1.25x input), later ones within the cache's lifetime read it (0.1x).
Reported per file: prompt tokens per review, the cacheable prefix, input-token equivalents per review without
and with caching, and their ratio. Writes bench/results/cloud-<date>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from copiloto.cloud.client import CloudClient, Ledger
from copiloto.config import CloudSettings
from copiloto.orchestrate.claude.review import TOOL, ClaudeReviewer
from copiloto.review.handoff import DeepReviewRequest
from copiloto.review.security import SecurityFinding
from machine import describe

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from fake_api import FakeAnthropic, tool_use  # noqa: E402

CHARS_PER_TOKEN = 3.5  # Anthropic's rule of thumb; code often packs fewer characters per token
MIN_CACHEABLE = 1024  # tokens: the shortest prefix the API caches for Sonnet models
WRITE_COST, READ_COST = 1.25, 0.1  # a cache write / read, in input tokens
PROJECT = REPO / "server" / "copiloto" / "demo" / "project"
FILES = {
    "small: the demo's export.py": PROJECT / "glpi_dashboard" / "export.py",
    "small: the demo's widget.class.php": PROJECT / "plugins" / "dashboard" / "inc" / "widget.class.php",
    "medium: copiloto's cloud/client.py": REPO / "server" / "copiloto" / "cloud" / "client.py",
    "large: copiloto's testgen/runner.py": REPO / "server" / "copiloto" / "testgen" / "runner.py",
}


def tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def segments(body: dict[str, Any]) -> tuple[int, int, int]:
    """Estimated tokens of (tools + system, the file, the rest) of one request body."""
    head = tokens(json.dumps(body["tools"])) + sum(tokens(b["text"]) for b in body["system"])
    context, *rest = body["messages"][0]["content"]
    return head, tokens(context["text"]), sum(tokens(b["text"]) for b in rest)


def session(api: FakeAnthropic, client: CloudClient, path: Path, reviews: int) -> list[dict[str, Any]]:
    """The request bodies of `reviews` deep reviews of `path`, each save with another lead."""
    reviewer = ClaudeReviewer(client)
    text = path.read_text(encoding="utf-8")
    first = len(api.requests)
    for n in range(reviews):
        api.reply(tool_use(TOOL, {"findings": []}))
        leads = () if n == 0 else (_lead(n),)
        asyncio.run(reviewer.review(DeepReviewRequest(str(path), text, "user", layer1=leads)))
    return [r.body for r in api.requests[first:] if r.body is not None]


def _lead(n: int) -> SecurityFinding:
    return SecurityFinding(
        line=n,
        column=0,
        end_column=None,
        severity="warning",
        code=f"B60{n}",
        name="lead",
        message=f"a lead to check, number {n}",
        cwe=None,
        cwe_link=None,
        bandit_severity="LOW",
        bandit_confidence="LOW",
    )


def costs(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    head, context, _ = segments(bodies[0])
    assert all(segments(b)[:2] == (head, context) for b in bodies), "the cached parts must not change"
    # The longest breakpoint prefix long enough to be cached is what a request writes (first) or reads (later).
    cached = next((p for p in (head + context, head) if p >= MIN_CACHEABLE), 0)
    questions = [segments(b)[2] for b in bodies]
    without = [head + context + q for q in questions]
    uncached = [head + context - cached + q for q in questions]
    with_caching = [uncached[0] + WRITE_COST * cached] + [u + READ_COST * cached for u in uncached[1:]]
    return {
        "prompt_tokens_per_review": round(sum(without) / len(without)),
        "tools_and_system_tokens": head,
        "file_tokens": context,
        "question_tokens_mean": round(sum(questions) / len(questions)),
        "cached_prefix_tokens": cached,
        "cached": cached > 0,
        "without_caching": {"per_review": round(sum(without) / len(without)), "session": sum(without)},
        "with_caching": {
            "first_review": round(with_caching[0]),
            "later_reviews": round(sum(with_caching[1:]) / max(1, len(with_caching) - 1)),
            "session": round(sum(with_caching)),
        },
        "session_ratio_with_vs_without": round(sum(with_caching) / sum(without), 3),
        # Strict tools (the model's inputs held to the schema by the API) and the answers asked again because
        # they failed validation anyway: the fallback's share. Against this fake they show the mechanics only.
        "strict_tools": all(b["tools"][0].get("strict") is True for b in bodies),
        "answers_asked_again": sum(_is_retry(b) for b in bodies),
    }


def _is_retry(body: dict[str, Any]) -> bool:
    """A request that tells Claude its last tool input was invalid (cloud/client.py's one retry)."""
    return any(
        isinstance(block, dict) and block.get("type") == "tool_result" and block.get("is_error")
        for message in body["messages"]
        for block in (message["content"] if isinstance(message["content"], list) else [])
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=5, help="reviews per file (a session of saves)")
    args = parser.parse_args()
    rows = []
    with FakeAnthropic() as api, tempfile.TemporaryDirectory() as state:
        os.environ.update(ANTHROPIC_API_KEY="sk-ant-bench", ANTHROPIC_BASE_URL=api.base_url)
        client = CloudClient(CloudSettings(max_retries=0), Ledger(Path(state) / "usage.json"))
        for label, path in FILES.items():
            lines = len(path.read_text(encoding="utf-8").splitlines())
            row = {"file": label, "lines": lines, **costs(session(api, client, path, args.reviews))}
            rows.append(row)
            w, c = row["without_caching"], row["with_caching"]
            print(
                f"{label} ({lines} lines): {row['prompt_tokens_per_review']} prompt tokens per review, "
                f"cached prefix {row['cached_prefix_tokens']}; per review without caching {w['per_review']}, with "
                f"caching first {c['first_review']} then {c['later_reviews']} (input-token equivalents); "
                f"session ratio {row['session_ratio_with_vs_without']}; strict tools {row['strict_tools']}, "
                f"{row['answers_asked_again']} answers asked again"
            )
    out = REPO / "bench" / "results" / f"cloud-{date.today().isoformat()}.json"
    result = {
        "date": date.today().isoformat(),
        "machine": describe(),
        "reviews_per_file": args.reviews,
        "assumptions": {
            "tokens": f"estimated as characters / {CHARS_PER_TOKEN}",
            "min_cacheable_tokens": MIN_CACHEABLE,
            "cache_write_cost": WRITE_COST,
            "cache_read_cost": READ_COST,
        },
        "files": rows,
    }
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
