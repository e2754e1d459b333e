// lookwire's VC screen: multiviewer, the focused camera's trims, wheels, snapshots,
// devices. The server holds the truth; this page shows it and sends changes.

import { api } from './api.js';
import { Connection } from './connection.js';
import { $, el, toast } from './dom.js';
import { ShowState } from './state.js';
import { buildTrims } from './trims.js';
import { buildViewer } from './viewer.js';
import { Wheel } from './wheel.js';

const state = new ShowState();
const connection = new Connection(state, { token: new URLSearchParams(location.search).get('token') });
const ui = {
  focus: null, // camera id
  output: null, // output id for the focus view
  selected: new Set(), // cameras picked with Shift+click (gang / copy targets)
  gang: false,
  devices: [],
  previewVersion: new Map(), // camera id → version whose picture is showing
};
const lookwire = { state, connection, ui, viewer: null };
/** @type {any} */ (window).lookwire = lookwire; // for tests and the console

async function reload() {
  state.load(await api('GET', '/export'));
}

// ---- multiviewer -------------------------------------------------------------------

function previewUrl(camera, width) {
  const params = new URLSearchParams({ width: String(width), v: String(state.version) });
  if (ui.output) params.set('output', ui.output);
  return `/api/v1/cameras/${encodeURIComponent(camera.id)}/preview.jpg?${params}`;
}

function picture(camera, width, alt) {
  const img = el('img', { alt, width: 480, height: 270, src: previewUrl(camera, width) });
  img.addEventListener('error', () => img.replaceWith(el('div', { class: 'no-picture' }, 'no picture')));
  return img;
}

function deviceDots(camera) {
  return ui.devices
    .filter((d) => camera.devices.includes(d.id) || d.camera === camera.id)
    .map((d) => el('span', { class: 'dot', title: `${d.id}: ${d.state}`, dataset: { state: d.state } }));
}

function tile(camera, index) {
  const button = el(
    'button',
    {
      class: `tile${ui.selected.has(camera.id) ? ' selected' : ''}`,
      'aria-current': camera.id === ui.focus ? 'true' : 'false',
      'aria-label': `${camera.label}, ${camera.input_space}`,
      dataset: { camera: camera.id },
      onclick: (event) => (event.shiftKey ? toggleSelected(camera.id) : focus(camera.id)),
    },
    picture(camera, 480, `${camera.label} graded preview`),
    el('span', { class: 'label' },
      el('strong', {}, `${index + 1} ${camera.label}`),
      el('span', { class: 'muted' }, camera.input_space),
      el('span', { class: 'spacer' }),
      ...deviceDots(camera)),
  );
  return button;
}

function renderMultiviewer() {
  $('multiviewer').replaceChildren(...state.cameras().map(tile));
}

