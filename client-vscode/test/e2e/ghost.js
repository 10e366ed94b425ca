// Browser check with the packaged .vsix installed: the status bar shows the model, then ghost text appears at a
// function-body position. Writes $ARTIFACTS/ghost-text.png (and ghost-error.png on failure).
// usage: node ghost.js <workspace folder>   (code-server on 127.0.0.1:$CS_PORT)
const fs = require('fs');
const path = require('path');
const { chromium } = require(path.join(process.env.CACHE, 'tools/node_modules/playwright-core'));
const folder = process.argv[2];
const ART = process.env.ARTIFACTS;
const URL = `http://127.0.0.1:${process.env.CS_PORT || 8080}/?folder=${encodeURIComponent(folder)}`;
const PROFILE = fs.mkdtempSync(path.join(process.env.CACHE, 'chromium-profile-'));
const t0 = Date.now();
const log = (m) => console.log(`[ghost ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

(async () => {
  const ctx = await chromium.launchPersistentContext(PROFILE, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1200, height: 700 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  globalThis.__page = page;
  await page.goto(URL, { waitUntil: 'domcontentloaded' });
  const row = page.locator('.explorer-folders-view .monaco-list-row:has-text("add.py")').first();
  await row.waitFor({ timeout: 90000 });
  await row.click();
  await page.locator('.tabs-container .tab:has-text("add.py")').first().waitFor({ timeout: 15000 });
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-lines').waitFor({ timeout: 15000 });
  log('add.py opened');
  // the status bar item shows the model name once the model is loaded
  // our item (id "<extension id>.copiloto.status"), not the language client's "Copiloto: Loading tiny" progress item
  const status = page.locator('.statusbar-item[id$="copiloto.status"]').first();
  try { await status.waitFor({ timeout: 60000 }); } catch (e) {
    log('status bar items: ' + JSON.stringify(await page.locator('.statusbar-item').evaluateAll((els) => els.map((el) => [el.id, el.innerText]))));
    throw e;
  }
  const end = Date.now() + 120000;
  let text = '';
  while (Date.now() < end) {
    text = (await status.innerText().catch(() => '')).trim();
    if (/Copiloto: (?!starting|loading|error|stopped)\S+/.test(text)) break;
    await page.waitForTimeout(250);
  }
  log(`status bar: ${JSON.stringify(text)}`);
  if (!/Copiloto: (?!starting|loading|error|stopped)\S+/.test(text)) throw new Error('status bar never showed a ready model');

  // cursor at the end of line 2, the (indented, empty) function body
  await editor.locator('.view-line').nth(1).click();
  await page.keyboard.press('End');
  log('cursor: ' + (await page.locator('.statusbar-item:has-text("Ln ")').first().innerText().catch(() => '?')));
  let ghostText = '';
  const ghost = editor.locator('.ghost-text-decoration, .ghost-text, .ghost-text-decoration-preview');
  for (let attempt = 1; attempt <= 3 && !ghostText.trim(); attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15000 });
    await input.fill('>Trigger Inline Suggestion');
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    const tTrig = Date.now();
    try {
      await ghost.first().waitFor({ timeout: 30000 });
      ghostText = (await ghost.allInnerTexts()).join('\n');
    } catch (e) { log(`attempt ${attempt}: no ghost text yet`); }
    log(`attempt ${attempt}: ghost text ${JSON.stringify(ghostText)} (${Date.now() - tTrig} ms after trigger)`);
  }
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(ART, 'ghost-text.png') });
  log(`screenshot ${path.join(ART, 'ghost-text.png')}`);
  const ok = ghostText.replace(/\u00a0/g, ' ').trim().length > 0;
  log(ok ? 'PASS ghost text visible' : 'FAIL no ghost text');
  await ctx.close();
  fs.rmSync(PROFILE, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
})().catch(async (e) => {
  console.error(e);
  try { await globalThis.__page.screenshot({ path: path.join(ART, 'ghost-error.png') }); } catch (_) {}
  fs.rmSync(PROFILE, { recursive: true, force: true });
  process.exit(2);
});
