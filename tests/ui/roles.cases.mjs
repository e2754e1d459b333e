// Roles in the browser, on a server that asks for a login: a viewer sees the show with every
// control that would change it disabled and a visible "view only" state, and sends nothing
// however it tries; an operator grades but does not manage devices; an admin does both.
// Log out forgets the token and brings the login dialog back, with the show gone from the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { audit } from './a11y.cases.mjs';
import { artifacts, authServer, browser, eventually, PASSPHRASE, waitForServer } from './harness.mjs';

/** REST on `origin` with `token`; throws on an error status. */
async function call(origin, token, method, path, body) {
  const res = await fetch(`${origin}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Logs in through the page's dialog (blank user: the show's admin passphrase). */
async function logIn(page, user, passphrase) {
  await page.locator('#login-dialog[open]').waitFor();
  await page.fill('#login-user', user);
  await page.fill('#login-passphrase', passphrase);
  await page.click('#login-submit');
  await page.waitForFunction(() => window.lookwire?.connection.status === 'open');
  await page.waitForSelector('.tile');
  await page.locator('#devices tr').first().waitFor();
}

/** The panel's and header's controls a user can use now: ids or labels. */
function usable(page) {
  return page.evaluate(() => [...document.querySelectorAll('#panel :is(button, input, select), .bar :is(button, select)')]
    .filter((e) => !e.matches(':disabled'))
    .map((e) => e.id || e.getAttribute('aria-label') || e.textContent.trim()));
}

test('a viewer sees the show read-only; an operator grades but does not manage devices; log out returns to the login', async (t) => {
  const { server, origin } = await authServer();
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  try {
    await waitForServer(`${origin}/api/v1/session`);
    const admin = (await call(origin, null, 'POST', '/login', { passphrase: PASSPHRASE })).token;
    await call(origin, admin, 'POST', '/users', { name: 'vera', role: 'viewer', passphrase: 'watching-only' });
    await call(origin, admin, 'POST', '/users', { name: 'otto', role: 'operator', passphrase: 'grading-all-day' });

    const page = await context.newPage();
    page.setDefaultTimeout(90000);
    await page.addInitScript(() => localStorage.setItem('lookwire.scopes', 'off'));
    // Everything the page sends that could change the show: REST writes and socket messages.
    const writes = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET' && !r.url().endsWith('/api/v1/login')) writes.push(`${r.method()} ${r.url()}`);
    });
    await page.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
      const toServer = ws.connectToServer();
      ws.onMessage((message) => {
        writes.push(`ws ${message}`);
        toServer.send(message);
      });
    });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin);

    // The viewer: the show, live, with nothing to change it.
    await logIn(page, 'vera', 'watching-only');
    assert.equal(await page.locator('#session-user').innerText(), 'vera (viewer)');
    for (const id of ['#view-only', '#view-only-note', '#logout', '#device-admin-note']) assert.ok(await page.locator(id).isVisible(), `${id} shows`);
    const left = await usable(page);
    // Only looking is left: which output to watch, logging out, dialogs that show, routing's view.
    const looking = /^(output-select|logout|help-button|timecode-button|checks-button|export-button|Routing of .*|router-close)$/;
    assert.deepEqual(left.filter((name) => !looking.test(name)), [], `a viewer can use only views: ${left}`);
    assert.equal(await page.locator('#wheels canvas[aria-disabled="true"]').count(), 3, 'the wheels only show their value');
    assert.equal(await page.locator('#trim-sat').isDisabled(), true);
    await page.screenshot({ path: join(artifacts, 'viewer-role.png') });
    assert.deepEqual(await audit(t, page, 'view only', '#panel'), [], 'axe on the view-only panel');
    // The timecode and recording dialog shows the clock, sources and recorders, with
    // nothing a viewer could change.
    await page.click('#timecode-button');
    await page.locator('#recording-dialog[open]').waitFor();
    const changers = ['#jam-timecode', '#jam', '#show-tc-mode', '#show-tc-save', '#recorder-add', '#camera-recording-save', '#camera-tc-mode'];
    for (const id of changers) assert.ok(await page.locator(id).isDisabled(), `${id} is disabled for a viewer`);
    await page.click('#recording-close');

    // Trying anyway sends nothing: a wheel clicked and pushed by keys, editing shortcuts, a
    // disabled button clicked.
    const camera = await page.evaluate(() => window.lookwire.ui.focus);
    const before = (await call(origin, admin, 'GET', `/cameras/${camera}`)).grade.trim;
    const wheel = await page.locator('#wheels canvas').first().boundingBox();
    await page.mouse.click(wheel.x + wheel.width * 0.9, wheel.y + wheel.height / 2);
    await page.locator('#wheels canvas').first().focus();
    await page.keyboard.press('ArrowRight');
    await page.evaluate(() => /** @type {HTMLElement} */ (document.activeElement).blur());
    for (const key of ['r', 'Shift+R', 'Control+z', 'Control+Shift+z']) await page.keyboard.press(key);
    await page.locator('#device-add').click({ force: true, timeout: 2000 }).catch(() => {});
    assert.equal(await page.locator('#device-dialog[open]').count(), 0, 'no add-device dialog');
    assert.deepEqual(writes, [], 'a viewer sent no change');
    assert.deepEqual((await call(origin, admin, 'GET', `/cameras/${camera}`)).grade.trim, before);

    // What others change reaches the viewer live.
    await call(origin, admin, 'PATCH', `/cameras/${camera}/grade`, { trim: { ...before, sat: 1.37 } });
    await page.waitForFunction(() => Number(/** @type {HTMLInputElement} */ (document.getElementById('trim-sat')).value) === 1.37);

    // Log out: the token is forgotten, here and by the server; the login dialog is back and the show is gone.
    const viewerToken = await page.evaluate(() => sessionStorage.getItem('lookwire.token'));
    assert.ok(viewerToken, 'the viewer had a token');
    await page.click('#logout');
    await page.locator('#login-dialog[open]').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('lookwire.token')), null);
    const afterLogout = await fetch(`${origin}/api/v1/session`, { headers: { authorization: `Bearer ${viewerToken}` } });
    assert.equal(afterLogout.status, 401, 'the server no longer takes the logged-out token');
    assert.equal(await page.locator('.tile').count(), 0, 'no camera left behind the dialog');
    assert.ok(await page.locator('.layout').isHidden(), 'no empty screen behind the dialog either');
    assert.equal(new URL(page.url()).search, '');

    // The operator grades, but device administration stays disabled, and says why.
    await logIn(page, 'otto', 'grading-all-day');
    assert.equal(await page.locator('#session-user').innerText(), 'otto (operator)');
    assert.ok(await page.locator('#view-only').isHidden());
    assert.ok(await page.locator('#device-admin-note').isVisible());
    const operator = await usable(page);
    for (const id of ['trim-sat', 'undo', 'snapshot-take', 'output-display', 'show-undo']) assert.ok(operator.includes(id), `an operator can use ${id}`);
    const deviceAdmin = operator.filter((name) => name === 'device-add' || /^(Test|Identity|Remove|Bypass of) /.test(name));
    assert.deepEqual(deviceAdmin, [], 'device administration is an admin\'s');
    await page.fill('#trim-sat', '1.21');
    await page.press('#trim-sat', 'Enter');
    await eventually('the operator\'s trim is stored', async () => (await call(origin, admin, 'GET', `/cameras/${camera}`)).grade.trim.sat === 1.21);
    await page.screenshot({ path: join(artifacts, 'operator-role.png') });

    // The admin (the show passphrase) manages devices too.
    await page.click('#logout');
    await logIn(page, '', PASSPHRASE);
    assert.equal(await page.locator('#session-user').innerText(), 'admin (admin)');
    assert.ok(await page.locator('#device-add').isEnabled());
    assert.ok(await page.locator('#device-admin-note').isHidden());
    assert.ok(await page.locator('#devices button[aria-label^="Remove "]').first().isEnabled());
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    server.kill('SIGTERM');
  }
});
