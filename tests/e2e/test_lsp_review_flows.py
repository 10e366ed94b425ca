"""The flow check of layer 1 in a real LSP session: request data that reaches SQL text is published on save
beside bandit's findings, as a copiloto/flows diagnostic with its code, its CWE link and the sink's place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_helpers import SERVER, capabilities, open_doc, server_env, wait_until
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

APP = """\
import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/users")
def users():
    name = request.args["name"]
    query = f"SELECT id FROM users WHERE name = '{name}'"
    cursor = sqlite3.connect("app.db").cursor()
    cursor.execute(query)
    return str(cursor.fetchall())
"""


@pytest_lsp.fixture(
    scope="module",
    loop_scope="module",
    config=ClientServerConfig(server_command=SERVER, server_env=server_env()),
)
async def client(lsp_client: LanguageClient, tiny_model: Path) -> Any:
    await lsp_client.initialize_session(  # layer 1 needs no model: the local review is off, the load not awaited
        types.InitializeParams(
            capabilities=capabilities(),
            initialization_options={
                "engine": {"model": str(tiny_model), "n_ctx": 2048},
                "review": {"local_model": False},
            },
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_request_data_into_sql_text_is_published_on_save(client: LanguageClient) -> None:
    uri = "file:///work/app.py"
    open_doc(client, uri, APP)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    await wait_until(lambda: uri in client.diagnostics or None, 20, f"diagnostics for {uri}")
    found = list(client.diagnostics[uri])
    flows = [d for d in found if d.source == "copiloto/flows"]
    assert len(flows) == 1, found
    (flow,) = flows
    assert flow.code == "CF-SQL" and flow.severity == types.DiagnosticSeverity.Error
    assert flow.code_description is not None and flow.code_description.href.endswith("/89.html")
    assert flow.range.start == types.Position(12, 4) and flow.range.end == types.Position(12, 25)
    assert 'request.args["name"] (line 10) reaches cursor.execute SQL text (line 13)' in flow.message
    assert any(d.source == "copiloto/bandit" and d.code == "B608" for d in found), "bandit's own findings stay"


GLPI_PAGE = """\
<?php
include('../inc/includes.php');

$id = $_GET['id'];
$result = $DB->query("SELECT name FROM glpi_tickets WHERE id = " . $id);
echo intval($id);
"""


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_php_superglobals_into_sql_are_published_on_save(client: LanguageClient) -> None:
    uri = "file:///work/front/ticket.view.php"
    open_doc(client, uri, GLPI_PAGE, language="php")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    await wait_until(lambda: uri in client.diagnostics or None, 20, f"diagnostics for {uri}")
    found = list(client.diagnostics[uri])
    assert [(d.source, d.code, d.range.start.line) for d in found] == [("copiloto/flows", "CF-SQL", 4)], found
    assert "$_GET['id'] (line 4)" in found[0].message  # echo intval($id) is clean: no CF-XSS
