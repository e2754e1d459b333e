// The trims panel's resets (one control, the trim, trim and match back to the show look),
// redo, copy grade, a slider dragged with the mouse, and the display transform choice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, openPage, pictureOf, pictureShows, rest, trimOf } from './harness.mjs';

const IDENTITY = { slope: [1, 1, 1], offset: [0, 0, 0], power: [1, 1, 1], sat: 1 };
const gradeOf = async (id) => (await rest('GET', `/cameras/${id}`)).grade;

test('resets: one control (↺ and double-click), a master, the trim, and trim and match to the show look', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="a"]').click();
  const match = { slope: [1.05, 1, 0.97], offset: [0.01, 0, 0], power: [1, 1, 1], sat: 1 };
  const trim = { slope: [1.1, 1.3, 1], offset: [0.02, 0, -0.01], power: [1.1, 1.2, 1.3], sat: 0.9 };
  await rest('PATCH', '/cameras/a/grade', { match, trim });
  await page.waitForFunction(() => Number(document.getElementById('trim-slope-g').value) === 1.3);

  await page.click('#trim-slope-g-reset');
  await eventually('slope.g of a is 1', async () => (await trimOf('a')).slope[1] === 1);
  assert.deepEqual((await trimOf('a')).slope, [1.1, 1, 1], 'only slope G went back');

  await page.dblclick('#trim-offset-r-slider');
  await eventually('offset.r of a is 0', async () => (await trimOf('a')).offset[0] === 0);
  assert.equal((await trimOf('a')).offset[2], -0.01, 'offset B stays');

  await page.click('#trim-power-master-reset');
  await eventually('power of a is identity', async () => (await trimOf('a')).power.every((x) => x === 1));
  await page.click('#trim-sat-reset');
  await eventually('sat of a is 1', async () => (await trimOf('a')).sat === 1);

  await page.click('#reset');
  await eventually('the trim of a is identity', async () => JSON.stringify(await trimOf('a')) === JSON.stringify(IDENTITY));
  assert.deepEqual((await gradeOf('a')).match, match, 'Reset trim keeps the match');

  await page.click('#reset-look');
  await eventually('the match of a is identity', async () => JSON.stringify((await gradeOf('a')).match) === JSON.stringify(IDENTITY));
  assert.equal((await gradeOf('a')).look, 'warm-contrast', 'the show look stays');

  // Shift+R does the same from the keyboard.
  await rest('PATCH', '/cameras/a/grade', { match });
  await page.locator('.tile[data-camera="a"]').focus();
  await page.keyboard.press('Shift+R');
  await eventually('Shift+R reset the match of a', async () => JSON.stringify((await gradeOf('a')).match) === JSON.stringify(IDENTITY));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('undo and redo, by button and by keyboard', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="c"]').click();
  const before = (await trimOf('c')).power[1];
  const value = Number((before + 0.05).toFixed(4));
  await page.fill('#trim-power-g', String(value));
  await page.press('#trim-power-g', 'Enter');
  await eventually('power.g of c moved', async () => (await trimOf('c')).power[1] === value);
  await page.click('#undo');
  await eventually('undo took it back', async () => (await trimOf('c')).power[1] === before);
  await page.click('#redo');
  await eventually('redo brought it again', async () => (await trimOf('c')).power[1] === value);
  await page.locator('.tile[data-camera="c"]').focus();
  await page.keyboard.press('Control+z');
  await eventually('Ctrl+Z took it back', async () => (await trimOf('c')).power[1] === before);
  await page.keyboard.press('Control+y');
  await eventually('Ctrl+Y brought it again', async () => (await trimOf('c')).power[1] === value);
  await page.close();
});

test('copy grade puts the focused camera\'s grade on the cameras selected with Shift+click', async () => {
  const page = await openPage();
  await rest('PATCH', '/cameras/d/grade', { trim: { slope: [1.2, 1.1, 0.9], offset: [0.01, -0.02, 0.03], power: [1, 1.05, 1.1], sat: 1.15 } });
  await page.locator('.tile[data-camera="d"]').click();
  await page.locator('.tile[data-camera="f"]').click({ modifiers: ['Shift'] });
  await page.waitForSelector('.tile[data-camera="f"].selected');
  await page.click('#copy-grade');
  const source = await trimOf('d');
  await eventually('f has the trim of d', async () => JSON.stringify(await trimOf('f')) === JSON.stringify(source));
  // The multiviewer says who was selected, for a screen reader too.
  assert.match(await page.getAttribute('.tile[data-camera="f"]', 'aria-label'), /, selected$/);
  await page.close();
});

