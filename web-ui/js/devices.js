// Devices and tally as the server reports them (GET /devices, GET /tally), polled: the
// device table, each camera's device dots and trouble badge, and the on-air / preview
// marks of the multiviewer; and each device's bypass, set with PUT /devices/{id}/bypass
// from the table's select: the `bypass` GET /devices reports for a device when it reports
// one (what the device sends), else the show's `device_bypass`.

import { api } from './api.js';
import { $, el, toast } from './dom.js';
import { needs } from './roles.js';

/** What a device or output can send instead of the full look. */
export const BYPASS = [
  ['none', 'full look'],
  ['display-only', 'display only'],
  ['identity', 'identity'],
];

export class DeviceWatch extends EventTarget {
  /** @param {() => Record<string, string> | undefined} [bypassMap] the show's bypass per device id */
  constructor(bypassMap = () => undefined) {
    super();
    this.bypassMap = bypassMap;
    /** @type {any[]} */
    this.devices = [];
    this.rendered = ''; // what the table shows, so a render that changes nothing keeps focus
    /** @type {Map<string, any>} camera id → its tally */
    this.tally = new Map();
    this.tallyKnown = true; // false once the server answers that it has no tally route
    /** @type {(device: any) => HTMLElement | null} a row's action buttons (device management) */
    this.rowActions = () => null;
  }

  /** The look devices that carry `camera`'s look. */
  forCamera(camera) {
    return this.devices.filter((d) => d.camera === camera.id || (camera.devices ?? []).includes(d.id));
  }

  /** The device's bypass: `none`, `display-only` or `identity` (its own report first). */
  bypassOf(device) {
    return device.bypass ?? this.bypassMap()?.[device.id] ?? 'none';
  }

  /** Redraws the table when its devices or their bypass changed. */
  render() {
    const key = JSON.stringify([this.devices, this.devices.map((d) => this.bypassOf(d))]);
    if (key === this.rendered) return;
    this.rendered = key;
    renderTable(this);
  }

  /** `program`, `preview` or null. */
  tallyOf(id) {
    const t = this.tally.get(id);
    return t?.program ? 'program' : t?.preview ? 'preview' : null;
  }

  /** A held or fading look on any of `camera`'s devices (on-air protection at work). */
  protectionOf(camera) {
    const states = this.forCamera(camera).map((d) => d.protection).filter((p) => p && p !== 'clear');
    return states.includes('held') ? 'held' : states.includes('fading') ? 'fading' : null;
  }

  async pollDevices() {
    const devices = await api('GET', '/devices').catch(() => null);
    if (!devices || JSON.stringify(devices) === JSON.stringify(this.devices)) return;
    this.devices = devices;
    this.render();
    this.dispatchEvent(new CustomEvent('change'));
  }

  async pollTally() {
    if (!this.tallyKnown) return;
    let list;
    try {
      list = await api('GET', '/tally');
    } catch (error) {
      if (error.status === 404) this.tallyKnown = false;
      return;
    }
    const next = new Map(list.map((t) => [t.camera, t]));
    if (JSON.stringify([...next]) === JSON.stringify([...this.tally])) return;
    this.tally = next;
    this.dispatchEvent(new CustomEvent('change'));
  }

  start() {
    this.pollDevices();
    this.pollTally();
    setInterval(() => this.pollDevices(), 1000);
    setInterval(() => this.pollTally(), 500);
  }
}

const number = (v, digits, unit) => (v != null ? `${Number(v).toFixed(digits)} ${unit}` : '—');

/** Sets a device's bypass; on a refusal the select goes back to the show's value. */
async function setBypass(watch, device, select) {
  try {
    await api('PUT', `/devices/${encodeURIComponent(device.id)}/bypass`, { bypass: select.value });
  } catch (error) {
    toast(`${device.id}: ${error.message}`);
    select.value = watch.bypassOf(device);
  }
}

/** The device's bypass select (under its state: the table fits the panel's width). */
function bypassSelect(watch, d) {
  const now = watch.bypassOf(d);
  const select = el('select', { class: 'bypass', 'aria-label': `Bypass of ${d.id}`, title: 'What the device sends', ...needs('admin') },
    ...BYPASS.map(([value, text]) => el('option', { value, selected: value === now }, text)));
  select.addEventListener('change', () => setBypass(watch, d, select));
  return el('div', { dataset: { bypass: now } }, select);
}

function renderTable(watch) {
  $('devices').replaceChildren(
    ...watch.devices.map((d) => {
      const bypass = watch.bypassOf(d);
      const trouble = d.state !== 'connected';
      return el('tr', { dataset: { device: d.id, state: d.state, bypass }, class: trouble ? 'trouble' : null, title: d.error ?? null },
        el('td', {}, d.name ?? d.id,
          el('div', { class: 'muted device-kind' }, d.kind, d.camera ? ` · ${d.camera}${d.output ? `/${d.output}` : ''}` : ''),
          watch.rowActions(d)),
        el('td', {},
          el('span', { class: 'dot', dataset: { state: d.state } }), ` ${d.state}`,
          d.on_air ? el('span', { class: 'badge on-air' }, 'on air') : null,
          bypass !== 'none' ? el('span', { class: 'badge bypassed' }, `bypass: ${bypass}`) : null,
          d.protection && d.protection !== 'clear' ? el('span', { class: 'badge' }, d.protection) : null,
          d.error ? el('div', { class: 'device-error' }, d.error) : null,
          bypassSelect(watch, d)),
        el('td', {}, number(d.last_push_ms, 1, 'ms')),
        el('td', { title: d.error_mean_cv != null ? `mean ${Number(d.error_mean_cv).toFixed(2)} cv` : null }, number(d.error_max_cv, 2, 'cv')));
    }),
  );
}

/** The dots and trouble badge for a tile's label. */
export function cameraDeviceMarks(watch, camera) {
  const devices = watch.forCamera(camera);
  const down = devices.filter((d) => d.state !== 'connected');
  const marks = devices.map((d) => el('span', { class: 'dot', title: `${d.id}: ${d.state}`, dataset: { state: d.state, device: d.id } }));
  if (down.length > 0) {
    marks.unshift(el('span', { class: 'badge trouble', title: down.map((d) => `${d.id}: ${d.state}${d.error ? ` (${d.error})` : ''}`).join('\n') },
      down.length === 1 ? `${down[0].id} ${down[0].state}` : `${down.length} devices down`));
  }
  return marks;
}
