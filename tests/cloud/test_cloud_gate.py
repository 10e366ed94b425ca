"""One gate: every byte sent to Claude passes the same redaction, whichever feature sends it.

Two halves. The code is walked: only cloud/client.py talks to the SDK, only its `_send` touches `messages`, and
`_send` is only ever handed a body that came out of `outbound.gate`. And each feature that asks Claude — the deep
review (file and the local leads), Explain with Claude (a GLPI log entry whose backtrace holds the database
password, and the source around its frames), test refinement (the failure output of generated tests), docstrings
and the retry after an invalid answer — is driven with secrets planted in everything it sends, through the real
SDK to the local fake API, and the bytes on the wire are searched.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import copiloto
from copiloto.cloud.client import CloudClient, Ledger
from copiloto.cloud.outbound import gate
from copiloto.config import CloudSettings
from copiloto.orchestrate.claude.docstrings import TOOL as DOCSTRING_TOOL
from copiloto.orchestrate.claude.docstrings import claude_docstring
from copiloto.orchestrate.claude.explain import TOOL as EXPLAIN_TOOL
from copiloto.orchestrate.claude.explain import Frame, explain
from copiloto.orchestrate.claude.review import TOOL as REVIEW_TOOL
from copiloto.orchestrate.claude.review import ClaudeReviewer
from copiloto.orchestrate.claude.tests import TOOL as TESTS_TOOL
from copiloto.orchestrate.claude.tests import ClaudeTestRefiner
from copiloto.review.handoff import DeepReviewRequest
from copiloto.testgen.draft import Candidate
from copiloto.testgen.generate import Failure, TestDraft
from fake_api import FakeAnthropic, tool_use

SERVER = Path(copiloto.__file__).parent
# Made up, in shapes the redaction must know: a password, a GLPI API token, a generated key.
DB_PASSWORD = "Gl" + "piDb-" + "Xw7!q"
USER_TOKEN = "q56hqkniwot8wntb" + "3z1qarka5atf365taaa2uyj"
API_KEY = "Zq8" + "Lm2Pz9Rt4Vb8Nc3Kd6Wf1Hj5"
PLANTED = (DB_PASSWORD, USER_TOKEN, API_KEY)
SOURCE = (
    "import requests\n\n"
    f"DB_PASSWORD = '{DB_PASSWORD}'\n"
    f"HEADERS = {{'Authorization': 'user_token {USER_TOKEN}'}}\n\n\n"
    "def fetch(client_key=None):\n"
    '    """Fetch the tickets."""\n'
    f"    return requests.get('https://glpi/apirest.php', headers=HEADERS, params={{'key': '{API_KEY}'}})\n"
)


def _leaks(api: FakeAnthropic) -> list[str]:
    wire = "".join(r.raw.decode() for r in api.requests)
    return [s for s in PLANTED if s in wire or json.dumps(s)[1:-1] in wire]


@pytest.fixture
def client(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CloudClient:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-for-the-fake-api-only")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    return CloudClient(CloudSettings(max_retries=0, timeout_s=10), Ledger(tmp_path / "usage.json"))


# -- the code: one way to the SDK ------------------------------------------------------------------------------


def _modules() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in SERVER.rglob("*.py")
        if "demo/project" not in path.as_posix()
    }


def test_only_the_client_imports_the_sdk() -> None:
    importers = set()
    for path, tree in _modules().items():
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "anthropic" or n.startswith("anthropic.") for n in names):
                importers.add(path.relative_to(SERVER).as_posix())
            if isinstance(node, ast.Constant) and node.value == "anthropic":  # __import__("anthropic")
                importers.add(path.relative_to(SERVER).as_posix())
    assert importers == {"cloud/client.py"}


def test_the_sdk_is_only_handed_gated_bodies() -> None:
    tree = _modules()[SERVER / "cloud" / "client.py"]
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef)}
    touching = {
        name
        for name, fn in functions.items()
        for node in ast.walk(fn)
        if isinstance(node, ast.Attribute) and node.attr == "messages" and not _is_self(node.value)
    }
    assert touching == {"_send"}, "only _send uses the SDK's messages API"
    sends = [
        (name, node)
        for name, fn in functions.items()
        for node in ast.walk(fn)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "_send"
    ]
    assert [name for name, _ in sends] == ["_ask"], "_send is called from one place"
    (_, call), gated = sends[0], None
    for node in ast.walk(functions["_ask"]):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            called = [value.func, *value.args[:1]] if isinstance(value, ast.Call) else []  # gate(…), to_thread(gate, …)
            if any(isinstance(f, ast.Name) and f.id == "gate" for f in called):
                gated = node.targets[0].id
    assert gated is not None, "_ask passes the body through outbound.gate"
    body = call.args[1]
    assert isinstance(body, ast.Attribute) and body.attr == "body" and isinstance(body.value, ast.Name)
    assert body.value.id == gated, "what _send gets is the gate's output"


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def test_the_gate_redacts_every_content_string_and_leaves_the_protocol() -> None:
    body: dict[str, Any] = {
        "model": "claude-x",
        "system": [{"type": "text", "text": f"token={API_KEY}"}],
        "messages": [
            {"role": "user", "content": f"password = '{DB_PASSWORD}'"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t1", "name": "x", "input": {"a": [API_KEY]}}],
            },
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": f"pw={DB_PASSWORD}"}]},
        ],
        "tools": [{"name": "x", "input_schema": {"type": "object"}}],
    }
    gated = gate(body)
    assert not [s for s in PLANTED if s in json.dumps(gated.body)]
    assert gated.redacted == 4
    assert gated.body["model"] == "claude-x" and gated.body["tools"] == body["tools"]
    assert gated.body["messages"][1]["content"][0]["id"] == "t1"
    assert DB_PASSWORD in json.dumps(body), "the caller's body is left as it was"


# -- the features: secrets planted in everything each one sends ----------------------------------------------


def test_the_deep_review_sends_no_secret(client: CloudClient, fake_api: FakeAnthropic) -> None:
    fake_api.reply(tool_use(REVIEW_TOOL, {"findings": []}))
    local = SimpleNamespace(line=3, end_line=3, category="security", message=f"hard-coded password '{DB_PASSWORD}'")
    request = DeepReviewRequest(path="/w/glpi_client.py", text=SOURCE, reason="sequential", local=[local])  # type: ignore[list-item]
    asyncio.run(ClaudeReviewer(client).review(request))
    assert len(fake_api.requests) == 1 and _leaks(fake_api) == []


def test_explain_sends_no_secret_from_the_log_or_the_frames(
    client: CloudClient, fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    source = tmp_path / "src" / "DBmysql.php"
    source.parent.mkdir()
    source.write_text(
        "<?php\nclass DBmysql {\n"
        f"    public $dbpassword = '{DB_PASSWORD}';\n"
        "    function connect() {\n"
        "        $this->dbh->real_connect($this->dbhost, $this->dbuser, rawurldecode($this->dbpassword));\n"
        "    }\n}\n",
        encoding="utf-8",
    )
    entry = (
        "[2026-12-01 09:14:02] glpiphplog.CRITICAL:   *** Uncaught Exception mysqli_sql_exception: Access denied "
        "for user 'glpi'@'localhost' (using password: YES) in /var/www/glpi/src/DBmysql.php at line 5\n"
        "  Backtrace :\n"
        f"  #0 /var/www/glpi/src/DBmysql.php(5): mysqli->real_connect('localhost', 'glpi', '{DB_PASSWORD}', 'glpi')\n"
        f"  #1 /var/www/glpi/inc/api.php(88): Session::init('user_token {USER_TOKEN}')\n"
    )
    fake_api.reply(tool_use(EXPLAIN_TOOL, {"root_cause": "wrong password", "involved": []}))
    asyncio.run(explain(client, entry, [Frame(source, "src/DBmysql.php", 5)], "files/_log/php-errors.log"))
    assert len(fake_api.requests) == 1 and _leaks(fake_api) == []
    assert "real_connect" in fake_api.requests[0].raw.decode(), "the rest of the entry is sent"


def test_failure_output_of_generated_tests_sends_no_secret(client: CloudClient, fake_api: FakeAnthropic) -> None:
    failed = Candidate("test_fetch", "def test_fetch():\n    assert fetch() == 1\n", "model", key="a", stem="a")
    output = (
        "E   AssertionError: assert <Response> == 1\n"
        f"E    +  where headers = {{'Authorization': 'user_token {USER_TOKEN}'}}\n"
        f"E    +  and DB_PASSWORD = '{DB_PASSWORD}', key={API_KEY}\n"
    )
    failure = Failure(failed, SimpleNamespace(output=output))  # type: ignore[arg-type]
    draft = TestDraft("fetch", SOURCE, None, (failed,), (failure,), module_path="/w/glpi_client.py")  # type: ignore[arg-type]
    fake_api.reply(tool_use(TESTS_TOOL, {"tests": []}))
    ClaudeTestRefiner(client, "refine")(draft)
    assert len(fake_api.requests) == 1 and _leaks(fake_api) == []
    assert "AssertionError" in fake_api.requests[0].raw.decode()


def test_docstrings_and_the_retry_after_an_invalid_answer_send_no_secret(
    client: CloudClient, fake_api: FakeAnthropic
) -> None:
    fake_api.reply(
        tool_use(DOCSTRING_TOOL, {"not": "a docstring"}),  # invalid: asked again, with the whole context again
        tool_use(DOCSTRING_TOOL, {"docstring": "Fetch the tickets."}),
    )
    claude_docstring(client, SOURCE, "fetch", f"Document fetch (it uses {API_KEY}).", "google", "/w/glpi_client.py")
    assert len(fake_api.requests) == 2 and _leaks(fake_api) == []
