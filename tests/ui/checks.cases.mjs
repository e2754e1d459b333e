// Camera checks: frames posted through the API (a capped frame with hot pixels, flat grey
// frames with different noise) show up in the Checks view, opened with K; a check run from
// the view on an uploaded frame lists its pixels; the view passes axe. And the focus view's
// live feed line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { artifacts, base, openPage } from './harness.mjs';
import { audit } from './a11y.cases.mjs';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A 16-bit RGB PNG of `width`×`height` whose code value (0..1) at (x, y, channel) is `code`. */
function png(width, height, code) {
  const row = 1 + width * 6;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = Math.round(Math.min(1, Math.max(0, code(x, y, c))) * 65535);
        raw.writeUInt16BE(v, y * row + 1 + (x * 3 + c) * 2);
      }
    }
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([16, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Deterministic grain: a small LCG turned into roughly normal values (sum of four). */
function grain(seed) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return () => (next() + next() + next() + next() - 2) * Math.sqrt(3);
}

const W = 96;
const H = 54;
const HOT = [[10, 5], [70, 40]];

/** Lens capped: black level with a little grain, and two hot pixels. */
function cappedFrame() {
  const n = grain(7);
  return png(W, H, (x, y, c) => (HOT.some(([hx, hy]) => hx === x && hy === y) && c === 0 ? 0.7 : 0.095 + 0.002 * n()));
}

/** Flat grey with grain of `sigma` code values. */
function greyFrame(sigma, seed) {
  const n = grain(seed);
  return png(W, H, () => 0.42 + sigma * n());
}

async function post(camera, kind, body) {
  const res = await fetch(`${base}/api/v1/cameras/${camera}/checks/${kind}`, {
    method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body,
  });
  const text = await res.text();
  assert.ok(res.ok, `POST checks/${kind} of ${camera}: ${res.status} ${text}`);
  return JSON.parse(text);
}

test('checks posted through the API show in the Checks view: noise side by side, hot pixels with coordinates and thumbnails', async (t) => {
  const hot = await post('a', 'hot', cappedFrame());
  assert.equal(hot.count, 2, 'the two hot pixels are found');
  const clean = await post('a', 'noise', greyFrame(0.002, 1));
  const noisy = await post('b', 'noise', greyFrame(0.008, 2));
  assert.ok(clean.snr_stops > noisy.snr_stops + 1, `less grain, more stops: ${clean.snr_stops} vs ${noisy.snr_stops}`);

  const page = await openPage();
  // Listed in the help overlay under its key.
  assert.match(await page.locator('#help').textContent(), /K\s*camera checks/);
  await page.keyboard.press('k');
  await page.locator('#checks-dialog[open]').waitFor();
  const row = (camera) => page.locator(`#checks-rows tr[data-camera="${camera}"]`);
  await row('b').waitFor();
  // Each camera's figures as the server measured them, one decimal.
  assert.equal(await row('a').locator('[data-field="snr-stops"]').innerText(), clean.snr_stops.toFixed(1));
  assert.equal(await row('a').locator('[data-field="snr-db"]').innerText(), clean.snr_db.toFixed(1));
  assert.equal(await row('b').locator('[data-field="snr-stops"]').innerText(), noisy.snr_stops.toFixed(1));
  assert.equal(await row('a').locator('[data-field="hot"]').innerText(), '2');
  assert.equal(await row('b').locator('[data-field="hot"]').innerText(), '—', 'b had no hot pixel check');
  // Side by side: the cleaner camera's bar is the longer one.
  const widths = await page.locator('.noise-bars .bar-fill').evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().width));
  assert.equal(widths.length, 2);
  assert.ok(widths[0] > widths[1], `a's bar is longer than b's: ${widths}`);
  // The hot pixels, with coordinates and a thumbnail that decodes.
  const listed = page.locator('#checks-pixels details[data-camera="a"] ul.pixels li');
  assert.deepEqual(await listed.evaluateAll((items) => items.map((li) => [Number(li.dataset.x), Number(li.dataset.y)])), HOT);
  assert.match(await listed.first().innerText(), /\(10, 5\)/);
  await page.waitForFunction(() => [...document.querySelectorAll('#checks-pixels img')].every((i) => i.complete && i.naturalWidth === 60));

  const found = await audit(t, page, 'checks', '#checks-dialog');
  assert.deepEqual(found, [], 'axe on the Checks view');
  await page.locator('#checks-dialog').screenshot({ path: join(artifacts, 'checks.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a dead pixel check run from the Checks view on an uploaded frame lists its pixel', async () => {
  const page = await openPage();
  await page.click('#checks-button');
  await page.locator('#checks-dialog[open]').waitFor();
  await page.selectOption('#checks-camera', 'c');
  await page.selectOption('#checks-kind', 'dead');
  const n = grain(3);
  const bright = png(W, H, (x, y) => (x === 33 && y === 22 ? 0.05 : 0.8 + 0.002 * n()));
  await page.setInputFiles('#checks-files', { name: 'white.png', mimeType: 'image/png', buffer: bright });
  await page.click('#checks-run');
  await page.locator('#checks-status', { hasText: 'dead pixel' }).waitFor();
  assert.match(await page.locator('#checks-status').innerText(), /: 1 dead pixel$/);
  await page.locator('#checks-pixels details[data-camera="c"] li[data-x="33"][data-y="22"]').waitFor();
  assert.equal(await page.locator('#checks-rows tr[data-camera="c"] [data-field="dead"]').innerText(), '1');
  // A stuck check wants 3 to 16 frames: one is refused here, before any request.
  await page.selectOption('#checks-kind', 'stuck');
  await page.setInputFiles('#checks-files', { name: 'one.png', mimeType: 'image/png', buffer: bright });
  await page.click('#checks-run');
  assert.match(await page.locator('#checks-status').innerText(), /3 to 16 frames/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the focus view shows a camera\u2019s live feed state and last error, and nothing without a feed', async () => {
  const feed = { source: 'command', from: 'ffmpeg -i /dev/video0', state: 'restarting', frames: 120, restarts: 2,
    error: 'the command exited with status 1', retry_in_ms: 1500, pid: null };
  const page = await openPage({
    setup: async (p) => {
      // The demo has no feed: camera b's source answers as a failing command feed would.
      await p.route('**/api/v1/cameras/b/source', async (route) => {
        const res = await route.fetch();
        route.fulfill({ response: res, json: { ...(await res.json()), feed } });
      });
    },
  });
  await page.locator('.tile[data-camera="a"]').click();
  await page.waitForFunction(() => document.getElementById('focus-title').textContent !== 'No camera');
  assert.equal(await page.locator('#focus-feed').isHidden(), true, 'no feed, no line');
  await page.locator('.tile[data-camera="b"]').click();
  const line = page.locator('#focus-feed');
  await line.waitFor();
  const text = await line.innerText();
  assert.match(text, /restarting/);
  assert.match(text, /last error: the command exited with status 1/);
  assert.match(text, /2 restarts/);
  await page.locator('.tile[data-camera="a"]').click();
  await line.waitFor({ state: 'hidden' });
  await page.close();
});
