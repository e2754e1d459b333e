// Devices and tally in the UI: a LUT box that drops and comes back, and the mixer's tally
// marking cameras on air and in preview. Both are added through the device API, talking to
// peers this test runs (a small LWLB box, TSL datagrams).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { join } from 'node:path';
import { FakeLutBox } from './fake-lutbox.mjs';
import { artifacts, eventually, openPage, rest } from './harness.mjs';

/** A TCP port free now (for listeners the server opens). */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {net.AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const stateOf = (locator) => locator.getAttribute('data-state');

async function waitForState(page, selector, want, timeout = 60000) {
  await page.waitForFunction(([sel, s]) => {
    const node = document.querySelector(sel);
    return node instanceof HTMLElement && (s.startsWith('!') ? node.dataset.state !== s.slice(1) : node.dataset.state === s);
  }, [selector, want], { timeout });
}

test('a LUT box that drops shows in the multiviewer and the device table, and so does its return', async () => {
  const box = await new FakeLutBox().start();
  await rest('POST', '/devices', {
    id: 'ui-box', camera: 'b', output: 'sdr', driver: { kind: 'lwlb', address: `127.0.0.1:${box.port}` },
  });
  const page = await openPage();
  const dot = '.tile[data-camera="b"] .dot[data-device="ui-box"]';
  const row = '#devices tr[data-device="ui-box"]';
  try {
    await waitForState(page, dot, 'connected');
    await waitForState(page, row, 'connected');
    await eventually('the box received the look', async () => box.pushes > 0);

    // Switched off: the next look cannot reach it.
    await box.stop();
    await page.evaluate(() => window.lookwire.connection.trim('b', 'trim.offset.g', 0.003));
    await waitForState(page, dot, '!connected');
    await waitForState(page, row, '!connected');
    await page.locator('.tile[data-camera="b"].device-trouble .badge.trouble', { hasText: 'ui-box' }).waitFor();
    assert.notEqual(await stateOf(page.locator(row)), 'connected');
    await page.screenshot({ path: join(artifacts, 'device-down.png') });

    // Back on the same address: lookwire reconnects by itself and resends the look.
    const pushesBefore = box.pushes;
    await box.start();
    await waitForState(page, dot, 'connected');
    await waitForState(page, row, 'connected');
    assert.equal(await page.locator('.tile[data-camera="b"] .badge.trouble').count(), 0);
    assert.ok(box.pushes > pushesBefore, 'the look was resent after the reconnect');
    assert.deepEqual(page.errors, []);
  } finally {
    await rest('DELETE', '/devices/ui-box');
    await box.stop().catch(() => {});
    await page.close();
  }
});

/** A TSL v3.1 packet: address, tally 1 (program) and tally 2 (preview), 16 characters. */
function tsl31(address, { program = false, preview = false }, text) {
  const packet = Buffer.alloc(18, 0x20);
  packet[0] = 0x80 + address;
  packet[1] = (program ? 1 : 0) | (preview ? 2 : 0);
  packet.write(text.padEnd(16).slice(0, 16), 2, 'latin1');
  return packet;
}

test('tally from the mixer marks a camera on air, then in preview, then neither', async () => {
  const [udp, tcp] = [await freePort(), await freePort()];
  await rest('POST', '/devices', {
    id: 'ui-tally', driver: { kind: 'tsl', udp: `127.0.0.1:${udp}`, tcp: `127.0.0.1:${tcp}`, sources: { 3: 'c' } },
  });
  const page = await openPage();
  const socket = dgram.createSocket('udp4');
  const send = (lamps) => new Promise((resolve, reject) =>
    socket.send(tsl31(3, lamps, 'CAM C'), udp, '127.0.0.1', (e) => (e ? reject(e) : resolve(undefined))));
  const tile = page.locator('.tile[data-camera="c"]');
  const tallyIs = (want) => page.waitForFunction((w) =>
    document.querySelector('.tile[data-camera="c"]')?.getAttribute('data-tally') === w, want);
  try {
    await send({ program: true });
    await tallyIs('program');
    await tile.locator('.badge.tally-program', { hasText: 'ON AIR' }).waitFor();
    const tally = await rest('GET', '/tally');
    assert.ok(tally.some((t) => t.camera === 'c' && t.program), JSON.stringify(tally));
    // The focus view says so too.
    await tile.click();
    await page.locator('#focus-tally', { hasText: 'ON AIR' }).waitFor();
    await page.screenshot({ path: join(artifacts, 'tally.png') });

    await send({ preview: true });
    await tallyIs('preview');
    await tile.locator('.badge.tally-preview', { hasText: 'PVW' }).waitFor();

    await send({});
    await tallyIs('off');
    assert.equal(await tile.locator('.badge').count(), 0);
    assert.ok(await page.locator('#focus-tally').isHidden());
  } finally {
    socket.close();
    await rest('DELETE', '/devices/ui-tally');
    await page.close();
  }
});

test('on-air protection holds a change while its camera is on air, says so, and sends it once off air', async () => {
  const [udp, tcp] = [await freePort(), await freePort()];
  const box = await new FakeLutBox().start();
  await rest('POST', '/devices', {
    id: 'ui-hold-box', camera: 'c', output: 'sdr', driver: { kind: 'lwlb', address: `127.0.0.1:${box.port}` },
  });
  await rest('POST', '/devices', {
    id: 'ui-hold-tally',
    driver: { kind: 'tsl', udp: `127.0.0.1:${udp}`, tcp: `127.0.0.1:${tcp}`, sources: { 4: 'c' }, protection: { mode: 'hold' } },
  });
  const page = await openPage();
  const socket = dgram.createSocket('udp4');
  const send = (lamps) => new Promise((resolve, reject) =>
    socket.send(tsl31(4, lamps, 'CAM C'), udp, '127.0.0.1', (e) => (e ? reject(e) : resolve(undefined))));
  const row = '#devices tr[data-device="ui-hold-box"]';
  try {
    await waitForState(page, row, 'connected');
    await eventually('the box received the look', async () => box.pushes > 0);
    await page.locator('.tile[data-camera="c"]').click();
    await send({ program: true });
    await page.waitForFunction(() => document.querySelector('.tile[data-camera="c"]')?.getAttribute('data-tally') === 'program');
    const pushes = box.pushes;

    const sat = Number(((await rest('GET', '/cameras/c')).grade.trim.sat + 0.05).toFixed(4));
    await page.fill('#trim-sat', String(sat));
    await page.press('#trim-sat', 'Enter');
    await page.locator('#focus-tally', { hasText: 'change held until off air' }).waitFor();
    await page.locator(`${row} .badge`, { hasText: 'held' }).waitFor();
    await page.screenshot({ path: join(artifacts, 'on-air-held.png') });
    assert.equal(box.pushes, pushes, 'nothing reached the box while on air');
    assert.equal((await rest('GET', '/cameras/c')).grade.trim.sat, sat, 'the change itself is committed');

    await send({});
    await eventually('the held look reached the box once off air', async () => box.pushes > pushes);
    await page.waitForFunction(() => document.getElementById('focus-tally').hidden);
    assert.equal(await page.locator(`${row} .badge`, { hasText: 'held' }).count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    socket.close();
    await rest('DELETE', '/devices/ui-hold-tally');
    await rest('DELETE', '/devices/ui-hold-box');
    await box.stop().catch(() => {});
    await page.close();
  }
});

test('the device table shows each device\'s state, last push time and the colour error its limits cost', async () => {
  const page = await openPage();
  await page.locator('#devices tr').first().waitFor();
  const cell = (v, digits, unit) => (v != null ? `${Number(v).toFixed(digits)} ${unit}` : '—');
  // Pushes go on while we look: compare a table and a device list taken close together.
  await eventually('the table shows what GET /devices reports', async () => {
    const devices = await rest('GET', '/devices');
    const rows = await page.locator('#devices tr').evaluateAll((trs) => trs.map((tr) => ({
      id: /** @type {HTMLElement} */ (tr).dataset.device,
      state: /** @type {HTMLElement} */ (tr).dataset.state,
      push: tr.children[2].textContent,
      error: tr.children[3].textContent,
    })));
    const want = devices.map((d) => ({ id: d.id, state: d.state, push: cell(d.last_push_ms, 1, 'ms'), error: cell(d.error_max_cv, 2, 'cv') }));
    return JSON.stringify(rows) === JSON.stringify(want);
  });
  // A camera that takes a CDL only cannot carry the whole look: its error is shown, not zero.
  const camera = (await rest('GET', '/devices')).find((d) => d.kind === 'bmd-rest');
  assert.ok(camera && camera.error_max_cv > 1, `a CDL-only camera's error: ${JSON.stringify(camera)}`);
  assert.match(await page.locator(`#devices tr[data-device="${camera.id}"] td:nth-child(4)`).innerText(), /^\d+\.\d\d cv$/);
  await page.close();
});
