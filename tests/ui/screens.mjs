// Screenshots of the main screens of a running show, to look at (not a test): the VC's
// screen with scopes at three window sizes, a tablet held upright, the compare and false
// color views, and the help, export, checks and add-device dialogs.
//
// Usage: start a server (`lookwire serve --demo --bind 127.0.0.1:8750`), then
//   node screens.mjs http://127.0.0.1:8750 [folder]     (default: tests/artifacts/screens)
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8750';
const out = resolve(process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), '../artifacts/screens'));
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

/** A page on the show with every tile's and the focus view's picture in. */
async function open(options) {
  const page = await browser.newPage(options);
  page.setDefaultTimeout(120000);
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(base);
  await page.waitForFunction(() => window.lookwire?.connection.status === 'open' && window.lookwire.stream.live);
  await page.waitForFunction(() => [...document.querySelectorAll('.tile img, #focus-preview')]
    .every((img) => /** @type {HTMLImageElement} */ (img).naturalWidth > 0));
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(join(out, `${name}.png`));
}

for (const [width, height] of [[1920, 1080], [1600, 1000], [1280, 800]]) {
  const page = await open({ viewport: { width, height } });
  await page.waitForFunction(() => document.getElementById('scopes').dataset.version !== undefined); // drawn
  await shot(page, `screen-${width}x${height}`);
  await page.close();
}

const page = await open({ viewport: { width: 1600, height: 1000 } });
await page.selectOption('#compare-mode', 'split');
await page.waitForTimeout(3000);
await shot(page, 'compare-split');
await page.selectOption('#compare-mode', 'off');
await page.selectOption('#focus-view-mode', 'false-color');
await page.waitForFunction(() => !document.getElementById('false-color-legend').hidden);
await page.waitForTimeout(3000);
await shot(page, 'false-color');
await page.selectOption('#focus-view-mode', 'graded');
for (const [button, dialog, name] of [['#help-button', '#help', 'help'], ['#export-button', '#export-dialog', 'export'],
  ['#checks-button', '#checks-dialog', 'checks'], ['#device-add', '#device-dialog', 'device-add']]) {
  await page.click(button);
  await page.locator(`${dialog}[open]`).waitFor();
  await page.waitForTimeout(500);
  await shot(page, name);
  await page.keyboard.press('Escape');
}
await page.close();

const tablet = await open({ viewport: { width: 834, height: 1194 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
await shot(tablet, 'tablet-portrait');
await browser.close();
