// Camera matching from the UI: solve onto a reference camera, apply as the match node,
// undo it like any other change.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, eventually, openPage, rest } from './harness.mjs';

const identity = { slope: [1, 1, 1], offset: [0, 0, 0], power: [1, 1, 1], sat: 1 };

test('match solves a camera onto another, applies as its match node, and undo takes it back', async () => {
  const page = await openPage();
  const second = await openPage();
  await page.locator('.tile[data-camera="d"]').click();
  await second.locator('.tile[data-camera="d"]').click();
  assert.deepEqual((await rest('GET', '/cameras/d')).grade.match, identity);
  await page.locator('#match-section summary').click();
  await page.selectOption('#match-reference', 'a');
  await page.click('#match-solve');
  const delta = page.locator('.match-delta');
  await delta.waitFor({ timeout: 60000 });
  const before = Number(await delta.getAttribute('data-before'));
  const after = Number(await delta.getAttribute('data-after'));
  assert.ok(after < before / 2, `ΔE mean falls by half or more: ${before} → ${after}`);
  assert.match(await delta.innerText(), /onto CAM A/);
  await page.waitForFunction(() => {
    const img = document.querySelector('.match-picture');
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
  });

  await page.click('#match-apply');
  await page.locator('#match-apply', { hasText: 'Applied' }).waitFor();
  const solved = (await rest('GET', '/matches')).find((m) => m.camera === 'd' && m.applied_version != null);
  assert.ok(solved, 'the server lists the applied match');
  assert.deepEqual((await rest('GET', '/cameras/d')).grade.match, solved.cdl);
  // The second browser sees the new match node, and the trims stay as they were.
  await second.locator('.match-node', { hasText: `slope ${solved.cdl.slope.map((x) => x.toFixed(4)).join(' ')}` }).waitFor({ state: 'attached' });
  await page.locator('#match-section').screenshot({ path: join(artifacts, 'match.png') });

  await page.click('#undo');
  await eventually('the match node of d is identity again', async () =>
    JSON.stringify((await rest('GET', '/cameras/d')).grade.match) === JSON.stringify(identity));
  await second.locator('.match-node', { hasText: 'identity' }).waitFor({ state: 'attached' });
  assert.deepEqual([...page.errors, ...second.errors], []);
  await page.close();
  await second.close();
});
