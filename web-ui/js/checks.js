// Camera checks (GET /checks, POST /cameras/{id}/checks/{kind}): every camera's noise
// side by side, its hot, dead and stuck pixel counts, and the listed pixels with their
// coordinates and thumbnails. A check runs from here on frames the user picks (shot with
// the lens capped, a flat bright or flat grey frame, or 3 to 16 frames of a moving picture).
// Also the focused camera's live feed state (GET /cameras/{id}/source).

import { api, authHeaders } from './api.js';
import { $, el } from './dom.js';

export const KINDS = [
  { id: 'hot', field: 'hot', list: 'hot_pixels', label: 'Hot', frame: 'lens capped' },
  { id: 'dead', field: 'dead', list: 'dead_pixels', label: 'Dead', frame: 'flat bright' },
  { id: 'stuck', field: 'stuck', list: 'stuck_pixels', label: 'Stuck', frame: '3–16 frames, moving' },
];
const CHANNELS = ['red', 'green', 'blue'];

/** A figure, or a dash for a check not run. */
const num = (v, digits) => (v === null || v === undefined ? '—' : Number(v).toFixed(digits));

/** Frames one after another, each a 4-byte big-endian length and then the file (stuck). */
export function framed(buffers) {
  const total = buffers.reduce((n, b) => n + 4 + b.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const b of buffers) {
    view.setUint32(at, b.byteLength);
    out.set(new Uint8Array(b), at + 4);
    at += 4 + b.byteLength;
  }
  return out;
}

/**
 * @param {{ state: import('./state.js').ShowState, focused: () => string | null }} deps
 */
