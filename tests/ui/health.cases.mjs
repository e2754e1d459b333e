// The store alarm: when the server stops taking changes (GET /api/v1/health answers 503 with
// the reason, as after a failed disk sync), a banner says why and what to do, and goes away
// once the server answers healthy again. The page's requests to the health route pass
// through to the real server, which the test turns unhealthy on the way back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { audit } from './a11y.cases.mjs';
import { artifacts, openPage } from './harness.mjs';

test('a banner says why the show takes no changes, until it takes them again', async (t) => {
  let refusal = null;
  const seen = [];
  const page = await openPage({
    setup: (p) => p.route('**/api/v1/health', async (route) => {
      const response = await route.fetch();
      const health = await response.json();
      seen.push(health);
      if (refusal) await route.fulfill({ status: 503, json: { ...health, ok: false, refusal } });
      else await route.fulfill({ response, json: health });
    }),
  });
  const banner = page.locator('#store-alarm');
  await page.locator('#store-alarm[data-checks]').waitFor({ state: 'attached' });
  assert.ok(await banner.isHidden(), 'no banner while the server is healthy');

  refusal = 'the server takes no more changes since a disk sync failed (EIO on show.sqlite-wal); restart it';
  await page.locator('#store-alarm', { hasText: 'disk sync failed (EIO on show.sqlite-wal); restart it' }).waitFor();
  assert.match(await banner.innerText(), /^The server takes no more changes since a disk sync failed/);
  assert.equal(await banner.getAttribute('role'), 'alert');
  await page.screenshot({ path: join(artifacts, 'store-alarm.png') });
  assert.deepEqual(await audit(t, page, 'store alarm', '#store-alarm'), [], 'axe on the banner');

  refusal = null;
  await banner.waitFor({ state: 'hidden' });
  assert.ok(seen.length >= 3 && seen.every((h) => h.ok === true), 'the real server stayed healthy');
  assert.deepEqual(page.errors, []);
  await page.close();
});
