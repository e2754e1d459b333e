// Measures the time from a trim typed in the browser to the new graded picture, for the
// focused camera's multiviewer tile (pushed over the preview stream) and for the focus view
// (preview.jpg, fetched when the change arrives). Reported in notes, never asserted: speed
// belongs in measurements, not in tests.
//
// Usage: start a server (`lookwire serve --demo --bind 127.0.0.1:8750`, release build), then
//   node measure-preview-latency.mjs http://127.0.0.1:8750 [trims] [server-pid]
// With the server's pid, the server's CPU time (user + system, all threads) per trim is
// reported too. Prints the CPU model and the load average before and after.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8750';
const count = Number(process.argv[3] ?? 300);
const pid = process.argv[4];

/** The server's CPU time in ms (utime + stime of all its threads), or null. */
function serverCpuMs() {
  if (!pid) return null;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`CPU: ${cpu}; load average before: ${load()}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
await page.addInitScript(() => localStorage.setItem('lookwire.scopes', 'off'));
await page.goto(base);
await page.waitForFunction(() => window.lookwire?.connection.status === 'open' && window.lookwire.stream.live);
await page.locator('.tile').nth(2).click();
const camera = await page.evaluate(() => window.lookwire.ui.focus);

/** One trim: ms until the tile (stream) and the focus view (preview.jpg) show it. */
function trimOnce(value) {
  return page.evaluate(async ([id, v]) => {
    const { state } = window.lookwire;
    const tile = /** @type {HTMLImageElement} */ (document.querySelector(`.tile[data-camera="${id}"] img`));
    const focus = /** @type {HTMLImageElement} */ (document.getElementById('focus-preview'));
    const version = state.version;
    const field = /** @type {HTMLInputElement} */ (document.getElementById('trim-offset-b'));
    const shows = (img, stream) => {
      const seen = stream ? Number(img.dataset.version) : Number(new URL(img.src).searchParams.get('v'));
      return seen > version && img.complete && img.naturalWidth > 0;
    };
    /** Resolves at the first frame after `img` has loaded the new picture. */
    const shown = (img, stream, t0) => new Promise((resolve) => {
      const check = () => {
        if (shows(img, stream)) requestAnimationFrame(() => resolve(performance.now() - t0));
        else img.addEventListener('load', check, { once: true });
      };
      check();
    });
    const t0 = performance.now();
    field.value = v;
    field.dispatchEvent(new Event('change'));
    const [tileMs, focusMs] = await Promise.all([shown(tile, true, t0), shown(focus, false, t0)]);
    return { tileMs, focusMs };
  }, [camera, value]);
}

// Warm up (first bakes), then measure.
for (let i = 0; i < 5; i++) await trimOnce((0.05 + 0.001 * i).toFixed(4));
const tile = [];
const focus = [];
const cpu0 = serverCpuMs();
const wall0 = performance.now();
for (let i = 0; i < count; i++) {
  const { tileMs, focusMs } = await trimOnce((0.001 * ((i % 40) + 1)).toFixed(4));
  tile.push(tileMs);
  focus.push(focusMs);
  await new Promise((r) => setTimeout(r, 20));
}
const wall = performance.now() - wall0;
const cpu1 = serverCpuMs();

const summary = (name, times) => {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  return `${name}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
};
console.log(`trim (typed offset B on camera ${camera}) to the new picture on screen, ${count} trims:`);
console.log(`  ${summary('tile via the preview stream (480 wide)', tile)}`);
console.log(`  ${summary('focus view via preview.jpg (960 wide)', focus)}`);
if (cpu0 !== null && cpu1 !== null) {
  console.log(`server CPU time: ${((cpu1 - cpu0) / count).toFixed(1)} ms per trim (${(cpu1 - cpu0).toFixed(0)} ms over ${(wall / 1000).toFixed(1)} s)`);
}
console.log(`load average after: ${load()}`);
await browser.close();
