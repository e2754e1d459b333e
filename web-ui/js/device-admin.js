// Device management: add a device (POST /devices, its driver's fields by kind), test it
// (POST /devices/{id}/test: connect, identity or the test look), remove it
// (DELETE /devices/{id}, confirmed by a second press), and a Videohub's routing
// (GET /devices/{id}/router, PUT /devices/{id}/router/outputs/{n}).

import { api } from './api.js';
import { $, el, toast } from './dom.js';
import { needs } from './roles.js';

const KINDS = [
  ['lwlb', 'LUT box (lookwire protocol)'],
  ['file-sink', 'folder (look files)'],
  ['bmd-rest', 'Blackmagic camera (REST)'],
  ['bmd-sdi-serial', 'Blackmagic camera (SDI shield, serial)'],
  ['videohub', 'Videohub router'],
  ['tsl', 'TSL tally (vision mixer)'],
];
/** Kinds that carry a camera's look, and so need a camera and an output. */
const LOOK_KINDS = new Set(['lwlb', 'file-sink', 'bmd-rest', 'bmd-sdi-serial']);

/**
 * The driver's fields: `key` in the request's `driver`, the kinds that have it, and its
 * input. Numbers are sent as numbers; an empty optional field is left out.
 */
const FIELDS = [
  { key: 'address', label: 'Address', kinds: ['lwlb', 'bmd-rest', 'videohub'], placeholder: 'host:port' },
  { key: 'slot', label: 'Slot', kinds: ['lwlb'], type: 'number', value: '0', optional: true },
  { key: 'dir', label: 'Folder', kinds: ['file-sink'], placeholder: '/absolute/path on the server' },
  { key: 'format', label: 'Format', kinds: ['file-sink'], options: ['cube', '3dl', 'clf', 'spi3d', 'csp', 'cc'] },
  { key: 'size', label: 'Lattice size', kinds: ['file-sink'], type: 'number', value: '33', optional: true },
  { key: 'range', label: 'Range', kinds: ['file-sink'], options: ['full', 'legal'] },
  { key: 'port', label: 'Serial port', kinds: ['bmd-sdi-serial'], placeholder: '/dev/serial/by-id/…' },
  { key: 'camera_number', label: 'Camera number', kinds: ['bmd-sdi-serial'], type: 'number', value: '1' },
  { key: 'udp', label: 'UDP listen', kinds: ['tsl'], placeholder: '0.0.0.0:8900' },
  { key: 'tcp', label: 'TCP listen', kinds: ['tsl'], placeholder: '0.0.0.0:8901' },
];

const TESTS = [
  ['connect', 'Test', 'Open a fresh connection and read what the device is'],
  ['identity', 'Identity', 'Send an identity look for 2 s, then the look again'],
];

/**
 * A labelled input or select for the add form; its id is `device-<key>`.
 * @param {{ key: string, label: string, type?: string, value?: string, placeholder?: string, options?: string[] }} spec
 */
function field({ key, label, type = 'text', value = '', placeholder, options }) {
  const id = `device-${key.replaceAll('_', '-')}`;
  const input = options
    ? el('select', { id, name: key }, ...options.map((o) => el('option', { value: o }, o)))
    : el('input', { id, name: key, type, value, placeholder, autocomplete: 'off' });
  return el('div', { class: 'field', dataset: { key } }, el('label', { for: id }, label), input);
}

