// The multiviewer's and the focus view's pictures over the preview stream (GET
// /api/v1/preview/stream), and the fallback to preview.jpg while the stream is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, openPage, pictureOf, pictureShows, rest, trimOf } from './harness.mjs';

const tile = (camera) => `.tile[data-camera="${camera}"] img`;
const tilePicture = (page, camera) => pictureOf(page, tile(camera));
const tileShows = (page, camera, kind, min) => pictureShows(page, tile(camera), kind, min);

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
  return setRed(page, camera, Number(((await trimOf(camera)).slope[0] * 0.5).toFixed(4)));
}

/** Sets `camera`'s red slope through the page's connection; returns the show version before it. */
async function setRed(page, camera, slope) {
  const start = await page.evaluate(() => window.lookwire.state.version);
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

test('the focus view follows the preview stream, on the SDR and on the HDR output, with no preview.jpg request', async () => {
  const page = await openPage();
  await page.waitForFunction(() => window.lookwire.stream.live);
  const jpgs = [];
  page.on('request', (r) => {
    if (r.url().includes('preview.jpg')) jpgs.push(r.url());
  });
  await page.locator('.tile[data-camera="d"]').click();
  await resetTrim(page, 'd', 'stream');
  await pictureShows(page, '#focus-preview', 'stream', 0, 'd');
  const before = await pictureOf(page, '#focus-preview');
  const start = await halveRed(page, 'd');
  await pictureShows(page, '#focus-preview', 'stream', start + 1, 'd');
  const after = await pictureOf(page, '#focus-preview');
  assert.ok(after.mean[0] < before.mean[0] - 5, `the focus view's red falls: ${before.mean} → ${after.mean}`);
  assert.ok(Math.abs(after.mean[1] - before.mean[1]) < (before.mean[0] - after.mean[0]) / 2, `green moves less: ${before.mean} → ${after.mean}`);

  // HDR: the stream is asked for the HDR output (focus and tiles); a browser picture is its
  // SDR rendering, and the caption says so.
  await page.selectOption('#output-select', 'hdr');
  await page.waitForFunction(() => /shown through SDR Rec\.709/.test(document.getElementById('focus-caption').textContent));
  const subs = await page.evaluate(() => [...window.lookwire.stream.pictures].map(([id, p]) => [id, p.sub.output]));
  assert.equal(subs[0][0], 'focus', 'the focus picture is subscribed first');
  assert.ok(subs.every(([, output]) => output === 'hdr'), `every picture on HDR: ${JSON.stringify(subs)}`);
  const onHdr = await setRed(page, 'd', 1);
  await pictureShows(page, '#focus-preview', 'stream', onHdr + 1, 'd');
  const back = await pictureOf(page, '#focus-preview');
  assert.ok(back.mean[0] > after.mean[0] + 5, `red rises back on HDR: ${after.mean} → ${back.mean}`);
  await page.selectOption('#output-select', 'sdr');
  await page.waitForFunction(() => !/shown through/.test(document.getElementById('focus-caption').textContent));
  assert.deepEqual(jpgs, [], 'no picture was polled');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('while the stream is down the focus view shows preview.jpg, and returns to the stream', async () => {
  let refuse = false;
  const page = await openPage({
    setup: (p) => p.routeWebSocket(/\/preview\/stream/, (ws) => {
      if (refuse) ws.close({ code: 1013, reason: 'refused by the test' });
      else ws.connectToServer();
    }),
  });
  await page.locator('.tile[data-camera="e"]').click();
  await pictureShows(page, '#focus-preview', 'stream', 0, 'e');
  refuse = true;
  await page.evaluate(() => window.lookwire.stream.drop());
  await page.waitForFunction(() => window.lookwire.stream.failed);
  const start = await halveRed(page, 'e');
  await pictureShows(page, '#focus-preview', 'jpg', start + 1, 'e');
  refuse = false;
  await page.waitForFunction(() => window.lookwire.stream.live);
  await pictureShows(page, '#focus-preview', 'stream', start + 1, 'e');
  assert.deepEqual(page.errors, []);
  await page.close();
});
