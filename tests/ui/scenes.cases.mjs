// Show-wide scenes and device bypass from the UI: a scene stored with the panel's button
// brings a changed trim back when recalled; a bypass chosen in the device table reaches
// the show and the LUT box.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FakeLutBox } from './fake-lutbox.mjs';
import { artifacts, eventually, openPage, rest, trimOf } from './harness.mjs';

async function typeTrim(page, field, value) {
  await page.fill(field, String(value));
  await page.press(field, 'Enter');
}

test('a scene stored in the UI brings a changed trim back when recalled, and can be deleted', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="d"]').click();
  await typeTrim(page, '#trim-power-g', 1.05);
  await eventually('power.g of d is 1.05', async () => (await trimOf('d')).power[1] === 1.05);

  await page.fill('#scene-name', 'Act one');
  await page.fill('#scene-fade', '0');
  await page.click('#scene-store');
  const row = page.locator('#scenes li', { hasText: 'Act one' });
  await row.waitFor();
  const stored = (await rest('GET', '/scenes')).find((s) => s.name === 'Act one');
  assert.ok(stored, 'GET /scenes lists the scene');
  assert.equal(stored.fade_frames, 0);
  assert.equal(stored.grades.d.trim.power[1], 1.05);
  assert.ok(Object.keys(stored.grades).length > 1, 'a scene holds every camera');

  await typeTrim(page, '#trim-power-g', 0.95);
  await eventually('power.g of d is 0.95', async () => (await trimOf('d')).power[1] === 0.95);
  await page.click('#scenes li button[aria-label="Recall scene Act one"]');
  await page.waitForFunction(() => Number(document.getElementById('trim-power-g').value) === 1.05);
  assert.equal((await trimOf('d')).power[1], 1.05);
  await page.screenshot({ path: join(artifacts, 'scenes.png') });

  // A second scene with a fade keeps its fade; deleting it leaves the first.
  await page.fill('#scene-name', 'Fade scene');
  await page.fill('#scene-fade', '12');
  await page.click('#scene-store');
  await page.locator('#scenes li', { hasText: 'Fade scene' }).waitFor();
  assert.equal((await rest('GET', '/scenes')).find((s) => s.name === 'Fade scene')?.fade_frames, 12);
  await page.click('#scenes li button[aria-label="Delete scene Fade scene"]');
  await page.locator('#scenes li', { hasText: 'Fade scene' }).waitFor({ state: 'detached' });
  const names = (await rest('GET', '/scenes')).map((s) => s.name);
  assert.ok(!names.includes('Fade scene') && names.includes('Act one'), names.join(', '));

  // A fade outside 0…600 is refused in the page, before any request.
  const before = names.length;
  await page.fill('#scene-fade', '601');
  await page.click('#scene-store');
  await page.locator('.toast', { hasText: 'Fade' }).waitFor();
  assert.equal((await rest('GET', '/scenes')).length, before);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a device bypass set in the device table reaches the show and the box', async () => {
  const box = await new FakeLutBox().start();
  await rest('POST', '/devices', {
    id: 'ui-bypass-box', camera: 'e', output: 'sdr', driver: { kind: 'lwlb', address: `127.0.0.1:${box.port}` },
  });
  const page = await openPage();
  const row = '#devices tr[data-device="ui-bypass-box"]';
  try {
    await page.locator(`${row}[data-state="connected"]`).waitFor();
    await eventually('the box received the look', async () => box.pushes > 0);
    assert.ok(box.identityError() > 1e-3, 'the full look is not an identity');
    assert.equal(await page.locator(`${row} select.bypass`).inputValue(), 'none');

    const pushes = box.pushes;
    await page.selectOption(`${row} select.bypass`, 'identity');
    await eventually('the show holds the bypass', async () =>
      (await rest('GET', '/export')).show.device_bypass['ui-bypass-box'] === 'identity');
    assert.ok((await rest('GET', '/devices')).some((d) => d.id === 'ui-bypass-box'));
    await page.locator(`${row}[data-bypass="identity"] .badge.bypassed`).waitFor();
    await eventually('the box received an identity lattice', async () =>
      box.pushes > pushes && box.identityError() < 1e-5);
    await page.screenshot({ path: join(artifacts, 'device-bypass.png') });

    // Back to the full look.
    await page.selectOption(`${row} select.bypass`, 'none');
    await eventually('the bypass is cleared', async () =>
      ((await rest('GET', '/export')).show.device_bypass['ui-bypass-box'] ?? 'none') === 'none');
    await eventually('the box has the full look again', async () => box.identityError() > 1e-3);
    assert.deepEqual(page.errors, []);
  } finally {
    await rest('DELETE', '/devices/ui-bypass-box');
    await box.stop().catch(() => {});
    await page.close();
  }
});

test('the output bypass select sets the focused output bypass, and shows one set elsewhere', async () => {
  const page = await openPage();
  const output = await page.locator('#output-select').inputValue();
  try {
    assert.equal(await page.locator('#output-bypass').inputValue(), 'none');
    await page.selectOption('#output-bypass', 'display-only');
    await eventually(`output ${output} is display-only`, async () =>
      (await rest('GET', `/outputs/${output}`)).bypass === 'display-only');
    await page.locator('#output-bypass[data-bypass="display-only"]').waitFor();
    // Set by another client: the select follows.
    await rest('PATCH', `/outputs/${output}`, { bypass: 'identity' });
    await page.waitForFunction(() => document.getElementById('output-bypass').value === 'identity');
    assert.deepEqual(page.errors, []);
  } finally {
    await rest('PATCH', `/outputs/${output}`, { bypass: 'none' });
    await page.close();
  }
});