function refreshTile(id) {
  const camera = state.camera(id);
  const old = document.querySelector(`.tile[data-camera="${CSS.escape(id)}"]`);
  if (!camera || !old) return renderMultiviewer();
  old.replaceWith(tile(camera, state.cameras().indexOf(camera)));
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
  for (const [name, wheel] of Object.entries(wheels)) wheel.set(camera.grade.trim[name]);
  const output = state.show.outputs[ui.output];
  $('focus-caption').textContent = output
    ? `${output.name} · ${output.display ?? output.lut} · ${output.range} range`
    : '';
  lookwire.viewer.render(camera);
  renderLooks(camera);
  renderSnapshots(camera);
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

// ---- devices and clock --------------------------------------------------------------

async function pollDevices() {
  const devices = await api('GET', '/devices').catch(() => null);
  if (!devices) return;
  const changed = JSON.stringify(devices) !== JSON.stringify(ui.devices);
  ui.devices = devices;
  if (!changed) return;
  $('devices').replaceChildren(
    ...devices.map((d) =>
      el('tr', {},
        el('td', {}, d.name ?? d.id),
        el('td', {}, d.kind),
        el('td', {}, el('span', { class: 'dot', dataset: { state: d.state } }), ` ${d.state}`),
        el('td', {}, d.last_push_ms != null ? `${Number(d.last_push_ms).toFixed(1)} ms` : '—'),
        el('td', {}, d.error_max_cv != null ? `${Number(d.error_max_cv).toFixed(2)} cv` : '—'))),
  );
  renderMultiviewer();
}

async function pollTimecode() {
  const tc = await api('GET', '/timecode').catch(() => null);
  if (tc) $('timecode').textContent = tc.timecode;
}

// ---- wiring ---------------------------------------------------------------------------

/** @param {CustomEvent} event */
function onChange(event) {
  const cameras = new Set(event.detail.cameras ?? []);
  const showWide = event.detail.patches.some((p) => !p.path.startsWith('/cameras/'));
  if (showWide) {
    renderOutputs();
    renderMultiviewer();
  } else {
    for (const id of cameras) refreshTile(id);
  }
  if (showWide || cameras.has(ui.focus)) renderPanel();
  else lookwire.viewer.changed(cameras);
}

function onReset() {
  $('show-name').textContent = state.show.name;
  document.title = `lookwire · ${state.show.name}`;
  renderOutputs();
  if (!state.camera(ui.focus)) ui.focus = state.cameras()[0]?.id ?? null;
  renderMultiviewer();
  renderPanel();
}

function onKey(event) {
  if (event.target.closest('input, select, textarea')) return;
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && event.shiftKey && event.key.toLowerCase() === 'z') call('POST', '/show/undo');
  else if (ctrl && event.shiftKey && event.key.toLowerCase() === 'y') call('POST', '/show/redo');
  else if (ctrl && event.key.toLowerCase() === 'z') cameraAction('undo');
  else if (ctrl && event.key.toLowerCase() === 'y') cameraAction('redo');
  else if (ctrl) return;
  else if (/^[1-9]$/.test(event.key)) {
    const camera = state.cameras()[Number(event.key) - 1];
    if (camera) focus(camera.id);
  } else if (event.key === 'r') cameraAction('reset');
  else if (event.key === 'o') cycleOutput();
  else if (event.key === '?') $('help').showModal();
  else if (!lookwire.viewer.key(event.key)) return;
  event.preventDefault();
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
  state.addEventListener('reset', onReset);
  state.addEventListener('change', onChange);
  connection.addEventListener('gap', () => reload().catch((e) => toast(e.message)));
  connection.addEventListener('failure', (/** @type {CustomEvent} */ e) => {
    const { message, path } = e.detail;
    toast(`${message}${path ? ` (${path})` : ''}`);
  });
  connection.addEventListener('status', (/** @type {CustomEvent} */ e) => {
    const badge = $('connection');
    badge.dataset.state = e.detail;
    badge.textContent = e.detail === 'open' ? 'live' : e.detail === 'closed' ? 'connection lost: retrying' : 'connecting…';
  });
  $('undo').addEventListener('click', () => cameraAction('undo'));
  $('redo').addEventListener('click', () => cameraAction('redo'));
  $('reset').addEventListener('click', () => cameraAction('reset'));
  $('show-undo').addEventListener('click', () => call('POST', '/show/undo'));
  $('show-redo').addEventListener('click', () => call('POST', '/show/redo'));
  $('help-button').addEventListener('click', () => $('help').showModal());
  $('output-select').addEventListener('change', () => {
    ui.output = $('output-select').value;
    renderMultiviewer();
    renderPanel();
  });
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
}

async function start() {
  lookwire.viewer = buildViewer({ state, ui, previewUrl });
  buildPanel();
  wire();
  await reload();
  connection.connect();
  pollDevices();
  setInterval(pollDevices, 2000);
  pollTimecode();
  setInterval(pollTimecode, 500);
}

start().catch((error) => toast(`lookwire: ${error.message}`));
