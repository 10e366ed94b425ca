// extensionTestsPath entry for a GLPI workspace (test.sh phase "glpi": test/fixtures/glpi copied into a fresh
// workspace: files/_log/php-errors.log with 2 entries of one error whose backtrace points at src/Foo.php:3).
// Nothing is opened before the first test: the extension must start on `workspaceContains:**/files/_log/*.log`.
// The last test runs a deep review against tests/fake_api.py (a local fake of the Messages API, started here).
// Same tiny sequential runner as index.js: each test prints PASS/FAIL; run() rejects if any failed.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const vscode = require('vscode');

const WS = vscode.workspace.workspaceFolders[0].uri.fsPath;
const LOG = path.join(WS, 'files', '_log', 'php-errors.log');
const FOO = path.join(WS, 'src', 'Foo.php');
const { makeSay, sleep, waitFor, within, runSuite } = require('./harness');
const say = makeSay('suite-glpi');
const entry = (time) => `[2025-01-02 ${time}] glpiphplog.CRITICAL:   *** Uncaught Exception Error: Call to undefined function foo() in /var/www/glpi/src/Foo.php at line 3
  Backtrace :
  /var/www/glpi/src/Foo.php:3                        Foo->bar()
  front/central.php:40                               include()
`;
// The repo (its tests/fake_api.py and .venv): test.sh exports COPILOTO_REPO; else the workspace's .venv link.
const REPO = process.env.COPILOTO_REPO || path.dirname(fs.realpathSync(path.join(WS, '.venv')));
const logDiagnostics = (file) => vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === 'copiloto/logs');
const show = (ds) => JSON.stringify(ds.map((d) => `${d.range.start.line + 1}: ${d.message}`));

let api;

