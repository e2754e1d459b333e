// Device management from the UI: add a folder device (a refusal first, pointed at the field
// it names), test it, remove it; test a demo LUT box; route the demo's Videohub.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, base, eventually, openPage, rest } from './harness.mjs';

const deviceIds = async () => (await rest('GET', '/devices')).map((d) => d.id);

test('a device added in the UI is refused with the field named, then added, tested and removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookwire-ui-sink-'));
  const page = await openPage();
  try {
    await page.click('#device-add');
    await page.locator('#device-dialog[open]').waitFor();
    await page.fill('#device-id', 'ui-sink');
    await page.selectOption('#device-kind', 'file-sink');
    await page.selectOption('#device-camera', 'd');
    await page.selectOption('#device-output', 'sdr');
    await page.fill('#device-dir', 'relative/looks');
    await page.selectOption('#device-format', 'cube');
    await page.click('#device-submit');
    await page.locator('#device-form-error', { hasText: 'not an absolute path' }).waitFor();
    assert.equal(await page.getAttribute('#device-dir', 'aria-invalid'), 'true');
    assert.ok(!(await deviceIds()).includes('ui-sink'), 'nothing was added');
    await page.locator('#device-dialog').screenshot({ path: join(artifacts, 'device-add.png') });

    await page.fill('#device-dir', dir);
    await page.click('#device-submit');
    await page.locator('#device-dialog').waitFor({ state: 'hidden' });
    const row = page.locator('#devices tr[data-device="ui-sink"]');
    await page.waitForFunction(() => document.querySelector('#devices tr[data-device="ui-sink"]')?.getAttribute('data-state') === 'connected');
    await eventually('the folder received the look', async () => readdirSync(dir).some((f) => f.endsWith('.cube')));
    assert.deepEqual((await rest('GET', '/devices/ui-sink')).config.driver, { kind: 'file-sink', dir, format: 'cube', size: 33, range: 'full' });

    await row.getByRole('button', { name: 'Test ui-sink' }).click();
    await page.locator('#device-status[data-result="ok"]', { hasText: 'ui-sink: connect passed' }).waitFor();
    await row.getByRole('button', { name: 'Identity ui-sink' }).click();
    await page.locator('#device-status[data-result="ok"]', { hasText: 'ui-sink: identity passed' }).waitFor();

    await row.getByRole('button', { name: 'Remove ui-sink' }).click();
    assert.ok((await deviceIds()).includes('ui-sink'), 'one press does not remove');
    await row.getByRole('button', { name: 'Confirm removing ui-sink' }).click();
    await row.waitFor({ state: 'detached' });
    assert.ok(!(await deviceIds()).includes('ui-sink'));
    const gone = await fetch(`${base}/api/v1/devices/ui-sink`);
    assert.equal(gone.status, 404);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a demo LUT box tested from the UI takes the identity look and reports its latency', async () => {
  const page = await openPage();
  const row = page.locator('#devices tr[data-device="lutbox-e"]');
  await row.getByRole('button', { name: 'Test lutbox-e' }).click();
  await page.locator('#device-status[data-result="ok"]', { hasText: 'lutbox-e: connect passed' }).waitFor();
  await row.getByRole('button', { name: 'Identity lutbox-e' }).click();
  await page.locator('#device-status[data-result="ok"]', { hasText: 'lutbox-e: identity passed in' }).waitFor();
  assert.match(await page.locator('#device-status').innerText(), /identity passed in \d+\.\d ms/);
  await page.close();
});

test("the demo Videohub's routing is shown and changed from the UI", async () => {
  const page = await openPage();
  await page.locator('#devices tr[data-device="videohub"]').getByRole('button', { name: 'Routing of videohub' }).click();
  const before = await rest('GET', '/devices/videohub/router');
  const output = 2;
  const input = (before.routes[output] + 5) % before.input_labels.length;
  const select = page.locator(`#router-body select[data-output="${output}"]`);
  await select.waitFor();
  assert.equal(Number(await select.inputValue()), before.routes[output]);
  assert.equal(await page.locator('#router-body tbody tr').count(), before.output_labels.length);
  await select.selectOption(String(input));
  await page.locator(`#router-body tr[data-output="${output}"][data-input="${input}"]`).waitFor();
  assert.equal((await rest('GET', '/devices/videohub/router')).routes[output], input);
  await page.locator('#panel').screenshot({ path: join(artifacts, 'devices-routing.png') });

  // A route changed elsewhere shows when the panel reloads.
  const other = (input + 1) % before.input_labels.length;
  await rest('PUT', `/devices/videohub/router/outputs/${output}`, { input: other });
  await page.click('#router-close');
  await page.locator('#devices tr[data-device="videohub"]').getByRole('button', { name: 'Routing of videohub' }).click();
  await page.locator(`#router-body tr[data-output="${output}"][data-input="${other}"]`).waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a device's bypass reported by GET /devices is shown instead of the show's", async () => {
  // The device list may report what each device sends (`bypass`); a device that does not
  // report it falls back to the show's device_bypass. Here lutbox-a reports display-only.
  const page = await openPage({
    setup: (p) => p.route('**/api/v1/devices', async (route) => {
      const response = await route.fetch();
      const list = await response.json();
      for (const d of list) if (d.id === 'lutbox-a') d.bypass = 'display-only';
      await route.fulfill({ response, json: list });
    }),
  });
  const show = (await rest('GET', '/export')).show.device_bypass ?? {};
  assert.equal(show['lutbox-a'] ?? 'none', 'none', 'the show holds no bypass for lutbox-a');
  await page.locator('#devices tr[data-device="lutbox-a"][data-bypass="display-only"] .badge.bypassed').waitFor();
  assert.equal(await page.locator('#devices tr[data-device="lutbox-a"] select.bypass').inputValue(), 'display-only');
  assert.equal(await page.getAttribute('#devices tr[data-device="lutbox-b"]', 'data-bypass'), show['lutbox-b'] ?? 'none');
  await page.close();
});
