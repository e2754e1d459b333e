// The timecode and recording dialog: the show clock (jam it to a timecode), where the
// cameras' timecode comes from (show-wide, or per camera where one differs) and what records
// each camera's pictures. Post reads these in the look report and the workflow drawing.
// Every save is one request (PATCH /show or PATCH /cameras/{id}); the server checks it and
// its error, with the field it names, is shown in the dialog; nothing is changed then.

import { api } from './api.js';
import { $, el } from './dom.js';
import { allowed } from './roles.js';

/** The server's timecode modes, in its words (`TimecodeMode`). */
export const TIMECODE_MODES = [
  { id: 'ltc', label: 'LTC in (master clock)' },
  { id: 'jam-sync', label: 'jam-sync from a master clock' },
  { id: 'free-run', label: 'internal free-run' },
  { id: 'rec-run', label: 'internal rec-run' },
];

/** Most recorders per camera (the server's `MAX_RECORDERS`). */
const MAX_RECORDERS = 8;

const CLOCK_SOURCE = { 'free-run': 'free-running from this computer', jammed: 'jammed', ltc: 'locked to LTC' };

/**
 * A timecode source's fields: a mode select (with `none` as the first choice) and master,
 * genlock and label inputs; `read()` gives the source, or null for `none`.
 * @param {string} prefix id prefix @param {string} none the label of "no source"
 */
function sourceFields(prefix, none) {
  const mode = el('select', { id: `${prefix}-mode` },
    el('option', { value: '' }, none),
    ...TIMECODE_MODES.map((m) => el('option', { value: m.id }, m.label)));
  const input = (name, placeholder) => el('input', { id: `${prefix}-${name}`, placeholder, autocomplete: 'off', maxlength: 200 });
  const master = input('master', 'e.g. Ambient Lockit ACL 204');
  const genlock = input('genlock', 'e.g. tri-level sync from the SPG');
  const label = input('label', 'e.g. jammed at call time and after lunch');
  const field = (text, control) => el('div', { class: 'field' }, el('label', { for: control.id }, text), control);
  const node = el('div', { class: 'device-grid' },
    field('Mode', mode), field('Master clock', master), field('Genlock', genlock), field('Note', label));
  const sync = () => {
    for (const input of [master, genlock, label]) input.disabled = !mode.value || !allowed('operator');
  };
  mode.addEventListener('change', sync);
  return {
    node,
    /** @param {any} source */
    show(source) {
      mode.value = source?.mode ?? '';
      master.value = source?.master ?? '';
      genlock.value = source?.genlock ?? '';
      label.value = source?.label ?? '';
      sync();
    },
    read() {
      if (!mode.value) return null;
      return { mode: mode.value, master: master.value.trim(), genlock: genlock.value.trim(), label: label.value.trim() };
    },
  };
}

/** One editable recorder row. @param {any} recorder @param {() => void} remove */
function recorderRow(recorder, remove) {
  const kind = el('select', { 'aria-label': 'Recorder kind', name: 'kind' },
    el('option', { value: 'internal', title: 'the camera\u2019s own media' }, 'internal'),
    el('option', { value: 'external', title: 'a recorder on one of the camera\u2019s outputs' }, 'external'));
  kind.value = recorder.kind;
  const text = (name, label, placeholder) =>
    el('input', { name, 'aria-label': label, placeholder, value: recorder[name] ?? '', autocomplete: 'off', maxlength: 200 });
  const row = el('tr', { class: 'recorder' },
    el('td', {}, kind),
    el('td', {}, text('name', 'Recorder make and model', 'Atomos Shogun')),
    el('td', {}, text('codec', 'Codec', 'ProRes 4444 XQ')),
    el('td', {}, text('label', 'Media, slot, reel naming', 'CFexpress B slot 1, reels A###')),
    el('td', {}, el('button', { type: 'button', class: 'remove', 'aria-label': 'Remove recorder', onclick: remove }, '×')));
  return row;
}

