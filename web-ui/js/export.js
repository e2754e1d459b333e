// The export dialog (post handoff): formats, cameras, the day's clip list (a show file,
// uploaded here), which grade each clip gets, then POST /exports and the package's files
// with download links. Earlier packages are listed too.

import { api, authHeaders, withToken } from './api.js';
import { $, el } from './dom.js';
import { allowed } from './roles.js';

export const FORMATS = [
  { id: 'cc', label: '.cc per clip', clips: true },
  { id: 'ccc', label: '.ccc per camera', clips: true },
  { id: 'cdl', label: '.cdl per clip', clips: true },
  { id: 'ale', label: 'ALE with ASC_SOP/SAT', clips: true },
  { id: 'edl', label: 'CMX3600 EDL', clips: true },
  { id: 'amf', label: 'AMF (ACES)', clips: true },
  { id: 'cube', label: '.cube look per camera', clips: false },
  { id: 'clf', label: 'CLF look per camera', clips: false },
  { id: 'report', label: 'Report (HTML)', clips: false },
];

const kib = (n) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

/**
 * @param {{ state: import('./state.js').ShowState }} deps
 */
export function buildExport({ state }) {
  const dialog = $('export-dialog');

  function checkbox(name, value, label, checked) {
    return el('label', { class: 'check' }, el('input', { type: 'checkbox', name, value, checked }), label);
  }

  const checked = (name) => [...dialog.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => /** @type {HTMLInputElement} */ (i).value);

  async function renderClipFiles(select) {
    const files = await api('GET', '/files').catch(() => []);
    const lists = files.filter((f) => /\.(ale|csv|otio)$/i.test(f.name));
    $('export-clips').replaceChildren(
      el('option', { value: '' }, '(none: looks and report only)'),
      ...lists.map((f) => el('option', { value: f.id, selected: f.id === select }, f.name)),
    );
  }

  function renderRules() {
    const snapshots = [...new Set(Object.values(state.show.snapshots).map((s) => s.name))];
    $('export-rule').replaceChildren(
      el('option', { value: 'start' }, 'live at the clip\u2019s first frame'),
      el('option', { value: 'last' }, 'live at the clip\u2019s last frame'),
      ...snapshots.map((n) => el('option', { value: `snapshot:${n}` }, `snapshot \u201c${n}\u201d`)),
    );
  }

  async function open() {
    $('export-formats').replaceChildren(...FORMATS.map((f) => checkbox('format', f.id, f.label, f.id === 'cc' || f.id === 'ccc')));
    $('export-cameras').replaceChildren(...state.cameras().map((c) => checkbox('camera', c.id, c.label, true)));
    renderRules();
    $('export-status').textContent = '';
    dialog.showModal();
    await renderClipFiles(/** @type {HTMLSelectElement} */ ($('export-clips')).value);
    await renderPackages();
  }

  async function upload() {
    const input = /** @type {HTMLInputElement} */ ($('export-upload'));
    const file = input.files?.[0];
    if (!file) return;
    const response = await fetch(`/api/v1/files?name=${encodeURIComponent(file.name)}`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream', ...authHeaders() }, body: await file.arrayBuffer(),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      $('export-status').textContent = body?.error?.message ?? `upload: ${response.status}`;
      return;
    }
    await renderClipFiles(body.id);
    input.value = '';
  }

  function request() {
    const formats = checked('format');
    const cameras = checked('camera');
    const clips = /** @type {HTMLSelectElement} */ ($('export-clips')).value || undefined;
    const body = { formats, rule: $('export-rule').value, id_by: $('export-id-by').value };
    if (clips) body.clips = clips;
    if (cameras.length !== state.cameras().length) body.cameras = cameras;
    const size = Number($('export-lut-size').value);
    if (formats.some((f) => f === 'cube' || f === 'clf')) body.lut_size = size;
    return body;
  }

  /** Why the request cannot go yet, or null. */
  function problem(body) {
    if (body.formats.length === 0) return 'Choose at least one format.';
    if (body.cameras && body.cameras.length === 0) return 'Choose at least one camera.';
    const needClips = body.formats.filter((f) => FORMATS.find((x) => x.id === f)?.clips);
    if (needClips.length > 0 && !body.clips) return `${needClips.join(', ')} need a clip list: upload the day\u2019s ALE, CSV or OTIO.`;
    return null;
  }

  async function submit(event) {
    event.preventDefault();
    const body = request();
    const why = problem(body);
    if (why) {
      $('export-status').textContent = why;
      return;
    }
    $('export-go').disabled = true;
    $('export-status').textContent = 'exporting…';
    try {
      const result = await api('POST', '/exports', body);
      $('export-status').textContent = '';
      showPackage(result);
      await renderPackages();
    } catch (error) {
      $('export-status').textContent = error.message;
    } finally {
      $('export-go').disabled = !allowed('operator');
    }
  }

  function showPackage(p) {
    const notes = [];
    if (p.without_grade) notes.push(`${p.without_grade} clip(s) without a grade`);
    if (p.changed_during) notes.push(`${p.changed_during} clip(s) whose grade changed while rolling (review.txt)`);
    const parts = [
      el('p', {}, el('strong', {}, p.name), ` · ${p.files.length} files · MHL ${p.generation} · `,
        el('a', { href: withToken(p.zip), download: `${p.name}.zip` }, 'download zip')),
      notes.length ? el('p', { class: 'muted' }, notes.join('; ')) : null,
      el('ul', { class: 'list export-files' },
        ...p.files.map((f) => el('li', { dataset: { path: f.path } },
          el('a', { href: withToken(f.url), download: f.path.split('/').pop() }, f.path), el('span', { class: 'muted' }, kib(f.size))))),
    ];
    $('export-result').replaceChildren(...parts.filter(Boolean));
  }

  async function renderPackages() {
    const packages = await api('GET', '/exports').catch(() => []);
    $('export-packages').replaceChildren(
      ...packages.slice(0, 8).map((p) =>
        el('li', {}, el('button', { type: 'button', onclick: () => showPackage(p) }, p.name), el('span', { class: 'muted' }, `${p.files.length} files`))),
    );
  }

  $('export-button').addEventListener('click', open);
  $('export-upload').addEventListener('change', () => upload().catch((e) => { $('export-status').textContent = e.message; }));
  $('export-form').addEventListener('submit', submit);
  $('export-close').addEventListener('click', () => dialog.close());
  return { open };
}
