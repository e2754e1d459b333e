// Shared by the UI suites: one `lookwire serve --demo` and one Chromium for the whole run,
// REST helpers, and pages opened on the demo show.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
export const artifacts = join(root, 'tests/artifacts/ui');
export const binary = process.env.LOOKWIRE_BIN ?? join(root, 'target/debug/lookwire');
/** The demo server of the whole run (set once it listens). */
export let base = '';

let server;
export let browser;

/** Waits until a server answers at `url` (any HTTP status: one asking for a login too). */
export async function waitForServer(url = `${base}/api/v1/show`) {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`lookwire did not start: ${url}`);
}

/**
 * Starts `lookwire serve --demo` on `host` at a port the system picks (port 0: no clash with
 * another server or an outgoing connection's port); resolves with its process and origin
 * once it says where it listens. Its output goes on to this process's stderr.
 * @param {string} host @param {Record<string, string>} [env]
 */
export function startServer(host, env = {}) {
  const server = spawn(binary, ['serve', '--demo', '--bind', `${host}:0`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let said = '';
    const hear = (chunk) => {
      process.stderr.write(chunk);
      said += chunk;
      const port = said.match(/ at http:\/\/[^/]*:(\d+)\//)?.[1];
      if (port) resolve({ server, origin: `http://127.0.0.1:${port}` });
    };
    server.stdout.on('data', hear);
    server.stderr.on('data', hear);
    server.on('exit', (code) => reject(new Error(`lookwire serve exited (${code}) before listening: ${said}`)));
  });
}

/** The show passphrase of servers started by `authServer`. */
export const PASSPHRASE = 'truck-night-shift';

/**
 * A demo server bound beyond loopback, so it asks for a login (admin: `PASSPHRASE`):
 * its process and the origin to reach it at. The caller kills it.
 */
export function authServer() {
  return startServer('0.0.0.0', { LOOKWIRE_PASSPHRASE: PASSPHRASE });
}

/**
 * Waits until the picture `selector` shows, from `kind` ('stream' | 'jpg'), show version
 * `min` or later (and camera `camera`, when given, for the focus view).
 */
export async function pictureShows(page, selector, kind, min, camera = null) {
  await page.waitForFunction(([sel, k, v, id]) => {
    const img = /** @type {HTMLImageElement} */ (document.querySelector(sel));
    const src = img?.getAttribute('src') ?? '';
    const isStream = src.startsWith('blob:');
    const version = isStream || img.dataset.camera ? Number(img.dataset.version) : Number(new URL(src || '/', location.href).searchParams.get('v'));
    return src !== '' && isStream === (k === 'stream') && version >= v && img.complete && img.naturalWidth > 0
      && (id === null || img.dataset.camera === id);
  }, [selector, kind, min, camera]);
}

/** The picture `selector` shows: its source kind, the show version, its mean RGB. */
export function pictureOf(page, selector) {
  return page.evaluate(async (sel) => {
    const img = /** @type {HTMLImageElement} */ (document.querySelector(sel));
    if (!img.complete || !img.naturalWidth) await new Promise((r) => img.addEventListener('load', r, { once: true }));
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
    const sum = [0, 0, 0];
    for (let p = 0; p < data.length; p += 4) for (let c = 0; c < 3; c++) sum[c] += data[p + c];
    const src = img.getAttribute('src') ?? '';
    const isStream = src.startsWith('blob:');
    const version = isStream || img.dataset.camera ? Number(img.dataset.version) : Number(new URL(src, location.href).searchParams.get('v'));
    return { kind: isStream ? 'stream' : 'jpg', version, mean: sum.map((s) => s / (data.length / 4)) };
  }, selector);
}

export async function rest(method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Polls `check` (run here, not in the page) until it returns true, or fails after 10 s. */
export async function eventually(what, check) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}

export const trimOf = async (id) => (await rest('GET', `/cameras/${id}`)).grade.trim;

/**
 * A page on the demo show, once it is live. Scopes cost the debug server seconds per
 * frame, so they start switched off (the user's stored choice) unless `scopes` is true.
 * `setup(page)` runs before the page loads (routes, init scripts).
 */
export async function openPage({ scopes = false, setup = async (_page) => {}, ...options } = {}) {
  // A context of its own (axe-core opens a second page in it), closed with the page.
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, ...options });
  const page = await context.newPage();
  page.once('close', () => context.close().catch(() => {}));
  await setup(page);
  if (!scopes) await page.addInitScript(() => localStorage.setItem('lookwire.scopes', 'off'));
  // A debug server on a busy machine takes seconds per new picture: waits allow a minute.
  page.setDefaultTimeout(60000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  await page.waitForFunction(() => window.lookwire?.connection.status === 'open');
  await page.waitForSelector('.tile');
  page.errors = errors;
  return page;
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  let origin;
  ({ server, origin } = await startServer('127.0.0.1'));
  base = origin;
  await waitForServer();
  // The debug build renders a camera's first preview in seconds (its look is baked
  // unoptimised, one at a time): render each once here so no test's wait includes it.
  const launching = chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const camera of await rest('GET', '/cameras')) {
    for (const width of [480, 960]) {
      const res = await fetch(`${base}/api/v1/cameras/${camera.id}/preview.jpg?width=${width}`);
      assert.ok(res.ok, `preview of ${camera.id}: ${res.status}`);
      await res.arrayBuffer();
    }
  }
  browser = await launching;
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