/** The recorders in the table, as the server takes them. @param {HTMLElement} body */
function readRecorders(body) {
  return [...body.querySelectorAll('tr.recorder')].map((row) => {
    const value = (name) => /** @type {HTMLInputElement} */ (row.querySelector(`[name="${name}"]`)).value.trim();
    return { kind: value('kind'), name: value('name'), codec: value('codec'), label: value('label') };
  });
}

/**
 * @param {{ state: import('./state.js').ShowState, focused: () => string | null }} deps
 */
export function buildRecording({ state, focused }) {
  const dialog = $('recording-dialog');
  const showSource = sourceFields('show-tc', '(not stated)');
  const cameraSource = sourceFields('camera-tc', 'same as the show');
  $('show-tc-fields').replaceChildren(showSource.node);
  $('camera-tc-fields').replaceChildren(cameraSource.node);
  let camera = null;

  function status(text, error = false) {
    const line = $('recording-status');
    line.textContent = text;
    line.classList.toggle('error', error);
  }

  /** Runs a request; an error shows with the field the server names. */
  async function send(what, method, path, body) {
    try {
      const answer = await api(method, path, body);
      status(`${what}: saved.`);
      return answer;
    } catch (error) {
      status(`${what} not saved: ${error.message}${error.path ? ` (${error.path})` : ''}`, true);
      return null;
    }
  }

  async function renderClock() {
    const clock = await api('GET', '/timecode').catch(() => null);
    if (!clock) return;
    $('clock-now').textContent = clock.timecode;
    $('clock-info').textContent = `${clock.frame_rate} fps · ${CLOCK_SOURCE[clock.source] ?? clock.source}`;
  }

  function renderCamera() {
    const cam = state.camera(camera);
    const body = $('recorders');
    body.replaceChildren();
    if (!cam) return;
    for (const recorder of cam.recorders ?? []) addRow(recorder);
    cameraSource.show(cam.timecode_source);
    syncRows();
  }

  function addRow(recorder) {
    const body = $('recorders');
    const row = recorderRow(recorder, () => {
      row.remove();
      syncRows();
    });
    body.append(row);
  }

  function syncRows() {
    const rows = $('recorders').querySelectorAll('tr.recorder').length;
    $('recorders-empty').hidden = rows > 0;
    $('recorder-add').disabled = rows >= MAX_RECORDERS || !allowed('operator');
  }

  function open() {
    const cameras = state.cameras();
    camera = state.camera(focused())?.id ?? cameras[0]?.id ?? null;
    $('recording-camera').replaceChildren(...cameras.map((c) => el('option', { value: c.id, selected: c.id === camera }, c.label)));
    showSource.show(state.show.timecode_source);
    renderCamera();
    status('');
    dialog.showModal();
    renderClock();
  }

  async function jam() {
    const timecode = /** @type {HTMLInputElement} */ ($('jam-timecode')).value.trim();
    if (!timecode) {
      status('Jam: type a timecode (HH:MM:SS:FF).', true);
      return;
    }
    const clock = await send('Jam', 'POST', '/timecode/jam', { timecode });
    if (clock) {
      $('timecode').textContent = clock.timecode;
      renderClock();
    }
  }

  $('timecode-button').addEventListener('click', open);
  $('recording-close').addEventListener('click', () => dialog.close());
  $('recording-camera').addEventListener('change', (event) => {
    camera = event.target.value;
    renderCamera();
  });
  $('jam').addEventListener('click', jam);
  $('jam-timecode').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      jam();
    }
  });
  $('show-tc-save').addEventListener('click', () =>
    send('Show timecode source', 'PATCH', '/show', { timecode_source: showSource.read() }));
  $('recorder-add').addEventListener('click', () => {
    addRow({ kind: 'internal', name: '', codec: '', label: '' });
    syncRows();
  });
  $('camera-recording-save').addEventListener('click', () => {
    if (!camera) return;
    send(`Recording of ${state.camera(camera)?.label ?? camera}`, 'PATCH', `/cameras/${camera}`, {
      recorders: readRecorders($('recorders')),
      timecode_source: cameraSource.read(),
    });
  });
  return { open, renderCamera };
}
