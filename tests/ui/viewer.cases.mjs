// The focus view: scopes drawn from the server's counts, and the compare modes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, eventually, openPage, pictureShows, rest, trimOf } from './harness.mjs';

/** Waits until the scopes of `camera` are drawn for show version `min` or later. */
async function scopesDrawn(page, camera, min) {
  await page.waitForFunction(([id, v]) => {
    const box = document.getElementById('scopes');
    return box.dataset.camera === id && Number(box.dataset.version) >= v;
  }, [camera, min], { timeout: 60000 });
}

/**
 * Where each parade trace sits: for the R, G and B thirds of the drawn parade, the mean
 * height (0 bottom .. 1 top) of the pixels lit in that trace's own colour, weighted by
 * brightness. Grey graticule and labels are left out (their channels are equal).
 */
function paradeHeights(page) {
  return page.evaluate(() => {
    const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById('scope-parade'));
    const { width: w, height: h } = canvas;
    const { data } = canvas.getContext('2d').getImageData(0, 0, w, h);
    return [0, 1, 2].map((c) => {
      let sum = 0;
      let weight = 0;
      for (let y = 0; y < h; y++) {
        for (let x = Math.ceil((c * w) / 3) + 2; x < ((c + 1) * w) / 3 - 2; x++) {
          const p = (y * w + x) * 4;
          const others = (data[p] + data[p + 1] + data[p + 2] - data[p + c]) / 2;
          const lit = data[p + c] - others;
          if (lit > 30) {
            sum += lit * (1 - y / (h - 1));
            weight += lit;
          }
        }
      }
      return sum / weight;
    });
  });
}

