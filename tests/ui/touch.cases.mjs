// A tablet: touch-sized controls, a tap focuses a camera, a finger drags a wheel, a slider
// and the compare wipe. Touch is sent as real touch events (CDP), so the page sees
// pointer events of type "touch", as on a tablet.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, eventually, openPage, trimOf } from './harness.mjs';

const TABLET = { viewport: { width: 1024, height: 1366 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

/** A one-finger drag from `from` to `to` (CSS pixels) in `steps` moves. */
async function touchDrag(page, from, to, steps = 8) {
  const cdp = await page.context().newCDPSession(page);
  const point = (t) => [{ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(0) });
  for (let i = 1; i <= steps; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(i / steps) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

const centre = (box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

test('on a tablet the trims are finger-sized and a finger drags a wheel, a slider and the wipe', async () => {
  const page = await openPage(TABLET);
  assert.equal(await page.evaluate(() => matchMedia('(pointer: coarse)').matches), true);
  await page.locator('.tile[data-camera="e"]').tap();
  await page.waitForFunction(() => window.lookwire.ui.focus === 'e');

  // Every control of the trims panel is at least 44 CSS pixels tall.
  const small = await page.evaluate(() => [...document.querySelectorAll('#panel button, #panel select, #trims input, #panel summary')]
    .filter((n) => n instanceof HTMLElement && n.offsetParent !== null)
    .map((n) => ({ id: n.id || n.textContent.trim().slice(0, 20), h: n.getBoundingClientRect().height }))
    .filter((c) => c.h < 44));
  assert.deepEqual(small, [], 'controls under 44 px');

  // Drag the offset wheel's puck to the right: towards blue (+Cb), luma kept.
  const before = await trimOf('e');
  const wheel = page.locator('.wheel canvas[aria-label="offset color wheel"]');
  await wheel.scrollIntoViewIfNeeded();
  const box = await wheel.boundingBox();
  await touchDrag(page, centre(box), { x: box.x + box.width * 0.9, y: box.y + box.height / 2 });
  await eventually('offset of e moved towards blue', async () => {
    const o = (await trimOf('e')).offset;
    return o[2] > before.offset[2] + 0.05 && o[1] < before.offset[1];
  });
  // However long the drag, the wheel moves chroma only: Rec.709 luma stays where it was.
  const after = (await trimOf('e')).offset;
  const luma = (o) => 0.2126 * o[0] + 0.7152 * o[1] + 0.0722 * o[2];
  assert.ok(Math.abs(luma(after) - luma(before.offset)) < 1e-5, `luma kept: ${before.offset} → ${after}`);

  // A finger drags the slope R slider most of the way to the right.
  const slider = page.locator('#trim-slope-r-slider');
  await slider.scrollIntoViewIfNeeded();
  const s = await slider.boundingBox();
  await touchDrag(page, { x: s.x + s.width * 0.25, y: s.y + s.height / 2 }, { x: s.x + s.width * 0.8, y: s.y + s.height / 2 });
  await eventually('slope R of e rose', async () => (await trimOf('e')).slope[0] > before.slope[0] + 1);
  await page.screenshot({ path: join(artifacts, 'tablet.png') });

  // The compare wipe follows a finger too.
  await page.selectOption('#compare-mode', 'wipe');
  await page.selectOption('#compare-source', 'camera:a');
  const view = page.locator('#compare-view');
  await view.scrollIntoViewIfNeeded();
  const v = await view.boundingBox();
  await touchDrag(page, centre(v), { x: v.x + v.width * 0.2, y: v.y + v.height / 2 });
  const wipe = await page.evaluate(() => window.lookwire.viewer.compare.wipe);
  assert.ok(Math.abs(wipe - 0.2) < 0.02, `wipe at ${wipe}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});
