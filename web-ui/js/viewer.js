// The focus view: the focused camera's graded picture, its compare controls and its scopes.
// The picture comes over the preview stream like the tiles' (subscription `focus`: camera,
// output, view, overlays), through preview.jpg only while the stream is down.

import { api } from './api.js';
import { Compare, MODES } from './compare.js';
import { $, el, toast } from './dom.js';
import { ScopePanel } from './scopes.js';

/**
 * A false-color zone's luma range in words; `null` is an open end.
 * @param {(number | null)[]} ire
 */
function irePhrase([lo, hi]) {
  if (lo === null) return `below ${hi?.toFixed(1)} IRE`;
  if (hi === null) return `${lo.toFixed(1)} IRE and above`;
  return `${lo.toFixed(1)}–${hi.toFixed(1)} IRE`;
}

/**
 * @param {{ state: import('./state.js').ShowState, ui: any,
 *           previewUrl: (camera: any, width: number, extra?: Record<string, string>) => string,
 *           stream: import('./stream.js').PreviewStream, subscribe: () => void }} deps
 */
export function buildViewer({ state, ui, previewUrl, stream, subscribe }) {
  const img = $('focus-preview');
  const compare = new Compare(img, $('compare-view'));
  const scopes = new ScopePanel($('scopes'));
  scopes.setEnabled(scopes.enabled);
  $('scopes-toggle').checked = scopes.enabled;

  // The server's picture options (view, overlays, snapshot pictures), when its API has them.
  const pictures = { views: false, viewNames: { graded: 'graded', log: 'log', 'false-color': 'false color' } };
  const VIEWS = ['graded', 'log', 'false-color'];

  async function detectPictureOptions() {
    const doc = await api('GET', '/openapi.json').catch(() => null);
    const params = doc?.paths?.['/cameras/{id}/preview.jpg']?.get?.parameters ?? [];
    const names = new Set(params.map((p) => p.name));
    pictures.views = names.has('view') && names.has('snapshot');
    $('picture-options').hidden = !pictures.views;
  }

  /** The focus picture's extra parameters: its view and overlays. */
  function pictureParams() {
    if (!pictures.views) return {};
    const extra = {};
    const view = $('focus-view-mode').value;
    if (view !== 'graded') extra.view = view;
    const overlays = [...document.querySelectorAll('input[name="overlay"]:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
    if (overlays.length) extra.overlay = overlays.join(',');
    return extra;
  }

  async function renderLegend(camera) {
    const legend = $('false-color-legend');
    if ($('focus-view-mode').value !== 'false-color' || !pictures.views) {
      legend.hidden = true;
      return;
    }
    const query = ui.output ? `?output=${encodeURIComponent(ui.output)}` : '';
    const data = await api('GET', `/cameras/${encodeURIComponent(camera.id)}/false-color${query}`).catch(() => null);
    if (!data || ui.focus !== camera.id) return;
    const rgb = (c) => `rgb(${c.map((x) => Math.round(255 * x)).join(',')})`;
    legend.replaceChildren(...data.zones.map((z) =>
      el('li', { dataset: { share: z.share }, title: `${irePhrase(z.ire)}${z.stops ? `, ${z.stops[0].toFixed(2)} to ${z.stops[1].toFixed(2)} stops` : ''}` },
        el('span', { class: 'swatch', style: `background:${rgb(z.color)}` }),
        `${z.name} ${(100 * z.share).toFixed(0)} %`)));
    legend.hidden = false;
  }

  /** The B choices: a held still, the ungraded picture, this camera's snapshots, other cameras. */
  function renderSources(camera) {
    const select = $('compare-source');
    const current = compare.source;
    const options = [el('option', { value: '' }, '—')];
    if (compare.held) options.push(el('option', { value: 'held' }, `still: ${compare.held.label}`));
    if (pictures.views) {
      options.push(el('option', { value: 'log' }, 'ungraded (log)'));
      for (const s of Object.values(state.show.snapshots).filter((x) => x.camera === camera.id)) {
        options.push(el('option', { value: `snapshot:${s.id}` }, `snapshot: ${s.name}`));
      }
    }
    for (const other of state.cameras()) {
      if (other.id !== camera.id) options.push(el('option', { value: `camera:${other.id}` }, other.label));
    }
    select.replaceChildren(...options);
    select.value = [...select.options].some((o) => o.value === current) ? current : '';
    applySource(select.value);
  }

  /**
   * B's picture on the stream (another camera, the log view, a snapshot), or null: an id
   * of its own per source, so a late frame of the previous B never lands in the new one.
   * @type {{ id: string, sub: any } | null}
   */
  let streamB = null;

  /** B from the stream while it is up (`sub`), else from preview.jpg (`url`). */
  function setB(value, sub, url, label) {
    const b = compare.b;
    if (stream.failed) {
      delete b.dataset.stream;
      compare.setSource(value, url, label);
      return;
    }
    const id = `compare:${JSON.stringify(sub)}`;
    if (b.dataset.stream !== id) {
      b.removeAttribute('src'); // not the old B under the new label
      b.dataset.stream = id;
    }
    streamB = { id, sub };
    compare.setSource(value, null, label);
  }

  function applySource(value) {
    const before = streamB?.id;
    streamB = null;
    const out = ui.output ? { output: ui.output } : {};
    if (value === 'held' && compare.held) {
      compare.setSource('held', compare.held.url, `still ${compare.held.label}`);
    } else if (value === 'log' || value.startsWith('snapshot:')) {
      const camera = state.camera(ui.focus);
      const snapshot = value === 'log' ? null : state.show.snapshots[value.slice('snapshot:'.length)];
      if (camera && value === 'log') {
        setB(value, { camera: camera.id, width: 960, ...out, view: 'log' }, previewUrl(camera, 960, { view: 'log' }), `${camera.label} log`);
      } else if (camera && snapshot) {
        setB(value, { camera: camera.id, width: 960, ...out, snapshot: snapshot.id }, previewUrl(camera, 960, { snapshot: snapshot.id }), `snapshot ${snapshot.name}`);
      } else compare.setSource(null, null, 'B');
    } else if (value.startsWith('camera:')) {
      const other = state.camera(value.slice('camera:'.length));
      if (other) setB(value, { camera: other.id, width: 960, ...out }, previewUrl(other, 960), other.label);
    } else {
      compare.setSource(null, null, 'B');
    }
    if (streamB?.id !== before) subscribe();
  }


  /** The focus picture's subscription on the stream, or null with no camera focused. */
  function picture() {
    const camera = state.camera(ui.focus);
    if (!camera) return null;
    const sub = { camera: camera.id, width: 960, ...(ui.output ? { output: ui.output } : {}), ...pictureParams() };
    return { sub, img };
  }

  /** Shows `camera` in the focus view: by the stream, or by preview.jpg while it is down. */
  function showPicture(camera) {
    if (img.dataset.camera !== camera.id) img.classList.add('stale'); // until its own picture comes
    if (!stream.failed) {
      subscribe();
      return;
    }
    const url = previewUrl(camera, 960, pictureParams());
    if (img.getAttribute('src') === url) return;
    if (img.dataset.blob) URL.revokeObjectURL(img.dataset.blob);
    delete img.dataset.blob;
    img.onload = () => {
      if (img.getAttribute('src') !== url) return; // a stream picture came since
      img.dataset.camera = camera.id;
      img.dataset.version = new URL(url, location.href).searchParams.get('v') ?? '';
      img.classList.remove('stale');
    };
    img.src = url;
  }

  // A stream picture for the focus view: which camera and output it shows.
  stream.addEventListener('frame', (/** @type {CustomEvent} */ e) => {
    const header = e.detail;
    if (header.id !== 'focus') return;
    img.dataset.camera = header.camera;
    img.classList.toggle('stale', header.camera !== ui.focus);
    img.hidden = compare.active;
    caption(header.output, header.rendered);
  });
  stream.addEventListener('failure', (/** @type {CustomEvent} */ e) => {
    if (img.title) $('focus-caption').textContent = `No picture: ${e.detail}`;
  });

  /** The caption: the output, and the one a browser picture is rendered through (HDR → SDR). */
  function caption(requested, rendered) {
    const output = state.show.outputs[requested];
    if (!output) return;
    const through = rendered && rendered !== requested ? state.show.outputs[rendered] : null;
    $('focus-caption').textContent = [
      `${output.name} · ${output.display ?? output.lut} · ${output.range} range`,
      through && `shown through ${through.name} (a browser shows no HDR)`,
    ].filter(Boolean).join(' · ');
  }

  function render(camera) {
    const view = pictures.views ? $('focus-view-mode').value : 'graded';
    compare.labels.a = view === 'graded' ? camera.label : `${camera.label} ${pictures.viewNames[view]}`;
    img.onerror = () => { img.hidden = true; };
    img.title = '';
    showPicture(camera);
    caption(ui.output, null);
    img.hidden = compare.active;
    renderSources(camera);
    renderLegend(camera);
    scopes.request(camera.id, ui.output, state.version);
  }

  const rerender = () => {
    const camera = state.camera(ui.focus);
    if (camera) render(camera);
  };

  function setMode(mode) {
    $('compare-mode').value = mode;
    $('compare-flip').hidden = mode !== 'ab';
    compare.setMode(mode);
    // A mode with nothing to compare against starts with the first other camera.
    if (mode !== 'off' && !compare.source) {
      const first = [...$('compare-source').options].find((o) => o.value);
      if (first) {
        $('compare-source').value = first.value;
        applySource(first.value);
      }
    }
    subscribe(); // B is on the stream only while a compare mode shows it
  }

  async function hold() {
    const camera = state.camera(ui.focus);
    if (!camera) return;
    try {
      await compare.hold(`${camera.label} ${$('timecode').textContent}`);
      renderSources(camera);
      $('compare-source').value = 'held';
      applySource('held');
      if (compare.mode === 'off') setMode('wipe');
    } catch (error) {
      toast(error.message);
    }
  }

  $('focus-view-mode').addEventListener('change', rerender);
  for (const box of document.querySelectorAll('input[name="overlay"]')) box.addEventListener('change', rerender);
  detectPictureOptions().then(rerender);
  $('compare-mode').addEventListener('change', () => setMode($('compare-mode').value));
  $('compare-source').addEventListener('change', () => applySource($('compare-source').value));
  $('compare-hold').addEventListener('click', hold);
  $('compare-flip').addEventListener('click', () => compare.flip());
  compare.addEventListener('change', () => {
    $('compare-flip').textContent = compare.showB ? 'Show A' : 'Show B';
  });
  $('scopes-toggle').addEventListener('change', () => {
    scopes.setEnabled($('scopes-toggle').checked);
    const camera = state.camera(ui.focus);
    if (camera) scopes.request(camera.id, ui.output, state.version);
  });

  return {
    compare,
    scopes,
    render,
    picture,
    /** The compare B picture's subscription on the stream, or null. */
    pictureB: () => (streamB && compare.active ? { id: streamB.id, sub: streamB.sub, img: compare.b } : null),
    /** After a change to `cameras`: a B camera among them gets its new picture. */
    changed(cameras) {
      const source = compare.source ?? '';
      if (source.startsWith('camera:') && cameras.has(source.slice('camera:'.length))) applySource(source);
    },
    /** Keyboard: C cycles compare modes, B flips A/B, H holds a still. Returns true if used. */
    key(key) {
      if (key === 'c') setMode(MODES[(MODES.indexOf(compare.mode) + 1) % MODES.length]);
      else if (key === 'b' && compare.mode === 'ab') {
        compare.flip();
        $('compare-flip').textContent = compare.showB ? 'Show A' : 'Show B';
      } else if (key === 'h') hold();
      else if (key === 'v' && pictures.views) {
        const select = $('focus-view-mode');
        select.value = VIEWS[(VIEWS.indexOf(select.value) + 1) % VIEWS.length];
        rerender();
      }
      else return false;
      return true;
    },
  };
}
