// The VC's browser UI, driven in Debian's Chromium by Playwright against `lookwire serve --demo`.
// Screenshots of the main screens go to tests/artifacts/ui/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, eventually, openPage, pictureOf, pictureShows, rest, trimOf } from './harness.mjs';
// Export runs first, so its grade is the one it sets (a grade that merges into no single
// CDL with the demo look exports its fitted CDL, with the fit's error in the description).
import './export.cases.mjs';
import './viewer.cases.mjs';
import './match.cases.mjs';
import './touch.cases.mjs';
import './devices.cases.mjs';
import './scenes.cases.mjs';
import './stream.cases.mjs';
import './device-admin.cases.mjs';
import './a11y.cases.mjs';
import './checks.cases.mjs';
import './health.cases.mjs';
import './auth.cases.mjs';
import './controls.cases.mjs';
import './roles.cases.mjs';
import './recording.cases.mjs';

test('the multiviewer shows every demo camera and the show timecode', async () => {
  const page = await openPage();
  const cameras = await rest('GET', '/cameras');
  assert.equal(await page.locator('.tile').count(), cameras.length);
  for (const [i, camera] of cameras.entries()) {
    const tile = page.locator(`.tile[data-camera="${camera.id}"]`);
    // Its number (the shortcut that focuses it), label, input space and device dots.
    assert.equal(await tile.locator('.label strong').innerText(), `${i + 1} ${camera.label}`);
    assert.equal(await tile.locator('.label .space').innerText(), camera.input_space);
    const devices = (await rest('GET', '/devices')).filter((d) => d.camera === camera.id);
    assert.equal(await tile.locator('.dot').count(), devices.length, `dots of ${camera.id}`);
  }
  await page.waitForFunction(() => /^\d\d:\d\d:\d\d[:;]\d\d$/.test(document.getElementById('timecode').textContent));
  await page.screenshot({ path: join(artifacts, 'multiviewer.png') });
  // Loopback: no login, so no log-out and no view-only state; the local user is the admin.
  assert.ok(await page.locator('#logout').isHidden());
  assert.ok(await page.locator('#view-only').isHidden());
  assert.ok(await page.locator('#device-add').isEnabled());
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a value typed in one browser appears in a second, and undo takes it back', async () => {
  const a = await openPage();
  const b = await openPage();
  const before = (await rest('GET', '/cameras/a')).grade.trim.slope[0];
  await a.locator('.tile[data-camera="a"]').click();
  await b.locator('.tile[data-camera="a"]').click();
  await a.fill('#trim-slope-r', '1.234');
  await a.press('#trim-slope-r', 'Enter');
  await b.waitForFunction(() => Number(document.getElementById('trim-slope-r').value) === 1.234);
  assert.equal((await rest('GET', '/cameras/a')).grade.trim.slope[0], 1.234);
  await a.screenshot({ path: join(artifacts, 'trims.png') });

  await a.click('#undo');
  await b.waitForFunction((v) => Number(document.getElementById('trim-slope-r').value) === v, before);
  assert.equal((await rest('GET', '/cameras/a')).grade.trim.slope[0], before);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.close();
  await b.close();
});

test('arrow keys nudge a field by 0.01, with Shift by 0.001', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="b"]').click();
  const start = (await rest('GET', '/cameras/b')).grade.trim.offset[1];
  await page.focus('#trim-offset-g');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Shift+ArrowUp');
  const want = Number((start + 0.011).toFixed(4));
  await eventually(`offset.g of b is ${want}`, async () => (await trimOf('b')).offset[1] === want);
  await page.close();
});

test('a snapshot stored and recalled brings the grade back', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="c"]').click();
  await page.fill('#trim-sat', '1.3');
  await page.press('#trim-sat', 'Enter');
  await eventually('sat of c is 1.3', async () => (await trimOf('c')).sat === 1.3);
  await page.fill('#snapshot-name', 'wide');
  await page.click('#snapshot-take');
  await page.locator('#snapshots li', { hasText: 'wide' }).waitFor();
  await page.fill('#trim-sat', '0.7');
  await page.press('#trim-sat', 'Enter');
  await eventually('sat of c is 0.7', async () => (await trimOf('c')).sat === 0.7);
  await page.click('#snapshots li button[aria-label="Recall wide"]');
  await page.waitForFunction(() => Number(document.getElementById('trim-sat').value) === 1.3);
  assert.equal((await rest('GET', '/cameras/c')).grade.trim.sat, 1.3);
  await page.close();
});

