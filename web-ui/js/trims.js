// The CDL trim controls: slope / offset / power per channel plus a master that moves all
// three channels together, and saturation. Each has a slider and a numeric field (type a
// value; arrows nudge by 0.01, Shift for 0.001) and resets by itself (↺, or a double-click
// on the slider). Values are in the units the CDL exports.

import { el } from './dom.js';

export const PARAMS = [
  { key: 'slope', label: 'Slope', min: 0, max: 4, identity: 1 },
  { key: 'offset', label: 'Offset', min: -0.5, max: 0.5, identity: 0 },
  { key: 'power', label: 'Power', min: 0.2, max: 4, identity: 1 },
];
const CHANNELS = ['r', 'g', 'b'];

/**
 * A slider + number pair and a reset button; `onInput(value)` fires while dragging or
 * typing, `onReset()` on the button or a double-click on the slider.
 */
function control({ id, label, short = label, min, max, onInput, onReset }) {
  const slider = el('input', { type: 'range', id: `${id}-slider`, min, max, step: 0.001, 'aria-label': label });
  const number = el('input', { type: 'number', id, step: 0.01, min, max, 'aria-label': label });
  const emit = (value) => {
    if (Number.isFinite(value)) onInput(value);
  };
  slider.addEventListener('input', () => emit(Number(slider.value)));
  number.addEventListener('change', () => emit(Number(number.value)));
  number.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    event.preventDefault();
    const step = (event.shiftKey ? 0.001 : 0.01) * (event.key === 'ArrowUp' ? 1 : -1);
    const value = Number((Number(number.value) + step).toFixed(4));
    // Shown at once, so quick repeated nudges add up before the server's echo arrives.
    number.value = value.toFixed(4);
    emit(value);
  });
  slider.addEventListener('dblclick', onReset);
  const reset = el('button', { type: 'button', class: 'reset-one', id: `${id}-reset`, 'aria-label': `Reset ${label}`, title: `Reset ${label}`, onclick: onReset }, '↺');
  const row = [el('label', { for: id, title: label }, short), slider, number, reset];
  const set = (value) => {
    if (document.activeElement !== slider) slider.value = String(value);
    if (document.activeElement !== number) number.value = value.toFixed(4);
  };
  return { row, set };
}

/**
 * Builds the trim controls into `container`. `send(field, value)` carries a change
 * (`trim.slope.r` with a number, `trim.slope` with three numbers, `trim.sat`).
 * Returns `update(cdl)` to show a CDL's values.
 */
export function buildTrims(container, send) {
  const setters = [];
  for (const param of PARAMS) {
    container.append(el('h3', {}, param.label));
    let current = [param.identity, param.identity, param.identity];
    CHANNELS.forEach((channel, i) => {
      const c = control({
        id: `trim-${param.key}-${channel}`,
        label: `${param.label} ${channel.toUpperCase()}`,
        short: channel.toUpperCase(),
        min: param.min,
        max: param.max,
        onInput: (value) => send(`trim.${param.key}.${channel}`, value),
        onReset: () => send(`trim.${param.key}.${channel}`, param.identity),
      });
      container.append(...c.row);
      setters.push((cdl) => c.set(cdl[param.key][i]));
    });
    // Master: moves all three channels by the same amount, keeping their differences.
    const master = control({
      id: `trim-${param.key}-master`,
      label: `${param.label} master`,
      short: 'Master',
      min: param.min,
      max: param.max,
      onInput: (value) => {
        const mean = (current[0] + current[1] + current[2]) / 3;
        send(`trim.${param.key}`, current.map((x) => Number((x + value - mean).toFixed(6))));
      },
      onReset: () => send(`trim.${param.key}`, [param.identity, param.identity, param.identity]),
    });
    container.append(...master.row);
    setters.push((cdl) => {
      current = cdl[param.key];
      master.set((current[0] + current[1] + current[2]) / 3);
    });
  }
  container.append(el('h3', {}, 'Saturation'));
  const sat = control({ id: 'trim-sat', label: 'Saturation', min: 0, max: 2, onInput: (v) => send('trim.sat', v), onReset: () => send('trim.sat', 1) });
  container.append(...sat.row);
  setters.push((cdl) => sat.set(cdl.sat));
  return (cdl) => setters.forEach((set) => set(cdl));
}
