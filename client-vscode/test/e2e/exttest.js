// Runs the extension integration tests (test/suite/index.js) inside code-server's Node extension host, the
// @vscode/test-web mechanism: URL payload extensionDevelopmentPath + extensionTestsPath (needs code-server started
// with --vscode-option enable-smoke-test-driver), and window.codeAutomationExit/Log exposed to the page.
// usage: node exttest.js <extensionDevelopmentPath> <extensionTestsPath> <folder>
const fs = require('fs');
const path = require('path');
const { chromium } = require(path.join(process.env.CACHE, 'tools/node_modules/playwright-core'));
const [devPath, testsPath, folder] = process.argv.slice(2);
const host = `127.0.0.1:${process.env.CS_PORT || 8080}`;
const remote = (p) => `vscode-remote://remote${p}`; // code-server's web remoteAuthority
const payload = JSON.stringify([
  ['extensionDevelopmentPath', remote(devPath)],
  ['extensionTestsPath', remote(testsPath)],
  ['skipWelcome', 'true'],
]);
const url = `http://${host}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`;

(async () => {
  const profile = fs.mkdtempSync(path.join(process.env.CACHE, 'chromium-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  let done;
  const exited = new Promise((r) => (done = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => console.log(`[${type}]`, ...(Array.isArray(args) ? args : [args])));
  await page.exposeFunction('codeAutomationExit', (code) => done(code));
  const timer = setTimeout(() => done('timeout'), Number(process.env.TEST_TIMEOUT_MS || 300000));
  await page.goto(url);
  const code = await exited;
  clearTimeout(timer);
  console.log('extension tests exit code: ' + code);
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(code === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(2); });
