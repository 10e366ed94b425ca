"""`copiloto demo`: a real LSP session, over stdio, against the example project shipped in the package.

It starts `copiloto serve` as a child process exactly as an editor would, shows what the server found in the
project's GLPI log (files/_log/php-errors.log) and where its backtraces point, asks for inline completions at
a few cursor positions (what came back, how long it took, how much of the prompt the KV cache served), saves
a file to show the review on save, and runs both code actions. It ends with the settings that point VS Code
and Neovim at the server.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from copiloto.completion.stats import percentile
from copiloto.demo.cases import CASES, DemoCase
from copiloto.lsp.values import plain

PROJECT = Path(__file__).parent / "project"


class DemoClient(LanguageClient):
    def __init__(self) -> None:
        super().__init__("copiloto-demo", "1")
        self.messages: list[str] = []
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.published = asyncio.Event()


def make_client() -> DemoClient:
    client = DemoClient()

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def show_message(params: types.ShowMessageParams) -> None:
        client.messages.append(params.message)
        print(f"  [server] {params.message}")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = list(params.diagnostics)
        client.published.set()

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def progress_create(params: types.WorkDoneProgressCreateParams) -> None:
        return None

    @client.feature(types.PROGRESS)
    def progress(params: types.ProgressParams) -> None:
        value = plain(params.value)
        if isinstance(value, dict):
            print(f"  [progress] {value.get('kind', '')}: {value.get('message') or value.get('title', '')}")

    return client


async def wait_ready(client: LanguageClient, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = await client.protocol.send_request_async("copiloto/status", {})
        status = plain(status)
        if status.get("state") in ("ready", "error") or status.get("error"):
            return status
        if time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.1)


async def ask(client: LanguageClient, uri: str, line: int, col: int) -> tuple[str, float, dict[str, Any]]:
    started = time.perf_counter()
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=col),
            context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic),
        )
    )
    latency = (time.perf_counter() - started) * 1000
    items = result.items if isinstance(result, types.InlineCompletionList) else (result or [])
    if not items:
        return "", latency, {}
    item = items[0]
    text = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
    details = plain(item.command.arguments[0]) if item.command and item.command.arguments else {}
    return text, latency, details


def _show(case: DemoCase, text: str, latency: float, details: dict[str, Any], removed: str) -> None:
    evaluated = details.get("prompt_tokens", 0) - details.get("reused_tokens", 0)
    print(f"\n{case.file}:{case.line}:{case.column}  ({case.what})")
    for label, value in (("got", text or "(no completion)"), ("was", removed)):
        for i, line in enumerate(value.split("\n")):
            print(f"  {label if i == 0 else '   '}  {line}")
    print(
        f"  {latency:7.0f} ms   source={details.get('source', '-')}   mode={details.get('mode', '-')}   "
        f"tokens evaluated={evaluated} reused={details.get('reused_tokens', 0)} "
        f"generated={details.get('generated_tokens', 0)}"
    )


async def demo(model: str | None, models_dir: str | None, engine_url: str | None = None) -> int:
    args = ["-m", "copiloto", "serve"]
    if model:
        args += ["--model", model]
    if models_dir:
        args += ["--models-dir", models_dir]
    if engine_url:
        args += ["--engine-url", engine_url]
    client = make_client()
    await client.start_io(sys.executable, *args)
    stderr_task = asyncio.ensure_future(_drain(client))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                window=types.WindowClientCapabilities(work_done_progress=True),
                text_document=types.TextDocumentClientCapabilities(
                    inline_completion=types.InlineCompletionClientCapabilities(),
                    code_action=types.CodeActionClientCapabilities(disabled_support=True),
                ),
                # The edits come back to be shown, never applied: nothing is written into the package.
                workspace=types.WorkspaceClientCapabilities(
                    workspace_edit=types.WorkspaceEditClientCapabilities(
                        document_changes=True, resource_operations=[types.ResourceOperationKind.Create]
                    )
                ),
            ),
            root_uri=PROJECT.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=PROJECT.as_uri(), name="glpi_dashboard")],
        )
    )
    client.initialized(types.InitializedParams())
    print("Copiloto demo: a real LSP session over stdio with", shlex.join(["copiloto", *args[2:]]))
    status = await wait_ready(client)
    if status.get("state") != "ready":
        print(f"\nThe model did not load: {status.get('error')}", file=sys.stderr)
        await _stop(client, stderr_task)
        return 1
    print(
        f"Model: {status['model']} ({status.get('reason')}), FIM {status.get('fim')}, "
        f"loaded in {status.get('load_seconds') or 0:.2f}s"
    )
    await glpi_logs(client)
    versions: dict[str, int] = {}
    latencies: list[float] = []
    for case in CASES:
        path = PROJECT / case.file
        uri = path.as_uri()
        text, _, removed = case.cut(path.read_text())
        if uri not in versions:
            versions[uri] = 1
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
                )
            )
        else:
            versions[uri] += 1
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=versions[uri]),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
                )
            )
        completion, latency, details = await ask(client, uri, case.line - 1, case.column - 1)
        latencies.append(latency)
        _show(case, completion, latency, details, removed)
        if case is TYPING_CASE:
            await type_one_character(client, case, versions)
    # Ask the first position again: the same state is answered from the cache, and a changed line
    # re-uses the KV cache for everything before the edit.
    # The same state again is answered from the cache.
    last = CASES[-1]
    uri = (PROJECT / last.file).as_uri()
    completion, latency, details = await ask(client, uri, last.line - 1, last.column - 1)
    again = DemoCase(last.file, last.line, last.column, "the same position again")
    _show(again, completion, latency, details, last.cut((PROJECT / last.file).read_text())[2])
    status = plain(await client.protocol.send_request_async("copiloto/status", {}))
    stats = status.get("stats", {})
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(
        f"\nLatency over {len(latencies)} positions: p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
        f"prompt tokens reused overall: {100 * (stats.get('prompt_reuse') or 0):.0f}%"
    )
    await review_on_save(client)
    await code_actions(client, versions)
    await _stop(client, stderr_task)
    print(USAGE.format(python=sys.executable))
    return 0


LOG_FILE = PROJECT / "files" / "_log" / "php-errors.log"
PLUGIN_FILE = PROJECT / "plugins" / "dashboard" / "inc" / "widget.class.php"
REVIEW_FILE = PROJECT / "glpi_dashboard" / "export.py"


async def diagnostics_of(client: DemoClient, uri: str, ready: Any, timeout: float) -> list[types.Diagnostic]:
    """The diagnostics of `uri` once `ready(diagnostics)` holds (or what there is at the timeout)."""
    deadline = time.perf_counter() + timeout
    while not ready(client.diagnostics.get(uri, [])) and time.perf_counter() < deadline:
        client.published.clear()
        try:
            await asyncio.wait_for(client.published.wait(), max(0.01, deadline - time.perf_counter()))
        except TimeoutError:
            break
    return client.diagnostics.get(uri, [])


def _show_diagnostics(path: Path, found: list[types.Diagnostic]) -> None:
    for diagnostic in sorted(found, key=lambda d: d.range.start.line):
        where = f"{path.relative_to(PROJECT)}:{diagnostic.range.start.line + 1}"
        print(f"  {where}  [{diagnostic.source} {diagnostic.code}] {diagnostic.message}")


async def glpi_logs(client: DemoClient) -> None:
    """The server read the project's GLPI log at start: one diagnostic per group, and the plugin's lines."""
    print(f"\n{LOG_FILE.relative_to(PROJECT)}  (GLPI log, watched: grouped entries and where they point)")
    _show_diagnostics(LOG_FILE, await diagnostics_of(client, LOG_FILE.as_uri(), bool, 10))
    _show_diagnostics(PLUGIN_FILE, await diagnostics_of(client, PLUGIN_FILE.as_uri(), bool, 5))


async def review_on_save(client: DemoClient) -> None:
    """Open and save a module: bandit's findings at once, then the local model's review of its functions."""
    uri = REVIEW_FILE.as_uri()
    item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=REVIEW_FILE.read_text())
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    before = plain(await client.protocol.send_request_async("copiloto/status", {})).get("review", {})
    started = time.perf_counter()
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    found = await diagnostics_of(client, uri, bool, 10)
    layer1 = time.perf_counter() - started
    print(f"\n{REVIEW_FILE.relative_to(PROJECT)}  saved → review (bandit in {1000 * layer1:.0f} ms)")
    _show_diagnostics(REVIEW_FILE, found)
    for _ in range(600):  # the local model reviews each function in the background
        review = plain(await client.protocol.send_request_async("copiloto/status", {})).get("review", {})
        if review.get("saves", 0) > before.get("saves", 0):
            break
        await asyncio.sleep(0.1)
    local = [d for d in client.diagnostics.get(uri, []) if d.source == "copiloto/local"]
    print(
        f"  local model: {review.get('reviewed', 0) - before.get('reviewed', 0)} functions reviewed in "
        f"{time.perf_counter() - started:.1f} s, {len(local)} findings"
    )
    _show_diagnostics(REVIEW_FILE, local)


ACTIONS_FILE, ACTIONS_LINE = "glpi_dashboard/tickets.py", 54  # `def is_prime(n: int) -> bool:`, no docstring
SHOWN_LINES = 14


async def code_actions(client: LanguageClient, versions: dict[str, int]) -> None:
    """Right-click in a function: the two code actions, resolved; their edits are printed, not applied."""
    path = PROJECT / ACTIONS_FILE
    uri = path.as_uri()
    versions[uri] = versions.get(uri, 0) + 1
    client.text_document_did_change(  # the file as saved: the tests run against the code on disk
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=path.read_text())],
        )
    )
    listed = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(ACTIONS_LINE - 1, 4), types.Position(ACTIONS_LINE - 1, 4)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    print(f"\n{ACTIONS_FILE}:{ACTIONS_LINE}  right-click → code actions (written by the model, checked)")
    for action in listed or []:
        if not isinstance(action, types.CodeAction):
            continue
        started = time.perf_counter()
        resolved = await client.code_action_resolve_async(action)
        seconds = time.perf_counter() - started
        print(f"\n  {action.title}  ({seconds:.1f} s)")
        for change in (resolved.edit.document_changes or []) if resolved.edit else []:
            if isinstance(change, types.CreateFile):
                print(f"    creates {Path(change.uri.removeprefix('file://')).relative_to(PROJECT)}")
            elif isinstance(change, types.TextDocumentEdit):
                for edit in change.edits:
                    text = edit.new_text if isinstance(edit, types.TextEdit) else ""
                    lines = [line.rstrip() for line in text.strip().split("\n")]
                    for line in lines[:SHOWN_LINES]:
                        print(f"    | {line}")
                    if len(lines) > SHOWN_LINES:
                        print(f"    | … {len(lines) - SHOWN_LINES} more lines")


TYPING_CASE = CASES[2]


async def type_one_character(client: LanguageClient, case: DemoCase, versions: dict[str, int]) -> None:
    """Type the next character of what was there: unless the suggestion began with it (then the cache
    answers), the model runs again and re-evaluates only the prompt tokens after the edit."""
    path = PROJECT / case.file
    text, offset, removed = case.cut(path.read_text())
    uri = path.as_uri()
    versions[uri] += 1
    typed_text = text[:offset] + removed[0] + text[offset:]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=typed_text)],
        )
    )
    completion, latency, details = await ask(client, uri, case.line - 1, case.column)
    typed = DemoCase(case.file, case.line, case.column + 1, f"after typing {removed[0]!r}")
    _show(typed, completion, latency, details, removed[1:])
    if details.get("source") == "model":
        reuse = details.get("reused_tokens", 0) / max(1, details.get("prompt_tokens", 0))
        print(f"  -> {100 * reuse:.0f}% of the prompt was reused from the KV cache after one typed character")


async def _drain(client: LanguageClient) -> None:
    """Read the server's stderr so a chatty server can never block on a full pipe."""
    server = getattr(client, "_server", None)
    if server is None or server.stderr is None:
        return
    while await server.stderr.readline():
        pass


async def _stop(client: LanguageClient, stderr_task: asyncio.Future[None]) -> None:
    try:
        await asyncio.wait_for(client.shutdown_async(None), 10)
        client.exit(None)
    except Exception:
        pass
    await client.stop()
    stderr_task.cancel()


USAGE = """
Use it from your editor:

  VS Code: install the Copiloto extension (client-vscode/, `make vsix`), then in settings.json
    "copiloto.server.command": ["{python}", "-m", "copiloto", "serve"]

  Neovim 0.7+: in init.lua
    local id = vim.lsp.start_client({{ name = "copiloto", cmd = {{ "{python}", "-m", "copiloto", "serve" }} }})
    vim.api.nvim_create_autocmd("FileType", {{ pattern = {{ "python", "php" }},
      callback = function() vim.lsp.buf_attach_client(0, id) end }})
    vim.opt.omnifunc = "v:lua.vim.lsp.omnifunc"   -- then <C-x><C-o> in insert mode

  Any editor, by hand: `{python} -m copiloto complete FILE:LINE:COL --json`
"""


def run_demo(model: str | None = None, models_dir: str | None = None, engine_url: str | None = None) -> int:
    return asyncio.run(demo(model, models_dir, engine_url))