test('the scopes follow a trim: slope R lifts the red parade trace, not green', async () => {
  const page = await openPage({ scopes: true });
  await page.locator('.tile[data-camera="c"]').click();
  const start = await page.evaluate(() => window.lookwire.state.version);
  await scopesDrawn(page, 'c', start);
  const before = await paradeHeights(page);
  const slope = (await trimOf('c')).slope[0];
  await page.fill('#trim-slope-r', String(Number((slope + 0.6).toFixed(3))));
  await page.press('#trim-slope-r', 'Enter');
  await page.waitForFunction((v) => window.lookwire.state.version > v, start);
  await scopesDrawn(page, 'c', start + 1);
  const after = await paradeHeights(page);
  assert.ok(after[0] > before[0] + 0.03, `red trace rises: ${before} → ${after}`);
  assert.ok(Math.abs(after[1] - before[1]) < (after[0] - before[0]) / 3, `green stays: ${before} → ${after}`);
  // The vectorscope and histogram are drawn too (not left black).
  const lit = await page.evaluate(() => ['vectorscope', 'histogram', 'waveform'].map((id) => {
    const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById(`scope-${id}`));
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let p = 0; p < data.length; p += 4) if (data[p] + data[p + 1] + data[p + 2] > 150) n++;
    return n;
  }));
  assert.ok(lit.every((n) => n > 200), `every scope has a trace: ${lit}`);
  await page.locator('.viewer').screenshot({ path: join(artifacts, 'scopes.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('scopes of an HDR output are marked in nits', async () => {
  const page = await openPage({ scopes: true });
  await page.locator('.tile[data-camera="d"]').click();
  await page.selectOption('#output-select', 'hdr');
  await page.waitForFunction(() => window.lookwire.viewer.scopes.last?.output === 'hdr', null);
  const labels = await page.evaluate(() => window.lookwire.viewer.scopes.last.marks.map((m) => m.label));
  assert.ok(labels.some((l) => /1000 nits/.test(l)), `marks: ${labels}`);
  assert.match(await page.locator('.scope-status').innerText(), /pq/);
  await page.close();
});

/**
 * Which picture each column of the compare canvas shows: 'A', 'B', or '=' where both
 * agree. Rows under the labels (top 40) are left out.
 */
function columnsShown(page) {
  return page.evaluate(() => {
    const { compare } = window.lookwire.viewer;
    const canvas = compare.canvas;
    const { width: w, height: h } = canvas;
    const pixels = (source) => {
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const g = c.getContext('2d');
      g.drawImage(source, 0, 0, w, h);
      return g.getImageData(0, 0, w, h).data;
    };
    const shown = canvas.getContext('2d').getImageData(0, 0, w, h).data;
    const a = pixels(compare.a);
    const b = pixels(compare.b);
    let out = '';
    for (let x = 0; x < w; x++) {
      let da = 0;
      let db = 0;
      for (let y = 40; y < h; y++) {
        const p = (y * w + x) * 4;
        for (let c = 0; c < 3; c++) {
          da += Math.abs(shown[p + c] - a[p + c]);
          db += Math.abs(shown[p + c] - b[p + c]);
        }
      }
      out += da === db ? '=' : da < db ? 'A' : 'B';
    }
    return out;
  });
}

/** Checks that `shown` is A left of `x` and B right of it (2 px of slack for the line). */
function assertWipeAt(shown, x) {
  const left = shown.slice(0, x - 2);
  const right = shown.slice(x + 2);
  assert.ok(!left.includes('B') && left.includes('A'), `A left of ${x}: ${left.slice(-40)}`);
  assert.ok(!right.includes('A') && right.includes('B'), `B right of ${x}: ${right.slice(0, 40)}`);
}

async function waitDrawn(page, after) {
  await page.waitForFunction((n) => Number(document.getElementById('compare-view').dataset.drawn ?? 0) > n, after);
}

const drawnCount = (page) => page.evaluate(() => Number(document.getElementById('compare-view').dataset.drawn ?? 0));

test('wipe compares two cameras and moves with a drag and with arrow keys', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="a"]').click();
  let n = await drawnCount(page);
  await page.selectOption('#compare-mode', 'wipe');
  await page.selectOption('#compare-source', 'camera:b');
  await waitDrawn(page, n);
  // B comes over the preview stream too, as camera b's own picture.
  await page.waitForFunction(() => {
    const { b } = window.lookwire.viewer.compare;
    return b.complete && b.naturalWidth > 0 && b.src.startsWith('blob:') && b.dataset.stream.includes('"camera":"b"');
  });
  const width = await page.evaluate(() => document.getElementById('compare-view').width);
  assertWipeAt(await columnsShown(page), Math.round(width / 2));
  await page.locator('.viewer').screenshot({ path: join(artifacts, 'compare-wipe.png') });

  // Drag the line to a quarter of the width.
  const box = await page.locator('#compare-view').boundingBox();
  n = await drawnCount(page);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 4, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await waitDrawn(page, n);
  assertWipeAt(await columnsShown(page), Math.round(width / 4));

  // Arrow right moves it by 5 % of the width.
  n = await drawnCount(page);
  await page.focus('#compare-view');
  await page.keyboard.press('ArrowRight');
  await waitDrawn(page, n);
  assertWipeAt(await columnsShown(page), Math.round(width * 0.3));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('split shows both cameras side by side; A/B flips between them with B', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="a"]').click();
  let n = await drawnCount(page);
  await page.selectOption('#compare-mode', 'split');
  await page.selectOption('#compare-source', 'camera:c');
  await waitDrawn(page, n);
  await page.waitForFunction(() => {
    const { b } = window.lookwire.viewer.compare;
    return b.complete && b.naturalWidth > 0 && b.dataset.stream?.includes('"camera":"c"');
  });
  // Side by side, each picture is halved: neither matches the canvas column for column.
  const split = await page.evaluate(() => {
    const { compare } = window.lookwire.viewer;
    const c = compare.canvas;
    const g = c.getContext('2d');
    // The middle row of each half against the same row of the halved picture.
    const probe = (img, x0) => {
      const t = document.createElement('canvas');
      t.width = c.width;
      t.height = c.height;
      const tg = t.getContext('2d');
      tg.drawImage(img, x0, c.height / 4, c.width / 2, c.height / 2);
      const y = Math.round(c.height / 2);
      const want = tg.getImageData(x0, y, c.width / 2, 1).data;
      const got = g.getImageData(x0, y, c.width / 2, 1).data;
      let d = 0;
      for (let i = 0; i < want.length; i++) d += Math.abs(want[i] - got[i]);
      return d / want.length;
    };
    return { a: probe(compare.a, 0), b: probe(compare.b, c.width / 2) };
  });
  assert.ok(split.a < 1 && split.b < 1, `halves show A and B: ${JSON.stringify(split)}`);
  await page.locator('.viewer').screenshot({ path: join(artifacts, 'compare-split.png') });

  n = await drawnCount(page);
  await page.selectOption('#compare-mode', 'ab');
  await waitDrawn(page, n);
  assert.ok(!(await columnsShown(page)).includes('B'), 'A/B starts on A');
  n = await drawnCount(page);
  await page.locator('.tile[data-camera="a"]').focus();
  await page.keyboard.press('b');
  await waitDrawn(page, n);
  assert.ok(!(await columnsShown(page)).includes('A'), 'B after a flip');
  assert.equal(await page.locator('#compare-flip').innerText(), 'Show A');
  await page.close();
});

