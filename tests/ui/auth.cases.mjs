// A server open beyond loopback (`serve --bind 0.0.0.0:… --passphrase …`): the page asks to
// log in, then its sockets (changes, preview stream) and its pictures carry the token.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { audit } from './a11y.cases.mjs';
import { artifacts, authServer, browser, PASSPHRASE, pictureShows, waitForServer } from './harness.mjs';

test('with a passphrase the page asks to log in, then tiles, focus view and trims work over the token', async (t) => {
  const { server, origin } = await authServer();
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  try {
    await waitForServer(`${origin}/api/v1/session`);
    const refused = await fetch(`${origin}/api/v1/export`);
    assert.equal(refused.status, 401, 'the show is not readable without a login');

    let refuseStream = false;
    const sockets = [];
    const page = await context.newPage();
    page.setDefaultTimeout(90000);
    await page.addInitScript(() => localStorage.setItem('lookwire.scopes', 'off'));
    await page.routeWebSocket(/\/api\/v1\/(ws|preview\/stream)/, (ws) => {
      sockets.push(ws.url());
      if (refuseStream && ws.url().includes('/preview/stream')) ws.close({ code: 1013, reason: 'refused by the test' });
      else ws.connectToServer();
    });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin);
    await page.locator('#login-dialog[open]').waitFor();
    await page.fill('#login-passphrase', 'not the passphrase');
    await page.click('#login-submit');
    await page.locator('#login-error', { hasText: 'wrong passphrase' }).waitFor();
    assert.deepEqual(await audit(t, page, 'login', '#login-dialog'), [], 'axe on the login dialog');
    await page.fill('#login-passphrase', PASSPHRASE);
    await page.screenshot({ path: join(artifacts, 'login.png') });
    await page.click('#login-submit');
    await page.waitForFunction(() => window.lookwire?.connection.status === 'open' && window.lookwire.stream.live);
    assert.equal(await page.locator('#session-user').innerText(), 'admin (admin)');

    // Every tile and the focus view get their pictures from the stream, which was opened with the token.
    const cameras = await page.evaluate(() => window.lookwire.state.cameras().map((c) => c.id));
    for (const id of cameras) await pictureShows(page, `.tile[data-camera="${id}"] img`, 'stream', 0);
    await pictureShows(page, '#focus-preview', 'stream', 0, cameras[0]);
    assert.ok(sockets.length >= 2 && sockets.every((u) => /[?&]token=[0-9a-f]{64}/.test(u)), `sockets carry the token: ${sockets}`);

    // A trim typed in the page is committed (changes send the token as a header).
    await page.fill('#trim-sat', '1.25');
    await page.press('#trim-sat', 'Enter');
    const token = await page.evaluate(() => sessionStorage.getItem('lookwire.token'));
    const satOf = async () => (await (await fetch(`${origin}/api/v1/cameras/${cameras[0]}`, { headers: { authorization: `Bearer ${token}` } })).json()).grade.trim.sat;
    await page.waitForFunction(() => window.lookwire.connection.pending.size === 0);
    assert.equal(await satOf(), 1.25);

    // With the stream down, the fallback pictures (preview.jpg) carry the token and load.
    refuseStream = true;
    await page.evaluate(() => window.lookwire.stream.drop());
    await page.waitForFunction(() => window.lookwire.stream.failed);
    for (const id of cameras) await pictureShows(page, `.tile[data-camera="${id}"] img`, 'jpg', 0);
    const src = await page.locator(`.tile[data-camera="${cameras[0]}"] img`).getAttribute('src');
    assert.match(src, /preview\.jpg\?.*token=[0-9a-f]{64}/);

    // A reload keeps the login for this tab.
    refuseStream = false;
    await page.reload();
    await page.waitForFunction(() => window.lookwire?.connection.status === 'open' && window.lookwire.stream.live);
    assert.equal(await page.locator('#login-dialog[open]').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    server.kill('SIGTERM');
  }
});
