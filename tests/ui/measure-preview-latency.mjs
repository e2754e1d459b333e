// Measures the time from a trim typed in the browser to the focus view showing the new
// graded picture (reported in notes, never asserted). Usage:
//   node measure-preview-latency.mjs http://127.0.0.1:8750 [count]
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8750';
const count = Number(process.argv[3] ?? 50);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
await page.goto(base);
await page.waitForFunction(() => window.lookwire?.connection.status === 'open');
await page.locator('.tile').nth(2).click();
const times = [];
for (let i = 0; i < count; i++) {
  const t = await page.evaluate(async (value) => {
    const { state } = window.lookwire;
    const img = document.getElementById('focus-preview');
    const version = state.version;
    const field = document.getElementById('trim-offset-b');
    const t0 = performance.now();
    field.value = value;
    field.dispatchEvent(new Event('change'));
    const shown = () => Number(new URL(img.src).searchParams.get('v'));
    while (!(state.version > version && shown() > version && img.complete && img.naturalWidth > 0)) {
      await new Promise((r) => requestAnimationFrame(r));
    }
    return performance.now() - t0;
  }, (0.001 * ((i % 20) + 1)).toFixed(4));
  times.push(t);
}
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
console.log(`trim to updated preview over ${count}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
await browser.close();
