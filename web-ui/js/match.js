// Camera matching: solve the focused camera's match CDL onto a reference camera from the
// chart (POST /cameras/{id}/match), show ΔE 2000 before and after with the patch picture,
// and apply it as the camera's match node (POST /matches/{id}/apply; the camera's undo
// takes it back). The VC's trims stay in their own node.

import { api, withToken } from './api.js';
import { $, el, toast } from './dom.js';

const fmt = (x, d = 2) => Number(x).toFixed(d);
const triple = (v) => v.map((x) => fmt(x, 4)).join(' ');

function isIdentity(cdl) {
  return cdl.slope.every((x) => x === 1) && cdl.offset.every((x) => x === 0) && cdl.power.every((x) => x === 1) && cdl.sat === 1;
}

/**
 * @param {{ state: import('./state.js').ShowState, ui: any }} deps
 */
export function buildMatch({ state, ui }) {
  /** @type {Map<string, any>} camera id → its latest solved match */
  const latest = new Map();
  let busy = false;

  function renderReferences(camera) {
    const select = $('match-reference');
    const keep = select.value;
    const others = state.cameras().filter((c) => c.id !== camera.id);
    select.replaceChildren(...others.map((c) => el('option', { value: c.id }, c.label)));
    if (others.some((c) => c.id === keep)) select.value = keep;
  }

  function renderResult(camera) {
    const match = latest.get(camera.id);
    const node = camera.grade.match;
    const nodeText = isIdentity(node) ? 'identity' : `slope ${triple(node.slope)} · offset ${triple(node.offset)} · power ${triple(node.power)} · sat ${fmt(node.sat, 4)}`;
    const parts = [el('p', { class: 'muted match-node' }, `Match node: ${nodeText}`)];
    if (match) {
      const applied = match.applied_version != null;
      const onto = state.camera(match.reference)?.label ?? match.reference;
      const warned = match.after.patches.filter((p) => p.warnings.length > 0);
      parts.push(
        el('p', { class: 'match-delta', dataset: { before: match.before.mean, after: match.after.mean } },
          `onto ${onto}, ΔE 2000 on ${match.output}: mean `, el('strong', {}, `${fmt(match.before.mean)} → ${fmt(match.after.mean)}`),
          `, max ${fmt(match.before.max)} → ${fmt(match.after.max)}`),
        el('p', { class: 'muted match-cdl' }, `slope ${triple(match.cdl.slope)} · offset ${triple(match.cdl.offset)} · power ${triple(match.cdl.power)} · sat ${fmt(match.cdl.sat, 4)}`),
        match.monitoring_matrix
          ? el('p', { class: 'muted' }, `Monitoring matrix: mean ${fmt(match.monitoring_matrix.mean)}, max ${fmt(match.monitoring_matrix.max)} (monitoring only: a matrix cannot travel in a CDL)`)
          : null,
        warned.length ? el('p', { class: 'muted' }, `Patches: ${warned.map((p) => `${p.name} ${p.warnings.join('/')}`).join(', ')}`) : null,
        el('img', { class: 'match-picture', src: withToken(match.picture), alt: 'Patches: reference, before, after, with ΔE after' }),
        el('div', { class: 'row' },
          el('button', { id: 'match-apply', disabled: applied, onclick: () => apply(match) },
            applied ? `Applied (version ${match.applied_version})` : 'Apply match')),
      );
    }
    $('match-result').replaceChildren(...parts.filter(Boolean));
  }

  async function solve() {
    const camera = state.camera(ui.focus);
    const reference = $('match-reference').value;
    if (!camera || !reference || busy) return;
    busy = true;
    $('match-solve').disabled = true;
    $('match-status').textContent = `solving ${camera.label} onto ${state.camera(reference)?.label ?? reference}…`;
    try {
      const match = await api('POST', `/cameras/${encodeURIComponent(camera.id)}/match`, {
        reference, monitoring_matrix: $('match-matrix').checked,
      });
      latest.set(camera.id, match);
      $('match-status').textContent = '';
      if (ui.focus === camera.id) renderResult(state.camera(camera.id));
    } catch (error) {
      $('match-status').textContent = error.message;
    } finally {
      busy = false;
      $('match-solve').disabled = false;
    }
  }

  async function apply(match) {
    try {
      const applied = await api('POST', `/matches/${encodeURIComponent(match.id)}/apply`);
      latest.set(match.camera, { ...match, applied_version: applied.version });
      const camera = state.camera(match.camera);
      if (camera && ui.focus === camera.id) renderResult(camera);
    } catch (error) {
      toast(error.message);
    }
  }

  /** Loads the newest solved match of each camera (after a reload the list is the server's). */
  async function loadLatest() {
    const matches = await api('GET', '/matches').catch(() => []);
    for (const m of matches) {
      const have = latest.get(m.camera);
      if (!have || have.created_ms <= m.created_ms) latest.set(m.camera, m);
    }
  }

  $('match-solve').addEventListener('click', solve);
  let loaded = loadLatest();

  return {
    /** Shows the match controls for `camera`. */
    async render(camera) {
      renderReferences(camera);
      renderResult(camera);
      await loaded;
      loaded = Promise.resolve();
      if (ui.focus === camera.id) renderResult(state.camera(camera.id));
    },
  };
}
