// lookwire's VC screen: multiviewer, the focused camera's trims, wheels, snapshots,
// devices. The server holds the truth; this page shows it and sends changes.

import { api, currentToken, withToken } from './api.js';
import { Connection } from './connection.js';
import { buildDeviceAdmin } from './device-admin.js';
import { displayOptions, knownDisplay, loadDisplays } from './displays.js';
import { BYPASS, cameraDeviceMarks, DeviceWatch } from './devices.js';
import { $, el, toast } from './dom.js';
import { ShowState } from './state.js';
import { watchHealth } from './health.js';
import { buildExport } from './export.js';
import { buildChecks, renderFeed } from './checks.js';
import { login, logout, needsLogin } from './login.js';
import { buildMatch } from './match.js';
import { buildRecording } from './recording.js';
import { buildScenes } from './scenes.js';
import { allowed, setRole } from './roles.js';
import { PreviewStream } from './stream.js';
import { buildTrims } from './trims.js';
import { buildViewer } from './viewer.js';
import { Wheel } from './wheel.js';

const state = new ShowState();
const connection = new Connection(state, { token: currentToken });
// The multiviewer's and the focus view's pictures come over the preview stream;
// preview.jpg only while it is down.
const stream = new PreviewStream({ token: currentToken });
const ui = {
  focus: null, // camera id
  output: null, // output id for the focus view
  selected: new Set(), // cameras picked with Shift+click (gang / copy targets)
  gang: false,
  previewVersion: new Map(), // camera id → version whose picture is showing
};
const devices = new DeviceWatch(() => state.show?.device_bypass);
const lookwire = { state, connection, stream, ui, devices, viewer: null, match: null, exports: null, checks: null, recording: null, scenes: null, deviceAdmin: null };
/** @type {any} */ (window).lookwire = lookwire; // for tests and the console

async function reload() {
  state.load(await api('GET', '/export'));
}

/** Who is here: GET /session, after a login when the server asks for one. */
async function signIn() {
  for (;;) {
    try {
      return await api('GET', '/session');
    } catch (error) {
      if (!needsLogin(error)) throw error;
      await login();
    }
  }
}

/** Shows who is logged in and offers only what their role may do. */
function applySession(session) {
  setRole(session.role);
  $('session-user').hidden = !session.auth_required;
  $('session-user').textContent = `${session.user} (${session.role})`;
  $('logout').hidden = !session.auth_required;
  $('view-only').hidden = allowed('operator');
  $('view-only-note').hidden = allowed('operator');
  $('device-admin-note').hidden = allowed('admin');
}

/** The show, once logged in (a server beyond loopback asks who is there first). */
async function firstLoad() {
  applySession(await signIn());
  await loadDisplays();
  await reload();
}

/** After a lost socket: a token that expired asks for a login again (the sockets retry). */
async function checkSession() {
  try {
    await api('GET', '/session');
  } catch (error) {
    if (needsLogin(error)) applySession(await signIn());
  }
}

// ---- multiviewer -------------------------------------------------------------------

/** Show version at which each camera's picture last changed: its preview URL changes only then. */
const pictureVersion = new Map();

/**
 * The camera's picture at `width`, with `extra` query parameters (view, overlay, snapshot).
 * @param {any} camera @param {number} width @param {Record<string, string>} [extra]
 */
function previewUrl(camera, width, extra = {}) {
  const v = pictureVersion.get(camera.id) ?? state.version;
  const params = new URLSearchParams({ width: String(width), v: String(v), ...extra });
  if (ui.output) params.set('output', ui.output);
  return withToken(`/api/v1/cameras/${encodeURIComponent(camera.id)}/preview.jpg?${params}`);
}

const TALLY_TEXT = { program: 'ON AIR', preview: 'PVW' };

function tileLabel(camera, index) {
  const tally = devices.tallyOf(camera.id);
  return el('span', { class: 'label' },
    el('strong', { title: camera.label }, `${index + 1} ${camera.label}`),
    tally ? el('span', { class: `badge tally-${tally}` }, TALLY_TEXT[tally]) : null,
    el('span', { class: 'spacer' }),
    el('span', { class: 'space', title: 'Input space' }, camera.input_space),
    ...cameraDeviceMarks(devices, camera));
}