/** @param {{ state: import('./state.js').ShowState, watch: import('./devices.js').DeviceWatch }} deps */
export function buildDeviceAdmin({ state, watch }) {
  const dialog = $('device-dialog');
  const form = $('device-form');
  const kind = $('device-kind');
  kind.replaceChildren(...KINDS.map(([value, text]) => el('option', { value }, text)));
  $('device-fields').replaceChildren(...FIELDS.map(field));
  const status = (text) => { $('device-status').textContent = text; };

  function showFields() {
    const k = kind.value;
    for (const box of $('device-fields').children) {
      const f = FIELDS.find((x) => x.key === box.dataset.key);
      box.hidden = !f.kinds.includes(k);
    }
    for (const id of ['device-camera', 'device-output']) $(id).closest('.field').hidden = !LOOK_KINDS.has(k);
  }

  function open() {
    const cameras = state.cameras();
    $('device-camera').replaceChildren(...cameras.map((c) => el('option', { value: c.id }, `${c.label} (${c.id})`)));
    const outputs = Object.values(state.show?.outputs ?? {});
    $('device-output').replaceChildren(...outputs.map((o) => el('option', { value: o.id }, o.name)));
    clearError();
    showFields();
    dialog.showModal();
    $('device-id').focus();
  }

  function clearError() {
    $('device-form-error').textContent = '';
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  }

  /** The request body from the form. */
  function config() {
    const k = kind.value;
    const driver = { kind: k };
    for (const f of FIELDS.filter((x) => x.kinds.includes(k))) {
      const raw = /** @type {HTMLInputElement} */ (form.elements.namedItem(f.key)).value.trim();
      if (raw === '' && f.optional) continue;
      driver[f.key] = f.type === 'number' && raw !== '' ? Number(raw) : raw;
    }
    const body = { id: $('device-id').value.trim(), driver };
    if (LOOK_KINDS.has(k)) Object.assign(body, { camera: $('device-camera').value, output: $('device-output').value });
    return body;
  }

  /** Marks the field a refusal points at (`/driver/address` → the address input). */
  function showError(error) {
    $('device-form-error').textContent = error.message;
    const key = (error.path ?? '').split('/').filter(Boolean).pop();
    const input = key && (key === 'id' ? $('device-id') : form.elements.namedItem(key));
    if (input instanceof HTMLElement) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  async function submit(event) {
    event.preventDefault();
    clearError();
    const body = config();
    try {
      await api('POST', '/devices', body);
    } catch (error) {
      showError(error);
      return;
    }
    dialog.close();
    status(`${body.id}: added`);
    await watch.pollDevices();
  }

  kind.addEventListener('change', showFields);
  form.addEventListener('submit', submit);
  $('device-cancel').addEventListener('click', () => dialog.close());
  $('device-add').addEventListener('click', open);

  const router = buildRouter(status);
  const armed = new Map(); // device id → when its Remove was pressed once

  /** Runs a device test and says how it went. */
  async function test(device, action) {
    status(`${device.id}: testing (${action})…`);
    delete $('device-status').dataset.result;
    try {
      const r = await api('POST', `/devices/${encodeURIComponent(device.id)}/test`, { action });
      const latency = r.latency_ms != null ? ` in ${Number(r.latency_ms).toFixed(1)} ms` : '';
      status(`${device.id}: ${action} ${r.ok ? 'passed' : 'FAILED'}${latency}: ${r.message}`);
      $('device-status').dataset.result = r.ok ? 'ok' : 'failed';
    } catch (error) {
      status(`${device.id}: ${action} refused: ${error.message}`);
      $('device-status').dataset.result = 'refused';
    }
  }

  /** True while a device's Remove, pressed once, waits for its confirmation (4 s). */
  const isArmed = (id) => Date.now() - (armed.get(id) ?? -Infinity) <= 4000;

  /** Shows a Remove button as the confirmation it now asks for. */
  function showConfirm(button, id) {
    button.textContent = 'Confirm';
    button.setAttribute('aria-label', `Confirm removing ${id}`);
  }

  /** Remove asks to be pressed again within 4 s. */
  async function remove(device, button) {
    if (!isArmed(device.id)) {
      armed.set(device.id, Date.now());
      showConfirm(button, device.id);
      return;
    }
    armed.delete(device.id);
    try {
      await api('DELETE', `/devices/${encodeURIComponent(device.id)}`);
      status(`${device.id}: removed`);
      if (router.showing() === device.id) router.close();
      await watch.pollDevices();
    } catch (error) {
      toast(`${device.id}: ${error.message}`);
    }
  }

  /** The action buttons of a device's row (under its name). */
  function actions(device) {
    // Identity looks only for devices that carry a camera's look.
    const tests = device.camera ? TESTS : TESTS.filter(([action]) => action === 'connect');
    const buttons = tests.map(([action, text, title]) =>
      el('button', { type: 'button', title, 'aria-label': `${text} ${device.id}`, onclick: () => test(device, action), ...needs('admin') }, text));
    if (device.kind === 'videohub') {
      buttons.push(el('button', { type: 'button', 'aria-label': `Routing of ${device.id}`, onclick: () => router.open(device.id) }, 'Routing'));
    }
    const rm = el('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${device.id}`, ...needs('admin') }, 'Remove');
    // The table is drawn again on every device update: an armed Remove stays a Confirm.
    if (isArmed(device.id)) showConfirm(rm, device.id);
    rm.addEventListener('click', () => remove(device, rm));
    buttons.push(rm);
    return el('div', { class: 'actions' }, ...buttons);
  }

  return { open, actions, router };
}

/** The routing panel of one Videohub: a select of inputs per output. */
function buildRouter(status) {
  let id = null;

  async function load() {
    if (!id) return;
    let view;
    try {
      view = await api('GET', `/devices/${encodeURIComponent(id)}/router`);
    } catch (error) {
      $('router-body').replaceChildren(el('p', { class: 'device-error' }, error.message));
      return;
    }
    render(view);
  }

  function render(view) {
    const label = (labels, i) => `${i + 1} ${labels[i] ?? ''}`.trim();
    const rows = view.routes.map((input, output) => {
      const select = el('select', { 'aria-label': `Input on output ${label(view.output_labels, output)}`, ...needs('operator'), dataset: { output, needs: 'operator' } },
        ...view.input_labels.map((_, i) => el('option', { value: i, selected: i === input }, label(view.input_labels, i))));
      select.addEventListener('change', () => route(output, Number(select.value)));
      const lock = view.locks[output];
      return el('tr', { dataset: { output, input } },
        el('th', { scope: 'row' }, label(view.output_labels, output)),
        el('td', {}, select),
        el('td', { class: 'muted' }, lock && lock !== 'unlocked' ? lock : ''));
    });
    $('router-title').textContent = `Routing: ${id} (${view.model})`;
    $('router-body').replaceChildren(el('table', { class: 'router' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Output'), el('th', { scope: 'col' }, 'Input'), el('th', { scope: 'col' }, 'Lock'))),
      el('tbody', {}, ...rows)));
  }

  async function route(output, input) {
    try {
      render(await api('PUT', `/devices/${encodeURIComponent(id)}/router/outputs/${output}`, { input }));
      status(`${id}: output ${output + 1} shows input ${input + 1}`);
    } catch (error) {
      toast(`${id}: ${error.message}`);
      load();
    }
  }

  $('router-close').addEventListener('click', () => close());
  function close() {
    id = null;
    $('router').hidden = true;
  }

  return {
    async open(device) {
      id = device;
      $('router').hidden = false;
      $('router-title').textContent = `Routing: ${device}`;
      await load();
    },
    close,
    showing: () => id,
    load,
  };
}
