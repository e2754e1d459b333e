// Accessibility: axe-core over the main views (the VC's screen, the help, export and
// add-device dialogs, a compare mode, the routing panel). Serious and critical violations
// fail, and so do serious ones axe leaves for review (contrast over pictures aside); every
// finding is reported as a diagnostic so the lesser ones stay visible. And the color
// wheels work from the keyboard.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { eventually, openPage, rest, trimOf } from './harness.mjs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** Runs axe on the page (or `include`), reports what it finds, returns the serious/critical ones. */
export async function audit(t, page, view, include) {
  let builder = new AxeBuilder({ page }).withTags(TAGS);
  if (include) builder = builder.include(include);
  const { violations, incomplete, passes } = await builder.analyze();
  assert.ok(passes.length > 0, `${view}: axe ran (${passes.length} rules passed)`);
  const line = (kind) => (v) => `axe ${view}: ${kind} ${v.impact} ${v.id} (${v.nodes.length}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`;
  // Seen in the test's diagnostics; "needs review" ones are what axe could not decide.
  for (const text of [...violations.map(line('violation')), ...incomplete.map(line('needs review'))]) t.diagnostic(text);
  const grave = (v) => v.impact === 'serious' || v.impact === 'critical';
  return [...violations, ...incomplete.filter((v) => v.id !== 'color-contrast')]
    .filter(grave)
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')})`);
}

test('axe finds no serious or critical violation on the main views', async (t) => {
  const page = await openPage();
  await page.locator('#devices tr').first().waitFor();
  await page.waitForFunction(() => !document.getElementById('picture-options').hidden);
  const found = {};
  found.screen = await audit(t, page, 'screen');

  await page.keyboard.press('?');
  await page.locator('#help[open]').waitFor();
  found.help = await audit(t, page, 'help', '#help');
  await page.keyboard.press('Escape');

  await page.click('#export-button');
  await page.locator('#export-dialog[open]').waitFor();
  found.export = await audit(t, page, 'export', '#export-dialog');
  await page.click('#export-close');

  await page.click('#device-add');
  await page.locator('#device-dialog[open]').waitFor();
  found.device = await audit(t, page, 'add device', '#device-dialog');
  await page.click('#device-cancel');

  await page.locator('#devices tr[data-device="videohub"]').getByRole('button', { name: 'Routing of videohub' }).click();
  await page.locator('#router-body select').first().waitFor();
  await page.selectOption('#compare-mode', 'wipe');
  await page.locator('#compare-view[data-mode="wipe"]').waitFor();
  found.compare = await audit(t, page, 'compare and routing');

  for (const [view, list] of Object.entries(found)) assert.deepEqual(list, [], `${view}: ${list.join('; ')}`);
  await page.close();
});

test('the color wheels are reachable and work from the keyboard', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="c"]').click();
  const wheel = page.getByRole('slider', { name: /offset color wheel/i });
  await wheel.focus();
  const start = await trimOf('c');
  // Right pushes towards blue (+Cb), keeping luma: blue rises, green falls (red has no Cb term).
  // Two presses faster than the server's echo are two steps (0.05 of the 0.1 reach in Cb
  // each, ×1.8556 in blue), not one: each starts from the wheel's own last value.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const twoSteps = 2 * 0.005 * 1.8556;
  await eventually('offset of c moved two steps towards blue', async () => {
    const o = (await trimOf('c')).offset;
    return Math.abs(o[2] - start.offset[2] - twoSteps) < 1e-4;
  });
  const moved = await trimOf('c');
  assert.ok(moved.offset[1] < start.offset[1], `green falls: ${start.offset} → ${moved.offset}`);
  const luma = (v) => 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  assert.ok(Math.abs(luma(moved.offset) - luma(start.offset)) < 1e-5, 'luma kept');
  assert.match(await wheel.getAttribute('aria-valuetext'), /blue|Cb/i);
  // Home recentres.
  await page.keyboard.press('Home');
  await eventually('offset of c recentred', async () => {
    const o = (await trimOf('c')).offset;
    return Math.abs(o[0] - o[2]) < 1e-6 && Math.abs(o[1] - o[2]) < 1e-6;
  });
  // A press, camera 4 by its key, a press, all faster than the echo: each camera moves one
  // step from its own value (the second press does not start from c's).
  const dBefore = await trimOf('d');
  await rest('PATCH', '/cameras/d/grade', { trim: { ...dBefore, offset: [0.03, 0.02, -0.01] } });
  const [c0, d0] = [await trimOf('c'), await trimOf('d')];
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('4');
  await page.keyboard.press('ArrowRight');
  const oneStep = 0.005 * 1.8556;
  await eventually('c and d each moved one step towards blue', async () => {
    const [c, d] = [await trimOf('c'), await trimOf('d')];
    return Math.abs(c.offset[2] - c0.offset[2] - oneStep) < 1e-4 && Math.abs(d.offset[2] - d0.offset[2] - oneStep) < 1e-4;
  });
  await rest('PATCH', '/cameras/d/grade', { trim: dBefore });
  await page.close();
});