/** The tile's picture: kept current by the stream, or through preview.jpg while it is down. */
function tilePicture(img, camera) {
  // Live: the stream sets the picture (a fallback one stays until its first frame). Opening:
  // no request either way yet.
  if (!stream.failed) return;
  const url = previewUrl(camera, 480);
  if (img.getAttribute('src') !== url) img.src = url;
  if (img.dataset.blob) URL.revokeObjectURL(img.dataset.blob);
  delete img.dataset.blob;
}

/** Brings a tile up to date in place (a fallback picture reloads only when its URL changed). */
function updateTile(button, camera, index) {
  if (!button) {
    const img = el('img', { alt: `${camera.label} graded preview`, width: 480, height: 270 });
    img.addEventListener('error', () => button.classList.add('no-picture'));
    img.addEventListener('load', () => button.classList.remove('no-picture'));
    button = el('button', {
      class: 'tile',
      dataset: { camera: camera.id },
      onclick: (event) => (event.shiftKey ? toggleSelected(camera.id) : focus(camera.id)),
    }, img, el('span', { class: 'label' }));
  }
  const tally = devices.tallyOf(camera.id);
  button.classList.toggle('selected', ui.selected.has(camera.id));
  button.classList.toggle('device-trouble', devices.forCamera(camera).some((d) => d.state !== 'connected'));
  button.dataset.tally = tally ?? 'off';
  button.setAttribute('aria-current', camera.id === ui.focus ? 'true' : 'false');
  const selected = ui.selected.has(camera.id) ? ', selected' : '';
  button.setAttribute('aria-label', `${camera.label}, ${camera.input_space}${tally ? `, ${TALLY_TEXT[tally]}` : ''}${selected}`);
  tilePicture(button.querySelector('img'), camera);
  button.querySelector('.label').replaceWith(tileLabel(camera, index));
  return button;
}

function renderMultiviewer() {
  const box = $('multiviewer');
  const existing = new Map([...box.children].map((t) => [/** @type {HTMLElement} */ (t).dataset.camera, t]));
  const tiles = state.cameras().map((c, i) => updateTile(existing.get(c.id), c, i));
  if (tiles.length !== box.children.length || tiles.some((t, i) => box.children[i] !== t)) box.replaceChildren(...tiles);
  box.style.setProperty('--tiles', String(Math.max(1, tiles.length))); // one row where they fit
  subscribePictures();
  fitFocus();
}

/**
 * Tells the stream every picture to keep current: the focus view first (a pass sends its
 * pictures in order, so the one the VC watches comes first), then the tiles.
 */
function subscribePictures() {
  const pictures = new Map();
  const focused = lookwire.viewer?.picture();
  if (focused) pictures.set('focus', focused);
  const b = lookwire.viewer?.pictureB();
  if (b) pictures.set(b.id, { sub: b.sub, img: b.img });
  for (const tile of /** @type {HTMLElement[]} */ ([...$('multiviewer').children])) {
    const camera = tile.dataset.camera;
    const sub = { camera, width: 480, ...(ui.output ? { output: ui.output } : {}) };
    pictures.set(`tile:${camera}`, { sub, img: tile.querySelector('img') });
  }
  stream.subscribe(pictures);
}

/**
 * Keeps the focus picture within the window's height: the widest 16:9 picture that fits
 * between its top and the window's bottom (less its caption), never under 32 rem wide.
 * A wide window scrolls no picture out of sight; a narrow one (tablet) scrolls the page.
 */
function fitFocus() {
  const figure = document.querySelector('.focus-view');
  if (!(figure instanceof HTMLElement)) return;
  const top = figure.getBoundingClientRect().top + window.scrollY;
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  const height = window.innerHeight - top - 2.5 * rem;
  const width = Math.max(32 * rem, (height * 16) / 9);
  figure.style.setProperty('--focus-max', `${Math.round(width)}px`);
}

function toggleSelected(id) {
  if (ui.selected.has(id)) ui.selected.delete(id);
  else ui.selected.add(id);
  renderMultiviewer();
}

// ---- focus panel -------------------------------------------------------------------

/** @type {(cdl: any) => void} */
let showTrim = () => {};
const wheels = {};

function buildPanel() {
  showTrim = buildTrims($('trims'), sendTrim);
  const reach = { offset: 0.1, power: 0.3, slope: 0.3 };
  for (const name of ['offset', 'power', 'slope']) {
    const wheel = new Wheel(name, reach[name], (values) => sendTrim(`trim.${name}`, values));
    wheels[name] = wheel;
    wheel.canvas.dataset.needs = 'operator'; // a viewer's wheels show their value only
    $('wheels').append(el('div', { class: 'wheel' }, wheel.canvas, el('div', {}, name[0].toUpperCase() + name.slice(1))));
  }
}

