// The export dialog: upload the day's clip list, export CDLs for post, and check that the
// .cc a post tool would read parses and carries the camera's grade.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, eventually, openPage, rest } from './harness.mjs';

const GRADE = { slope: [1.25, 0.9, 1.1], offset: [0.01, -0.02, 0.03], power: [1.05, 0.95, 1], sat: 0.8 };

/** A day's clip list: one clip per camera, starting a minute from now in show timecode. */
function ale(timecode, clips) {
  const [h, m, s] = timecode.split(/[:;]/).map(Number);
  const at = (minutes) => {
    const total = (h * 60 + m + minutes) % (24 * 60);
    return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}:${String(s).padStart(2, '0')}:00`;
  };
  const rows = clips.map(([name, camera]) => `${name}\tV\t${at(1)}\t${at(2)}\t${name.slice(0, 4)}\t${camera}\t${name}.mxf`);
  return ['Heading', 'FIELD_DELIM\tTABS', 'VIDEO_FORMAT\t1080', 'FPS\t25', '', 'Column',
    'Name\tTracks\tStart\tEnd\tTape\tCamera\tSource File', '', 'Data', ...rows, ''].join('\n');
}

test('the export dialog writes a .cc per clip that parses and carries the grade', async () => {
  const page = await openPage();
  await page.locator('.tile[data-camera="f"]').click();
  // A grade with no show look, so the exported CDL is the trim itself.
  await page.evaluate((g) => {
    const { connection } = window.lookwire;
    connection.trim('f', 'look', null);
    for (const key of ['slope', 'offset', 'power']) connection.trim('f', `trim.${key}`, g[key]);
    connection.trim('f', 'trim.sat', g.sat);
  }, GRADE);
  await eventually('f carries the test grade', async () => {
    const grade = (await rest('GET', '/cameras/f')).grade;
    return grade.look === null && JSON.stringify(grade.trim) === JSON.stringify(GRADE);
  });

  const tag = Date.now().toString(36).toUpperCase();
  const clip = `F${tag}`;
  const { timecode } = await rest('GET', '/timecode');
  await page.click('#export-button');
  await page.locator('#export-dialog[open]').waitFor();
  await page.setInputFiles('#export-upload', {
    name: `day-${tag}.ale`, mimeType: 'text/plain', buffer: Buffer.from(ale(timecode, [[clip, 'f'], [`A${tag}`, 'a']])),
  });
  await page.locator('#export-clips option', { hasText: `day-${tag}.ale` }).waitFor({ state: 'attached' });
  assert.match(await page.locator('#export-clips option:checked').innerText(), new RegExp(`day-${tag}`));
  // Only camera F, as .cc and .ccc.
  for (const other of ['a', 'b', 'c', 'd', 'e']) await page.uncheck(`#export-cameras input[value="${other}"]`);
  await page.click('#export-go');
  const link = page.locator(`#export-result li[data-path="cc/${clip}.cc"] a`);
  // The package's files, or the server's refusal in the status line.
  await page.waitForFunction(() => document.querySelector('#export-result li') !== null
    || !/^(exporting…)?$/.test(document.getElementById('export-status').textContent));
  assert.equal(await page.locator('#export-status').innerText(), '', 'no export error');
  await link.waitFor();
  assert.equal(await page.locator(`#export-result li[data-path="cc/A${tag}.cc"]`).count(), 0, 'camera A left out');
  assert.doesNotMatch(await page.locator('#export-result').innerText(), /\b(null|undefined)\b/);
  await page.locator('#export-dialog').screenshot({ path: join(artifacts, 'export.png') });

  const cdl = await page.evaluate(async (href) => {
    const text = await (await fetch(href)).text();
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    if (doc.querySelector('parsererror')) return { error: text };
    const numbers = (tag) => doc.getElementsByTagName(tag)[0].textContent.trim().split(/\s+/).map(Number);
    return {
      id: doc.documentElement.getAttribute('id'),
      slope: numbers('Slope'), offset: numbers('Offset'), power: numbers('Power'), sat: numbers('Saturation')[0],
    };
  }, await link.getAttribute('href'));
  assert.equal(cdl.error, undefined, 'the .cc parses as XML');
  assert.deepEqual(cdl, { id: clip, ...GRADE });

  // The package is listed with the earlier ones.
  await page.locator('#export-packages li').first().waitFor({ state: 'attached' });
  await page.click('#export-close');
  assert.deepEqual(page.errors, []);
  await page.close();
});
