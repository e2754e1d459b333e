// Scopes beside the focus view, drawn from the server's counts (GET /cameras/{id}/scopes):
// luma waveform, RGB parade, vectorscope with colour-bar targets and the skin line, and
// histograms; level marks (black, 18 % grey, 100 % or nits) drawn across the scales.
// One request at a time; a change while one is out asks again once it answers (latest wins).

import { api } from './api.js';
import { el } from './dom.js';

/** Decodes the server's base64 little-endian u16 counts. */
export function unpack(text) {
  const bytes = atob(text);
  const out = new Uint16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.charCodeAt(2 * i) | (bytes.charCodeAt(2 * i + 1) << 8);
  return out;
}

const TRACE = { luma: [200, 220, 200], r: [255, 70, 60], g: [70, 230, 90], b: [80, 130, 255] };
const GRATICULE = 'rgba(200, 200, 200, 0.28)';
const LABEL = 'rgba(200, 200, 200, 0.7)';

/** Brightness 0..1 for a count: log scale against the largest count, so faint traces show. */
function intensity(count, max) {
  return count === 0 ? 0 : Math.min(1, 0.15 + 0.85 * (Math.log1p(count) / Math.log1p(max)));
}

/** A `width × height` picture of column histograms, `levels` fastest, level 0 at the bottom. */
function paintColumns(image, counts, columns, levels, x0, rgb) {
  let max = 1;
  for (const c of counts) if (c > max) max = c;
  const { data, width } = image;
  for (let x = 0; x < columns; x++) {
    for (let l = 0; l < levels; l++) {
      const k = intensity(counts[x * levels + l], max);
      if (k === 0) continue;
      const p = ((levels - 1 - l) * width + x0 + x) * 4;
      data[p] = Math.max(data[p], rgb[0] * k);
      data[p + 1] = Math.max(data[p + 1], rgb[1] * k);
      data[p + 2] = Math.max(data[p + 2], rgb[2] * k);
      data[p + 3] = 255;
    }
  }
}

/** Puts a small `image` on `canvas`, scaled to fill it (or the rectangle `to`). */
function blit(canvas, image, to = [0, 0, canvas.width, canvas.height]) {
  const small = document.createElement('canvas');
  small.width = image.width;
  small.height = image.height;
  small.getContext('2d').putImageData(image, 0, 0);
  const g = canvas.getContext('2d');
  g.fillStyle = '#000';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.imageSmoothingEnabled = true;
  g.drawImage(small, to[0], to[1], to[2], to[3]);
  return g;
}

/** Horizontal level marks (0..1 of the output's code range) with their labels. */
function drawMarks(g, marks, w, h) {
  g.strokeStyle = GRATICULE;
  g.fillStyle = LABEL;
  g.font = '11px system-ui, sans-serif';
  g.lineWidth = 1;
  for (const mark of marks) {
    const y = Math.round((1 - mark.level) * (h - 1)) + 0.5;
    g.beginPath();
    g.moveTo(0, y);
    g.lineTo(w, y);
    g.stroke();
    g.fillText(mark.label, 3, Math.min(h - 3, Math.max(11, y - 2)));
  }
}

export function drawWaveform(canvas, scopes) {
  const { columns, levels } = scopes.waveform;
  const image = new ImageData(columns, levels);
  paintColumns(image, unpack(scopes.waveform.luma), columns, levels, 0, TRACE.luma);
  const g = blit(canvas, image);
  drawMarks(g, scopes.marks, canvas.width, canvas.height);
}

export function drawParade(canvas, scopes) {
  const { columns, levels } = scopes.waveform;
  const image = new ImageData(columns * 3, levels);
  ['r', 'g', 'b'].forEach((c, i) => paintColumns(image, unpack(scopes.waveform[c]), columns, levels, i * columns, TRACE[c]));
  const g = blit(canvas, image);
  drawMarks(g, scopes.marks, canvas.width, canvas.height);
  g.strokeStyle = GRATICULE;
  for (const x of [1, 2].map((i) => Math.round((i * canvas.width) / 3) + 0.5)) {
    g.beginPath();
    g.moveTo(x, 0);
    g.lineTo(x, canvas.height);
    g.stroke();
  }
}

