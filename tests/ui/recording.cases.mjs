// The timecode and recording dialog: jam the show clock, state where the cameras' timecode
// comes from (show-wide and per camera), list each camera's recorders. Each save reaches
// the show (checked over REST); a refused one shows the server's message and the field it
// names, and changes nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, eventually, openPage, rest } from './harness.mjs';
import { audit } from './a11y.cases.mjs';

/** Frames since midnight of `HH:MM:SS:FF` at an integer rate. */
function frames(tc, fps) {
  const [h, m, s, f] = tc.split(/[:;]/).map(Number);
  return ((h * 60 + m) * 60 + s) * fps + f;
}

test('the show clock is jammed from the dialog, and a malformed timecode is refused', async () => {
  const page = await openPage();
  await page.keyboard.press('t');
  await page.locator('#recording-dialog[open]').waitFor();
  await page.waitForFunction(() => /fps/.test(document.getElementById('clock-info').textContent));

  await page.fill('#jam-timecode', '10:00:00:00');
  await page.click('#jam');
  await page.locator('#recording-status', { hasText: 'Jam: saved' }).waitFor();
  const clock = await rest('GET', '/timecode');
  assert.equal(clock.source, 'jammed');
  const fps = Math.round(clock.frame_rate);
  const since = frames(clock.timecode, fps) - frames('10:00:00:00', fps);
  assert.ok(since >= 0 && since < 30 * fps, `the clock runs on from the jam: ${clock.timecode}`);
  await page.waitForFunction(() => document.getElementById('timecode').textContent.startsWith('10:0'));

  await page.fill('#jam-timecode', '25:61:00:00');
  await page.press('#jam-timecode', 'Enter');
  const refused = page.locator('#recording-status.error', { hasText: 'Jam not saved' });
  await refused.waitFor();
  assert.match(await refused.innerText(), /timecode/);
  const after = await rest('GET', '/timecode');
  assert.ok(after.timecode.startsWith('10:'), `a refused jam leaves the clock: ${after.timecode}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('timecode sources and recorders saved in the dialog reach the show; a refused one changes nothing', async (t) => {
  const page = await openPage();
  await page.locator('.tile[data-camera="b"]').click();
  await page.click('#timecode-button');
  await page.locator('#recording-dialog[open]').waitFor();
  assert.equal(await page.locator('#recording-camera').inputValue(), 'b', 'the dialog opens on the focused camera');

  // Show-wide: LTC from a named master clock; the note the show had stays.
  const note = (await rest('GET', '/show')).timecode_source?.label ?? '';
  assert.equal(await page.inputValue('#show-tc-label'), note, 'the dialog shows the stored source');
  await page.selectOption('#show-tc-mode', 'ltc');
  await page.fill('#show-tc-master', 'Ambient Lockit ACL 204');
  await page.fill('#show-tc-genlock', 'tri-level sync from the SPG');
  await page.click('#show-tc-save');
  await page.locator('#recording-status', { hasText: 'Show timecode source: saved' }).waitFor();
  assert.deepEqual((await rest('GET', '/show')).timecode_source, {
    mode: 'ltc', master: 'Ambient Lockit ACL 204', genlock: 'tri-level sync from the SPG', label: note,
  });

  // Camera b: internal recording plus an external recorder, and its own jam-synced clock.
  const before = await rest('GET', '/cameras/b');
  const rows = page.locator('#recorders tr.recorder');
  await page.click('#recorder-add');
  await rows.nth(before.recorders.length).locator('[name="codec"]').fill('X-OCN ST');
  await rows.nth(before.recorders.length).locator('[name="label"]').fill('AXS slot A, reels B###');
  await page.click('#recorder-add');
  const external = rows.nth(before.recorders.length + 1);
  await external.locator('[name="kind"]').selectOption('external');
  await external.locator('[name="name"]').fill('Atomos Shogun');
  await external.locator('[name="codec"]').fill('ProRes 422 HQ');
  await page.selectOption('#camera-tc-mode', 'jam-sync');
  await page.fill('#camera-tc-master', 'Tentacle Sync E');
  await page.click('#camera-recording-save');
  await page.locator('#recording-status', { hasText: 'Recording of' }).waitFor();
  const saved = await rest('GET', '/cameras/b');
  assert.deepEqual(saved.recorders.slice(before.recorders.length), [
    { kind: 'internal', name: '', codec: 'X-OCN ST', label: 'AXS slot A, reels B###' },
    { kind: 'external', name: 'Atomos Shogun', codec: 'ProRes 422 HQ', label: '' },
  ]);
  assert.equal(saved.timecode_source.mode, 'jam-sync');
  assert.equal(saved.timecode_source.master, 'Tentacle Sync E');
  assert.deepEqual(await audit(t, page, 'timecode and recording', '#recording-dialog'), []);
  await page.screenshot({ path: join(artifacts, 'recording.png') });

  // An external recorder without its name: the server names the field; nothing changes.
  await page.click('#recorder-add');
  const nameless = rows.last();
  await nameless.locator('[name="kind"]').selectOption('external');
  await nameless.locator('[name="codec"]').fill('ProRes 4444');
  await page.click('#camera-recording-save');
  const refused = page.locator('#recording-status.error', { hasText: 'not saved' });
  await refused.waitFor();
  assert.match(await refused.innerText(), /name/);
  assert.deepEqual((await rest('GET', '/cameras/b')).recorders, saved.recorders);

  // Removing a row and going back to the show's clock.
  await nameless.locator('button.remove').click();
  await rows.last().locator('button.remove').click();
  await page.selectOption('#camera-tc-mode', '');
  await page.click('#camera-recording-save');
  await eventually('camera b has one recorder fewer and the show clock', async () => {
    const b = await rest('GET', '/cameras/b');
    return b.recorders.length === saved.recorders.length - 1 && b.timecode_source === null;
  });
  // Another camera shows its own (unchanged) list.
  await page.selectOption('#recording-camera', 'c');
  const c = await rest('GET', '/cameras/c');
  assert.equal(await rows.count(), c.recorders.length);
  assert.deepEqual(page.errors, []);
  await page.close();
});
