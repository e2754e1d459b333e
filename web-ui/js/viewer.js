// The focus view: the focused camera's graded picture, its compare controls and its scopes.

import { Compare, MODES } from './compare.js';
import { $, el, toast } from './dom.js';
import { ScopePanel } from './scopes.js';

/**
 * @param {{ state: import('./state.js').ShowState, ui: any,
 *           previewUrl: (camera: any, width: number) => string }} deps
 */
export function buildViewer({ state, ui, previewUrl }) {
  const img = $('focus-preview');
  const compare = new Compare(img, $('compare-view'));
  const scopes = new ScopePanel($('scopes'));
  scopes.setEnabled(scopes.enabled);
  $('scopes-toggle').checked = scopes.enabled;

  /** The B choices: a held still, and every other camera through the same output. */
  function renderSources(camera) {
    const select = $('compare-source');
    const current = compare.source;
    const options = [el('option', { value: '' }, '—')];
    if (compare.held) options.push(el('option', { value: 'held' }, `still: ${compare.held.label}`));
    for (const other of state.cameras()) {
      if (other.id !== camera.id) options.push(el('option', { value: `camera:${other.id}` }, other.label));
    }
    select.replaceChildren(...options);
    select.value = [...select.options].some((o) => o.value === current) ? current : '';
    applySource(select.value);
  }

  function applySource(value) {
    if (value === 'held' && compare.held) {
      compare.setSource('held', compare.held.url, `still ${compare.held.label}`);
    } else if (value.startsWith('camera:')) {
      const other = state.camera(value.slice('camera:'.length));
      if (other) compare.setSource(value, previewUrl(other, 960), other.label);
    } else {
      compare.setSource(null, null, 'B');
    }
  }

  function render(camera) {
    compare.labels.a = camera.label;
    img.onerror = () => { img.hidden = true; };
    img.src = previewUrl(camera, 960);
    img.hidden = compare.active;
    renderSources(camera);
    scopes.request(camera.id, ui.output, state.version);
  }

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
      else return false;
      return true;
    },
  };
}
