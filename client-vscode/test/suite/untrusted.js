// extensionTestsPath entry for Restricted Mode (code-server started WITHOUT --disable-workspace-trust): the extension
// still activates (capabilities.untrustedWorkspaces = limited) but ignores the workspace's server command and
// never runs the workspace's .venv/bin/copiloto.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const WS = vscode.workspace.workspaceFolders[0].uri.fsPath;
const say = (m) => console.log(`[suite-untrusted] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

exports.run = async function run() {
  say(`isTrusted=${vscode.workspace.isTrusted}`);
  assert.strictEqual(vscode.workspace.isTrusted, false, 'workspace is untrusted');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(WS, 'add.py')));
  await vscode.window.showTextDocument(doc);
  const ext = vscode.extensions.getExtension('copiloto.copiloto');
  let api;
  for (let i = 0; i < 150 && !api; i++) { await sleep(200); api = ext.isActive && ext.exports; }
  assert.ok(api, 'extension activated in Restricted Mode');
  const inspect = vscode.workspace.getConfiguration('copiloto').inspect('server.command');
  const cmd = api.resolvedCommand();
  say(`workspace value of copiloto.server.command=${JSON.stringify(inspect.workspaceValue)} effective=${JSON.stringify(vscode.workspace.getConfiguration('copiloto').get('server.command'))}`);
  say(`resolved command: ${JSON.stringify(cmd)}`);
  assert.notStrictEqual(cmd.origin, 'copiloto.server.command', 'workspace server command ignored');
  assert.ok(!cmd.command.startsWith(WS), 'does not run anything from the workspace');
  assert.ok(!cmd.cwd.startsWith(WS), 'server cwd is outside the untrusted workspace');
  // What the extension sends the server (initializationOptions: the section as JSON): the user's values, not the
  // workspace's, for everything that decides whether, how often and how much Claude is asked, and the sandbox.
  const sent = JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('copiloto')));
  const written = JSON.parse(fs.readFileSync(path.join(WS, '.vscode', 'settings.json'), 'utf8'));
  const defaults = {
    'orchestrate.review': 'handoff', 'orchestrate.tests': 'sequential', 'cloud.daily_token_budget': 2000000,
    'cloud.max_tokens': 4096, 'review.handoff_severity': 'error', 'tests.timeout_s': 10,
  };
  for (const [key, expected] of Object.entries(defaults)) {
    assert.notStrictEqual(written[`copiloto.${key}`], undefined, `the workspace sets copiloto.${key}`);
    const value = key.split('.').reduce((o, k) => (o || {})[k], sent);
    say(`copiloto.${key}: workspace ${JSON.stringify(written[`copiloto.${key}`])}, sent ${JSON.stringify(value)}`);
    assert.deepStrictEqual(value, expected, `copiloto.${key} is the user's, not the workspace's`);
  }
  say('PASS restricted mode');
};