function sendTrim(field, value) {
  if (!ui.focus) return;
  if (ui.gang && ui.selected.size > 0) return gangTrim(field, value);
  connection.trim(ui.focus, field, value);
}

/**
 * Gang: the focused camera's change becomes a delta applied to every selected camera.
 * One request at a time, each measured from the server's current value, and only the
 * newest value waiting (a slider drag sends many), so deltas never double up.
 */
let gangWaiting = null;
let gangBusy = false;

async function gangTrim(field, value) {
  gangWaiting = { field, value, cameras: [...new Set([ui.focus, ...ui.selected])] };
  if (gangBusy) return;
  gangBusy = true;
  try {
    while (gangWaiting) {
      const next = gangWaiting;
      gangWaiting = null;
      await gangStep(next);
    }
  } catch (error) {
    toast(error.message);
  } finally {
    gangBusy = false;
  }
}

async function gangStep({ field, value, cameras }) {
  const trim = (await api('GET', `/cameras/${encodeURIComponent(cameras[0])}`)).grade.trim;
  const [, key, channel] = field.split('.');
  const before = channel ? trim[key]['rgb'.indexOf(channel)] : trim[key];
  const delta = Array.isArray(value) ? value.map((v, i) => v - before[i]) : value - before;
  const groups = await api('GET', '/groups');
  if (groups.some((g) => g.id === 'ui-gang')) await api('PATCH', '/groups/ui-gang', { cameras });
  else await api('POST', '/groups', { id: 'ui-gang', name: 'Gang (UI)', cameras });
  await api('POST', '/groups/ui-gang/trim', { field, delta });
}

function renderPanel() {
  const camera = state.camera(ui.focus);
  if (!camera) return;
  $('focus-title').textContent = camera.label;
  $('trim-camera').textContent = camera.label;
  $('focus-meta').textContent = `${camera.make} ${camera.model} · ${camera.input_space} · working ${camera.working_space}`;
  showTrim(camera.grade.trim);
  for (const [name, wheel] of Object.entries(wheels)) wheel.set(camera.grade.trim[name], camera.id);
  lookwire.viewer.render(camera);
  renderTally();
  renderLooks(camera);
  renderSnapshots(camera);
  lookwire.match.render(camera);
  renderFeed(camera.id, () => ui.focus);
}

function renderLooks(camera) {
  const select = $('look-select');
  const looks = Object.values(state.show.looks);
  select.replaceChildren(
    el('option', { value: '' }, '(none)'),
    ...looks.map((l) => el('option', { value: l.id, selected: l.id === camera.grade.look }, l.name)),
  );
}

function renderSnapshots(camera) {
  const snapshots = Object.values(state.show.snapshots).filter((s) => s.camera === camera.id);
  $('snapshots').replaceChildren(
    ...snapshots.map((s) =>
      el('li', {},
        el('span', {}, `${s.name} `, el('span', { class: 'muted' }, s.timecode)),
        el('button', { onclick: () => call('POST', `/snapshots/${s.id}/recall`), 'aria-label': `Recall ${s.name}` }, 'Recall'),
        el('button', { onclick: () => call('DELETE', `/snapshots/${s.id}`), 'aria-label': `Delete ${s.name}` }, '×'))),
  );
}

function renderOutputs() {
  const outputs = Object.values(state.show.outputs);
  if (!outputs.some((o) => o.id === ui.output)) ui.output = outputs[0]?.id ?? null;
  $('output-select').replaceChildren(
    ...outputs.map((o) => el('option', { value: o.id, selected: o.id === ui.output }, o.name)),
  );
  renderDisplay(state.show.outputs[ui.output]);
  const bypass = state.show.outputs[ui.output]?.bypass ?? 'none';
  $('output-bypass').replaceChildren(...BYPASS.map(([value, text]) => el('option', { value, selected: value === bypass }, text)));
  $('output-bypass').dataset.bypass = bypass;
}

/** The focused output's display transform (a show LUT output names its LUT instead). */
function renderDisplay(output) {
  const select = $('output-display');
  const known = knownDisplay(output?.display);
  const current = output?.lut ? [el('option', { value: '', selected: true, disabled: true }, `show LUT ${output.lut}`)]
    : known ? [] : [el('option', { value: '', selected: true, disabled: true }, output?.display ?? '—')];
  select.replaceChildren(...current, ...displayOptions(output?.display));
  select.dataset.display = output?.display ?? '';
}