export function drawVectorscope(canvas, scopes) {
  const n = scopes.vectorscope_size;
  const counts = unpack(scopes.vectorscope);
  const image = new ImageData(n, n);
  let max = 1;
  for (const c of counts) if (c > max) max = c;
  for (let i = 0; i < counts.length; i++) {
    const k = intensity(counts[i], max);
    if (k === 0) continue;
    image.data.set([230 * k, 230 * k, 210 * k, 255], i * 4);
  }
  // A square scope centred in the canvas; Cb across, Cr up, ±0.5 at the edges.
  const s = canvas.height;
  const ox = (canvas.width - s) / 2;
  const g = blit(canvas, image, [ox, 0, s, s]);
  const at = (cb, cr) => [ox + (cb + 0.5) * s, (0.5 - cr) * s];
  const [cx, cy] = at(0, 0);
  g.strokeStyle = GRATICULE;
  g.beginPath();
  g.arc(cx, cy, s / 2 - 1, 0, Math.PI * 2);
  g.moveTo(ox, cy); g.lineTo(ox + s, cy); g.moveTo(cx, 0); g.lineTo(cx, s);
  g.stroke();
  const skin = (scopes.skin_line_degrees * Math.PI) / 180;
  g.strokeStyle = 'rgba(220, 170, 120, 0.5)';
  g.beginPath();
  g.moveTo(cx, cy);
  g.lineTo(...at(0.5 * Math.cos(skin), 0.5 * Math.sin(skin)));
  g.stroke();
  g.font = '10px system-ui, sans-serif';
  for (const t of scopes.targets) {
    const [x, y] = at(t.cb, t.cr);
    const full = t.label.endsWith('100%');
    g.strokeStyle = full ? LABEL : GRATICULE;
    g.strokeRect(x - 4, y - 4, 8, 8);
    if (full) {
      g.fillStyle = LABEL;
      g.fillText(t.label.split(' ')[0], x + 6, y + 4);
    }
  }
}

export function drawHistogram(canvas, scopes) {
  const g = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  g.fillStyle = '#000';
  g.fillRect(0, 0, w, h);
  const hist = scopes.histogram;
  // Scale to the tallest bin that is not a clip at either end, so clipping does not flatten the rest.
  let max = 1;
  for (const c of ['r', 'g', 'b', 'luma']) for (let i = 1; i < hist.bins - 1; i++) max = Math.max(max, hist[c][i]);
  g.globalCompositeOperation = 'lighter';
  for (const c of ['r', 'g', 'b']) {
    g.fillStyle = `rgba(${TRACE[c].join(',')}, 0.55)`;
    g.beginPath();
    g.moveTo(0, h);
    hist[c].forEach((n, i) => g.lineTo(((i + 0.5) / hist.bins) * w, h - Math.min(1, n / max) * (h - 2)));
    g.lineTo(w, h);
    g.fill();
  }
  g.globalCompositeOperation = 'source-over';
  g.strokeStyle = 'rgba(230, 230, 230, 0.8)';
  g.beginPath();
  hist.luma.forEach((n, i) => g.lineTo(((i + 0.5) / hist.bins) * w, h - Math.min(1, n / max) * (h - 2)));
  g.stroke();
  g.strokeStyle = GRATICULE;
  g.fillStyle = LABEL;
  g.font = '11px system-ui, sans-serif';
  for (const mark of scopes.marks) {
    const x = Math.round(mark.level * (w - 1)) + 0.5;
    g.beginPath();
    g.moveTo(x, 0);
    g.lineTo(x, h);
    g.stroke();
  }
}

const KINDS = [
  { id: 'waveform', label: 'Waveform', draw: drawWaveform, size: [512, 256] },
  { id: 'parade', label: 'RGB parade', draw: drawParade, size: [512, 256] },
  { id: 'vectorscope', label: 'Vectorscope', draw: drawVectorscope, size: [512, 256] },
  { id: 'histogram', label: 'Histogram', draw: drawHistogram, size: [512, 256] },
];

export class ScopePanel {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    this.canvases = {};
    this.busy = false;
    this.wanted = null; // {camera, output, version} asked for while busy
    this.last = null; // the scopes drawn, for tests and the console
    this.enabled = localStorage.getItem('lookwire.scopes') !== 'off';
    for (const kind of KINDS) {
      const canvas = el('canvas', { id: `scope-${kind.id}`, width: kind.size[0], height: kind.size[1], role: 'img', 'aria-label': kind.label });
      this.canvases[kind.id] = canvas;
      container.append(el('figure', { class: `scope scope-${kind.id}` }, canvas, el('figcaption', {}, kind.label)));
    }
    this.status = el('p', { class: 'muted scope-status', role: 'status' });
    container.append(this.status);
  }

  setEnabled(on) {
    this.enabled = on;
    localStorage.setItem('lookwire.scopes', on ? 'on' : 'off');
    this.container.hidden = !on;
  }

  /** Asks for the scopes of `camera` through `output` as of show `version`. */
  request(camera, output, version) {
    if (!this.enabled || !camera) return;
    this.wanted = { camera, output, version };
    if (!this.busy) this.next();
  }

  async next() {
    this.busy = true;
    while (this.wanted) {
      const { camera, output, version } = this.wanted;
      this.wanted = null;
      const query = output ? `?output=${encodeURIComponent(output)}` : '';
      try {
        const scopes = await api('GET', `/cameras/${encodeURIComponent(camera)}/scopes${query}`);
        this.draw(scopes);
        this.container.dataset.camera = camera;
        this.container.dataset.version = String(version);
        this.status.textContent = `${scopes.output} · ${scopes.encoding} · ${scopes.width}×${scopes.height}`;
      } catch (error) {
        this.status.textContent = `scopes: ${error.message}`;
      }
    }
    this.busy = false;
  }

  draw(scopes) {
    this.last = scopes;
    for (const kind of KINDS) kind.draw(this.canvases[kind.id], scopes);
  }
}
