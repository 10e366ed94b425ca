// The tiny sequential runner the suites share (index.js, glpi.js): timestamped log lines, polling waits,
// and run(), which prints PASS/FAIL per test and rejects if any failed.
const vscode = require('vscode');

function makeSay(label) {
  const t0 = Date.now();
  return (m) => console.log(`[${label} ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
}

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

/** The promise's value, or 'timeout' after ms. */
const within = (promise, ms) => Promise.race([Promise.resolve(promise), sleep(ms).then(() => 'timeout')]);

async function runSuite(tests, say, workspace) {
  say(`vscode ${vscode.version} (${vscode.env.appName}) node ${process.version} workspace ${workspace}`);
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
}

module.exports = { makeSay, sleep, waitFor, within, runSuite };