export function buildChecks({ state, focused }) {
  const dialog = $('checks-dialog');
  const label = (id) => state.camera(id)?.label ?? id;

  function noiseRow(c) {
    const n = c.noise;
    return el('tr', { dataset: { camera: c.camera } },
      el('th', { scope: 'row' }, label(c.camera)),
      el('td', { class: 'num', dataset: { field: 'snr-stops' } }, num(n?.snr_stops, 1)),
      el('td', { class: 'num', dataset: { field: 'snr-db' } }, num(n?.snr_db, 1)),
      el('td', { class: 'num' }, num(n?.sigma_10bit, 2)),
      el('td', { class: 'num' }, n ? `${n.exposure_stops >= 0 ? '+' : ''}${n.exposure_stops.toFixed(1)}` : '—'),
      ...KINDS.map((k) => el('td', { class: 'num', dataset: { field: k.id } }, c[k.field] ?? '—')));
  }

  /** Noise bars: signal to noise in stops, longest is cleanest, so cameras compare at a glance. */
  function noiseBars(list) {
    const noisy = list.filter((c) => c.noise);
    if (noisy.length === 0) return el('p', { class: 'muted' }, 'No noise check yet: run one on a flat grey frame.');
    const best = Math.max(...noisy.map((c) => c.noise.snr_stops), 1);
    return el('ul', { class: 'noise-bars', 'aria-label': 'Signal to noise per camera, in stops' },
      ...noisy.map((c) => el('li', {},
        el('span', { class: 'who' }, label(c.camera)),
        el('span', { class: 'bar-track' }, el('span', { class: 'bar-fill', style: `width: ${Math.max(2, (100 * c.noise.snr_stops) / best).toFixed(1)}%` })),
        el('span', { class: 'num' }, `${c.noise.snr_stops.toFixed(1)} stops`))));
  }

  function pixelList(c, kind) {
    const listed = c[kind.list] ?? [];
    const count = c[kind.field];
    if (count === null || count === undefined || count === 0) return null;
    const more = count > listed.length ? el('p', { class: 'muted' }, `and ${count - listed.length} more not listed`) : null;
    return el('section', { class: 'pixel-group', 'aria-label': `${label(c.camera)}: ${kind.label.toLowerCase()} pixels` },
      el('h4', {}, `${kind.label} pixels: ${count}`),
      el('ul', { class: 'pixels' },
        ...listed.map((d) => el('li', { dataset: { x: d.x, y: d.y } },
          el('img', { src: `data:image/png;base64,${d.thumbnail_png}`, width: 60, height: 60,
            alt: `${kind.label} pixel at ${d.x}, ${d.y}` }),
          el('span', {}, el('strong', {}, `(${d.x}, ${d.y})`), el('br'),
            el('span', { class: 'muted' }, `${CHANNELS[d.channel]} ${d.value.toFixed(3)} vs ${d.level.toFixed(3)}`))))),
      more);
  }

  function cameraDetails(c) {
    const groups = KINDS.map((k) => pixelList(c, k)).filter(Boolean);
    if (groups.length === 0) return null;
    return el('details', { class: 'section', open: true, dataset: { camera: c.camera } },
      el('summary', {}, `${label(c.camera)}: listed pixels`), ...groups);
  }

  async function refresh() {
    const list = await api('GET', '/checks');
    $('checks-empty').hidden = list.length > 0;
    $('checks-table').hidden = list.length === 0;
    $('checks-rows').replaceChildren(...list.map(noiseRow));
    $('checks-bars').replaceChildren(noiseBars(list));
    $('checks-pixels').replaceChildren(...list.map(cameraDetails).filter(Boolean));
    return list;
  }

  async function open() {
    const camera = $('checks-camera');
    const keep = camera.value || focused();
    camera.replaceChildren(...state.cameras().map((c) => el('option', { value: c.id, selected: c.id === keep }, c.label)));
    if (!dialog.open) dialog.showModal();
    await refresh().catch((e) => { $('checks-status').textContent = e.message; });
  }

  async function run(event) {
    event.preventDefault();
    const camera = $('checks-camera').value;
    const kind = $('checks-kind').value;
    const files = [.../** @type {HTMLInputElement} */ ($('checks-files')).files];
    const status = $('checks-status');
    if (files.length === 0) return void (status.textContent = 'Choose the frame(s) first.');
    if (kind !== 'stuck' && files.length !== 1) return void (status.textContent = 'This check takes one frame.');
    if (kind === 'stuck' && (files.length < 3 || files.length > 16)) return void (status.textContent = 'A stuck-pixel check takes 3 to 16 frames.');
    const buffers = await Promise.all(files.map((f) => f.arrayBuffer()));
    const body = kind === 'stuck' ? framed(buffers) : buffers[0];
    status.textContent = 'checking…';
    $('checks-run').disabled = true;
    try {
      const response = await fetch(`/api/v1/cameras/${encodeURIComponent(camera)}/checks/${kind}`, {
        method: 'POST', headers: { 'content-type': 'application/octet-stream', ...authHeaders() }, body,
      });
      const answer = await response.json().catch(() => null);
      if (!response.ok) throw new Error(answer?.error?.message ?? `check: ${response.status}`);
      status.textContent = kind === 'noise'
        ? `${label(camera)}: noise ${answer.snr_stops.toFixed(1)} stops (${answer.snr_db.toFixed(1)} dB)`
        : `${label(camera)}: ${answer.count} ${kind} pixel${answer.count === 1 ? '' : 's'}`;
      /** @type {HTMLInputElement} */ ($('checks-files')).value = '';
      await refresh();
    } catch (error) {
      status.textContent = error.message;
    } finally {
      $('checks-run').disabled = false;
    }
  }

  function hint() {
    const kind = $('checks-kind').value;
    $('checks-files').multiple = kind === 'stuck';
    $('checks-hint').textContent = {
      hot: 'One frame shot with the lens capped.',
      dead: 'One flat bright frame (defocused white card).',
      noise: 'One flat grey frame (an 18 % grey card fills the centre).',
      stuck: '3 to 16 frames of a moving picture.',
    }[kind];
  }

  $('checks-button').addEventListener('click', open);
  $('checks-form').addEventListener('submit', run);
  $('checks-kind').addEventListener('change', hint);
  $('checks-refresh').addEventListener('click', () => refresh().catch((e) => { $('checks-status').textContent = e.message; }));
  $('checks-close').addEventListener('click', () => dialog.close());
  hint();
  return { open, refresh };
}

/**
 * The focused camera's live feed line: its state and last error, hidden without a feed.
 * An answer that arrives after the focus moved on is dropped.
 * @param {string} cameraId @param {() => string | null} focused
 */
export async function renderFeed(cameraId, focused) {
  const line = $('focus-feed');
  const source = await api('GET', `/cameras/${encodeURIComponent(cameraId)}/source`).catch(() => null);
  if (focused() !== cameraId) return;
  const feed = source?.feed;
  if (!feed) {
    line.hidden = true;
    line.textContent = '';
    return;
  }
  const parts = [`feed (${feed.source}) ${feed.state}`, `${feed.frames} frames`];
  if (feed.restarts) parts.push(`${feed.restarts} restarts`);
  if (feed.retry_in_ms !== null && feed.retry_in_ms !== undefined) parts.push(`retry in ${(feed.retry_in_ms / 1000).toFixed(1)} s`);
  if (feed.error) parts.push(`last error: ${feed.error}`);
  line.textContent = parts.join(' · ');
  line.dataset.state = feed.state;
  line.title = feed.from;
  line.hidden = false;
}