test('ganged cameras move together by the same offset', async () => {
  const page = await openPage();
  const before = await rest('GET', '/cameras');
  const offsetOf = (list, id) => list.find((c) => c.id === id).grade.trim.offset[0];
  await page.locator('.tile[data-camera="d"]').click();
  await page.locator('.tile[data-camera="e"]').click({ modifiers: ['Shift'] });
  await page.click('#gang-toggle');
  const target = Number((offsetOf(before, 'd') + 0.02).toFixed(4));
  await page.fill('#trim-offset-r', String(target));
  await page.press('#trim-offset-r', 'Enter');
  await eventually('d and e both moved', async () => {
    const cameras = await rest('GET', '/cameras');
    return ['d', 'e'].every((id) => offsetOf(cameras, id) !== offsetOf(before, id));
  });
  const after = await rest('GET', '/cameras');
  assert.ok(Math.abs(offsetOf(after, 'd') - offsetOf(before, 'd') - 0.02) < 1e-9);
  assert.ok(Math.abs(offsetOf(after, 'e') - offsetOf(before, 'e') - 0.02) < 1e-9);
  await page.close();
});

test('a lost connection is shown, resumes by itself, and loses no trim', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="f"]').click();
  await page.evaluate(() => window.lookwire.connection.drop());
  await page.waitForFunction(() => document.getElementById('connection').dataset.state !== 'open');
  // Typed while the socket is down: held as pending and resent on reconnect.
  await page.fill('#trim-power-b', '1.111');
  await page.press('#trim-power-b', 'Enter');
  await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'open');
  await eventually('power.b of f is 1.111', async () => (await trimOf('f')).power[2] === 1.111);
  // The server acknowledges what it committed (the ack may reach the page after our GET).
  await page.waitForFunction(() => window.lookwire.connection.pending.size === 0);
  await page.close();
});

test('a refused value shows the server error and changes nothing', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="a"]').click();
  const before = (await rest('GET', '/cameras/a')).grade.trim.power[0];
  await page.evaluate(() => window.lookwire.connection.trim('a', 'trim.power.r', -1));
  await page.locator('.toast', { hasText: 'power' }).waitFor();
  assert.equal((await rest('GET', '/cameras/a')).grade.trim.power[0], before);
  await page.close();
});

test('the help overlay lists the shortcuts and opens with ?', async () => {
  const page = await openPage();
  await page.keyboard.press('?');
  await page.locator('#help[open]').waitFor();
  assert.match(await page.locator('#help').innerText(), /undo/i);
  await page.screenshot({ path: join(artifacts, 'help.png') });
  await page.close();
});

test('a slider move changes the graded preview as a gain on red would', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="b"]').click();
  const start = await page.evaluate(() => window.lookwire.state.version);
  await pictureShows(page, '#focus-preview', 'stream', 0, 'b');
  const before = await pictureOf(page, '#focus-preview');
  await page.fill('#trim-slope-r', '1.6');
  await page.press('#trim-slope-r', 'Enter');
  await page.waitForFunction((v) => window.lookwire.state.version > v, start);
  await pictureShows(page, '#focus-preview', 'stream', start + 1, 'b');
  const after = await pictureOf(page, '#focus-preview');
  assert.ok(after.mean[0] > before.mean[0] + 5, `red rises: ${before.mean} → ${after.mean}`);
  assert.ok(Math.abs(after.mean[1] - before.mean[1]) < Math.abs(after.mean[0] - before.mean[0]) / 2,
    `green moves less than red: ${before.mean} → ${after.mean}`);
  await page.screenshot({ path: join(artifacts, 'preview-trimmed.png') });
  await page.close();
});