/** Sets the focused output's display transform (PATCH /outputs/{id}); a refusal puts it back. */
async function setOutputDisplay() {
  if (!ui.output) return;
  const done = await call('PATCH', `/outputs/${encodeURIComponent(ui.output)}`, { display: $('output-display').value });
  if (!done) renderOutputs();
}

/** Bypasses the focused output (PATCH /outputs/{id}); a refusal puts the select back. */
async function setOutputBypass() {
  if (!ui.output) return;
  const done = await call('PATCH', `/outputs/${encodeURIComponent(ui.output)}`, { bypass: $('output-bypass').value });
  if (!done) renderOutputs();
}

function focus(id) {
  ui.focus = id;
  renderMultiviewer();
  renderPanel();
}

async function call(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (error) {
    toast(error.message);
    return null;
  }
}

/** The focused camera's tally, and whether on-air protection holds or fades its change. */
function renderTally() {
  const camera = state.camera(ui.focus);
  const badge = $('focus-tally');
  const tally = camera ? devices.tallyOf(camera.id) : null;
  const protection = camera ? devices.protectionOf(camera) : null;
  const words = [tally && TALLY_TEXT[tally], protection === 'held' && 'change held until off air', protection === 'fading' && 'fading in'];
  badge.textContent = words.filter(Boolean).join(' · ');
  badge.hidden = !badge.textContent;
  badge.className = `badge${tally ? ` tally-${tally}` : ''}`;
}

// ---- clock --------------------------------------------------------------------------

async function pollTimecode() {
  const tc = await api('GET', '/timecode').catch(() => null);
  if (tc) $('timecode').textContent = tc.timecode;
}

// ---- wiring ---------------------------------------------------------------------------

/** @param {CustomEvent} event */
function onChange(event) {
  const cameras = new Set(event.detail.cameras ?? []);
  const showWide = event.detail.patches.some((p) => !p.path.startsWith('/cameras/'));
  for (const camera of showWide ? state.cameras() : [...cameras].map((id) => state.camera(id))) {
    if (camera) pictureVersion.set(camera.id, state.version);
  }
  if (showWide) {
    renderOutputs();
    devices.render();
    lookwire.scenes.render();
  }
  renderMultiviewer();
  if (showWide || cameras.has(ui.focus)) renderPanel();
  else lookwire.viewer.changed(cameras);
}

function onReset() {
  pictureVersion.clear();
  document.body.dataset.show = 'loaded';
  $('show-name').textContent = state.show.name;
  document.title = `lookwire · ${state.show.name}`;
  renderOutputs();
  devices.render();
  lookwire.scenes.render();
  if (!state.camera(ui.focus)) ui.focus = state.cameras()[0]?.id ?? null;
  renderMultiviewer();
  renderPanel();
}

function onKey(event) {
  if (event.target.closest('input, select, textarea')) return;
  const ctrl = event.ctrlKey || event.metaKey;
  // A viewer's shortcuts only look: no undo, redo or reset reaches the server.
  if (!allowed('operator') && (ctrl || event.key === 'r' || event.key === 'R')) return;
  if (ctrl && event.shiftKey && event.key.toLowerCase() === 'z') call('POST', '/show/undo');
  else if (ctrl && event.shiftKey && event.key.toLowerCase() === 'y') call('POST', '/show/redo');
  else if (ctrl && event.key.toLowerCase() === 'z') cameraAction('undo');
  else if (ctrl && event.key.toLowerCase() === 'y') cameraAction('redo');
  else if (ctrl) return;
  else if (/^[1-9]$/.test(event.key)) {
    const camera = state.cameras()[Number(event.key) - 1];
    if (camera) focus(camera.id);
  } else if (event.key === 'r') cameraAction('reset');
  else if (event.key === 'R') resetToLook();
  else if (event.key === 'o') cycleOutput();
  else if (event.key === '?') $('help').showModal();
  else if (event.key === 'e') lookwire.exports.open();
  else if (event.key === 'k') lookwire.checks.open();
  else if (event.key === 't') lookwire.recording.open();
  else if (!lookwire.viewer.key(event.key)) return;
  event.preventDefault();
}

/** Trim and match back to identity: the camera shows the show look alone. */
function resetToLook() {
  if (ui.focus) call('POST', `/cameras/${ui.focus}/reset`, { include_match: true });
}

function cameraAction(action) {
  if (ui.focus) call('POST', `/cameras/${ui.focus}/${action}`, action === 'reset' ? {} : undefined);
}

