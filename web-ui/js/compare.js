// Compare modes on the focus view: the live graded picture (A) against a reference (B):
// another camera through the same output, or a still held from an earlier moment
// ("hold"). Split puts A and B side by side, wipe shows B right of a line you drag (mouse,
// touch or arrow keys), A/B flips between them. Drawn on a canvas from two pictures.
//
// The composition is the page's on purpose (the server's preview.jpg compare=wipe|split
// does the same): a wipe dragged at 60 moves a second costs the server nothing here, where
// a server wipe is a new render and JPEG per position; A/B flips at once; and a held still
// lives only in the page. The server gives the B pictures (view=log, snapshot=, cameras).

export const MODES = ['off', 'split', 'wipe', 'ab'];

export class Compare extends EventTarget {
  /**
   * @param {HTMLImageElement} a the live picture
   * @param {HTMLCanvasElement} canvas where A and B are composed
   */
  constructor(a, canvas) {
    super();
    this.a = a;
    this.canvas = canvas;
    this.b = new Image();
    this.b.alt = 'Compare reference';
    this.mode = 'off';
    this.source = null; // 'camera:ID' | 'held'
    this.labels = { a: 'A', b: 'B' };
    this.wipe = 0.5; // 0..1 of the width
    this.showB = false; // A/B mode: B is showing
    this.held = null; // {url, label}
    a.addEventListener('load', () => this.draw());
    this.b.addEventListener('load', () => this.draw());
    canvas.addEventListener('pointerdown', (e) => this.dragWipe(e));
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.tabIndex = 0;
  }

  get active() {
    return this.mode !== 'off' && this.source !== null;
  }

  setMode(mode) {
    this.mode = MODES.includes(mode) ? mode : 'off';
    this.update();
  }

  /** Sets B: `url` of its picture and the label drawn on it. */
  setSource(source, url, label) {
    this.source = source;
    this.labels.b = label;
    if (url && this.b.getAttribute('src') !== url) this.b.src = url;
    this.update();
  }

  /** Keeps a copy of what A shows now, as a reference that does not change. */
  async hold(label) {
    const response = await fetch(this.a.currentSrc || this.a.src);
    if (!response.ok) throw new Error(`hold: ${response.status}`);
    if (this.held) URL.revokeObjectURL(this.held.url);
    this.held = { url: URL.createObjectURL(await response.blob()), label };
    return this.held;
  }

  flip() {
    this.showB = !this.showB;
    this.draw();
  }

  update() {
    this.canvas.hidden = !this.active;
    this.a.hidden = this.active;
    this.canvas.dataset.mode = this.active ? this.mode : 'off';
    this.draw();
    this.dispatchEvent(new CustomEvent('change'));
  }

  /** Composes A and B on the canvas, at the pictures' own resolution. */
  draw() {
    if (!this.active) return;
    const { a, b, canvas } = this;
    if (!(a.complete && a.naturalWidth && b.complete && b.naturalWidth)) return;
    canvas.width = a.naturalWidth;
    canvas.height = a.naturalHeight;
    const g = canvas.getContext('2d');
    const w = canvas.width;
    const h = canvas.height;
    g.fillStyle = '#000';
    g.fillRect(0, 0, w, h);
    if (this.mode === 'split') {
      // Each picture whole, at half width, centred vertically.
      const hh = Math.round(h / 2);
      const y = Math.round((h - hh) / 2);
      g.drawImage(a, 0, y, w / 2, hh);
      g.drawImage(b, w / 2, y, w / 2, hh);
      this.label(g, this.labels.a, 8, y + 8);
      this.label(g, this.labels.b, w / 2 + 8, y + 8);
    } else if (this.mode === 'wipe') {
      const x = Math.round(this.wipe * w);
      g.drawImage(a, 0, 0, w, h);
      g.drawImage(b, x, 0, w - x, h, x, 0, w - x, h);
      g.fillStyle = '#e0e0e0';
      g.fillRect(x - 1, 0, 2, h);
      this.label(g, this.labels.a, 8, 8);
      this.label(g, this.labels.b, Math.max(x + 8, w - 8 - g.measureText(this.labels.b).width - 12), 8);
    } else {
      g.drawImage(this.showB ? b : a, 0, 0, w, h);
      this.label(g, this.showB ? `B · ${this.labels.b}` : `A · ${this.labels.a}`, 8, 8);
    }
    canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? 0) + 1);
  }

  label(g, text, x, y) {
    g.font = '600 20px system-ui, sans-serif';
    const w = g.measureText(text).width;
    g.fillStyle = 'rgba(0, 0, 0, 0.6)';
    g.fillRect(x, y, w + 12, 28);
    g.fillStyle = '#d0d0d0';
    g.fillText(text, x + 6, y + 21);
  }

  dragWipe(event) {
    if (this.mode === 'ab') return this.flip();
    if (this.mode !== 'wipe') return;
    this.canvas.setPointerCapture(event.pointerId);
    const move = (e) => {
      const r = this.canvas.getBoundingClientRect();
      this.wipe = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
      this.draw();
    };
    move(event);
    const up = () => {
      this.canvas.removeEventListener('pointermove', move);
      this.canvas.removeEventListener('pointerup', up);
      this.canvas.removeEventListener('pointercancel', up);
    };
    this.canvas.addEventListener('pointermove', move);
    this.canvas.addEventListener('pointerup', up);
    this.canvas.addEventListener('pointercancel', up);
  }

  key(event) {
    if (this.mode === 'wipe' && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
      const step = (event.shiftKey ? 0.01 : 0.05) * (event.key === 'ArrowRight' ? 1 : -1);
      this.wipe = Math.min(1, Math.max(0, this.wipe + step));
      this.draw();
      event.preventDefault();
    }
  }
}
