// Show-wide scenes: every camera's grade stored at once (POST /scenes), listed, recalled
// together with an optional fade (POST /scenes/{id}/recall) and deleted. The list is the
// show's `scenes` map, loaded with the show (GET /export, the same data as GET /scenes)
// and kept live by the change stream, so a scene stored in another browser appears here.

import { api } from './api.js';
import { $, el, toast } from './dom.js';

/** A URL-safe scene id from its name, made unique with the time. @param {string} name */
export function sceneId(name) {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${slug || 'scene'}-${Date.now().toString(36)}`;
}

async function call(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (error) {
    toast(error.message);
    return null;
  }
}

/** @param {{ state: import('./state.js').ShowState }} deps */
export function buildScenes({ state }) {
  function store() {
    const name = $('scene-name').value.trim() || `Scene ${$('timecode').textContent}`;
    const fade = Number($('scene-fade').value);
    if (!Number.isInteger(fade) || fade < 0 || fade > 600) {
      toast('Fade must be a whole number of frames from 0 to 600');
      return;
    }
    call('POST', '/scenes', { id: sceneId(name), name, fade_frames: fade });
    $('scene-name').value = '';
  }

  function render() {
    const scenes = Object.values(state.show?.scenes ?? {});
    $('scenes').replaceChildren(
      ...scenes.map((s) =>
        el('li', { dataset: { scene: s.id } },
          el('span', {}, `${s.name} `,
            el('span', { class: 'muted' }, `${s.timecode} · ${Object.keys(s.grades).length} cameras · ${s.fade_frames ? `${s.fade_frames} f fade` : 'cut'}`)),
          el('button', { onclick: () => call('POST', `/scenes/${encodeURIComponent(s.id)}/recall`), 'aria-label': `Recall scene ${s.name}` }, 'Recall'),
          el('button', { onclick: () => call('DELETE', `/scenes/${encodeURIComponent(s.id)}`), 'aria-label': `Delete scene ${s.name}` }, '×'))),
    );
    $('scenes-empty').hidden = scenes.length > 0;
  }

  $('scene-store').addEventListener('click', store);
  $('scene-name').addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'Enter') store();
  });
  return { render };
}
