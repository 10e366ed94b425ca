"""GLPI logs in a real LSP session: the server asks the client to watch `**/files/_log/*.log`, publishes one
diagnostic per group of entries on its latest line and one on each workspace line a backtrace points at, and
follows the log as it grows, is truncated or deleted (file events) — or, for a client that cannot watch files,
by looking at it every few seconds."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_helpers import SERVER, capabilities, server_env, status, wait_for_state, wait_until
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

CRASH = """[2025-01-02 10:00:00] glpiphplog.CRITICAL:   *** Uncaught Exception Error: \
Call to undefined function foo() in /var/www/glpi/src/Foo.php at line 3
  Backtrace :
  /var/www/glpi/src/Foo.php:3                        Foo->bar()
  front/central.php:40                               include()
"""
ACCESS = (
    "[2025-01-02 10:03:00] User ID: `7` tried to access or perform an action on `/front/config.form.php` "
    "with insufficient rights.\n"
)
FOO = "<?php\nclass Foo {\n    public function bar() { return foo(); }\n}\n"


def at(time: str) -> str:
    return CRASH.replace("10:00:00", time)


@pytest.fixture(scope="module")
def glpi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("glpi")
    (root / "src").mkdir()
    (root / "src" / "Foo.php").write_text(FOO, encoding="utf-8")
    (root / "files" / "_log").mkdir(parents=True)
    (root / "files" / "_log" / "php-errors.log").write_text(at("10:00:00") + at("10:01:00"), encoding="utf-8")
    return root


registrations: list[types.Registration] = []


@pytest_lsp.fixture(
    scope="module",
    loop_scope="module",
    config=ClientServerConfig(server_command=SERVER, server_env=server_env()),
)
async def client(lsp_client: LanguageClient, tiny_model: Path, glpi: Path) -> Any:
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    caps = capabilities()
    assert caps.workspace is not None
    caps.workspace.did_change_watched_files = types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            workspace_folders=[types.WorkspaceFolder(uri=glpi.as_uri(), name="glpi")],
            initialization_options={"engine": {"model": str(tiny_model), "n_ctx": 2048}},
        )
    )
    await wait_for_state(lsp_client, "ready", "error")
    yield
    await lsp_client.shutdown_session()


async def published(client: LanguageClient, uri: str, check: Any, timeout: float = 15) -> list[types.Diagnostic]:
    """The diagnostics of `uri` once `check(diagnostics)` holds."""

    def matching() -> tuple[list[types.Diagnostic]] | None:
        found = list(client.diagnostics.get(uri, []))
        return (found,) if check(found) else None  # a tuple: an empty list can be what is awaited

    [found] = await wait_until(matching, timeout, f"diagnostics of {uri} matching")
    return found


def changed(client: LanguageClient, path: Path, kind: types.FileChangeType = types.FileChangeType.Changed) -> None:
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=path.as_uri(), type=kind)])
    )


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_the_server_asks_to_watch_the_log_globs(client: LanguageClient) -> None:
    await wait_until(lambda: registrations, 5, "the watcher registration")
    [registration] = registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    options = registration.register_options
    globs = [w["globPattern"] if isinstance(w, dict) else w.glob_pattern for w in _watchers(options)]
    assert globs == ["**/files/_log/*.log"]


def _watchers(options: Any) -> list[Any]:
    return list(options["watchers"] if isinstance(options, dict) else options.watchers)


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_existing_log_is_published_on_the_log_and_on_the_source_line(client: LanguageClient, glpi: Path) -> None:
    log_uri = (glpi / "files" / "_log" / "php-errors.log").as_uri()
    [group] = await published(client, log_uri, lambda d: len(d) == 1)
    assert group.source == "copiloto/logs" and group.code == "glpiphplog.CRITICAL"
    assert group.severity == types.DiagnosticSeverity.Error
    assert group.range.start.line == 4, "the latest of the two entries"
    assert "×2" in group.message and "Call to undefined function foo()" in group.message
    source_uri = (glpi / "src" / "Foo.php").as_uri()
    [hit] = await published(client, source_uri, lambda d: len(d) == 1)
    assert hit.range.start == types.Position(2, 4), "line 3 of Foo.php, from its first character"
    assert hit.message.endswith("raised 2 times in php-errors.log, last 10:01")
    assert hit.related_information is not None
    [related] = hit.related_information
    assert related.location.uri == log_uri and related.location.range.start.line == 4


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_growth_truncation_and_deletion_follow_the_file(client: LanguageClient, glpi: Path) -> None:
    log = glpi / "files" / "_log" / "php-errors.log"
    source_uri = (glpi / "src" / "Foo.php").as_uri()
    with log.open("a", encoding="utf-8") as fh:
        fh.write(at("10:07:00") + ACCESS)
    changed(client, log)
    found = await published(client, log.as_uri(), lambda d: len(d) == 2)
    crash = next(d for d in found if d.code == "glpiphplog.CRITICAL")
    assert "×3" in crash.message and crash.range.start.line == 8
    await published(client, source_uri, lambda d: len(d) == 1 and "3 times" in d[0].message and "10:07" in d[0].message)
    log.write_text(ACCESS, encoding="utf-8")  # truncated and rewritten (logrotate's copytruncate)
    changed(client, log)
    [access] = await published(client, log.as_uri(), lambda d: len(d) == 1 and d[0].code != "glpiphplog.CRITICAL")
    assert access.severity == types.DiagnosticSeverity.Warning and access.range.start.line == 0
    await published(client, source_uri, lambda d: d == [])  # the crash is no longer in the log
    log.unlink()
    changed(client, log, types.FileChangeType.Deleted)
    await published(client, log.as_uri(), lambda d: d == [])


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_a_new_log_file_is_picked_up(client: LanguageClient, glpi: Path) -> None:
    sql = glpi / "files" / "_log" / "sql-errors.log"
    sql.write_text(
        "[2025-01-02 10:00:05] glpisqllog.ERROR: DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php line 370\n"
        "  *** MySQL query error:\n  SQL: SELECT * FROM `glpi_tickets` WHERE `id` = \n"
        "  Error: You have an error in your SQL syntax near '' at line 1\n",
        encoding="utf-8",
    )
    changed(client, sql, types.FileChangeType.Created)
    [error] = await published(client, sql.as_uri(), lambda d: len(d) == 1)
    assert error.code == "glpisqllog.ERROR" and "SQL syntax" in error.message
    outside = glpi / "notes.log"  # not matched by the globs: not read
    outside.write_text(ACCESS, encoding="utf-8")
    changed(client, outside, types.FileChangeType.Created)
    await asyncio.sleep(0.5)
    assert outside.as_uri() not in client.diagnostics


@pytest.mark.model
@pytest.mark.asyncio(loop_scope="module")
async def test_an_entry_no_rule_knows_is_rated_by_the_model(client: LanguageClient, glpi: Path) -> None:
    cron = glpi / "files" / "_log" / "cron.log"
    cron.write_text(
        "2025-01-02 10:02:00 [2@glpi-host]\nPlugin fields: the container 7 was rebuilt with 3 columns dropped\n",
        encoding="utf-8",
    )
    before = (await status(client))["logs"]
    changed(client, cron, types.FileChangeType.Created)
    [shown] = await published(client, cron.as_uri(), lambda d: len(d) == 1)  # at once, with the rules' default
    assert shown.severity == types.DiagnosticSeverity.Information

    async def rated() -> dict[str, Any] | None:
        logs = (await status(client))["logs"]
        return logs if logs["rated_by_model"] > before["rated_by_model"] else None

    logs = await wait_until(rated, 60, "the model's rating of the cron entry")
    assert logs["asked_model"] == before["asked_model"] + 1
    assert str(cron) in logs["files"]