const tests = [
  ['the extension starts in a GLPI workspace without any file opened (workspaceContains)', async () => {
    const opened = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => d.uri.fsPath);
    const ext = vscode.extensions.getExtension('copiloto.copiloto');
    assert.ok(ext, 'extension copiloto.copiloto is loaded');
    assert.ok(ext.packageJSON.activationEvents.includes('workspaceContains:**/files/_log/*.log'), 'activation event declared');
    api = await waitFor(() => ext.isActive && ext.exports, 60000);
    say(`active=${ext.isActive}; documents open: ${JSON.stringify(opened)}`);
    assert.deepStrictEqual(opened, [], 'no file was opened (nothing else could have activated it)');
    assert.ok(api, 'extension activated and returned its API');
    const client = await waitFor(() => { const c = api.client(); return c && c.initializeResult ? c : undefined; }, 60000);
    assert.ok(client, 'language client started');
    const caps = client.initializeResult.capabilities;
    say(`executeCommandProvider=${JSON.stringify(caps.executeCommandProvider)}`);
    assert.ok(caps.executeCommandProvider.commands.includes('copiloto.deepReview'), 'server offers copiloto.deepReview');
    const cmds = await vscode.commands.getCommands(true);
    assert.ok(cmds.includes('copiloto.deepReview'), 'vscode-languageclient registered the server command copiloto.deepReview');
    assert.ok(cmds.includes('copiloto.deepReviewFile'), 'the extension registered copiloto.deepReviewFile');
  }],

  ['log entries show on the source line their backtrace points at; appending one updates it (VS Code file watcher)', async () => {
    const t = Date.now();
    const two = await waitFor(() => {
      const ds = logDiagnostics(FOO);
      return ds.some((d) => /raised 2 times in php-errors\.log, last 10:01/.test(d.message)) ? ds : undefined;
    }, 180000, 250);
    say(`after ${Date.now() - t} ms: Foo.php ${show(logDiagnostics(FOO))}; php-errors.log ${show(logDiagnostics(LOG))}`);
    assert.ok(two, 'a copiloto/logs diagnostic on src/Foo.php says "raised 2 times in php-errors.log, last 10:01"');
    assert.strictEqual(two.length, 1, 'one diagnostic for one group');
    const d = two[0];
    assert.strictEqual(d.range.start.line, 2, 'on line 3 (the backtrace frame /var/www/glpi/src/Foo.php:3)');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error, 'CRITICAL -> error');
    assert.ok(/Call to undefined function foo\(\)/.test(d.message), 'the message names the error');
    const related = d.relatedInformation || [];
    assert.ok(related.some((r) => r.location.uri.fsPath === LOG), `related information points at the log: ${JSON.stringify(related.map((r) => [r.location.uri.fsPath, r.location.range.start.line, r.message]))}`);
    const onLog = logDiagnostics(LOG);
    assert.strictEqual(onLog.length, 1, 'one diagnostic on the log file for the group of 2 entries');

    // a new entry: VS Code's watcher (registered by the server via client/registerCapability) reports the change
    const n0 = api.events().length;
    const tAppend = Date.now();
    fs.appendFileSync(LOG, entry('10:07:00'));
    let eventMs, diagMs;
    const three = await waitFor(() => {
      const watched = api.events().slice(n0).find((e) => e.startsWith('watched:') && e.endsWith('/files/_log/php-errors.log'));
      if (watched && eventMs === undefined) eventMs = Date.now() - tAppend;
      const ds = logDiagnostics(FOO);
      if (ds.some((x) => /raised 3 times in php-errors\.log, last 10:07/.test(x.message)) && diagMs === undefined) diagMs = Date.now() - tAppend;
      return eventMs !== undefined && diagMs !== undefined ? ds : undefined;
    }, 30000, 50);
    const watchedEvents = api.events().slice(n0).filter((e) => e.startsWith('watched:'));
    say(`after appending 10:07: file event after ${eventMs} ms ${JSON.stringify(watchedEvents)}; diagnostic after ${diagMs} ms: ${show(logDiagnostics(FOO))}`);
    assert.ok(eventMs !== undefined, 'VS Code reported the change of php-errors.log to the client (workspace/didChangeWatchedFiles)');
    assert.ok(three, 'the diagnostic now says "raised 3 times in php-errors.log, last 10:07"');
    assert.strictEqual(three.length, 1, 'still one diagnostic (same group)');
    assert.ok(watchedEvents.every((e) => e.startsWith('watched:2:')), 'reported as "changed" (FileChangeType 2)');
  }],

  ['"Deep review with Claude" without an API key: the server says so and how to set one, the file is saved and otherwise unchanged', async () => {
    const cmds = vscode.extensions.getExtension('copiloto.copiloto').packageJSON.contributes;
    const entry = cmds.commands.find((c) => c.command === 'copiloto.deepReviewFile');
    assert.ok(entry && entry.title === 'Deep review with Claude' && entry.category === 'Copiloto', 'command contributed with its title');
    assert.ok(cmds.menus['copiloto.editorContext'].some((m) => m.command === 'copiloto.deepReviewFile'), 'in the editor context Copiloto submenu');
    assert.ok(cmds.menus.commandPalette.some((m) => m.command === 'copiloto.deepReviewFile'), 'in the command palette');
    assert.ok(!cmds.commands.some((c) => c.command === 'copiloto.deepReview'), 'the server command id is not contributed by the extension');

    const file = path.join(WS, 'review_me.py');
    const original = 'def add(a, b):\n    return a + b\n';
    fs.writeFileSync(file, original);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const editor = await vscode.window.showTextDocument(doc);
    // an unsaved edit: the command saves it first
    await editor.edit((e) => e.insert(new vscode.Position(2, 0), '\n\nLIMIT = 10\n'));
    const edited = doc.getText();
    assert.ok(doc.isDirty, 'dirty before the command');
    editor.selection = new vscode.Selection(0, 0, 2, 0); // lines 1-2, as selected by dragging over them
    const n0 = api.events().length;
    const t = Date.now();
    const result = await within(vscode.commands.executeCommand('copiloto.deepReviewFile'), 60000);
    const events = api.events().slice(n0);
    say(`copiloto.deepReviewFile -> ${result} in ${Date.now() - t} ms; events ${JSON.stringify(events)}`);
    assert.strictEqual(result, -1, 'the server has no deep reviewer: -1');
    const request = events.find((e) => e.startsWith('deepReview:request:'));
    assert.ok(request && JSON.parse(request.slice('deepReview:request:'.length)).slice(1).join() === '0,1', `selected lines sent as [uri, 0, 1]: ${request}`);
    const told = events.filter((e) => /Claude is not used: no API key/.test(e));
    // server:warning = the server's window/showMessage. (Should the on-save review have handed a finding to the
    // same absent reviewer first, the server tells it once as info and the extension repeats it: notify:warning.)
    assert.ok(told.some((e) => /^(server|notify):(warning|info):Copiloto: Claude is not used: no API key/.test(e)),
      `the "no API key" message was shown: ${JSON.stringify(told)}`);
    assert.ok(/ANTHROPIC_API_KEY; in VS Code: Copiloto: Set Anthropic API key/.test(told[0]), `it says how to set the key: ${told[0]}`);
    assert.ok(!events.some((e) => /deep review found/.test(e)), 'no "found N issues" message');
    assert.ok(!doc.isDirty, 'the document was saved before the review');
    assert.strictEqual(doc.getText(), edited, 'the command changed nothing in the document');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), edited, 'the file on disk is the saved text, nothing more');

    // again, whole file: the server tells a message once per run; the extension says it again
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    const n1 = api.events().length;
    const again = await within(vscode.commands.executeCommand('copiloto.deepReviewFile'), 60000);
    const events2 = api.events().slice(n1);
    say(`again -> ${again}; events ${JSON.stringify(events2)}`);
    assert.strictEqual(again, -1);
    const request2 = events2.find((e) => e.startsWith('deepReview:request:'));
    assert.strictEqual(JSON.parse(request2.slice('deepReview:request:'.length)).length, 1, 'no selection: [uri]');
    assert.ok(events2.some((e) => /^(server|notify):warning:.*Claude is not used: no API key/.test(e)), 'the user is told again');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), edited, 'file unchanged');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }],

  ['"Deep review with Claude" with a key set through the extension: the key is the auth header, a secret in the file is redacted, Claude\'s finding shows', async () => {
    // the fake Messages API in its own process (tests/fake_api.py), answering report_review with one finding
    const finding = { line: 3, end_line: 3, severity: 'warning', message: 'average() divides by zero on an empty list', fix: null };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copiloto-fake-api-')); // not in the artifacts: the records hold the key
    const portFile = path.join(dir, 'url');
    const recordFile = path.join(dir, 'requests.jsonl');
    const venvPython = path.join(REPO, '.venv', 'bin', 'python');
    const python = fs.existsSync(venvPython) ? venvPython : 'python3'; // the fake needs the standard library only
    const fake = spawn(python, [path.join(REPO, 'tests', 'fake_api.py'), '--port-file', portFile,
      '--record', recordFile, '--answer', JSON.stringify({ findings: [finding] })], { stdio: ['ignore', 'ignore', 'pipe'] });
    let fakeErr = '';
    fake.stderr.on('data', (b) => { fakeErr += b; });
    const exited = new Promise((r) => fake.on('exit', r));
    const records = () => (fs.existsSync(recordFile) ? fs.readFileSync(recordFile, 'utf8').split('\n').filter(Boolean).map(JSON.parse) : []);
    // built at run time, so that no token-shaped string sits in this source (secret scanners)
    const secret = ['ghp', 'C0p1l0t0TestToken'.padEnd(36, '7')].join('_');
    const key = 'sk-ant-copiloto-test-' + Math.random().toString(36).slice(2); // test.sh greps logs and workspace for the prefix
    const baseUrlBefore = process.env.ANTHROPIC_BASE_URL;
    const restarted = async (old) => { // the new server's pid, once its client runs
      const pid = await waitFor(() => api.serverPid() && api.serverPid() !== old ? api.serverPid() : undefined, 30000);
      const running = await waitFor(() => { const c = api.client(); return c && c.isRunning() && c.initializeResult; }, 60000);
      return running && pid;
    };
    let keySet = false;
    const clearKey = async () => { // the next server starts without the key and without the fake's URL
      if (baseUrlBefore === undefined) delete process.env.ANTHROPIC_BASE_URL; else process.env.ANTHROPIC_BASE_URL = baseUrlBefore;
      const old = api.serverPid();
      keySet = false;
      await vscode.commands.executeCommand('copiloto.clearAnthropicApiKey');
      return restarted(old);
    };
    try {
      const url = await waitFor(() => fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8'), 20000, 100);
      assert.ok(url, `the fake API started (${python}): ${fakeErr}`);
      // the extension starts the server with {...process.env, ANTHROPIC_API_KEY}: the env of this extension host
      process.env.ANTHROPIC_BASE_URL = url;
      const old = api.serverPid();
      keySet = true;
      await vscode.commands.executeCommand('copiloto.setAnthropicApiKey', key);
      const pid = await restarted(old);
      assert.ok(pid, 'the server restarted after the key was set, and its client runs');
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      assert.ok(env.includes(`ANTHROPIC_API_KEY=${key}`) && env.includes(`ANTHROPIC_BASE_URL=${url}`), 'the server has the key and the fake\'s URL');

      const file = path.join(WS, 'claude_review.py');
      const code = ['def average(values):', '    return sum(values) / len(values)', ''];
      fs.writeFileSync(file, [`GITHUB_TOKEN = "${secret}"`, ...code].join('\n'));
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await vscode.window.showTextDocument(doc); // no selection: the whole file
      const t = Date.now();
      const result = await within(vscode.commands.executeCommand('copiloto.deepReviewFile'), 60000);
      const claude = () => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'copiloto/claude');
      const shown = await waitFor(() => claude().length && claude(), 30000);
      say(`copiloto.deepReviewFile -> ${result} in ${Date.now() - t} ms; copiloto/claude ${show(shown || [])}; ${records().length} request(s) reached the fake`);
      assert.strictEqual(result, 1, 'the server published one finding');
      assert.ok(shown && shown.length === 1, 'one copiloto/claude diagnostic');
      assert.strictEqual(shown[0].range.start.line, 2, 'on line 3, as Claude answered');
      assert.strictEqual(shown[0].message, finding.message);

      // what went on the wire, as the fake recorded it
      const sent = records().filter((r) => r.path === '/v1/messages');
      const review = sent.find((r) => r.body.tool_choice && r.body.tool_choice.name === 'report_review' && r.raw.includes('Review the whole file.'));
      assert.ok(review, `the deep review reached the fake: ${JSON.stringify(sent.map((r) => r.body && r.body.tool_choice))}`);
      assert.ok(sent.every((r) => r.api_key === key), 'every request carried the key as its credential');
      assert.ok(sent.every((r) => !r.raw.includes(secret)), 'the secret in the file never went on the wire');
      assert.ok(sent.every((r) => !r.raw.includes(key)), 'the key is in no request body');
      const context = review.body.messages[0].content[0].text; // "File claude_review.py, numbered:\n1: ..."
      assert.ok(review.raw.includes('[REDACTED') && /^1: GITHUB_TOKEN = "\[REDACTED:[\w-]+\]"$/m.test(context),
        `the token was redacted in place: ${context.split('\n')[1]}`);
      code.forEach((line, i) => assert.ok(context.includes(`\n${i + 2}: ${line}`), `line ${i + 2} was sent as it is: ${line}`));

      // cleared: the server restarts without the key; the same command is refused and nothing more is sent
      const n = records().length;
      assert.ok(await clearKey(), 'the server restarted after the key was cleared');
      const again = await within(vscode.commands.executeCommand('copiloto.deepReviewFile'), 60000);
      say(`after clearing the key: copiloto.deepReviewFile -> ${again}; ${records().length - n} more request(s)`);
      assert.strictEqual(again, -1, 'no key, no deep reviewer');
      assert.strictEqual(records().length, n, 'nothing more reached the fake');
    } finally {
      if (keySet) await clearKey();
      fake.kill('SIGTERM');
      if ((await within(exited, 10000)) === 'timeout') fake.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  }],
];

exports.run = () => runSuite(tests, say, WS);
