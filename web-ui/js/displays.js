// The display transforms an output can use, as the server lists them (GET /api/v1/displays:
// the colour engine's catalogue with each transform's name, SDR/HDR, peak, encoding and
// gamut), loaded once the session is known. The select groups them SDR, then HDR.

import { api } from './api.js';
import { el } from './dom.js';

/**
 * @typedef {{ id: string, name: string, kind: 'sdr' | 'hdr', peak_nits: number, encoding: string,
 *   gamut: string, limiting_gamut: string, rendering: string }} DisplayTransform
 */

/** @type {DisplayTransform[]} */
let displays = [];

/** Loads the list from the server. */
export async function loadDisplays() {
  displays = await api('GET', '/displays');
}

/** True when `id` is a display transform the server knows. @param {string | undefined} id */
export function knownDisplay(id) {
  return displays.some((d) => d.id === id);
}

/** What a transform is, in one line (its option's tooltip). @param {DisplayTransform} d */
function describe(d) {
  const limited = d.limiting_gamut !== d.gamut ? ` limited to ${d.limiting_gamut}` : '';
  return `${d.rendering}, ${d.peak_nits} nit, ${d.encoding}, ${d.gamut}${limited} (${d.id})`;
}

/** The select's option groups, SDR then HDR, with `current` selected. @param {string | undefined} current */
export function displayOptions(current) {
  return [['sdr', 'SDR'], ['hdr', 'HDR']].map(([kind, label]) =>
    el('optgroup', { label },
      ...displays.filter((d) => d.kind === kind).map((d) =>
        el('option', { value: d.id, selected: d.id === current, title: describe(d), dataset: { kind } }, d.name))));
}
