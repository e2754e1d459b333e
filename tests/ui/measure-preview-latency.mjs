// Measures the time from a slider moved in the browser to the new graded picture on screen,
// for the focused camera's multiviewer tile and for the focus view. Two paths: `stream`
// (both pictures pushed over the preview stream, as the page does) and `jpg` (the stream
// refused, so the page falls back to preview.jpg, fetched when the change arrives).
// Reported in notes, never asserted: speed belongs in measurements, not in tests.
//
// Usage: start a server (`lookwire serve --demo --bind 127.0.0.1:8750`, release build), then
//   node measure-preview-latency.mjs http://127.0.0.1:8750 [moves] [server-pid] [stream|jpg]
// With the server's pid, the server's CPU time (user + system, all threads) per move is
// reported too. Prints the CPU model and the load average before and after.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8750';
const count = Number(process.argv[3] ?? 300);
const pid = process.argv[4];
const path = process.argv[5] ?? 'stream';

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
if (path === 'jpg') await page.routeWebSocket(/\/preview\/stream/, (ws) => ws.close({ code: 1013, reason: 'preview.jpg path measured' }));
await page.goto(base);
await page.waitForFunction((p) => window.lookwire?.connection.status === 'open' && (p === 'jpg' ? window.lookwire.stream.failed : window.lookwire.stream.live), path);
await page.locator('.tile').nth(2).click();
const camera = await page.evaluate(() => window.lookwire.ui.focus);

/** One slider move: ms until the tile and the focus view show it. */
function moveOnce(value) {
  return page.evaluate(async ([id, v]) => {
    const { state } = window.lookwire;
    const tile = /** @type {HTMLImageElement} */ (document.querySelector(`.tile[data-camera="${id}"] img`));
    const focus = /** @type {HTMLImageElement} */ (document.getElementById('focus-preview'));
    const version = state.version;
    const slider = /** @type {HTMLInputElement} */ (document.getElementById('trim-offset-b-slider'));
    const shows = (img) => {
      const blob = img.src.startsWith('blob:');
      const seen = blob || img.dataset.camera ? Number(img.dataset.version) : Number(new URL(img.src).searchParams.get('v'));
      return seen > version && img.complete && img.naturalWidth > 0;
    };
    /** Resolves at the first frame after `img` has loaded the new picture. */
    const shown = (img, t0) => new Promise((resolve) => {
      const check = () => {
        if (shows(img)) requestAnimationFrame(() => resolve(performance.now() - t0));
        else img.addEventListener('load', check, { once: true });
      };
      check();
    });
    const t0 = performance.now();
    slider.value = v;
    slider.dispatchEvent(new Event('input'));
    const [tileMs, focusMs] = await Promise.all([shown(tile, t0), shown(focus, t0)]);
    return { tileMs, focusMs };
  }, [camera, value]);
}

// Warm up (first bakes), then measure.
for (let i = 0; i < 5; i++) await moveOnce((0.05 + 0.001 * i).toFixed(4));
const tile = [];
const focus = [];
const cpu0 = serverCpuMs();
const wall0 = performance.now();
for (let i = 0; i < count; i++) {
  const { tileMs, focusMs } = await moveOnce((0.001 * ((i % 40) + 1)).toFixed(4));
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
const via = path === 'jpg' ? 'preview.jpg' : 'the preview stream';
console.log(`slider move (offset B on camera ${camera}) to the new picture on screen, ${count} moves, via ${via}:`);
console.log(`  ${summary('tile (480 wide)', tile)}`);
console.log(`  ${summary('focus view (960 wide)', focus)}`);
if (cpu0 !== null && cpu1 !== null) {
  console.log(`server CPU time: ${((cpu1 - cpu0) / count).toFixed(1)} ms per move (${(cpu1 - cpu0).toFixed(0)} ms over ${(wall / 1000).toFixed(1)} s)`);
}
console.log(`load average after: ${load()}`);
await browser.close();