test('a held still is compared with the live picture after a trim', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="f"]').click();
  await page.waitForFunction(() => {
    const img = document.getElementById('focus-preview');
    return img.complete && img.naturalWidth > 0;
  });
  await page.click('#compare-hold');
  await page.waitForFunction(() => document.getElementById('compare-source').value === 'held');
  assert.equal(await page.locator('#compare-mode').inputValue(), 'wipe');
  const start = await page.evaluate(() => window.lookwire.state.version);
  const before = (await trimOf('f')).offset[2];
  await page.fill('#trim-offset-b', String(Number((before + 0.08).toFixed(3))));
  await page.press('#trim-offset-b', 'Enter');
  await eventually('offset.b of f moved', async () => (await trimOf('f')).offset[2] !== before);
  // Once the new picture is in, the live half (A) differs from the still (B).
  await pictureShows(page, '#focus-preview', 'stream', start + 1, 'f');
  const shown = await columnsShown(page);
  const width = shown.length;
  assertWipeAt(shown, Math.round(width / 2));
  assert.ok((await rest('GET', '/cameras/f')).grade.trim.offset[2] > before);
  await page.close();
});

test('false color shows its zones, and a snapshot compares against the live picture', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="a"]').click();
  await page.waitForFunction(() => !document.getElementById('picture-options').hidden);
  await page.selectOption('#focus-view-mode', 'false-color');
  const legend = page.locator('#false-color-legend li');
  await legend.first().waitFor();
  const shares = await legend.evaluateAll((items) => items.map((li) => Number(/** @type {HTMLElement} */ (li).dataset.share)));
  const total = shares.reduce((a, b) => a + b, 0);
  // Zones cover part of the picture (the rest keeps its grey): shares are parts of one.
  assert.ok(shares.length >= 5 && total > 0.1 && total <= 1.0001, `zone shares: ${shares}`);
  // The focus view asks the stream for the false color picture, and gets it.
  await page.waitForFunction(() => {
    const img = document.getElementById('focus-preview');
    return window.lookwire.stream.pictures.get('focus')?.sub.view === 'false-color'
      && window.lookwire.stream.sent.includes('"view":"false-color"') && img.src.startsWith('blob:');
  });
  await page.locator('.viewer').screenshot({ path: join(artifacts, 'false-color.png') });

  // Back to graded; store a snapshot, move the grade away, compare with the snapshot.
  await page.selectOption('#focus-view-mode', 'graded');
  await page.fill('#snapshot-name', 'before-lift');
  await page.click('#snapshot-take');
  await page.locator('#snapshots li', { hasText: 'before-lift' }).waitFor();
  const lift = Number(((await trimOf('a')).offset[1] + 0.06).toFixed(4));
  await page.fill('#trim-offset-g', String(lift));
  await page.press('#trim-offset-g', 'Enter');
  await eventually('offset.g of a lifted', async () => (await trimOf('a')).offset[1] === lift);
  const id = await page.evaluate(() => Object.values(window.lookwire.state.show.snapshots).find((s) => s.name === 'before-lift').id);
  await page.selectOption('#compare-mode', 'wipe');
  await page.selectOption('#compare-source', `snapshot:${id}`);
  const loaded = () => page.waitForFunction((v) => {
    const { compare, state } = window.lookwire.viewer ? { compare: window.lookwire.viewer.compare, state: window.lookwire.state } : {};
    const shown = Number(compare.a.dataset.version);
    return compare.a.complete && compare.a.naturalWidth > 0 && compare.b.complete && compare.b.naturalWidth > 0 && shown >= v;
  }, state0);
  const state0 = await page.evaluate(() => window.lookwire.state.version);
  await loaded();
  await eventually('the wipe shows live left and the snapshot right', async () => {
    const shown = await columnsShown(page);
    return !shown.slice(0, shown.length / 2 - 2).includes('B') && shown.slice(shown.length / 2 + 2).includes('B');
  });
  assert.deepEqual(page.errors, []);
  await page.close();
});
