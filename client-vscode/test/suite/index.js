// extensionTestsPath entry, run inside code-server's extension host with the real server and the tiny model.
// A tiny sequential runner (no mocha): each test prints PASS/FAIL; run() rejects if any failed.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const WS = vscode.workspace.workspaceFolders[0].uri.fsPath;
const t0 = Date.now();
const say = (m) => console.log(`[suite ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(pred, ms, every = 200) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await pred();
    if (v) return v;
    await sleep(every);
  }
  return undefined;
}

let api, doc, editor;
const ctx = {};

async function openAdd() {
  doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(WS, 'add.py')));
  editor = await vscode.window.showTextDocument(doc);
}
function bodyPosition() {
  // line 1 = "    " (function body of `def add(a, b):`), cursor at its end
  return new vscode.Position(1, doc.lineAt(1).text.length);
}
async function inlineItems() {
  // the same LSP request VS Code's inline-suggest controller sends, straight through the client
  const client = api.client();
  const res = await client.sendRequest('textDocument/inlineCompletion', {
    textDocument: { uri: doc.uri.toString() },
    position: { line: 1, character: doc.lineAt(1).text.length },
    context: { triggerKind: 1 },
  });
  return (res && (res.items || res)) || [];
}

const tests = [
  ['extension activates on a .py file', async () => {
    await openAdd();
    assert.strictEqual(doc.languageId, 'python');
    const ext = vscode.extensions.getExtension('copiloto.copiloto');
    assert.ok(ext, 'extension copiloto.copiloto is loaded');
    api = await waitFor(() => ext.isActive && ext.exports, 30000);
    assert.ok(api, 'extension activated and returned its API');
    const client = await waitFor(() => { const c = api.client(); return c && c.initializeResult ? c : undefined; }, 30000);
    assert.ok(client, 'language client started');
    const caps = client.initializeResult.capabilities;
    say(`serverInfo=${JSON.stringify(client.initializeResult.serverInfo)} inlineCompletionProvider=${JSON.stringify(caps.inlineCompletionProvider)}`);
    assert.strictEqual(client.initializeResult.serverInfo.name, 'copiloto');
    assert.ok(caps.inlineCompletionProvider, 'server advertises inlineCompletionProvider');
    assert.ok(api.serverPid(), 'server process has a pid');
  }],

  ['status bar reaches "ready" with the model name', async () => {
    const seen = new Set();
    const ok = await waitFor(() => { seen.add(api.state()); return api.state() === 'ready'; }, 120000, 100);
    say(`states seen: ${[...seen].join(' -> ')}; status bar: ${JSON.stringify(api.statusBar())}`);
    assert.ok(ok, `status bar state is ${api.state()}, not ready`);
    const s = await api.status();
    say(`copiloto/status: state=${s.state} model=${s.model} fim=${s.fim} load_seconds=${s.load_seconds}`);
    assert.strictEqual(s.state, 'ready');
    assert.ok(api.statusBar().text.includes(s.model), `status bar text ${api.statusBar().text} names model ${s.model}`);
    ctx.model = s.model;
  }],

  ['inline completion (ghost text) at a function-body position', async () => {
    editor = await vscode.window.showTextDocument(doc);
    const pos = bodyPosition();
    editor.selection = new vscode.Selection(pos, pos);
    const original = doc.getText();
    const before = (await api.status()).stats || {};
    let committed = false;
    const tTrig = Date.now();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    for (let i = 0; i < 120 && !committed; i++) { // the model takes a few seconds on 2 CPU cores
      await sleep(250);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      committed = doc.getText() !== original;
      if (!committed && i % 20 === 19) await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    }
    const inserted = doc.getText().slice(doc.offsetAt(pos), doc.getText().length - original.length + doc.offsetAt(pos));
    say(`committed=${committed} after ${Date.now() - tTrig} ms; line 1 is now ${JSON.stringify(doc.lineAt(1).text)}`);
    const after = await waitFor(async () => { const s = (await api.status()).stats; return s.accepted > (before.accepted || 0) ? s : undefined; }, 5000);
    say(`stats before=${JSON.stringify({ requests: before.requests, shown: before.shown, accepted: before.accepted })} after=${JSON.stringify(after && { requests: after.requests, shown: after.shown, accepted: after.accepted })}`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.ok(committed, 'an inline completion was shown and committed into the document');
    assert.ok(inserted.trim().length > 0, 'the completion inserted some text');
    assert.ok(after, 'the accept command (copiloto.accepted) reached the server: stats.accepted grew');
  }],

  ['settings change reaches the server (completion.enabled off -> no item)', async () => {
    const on = await waitFor(async () => (await inlineItems()).length > 0, 30000, 500);
    assert.ok(on, 'an item while enabled');
    const next = await vscode.commands.executeCommand('copiloto.toggleInlineCompletions');
    try {
      assert.strictEqual(next, false, 'toggle turned completions off');
      assert.strictEqual(vscode.workspace.getConfiguration('copiloto').get('completion.enabled'), false);
      const off = await waitFor(async () => (await inlineItems()).length === 0, 10000, 300);
      say(`after disabling: items=${JSON.stringify(await inlineItems())} status bar=${api.statusBar().text}`);
      assert.ok(off, 'no inline item once copiloto.completion.enabled is false');
      assert.ok(api.statusBar().text.includes('(off)'), 'status bar shows completions off');
    } finally {
      if (vscode.workspace.getConfiguration('copiloto').get('completion.enabled') === false) {
        await vscode.commands.executeCommand('copiloto.toggleInlineCompletions');
      }
    }
    const back = await waitFor(async () => (await inlineItems()).length > 0, 30000, 500);
    assert.ok(back, 'items again after re-enabling');
  }],

  ['clicking the status bar opens the menu; its first entry toggles inline completions', async () => {
    assert.strictEqual(api.statusBar().command, 'copiloto.showMenu');
    const shown = vscode.commands.executeCommand(api.statusBar().command);
    await sleep(700);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await shown;
    const cfg = () => vscode.workspace.getConfiguration('copiloto').get('completion.enabled');
    const off = await waitFor(() => cfg() === false, 5000);
    say(`after picking the first menu entry: completion.enabled=${cfg()} status bar=${api.statusBar().text}`);
    if (cfg() === false) await vscode.commands.executeCommand('copiloto.toggleInlineCompletions');
    assert.ok(off, 'menu entry turned inline completions off');
    assert.strictEqual(cfg(), true);
  }],

  ['killing the server process leads to a restart', async () => {
    const pid = api.serverPid();
    const starts = api.starts();
    say(`killing server pid ${pid} (SIGKILL)`);
    process.kill(pid, 'SIGKILL');
    const newPid = await waitFor(() => api.serverPid() && api.serverPid() !== pid && api.starts() > starts ? api.serverPid() : undefined, 30000);
    say(`new server pid ${newPid}`);
    assert.ok(newPid, 'a new server process was started');
    const ready = await waitFor(() => api.state() === 'ready', 60000);
    assert.ok(ready, `state after restart: ${api.state()}`);
    await sleep(500); // let the client re-send didOpen for the open documents
    const items = await waitFor(async () => { try { const it = await inlineItems(); return it.length > 0 ? it : undefined; } catch (e) { return undefined; } }, 30000, 500);
    say(`after restart: ${JSON.stringify(items && items[0] && items[0].insertText)}`);
    assert.ok(items, 'completions work after the restart');
  }],

  ['a crash loop stops after bounded restarts (then a manual restart recovers)', async () => {
    let kills = 0;
    while (api.state() !== 'error' && kills < 6) {
      const pid = await waitFor(() => api.serverPid(), 20000, 50);
      if (!pid) break;
      try { process.kill(pid, 'SIGKILL'); kills += 1; } catch (e) { /* already gone */ }
      await waitFor(() => api.state() === 'error' || (api.serverPid() && api.serverPid() !== pid), 20000, 50);
    }
    say(`after ${kills} more kills: state=${api.state()} status bar=${JSON.stringify(api.statusBar())}`);
    assert.strictEqual(api.state(), 'error', 'gave up restarting');
    assert.ok(kills <= 3, `gave up after the 4th crash in the window (1 earlier + ${kills} now)`);
    await sleep(2000);
    assert.strictEqual(api.serverPid(), undefined, 'no new server process after giving up');
    assert.ok(/crashed/.test(api.statusBar().tooltip), 'status bar tooltip says why');
    await vscode.commands.executeCommand('copiloto.restartServer');
    assert.ok(await waitFor(() => api.state() === 'ready', 60000), `state after manual restart: ${api.state()}`);
  }],

  ['Anthropic API key: secret storage -> server env only', async () => {
    const key = 'sk-ant-copiloto-test-' + Math.random().toString(36).slice(2); // test.sh greps the logs for the prefix
    const envOf = (pid) => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    let old = api.serverPid();
    await vscode.commands.executeCommand('copiloto.setAnthropicApiKey', key);
    let pid = await waitFor(() => api.serverPid() && api.serverPid() !== old ? api.serverPid() : undefined, 30000);
    assert.ok(pid, 'server restarted after setting the key');
    assert.ok(envOf(pid).includes(`ANTHROPIC_API_KEY=${key}`), 'server process env has ANTHROPIC_API_KEY');
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('copiloto')) + fs.readFileSync(path.join(WS, '.vscode', 'settings.json'), 'utf8');
    assert.ok(!settingsText.includes(key), 'key is not in the settings');
    old = pid;
    await vscode.commands.executeCommand('copiloto.clearAnthropicApiKey');
    pid = await waitFor(() => api.serverPid() && api.serverPid() !== old ? api.serverPid() : undefined, 30000);
    assert.ok(pid, 'server restarted after clearing the key');
    assert.ok(!envOf(pid).some((l) => l.startsWith('ANTHROPIC_API_KEY=sk-ant-copiloto-test-')), 'key gone from the env');
    assert.ok(await waitFor(() => api.state() === 'ready', 60000), `state: ${api.state()}`);
  }],

  ['hidden actions and API-key command are contributed', async () => {
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['copiloto.generateDocstring', 'copiloto.generateTests', 'copiloto.deepReview', 'copiloto.setAnthropicApiKey', 'copiloto.showMenu', 'copiloto.showStats']) {
      assert.ok(cmds.includes(c), `command ${c} registered`);
    }
  }],
];

exports.run = async function run() {
  say(`vscode ${vscode.version} (${vscode.env.appName}) node ${process.version} workspace ${WS}`);
  const failures = [];
  for (const [name, fn] of tests) {
    const t = Date.now();
    try {
      await fn();
      say(`PASS ${name} (${Date.now() - t} ms)`);
    } catch (e) {
      failures.push(name);
      say(`FAIL ${name}: ${e && e.stack || e}`);
    }
  }
  say(failures.length ? `${failures.length} FAILED: ${failures.join('; ')}` : `all ${tests.length} tests passed`);
  if (failures.length) throw new Error(`${failures.length} test(s) failed`);
};