test('a slider dragged with the mouse changes the trim and the graded preview', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="b"]').click();
  await rest('POST', '/cameras/b/reset', {});
  await page.waitForFunction(() => Number(document.getElementById('trim-slope-b').value) === 1);
  const start = await page.evaluate(() => window.lookwire.state.version);
  await pictureShows(page, '#focus-preview', 'stream', start, 'b');
  const before = await pictureOf(page, '#focus-preview');
  const box = await page.locator('#trim-slope-b-slider').boundingBox();
  // Slope runs 0..4: from 1 (a quarter along) to about 2.
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.25, y);
  await page.mouse.down();
  for (let i = 1; i <= 5; i++) await page.mouse.move(box.x + box.width * (0.25 + 0.05 * i), y);
  await page.mouse.up();
  await eventually('slope.b of b rose', async () => (await trimOf('b')).slope[2] > 1.5);
  const version = (await rest('GET', '/export')).version;
  await pictureShows(page, '#focus-preview', 'stream', version, 'b');
  const after = await pictureOf(page, '#focus-preview');
  assert.ok(after.mean[2] > before.mean[2] + 5, `blue rises: ${before.mean} → ${after.mean}`);
  await page.close();
});

test('the display transform list is the server\'s (SDR, then HDR), and choosing one changes the output and its picture', async () => {
  const served = await rest('GET', '/displays');
  const page = await openPage();
  const listed = await page.locator('#output-display optgroup').evaluateAll((groups) => groups.map((g) => ({
    group: g.getAttribute('label'),
    options: [...g.querySelectorAll('option')].map((o) => [o.value, o.textContent, o.title]),
  })));
  const expected = (kind) => served.filter((d) => d.kind === kind).map((d) => [d.id, d.name]);
  assert.deepEqual(listed.map((g) => [g.group, g.options.map(([id, name]) => [id, name])]), [['SDR', expected('sdr')], ['HDR', expected('hdr')]]);
  assert.ok(expected('sdr').length > 0 && expected('hdr').length > 0);
  // Each option says what it is: its encoding and gamut as the server lists them.
  for (const [id, , title] of listed.flatMap((g) => g.options)) {
    const d = served.find((x) => x.id === id);
    assert.ok(title.includes(d.encoding) && title.includes(d.gamut), `${id}: ${title}`);
  }

  await page.locator('.tile[data-camera="e"]').click();
  const start = await page.evaluate(() => window.lookwire.state.version);
  await pictureShows(page, '#focus-preview', 'stream', start, 'e');
  const before = await pictureOf(page, '#focus-preview');
  try {
    await page.selectOption('#output-display', 'aces2-sdr-p3d65');
    await eventually('the SDR output uses P3-D65', async () => (await rest('GET', '/outputs/sdr')).display === 'aces2-sdr-p3d65');
    await page.waitForFunction(() => /aces2-sdr-p3d65/.test(document.getElementById('focus-caption').textContent));
    await pictureShows(page, '#focus-preview', 'stream', start + 1, 'e');
    const after = await pictureOf(page, '#focus-preview');
    // P3-D65 primaries and a 2.6 gamma instead of Rec.709 and BT.1886: other code values.
    const moved = after.mean.reduce((s, v, i) => s + Math.abs(v - before.mean[i]), 0);
    assert.ok(moved > 1, `the picture changed: ${before.mean} → ${after.mean}`);
  } finally {
    await rest('PATCH', '/outputs/sdr', { display: 'aces2-sdr-rec709' });
  }
  await page.waitForFunction(() => document.getElementById('output-display').value === 'aces2-sdr-rec709');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the show look is chosen per camera from the show\'s looks, and the picture follows', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="f"]').click();
  const looks = await page.locator('#look-select option').evaluateAll((o) => o.map((x) => /** @type {HTMLOptionElement} */ (x).value));
  const show = (await rest('GET', '/export')).show;
  assert.deepEqual(looks, ['', ...Object.keys(show.looks)]);
  const start = await page.evaluate(() => window.lookwire.state.version);
  await pictureShows(page, '#focus-preview', 'stream', start, 'f');
  const before = await pictureOf(page, '#focus-preview');
  try {
    await page.selectOption('#look-select', '');
    await eventually('f has no look', async () => (await gradeOf('f')).look === null);
    await pictureShows(page, '#focus-preview', 'stream', start + 1, 'f');
    const after = await pictureOf(page, '#focus-preview');
    const moved = after.mean.reduce((s, v, i) => s + Math.abs(v - before.mean[i]), 0);
    assert.ok(moved > 1, `the picture lost the look: ${before.mean} → ${after.mean}`);
  } finally {
    await rest('PATCH', '/cameras/f/grade', { look: 'warm-contrast' });
  }
  await page.waitForFunction(() => document.getElementById('look-select').value === 'warm-contrast');
  assert.deepEqual(page.errors, []);
  await page.close();
});