function cycleOutput() {
  const ids = Object.keys(state.show.outputs);
  ui.output = ids[(ids.indexOf(ui.output) + 1) % ids.length];
  renderOutputs();
  renderMultiviewer();
  renderPanel();
}

function wire() {
  const health = watchHealth($('store-alarm'));
  state.addEventListener('reset', onReset);
  state.addEventListener('change', onChange);
  connection.addEventListener('gap', () => reload().catch((e) => toast(e.message)));
  connection.addEventListener('failure', (/** @type {CustomEvent} */ e) => {
    const { message, path } = e.detail;
    toast(`${message}${path ? ` (${path})` : ''}`);
    for (const wheel of Object.values(wheels)) wheel.release();
    health.check();
  });
  connection.addEventListener('status', (/** @type {CustomEvent} */ e) => {
    const badge = $('connection');
    badge.dataset.state = e.detail;
    badge.textContent = e.detail === 'open' ? 'live' : e.detail === 'closed' ? 'connection lost: retrying' : 'connecting…';
    if (e.detail === 'closed') checkSession();
  });
  $('undo').addEventListener('click', () => cameraAction('undo'));
  $('redo').addEventListener('click', () => cameraAction('redo'));
  $('reset').addEventListener('click', () => cameraAction('reset'));
  $('show-undo').addEventListener('click', () => call('POST', '/show/undo'));
  $('show-redo').addEventListener('click', () => call('POST', '/show/redo'));
  $('help-button').addEventListener('click', () => $('help').showModal());
  $('logout').addEventListener('click', logout);
  $('output-select').addEventListener('change', () => {
    ui.output = $('output-select').value;
    renderOutputs();
    renderMultiviewer();
    renderPanel();
  });
  $('output-bypass').addEventListener('change', setOutputBypass);
  $('output-display').addEventListener('change', setOutputDisplay);
  $('reset-look').addEventListener('click', resetToLook);
  $('look-select').addEventListener('change', () => connection.trim(ui.focus, 'look', $('look-select').value || null));
  $('snapshot-take').addEventListener('click', () => {
    const name = $('snapshot-name').value.trim() || `${state.camera(ui.focus).label} ${$('timecode').textContent}`;
    const id = `${ui.focus}-${Date.now().toString(36)}`;
    call('POST', `/cameras/${ui.focus}/snapshots`, { id, name });
    $('snapshot-name').value = '';
  });
  $('copy-grade').addEventListener('click', () => {
    const to = [...ui.selected].filter((id) => id !== ui.focus);
    if (to.length === 0) return toast('Select target cameras with Shift+click first');
    call('POST', `/cameras/${ui.focus}/copy-grade`, { to });
  });
  $('gang-toggle').addEventListener('click', () => {
    ui.gang = !ui.gang;
    $('gang-toggle').setAttribute('aria-pressed', String(ui.gang));
  });
  document.addEventListener('keydown', onKey);
  window.addEventListener('resize', fitFocus);
  new ResizeObserver(fitFocus).observe($('multiviewer'));
}

async function start() {
  setRole('viewer'); // nothing can change the show until the session says who is here
  lookwire.viewer = buildViewer({ state, ui, previewUrl, stream, subscribe: subscribePictures });
  lookwire.match = buildMatch({ state, ui });
  lookwire.exports = buildExport({ state });
  lookwire.checks = buildChecks({ state, focused: () => ui.focus });
  lookwire.scenes = buildScenes({ state });
  lookwire.recording = buildRecording({ state, focused: () => ui.focus });
  buildPanel();
  wire();
  await firstLoad();
  connection.connect();
  stream.addEventListener('status', () => {
    renderMultiviewer();
    const camera = state.camera(ui.focus);
    if (camera) lookwire.viewer.render(camera);
  });
  stream.connect();
  devices.addEventListener('change', () => {
    renderMultiviewer();
    renderTally();
  });
  lookwire.deviceAdmin = buildDeviceAdmin({ state, watch: devices });
  devices.rowActions = (d) => lookwire.deviceAdmin.actions(d);
  devices.start();
  pollTimecode();
  setInterval(pollTimecode, 500);
  // A feed's state changes on its own (restarts, errors): the focused camera's line follows.
  setInterval(() => { if (ui.focus) renderFeed(ui.focus, () => ui.focus); }, 2000);
}

start().catch((error) => toast(`lookwire: ${error.message}`));
