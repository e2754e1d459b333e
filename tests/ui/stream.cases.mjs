// The multiviewer's pictures over the preview stream (GET /api/v1/preview/stream), and the
// fallback to preview.jpg while the stream is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, openPage, rest, trimOf } from './harness.mjs';

/** The tile image of `camera`: its source kind, the show version it shows, its mean RGB. */
function tilePicture(page, camera) {
  return page.evaluate(async (id) => {
    const img = /** @type {HTMLImageElement} */ (document.querySelector(`.tile[data-camera="${id}"] img`));
    if (!img.complete || !img.naturalWidth) await new Promise((r) => img.addEventListener('load', r, { once: true }));
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
    const sum = [0, 0, 0];
    for (let p = 0; p < data.length; p += 4) for (let c = 0; c < 3; c++) sum[c] += data[p + c];
    const src = img.getAttribute('src') ?? '';
    const version = src.startsWith('blob:') ? Number(img.dataset.version) : Number(new URL(src, location.href).searchParams.get('v'));
    return { kind: src.startsWith('blob:') ? 'stream' : 'jpg', version, mean: sum.map((s) => s / (data.length / 4)) };
  }, camera);
}

/** Waits until `camera`'s tile shows a picture of `kind` for show version `min` or later. */
async function tileShows(page, camera, kind, min) {
  await page.waitForFunction(([id, k, v]) => {
    const img = /** @type {HTMLImageElement} */ (document.querySelector(`.tile[data-camera="${id}"] img`));
    const src = img?.getAttribute('src') ?? '';
    const isStream = src.startsWith('blob:');
    const version = isStream ? Number(img.dataset.version) : Number(new URL(src || '/', location.href).searchParams.get('v'));
    return src !== '' && isStream === (k === 'stream') && version >= v && img.complete && img.naturalWidth > 0;
  }, [camera, kind, min]);
}

/** Resets `camera`'s trim (earlier tests leave grades that clip) and waits for its tile. */
async function resetTrim(page, camera, kind) {
  const t = await trimOf(camera);
  const identity = [...t.slope, ...t.power, t.sat].every((x) => x === 1) && t.offset.every((x) => x === 0);
  if (identity) return tileShows(page, camera, kind, 0); // nothing to reset: the picture stays
  const { version } = await rest('POST', `/cameras/${camera}/reset`, {});
  await page.waitForFunction((v) => window.lookwire.state.version >= v, version);
  await tileShows(page, camera, kind, version);
}

/** Halves `camera`'s red slope through the page's connection; returns the show version before it. */
async function halveRed(page, camera) {
  const start = await page.evaluate(() => window.lookwire.state.version);
  const slope = Number(((await trimOf(camera)).slope[0] * 0.5).toFixed(4));
  await page.evaluate(([id, v]) => window.lookwire.connection.trim(id, 'trim.slope.r', v), [camera, slope]);
  await eventually(`slope.r of ${camera} is ${slope}`, async () => (await trimOf(camera)).slope[0] === slope);
  await page.waitForFunction((v) => window.lookwire.state.version > v, start);
  return start;
}

test('a trim changes a multiviewer tile through the preview stream, with no preview.jpg request', async () => {
  const page = await openPage();
  await page.waitForFunction(() => window.lookwire.stream.live);
  const cameras = await rest('GET', '/cameras');
  for (const c of cameras) await tileShows(page, c.id, 'stream', 0);
  const jpgs = [];
  page.on('request', (r) => {
    if (r.url().includes('preview.jpg')) jpgs.push(r.url());
  });
  await resetTrim(page, 'e', 'stream');
  const before = await tilePicture(page, 'e');
  const start = await halveRed(page, 'e');
  await tileShows(page, 'e', 'stream', start + 1);
  const after = await tilePicture(page, 'e');
  assert.ok(after.mean[0] < before.mean[0] - 5, `the tile's red falls: ${before.mean} → ${after.mean}`);
  assert.ok(Math.abs(after.mean[1] - before.mean[1]) < (before.mean[0] - after.mean[0]) / 2, `green moves less: ${before.mean} → ${after.mean}`);
  assert.deepEqual(jpgs, [], 'no picture was polled');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('while the stream is refused the tiles fall back to preview.jpg, and return to the stream', async () => {
  let refuse = true;
  const page = await openPage({
    setup: (p) => p.routeWebSocket(/\/preview\/stream/, (ws) => {
      if (refuse) ws.close({ code: 1013, reason: 'refused by the test' });
      else ws.connectToServer();
    }),
  });
  await page.waitForFunction(() => window.lookwire.stream.failed);
  await resetTrim(page, 'f', 'jpg');
  const before = await tilePicture(page, 'f');
  const start = await halveRed(page, 'f');
  await tileShows(page, 'f', 'jpg', start + 1);
  const after = await tilePicture(page, 'f');
  assert.ok(after.mean[0] < before.mean[0] - 5, `the fallback tile's red falls: ${before.mean} → ${after.mean}`);

  refuse = false;
  await page.waitForFunction(() => window.lookwire.stream.live);
  await tileShows(page, 'f', 'stream', start + 1);
  assert.deepEqual(page.errors, []);
  await page.close();
});
