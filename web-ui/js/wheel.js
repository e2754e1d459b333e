// A color wheel as colorists know it: drag the puck towards a hue to push the picture that
// way. The puck's position is a chroma vector in the vectorscope plane (right = Cb/blue,
// up = Cr/red); it becomes RGB deltas that leave Rec.709 luma unchanged, added to offset
// or multiplied into slope / power. Double-click recentres (all channels at their luma).

const CB = [0, -0.1873, 1.8556]; // BT.709 YCbCr → RGB, Cb column
const CR = [1.5748, -0.4681, 0]; //                  Cr column

/** Rec.709 luma of three channel values. */
const luma = (v) => 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];

/** RGB deltas (luma-neutral) for a chroma vector. */
export function chromaToRgb(cb, cr) {
  return [0, 1, 2].map((c) => cb * CB[c] + cr * CR[c]);
}

/** The chroma vector of RGB deltas (their luma removed): the inverse of `chromaToRgb`. */
export function rgbToChroma(d) {
  const y = luma(d);
  return { cb: (d[2] - y) / 1.8556, cr: (d[0] - y) / 1.5748 };
}

/**
 * Each arrow press or drag step starts from the value the wheel shows. Were that the
 * server's echo, presses faster than the round trip would start from a stale value and
 * steps would be lost; so while its own values are in flight the wheel shows the newest it
 * sent. The server's echoes of earlier ones are skipped; the echo of the newest, any other
 * value (an undo, a reset, another browser), another camera or a refusal ends the hold.
 * If no echo comes within HOLD_MS (a lost connection), the wheel shows the server's value.
 */
const HOLD_MS = 3000;

/** True when two channel triples are the same value (the server echoes what it took). */
const same = (a, b) => a.every((x, i) => Math.abs(x - b[i]) <= 1e-9 * (1 + Math.abs(x)));

const HUES = ['red', 'yellow', 'green', 'cyan', 'blue', 'magenta'];

/** The nearest of the six vectorscope hues to RGB deltas `d`. */
export function hueName(d) {
  const [r, g, b] = d;
  const max = Math.max(r, g, b);
  const span = max - Math.min(r, g, b) || 1;
  let h = max === r ? (g - b) / span : max === g ? 2 + (b - r) / span : 4 + (r - g) / span;
  if (h < 0) h += 6;
  return HUES[Math.round(h) % 6];
}

export class Wheel {
  /**
   * @param {string} name  offset | slope | power
   * @param {number} reach the chroma delta at the rim
   * @param {(values: number[]) => void} onChange receives the new three channel values
   */
  constructor(name, reach, onChange) {
    this.name = name;
    this.reach = reach;
    this.onChange = onChange;
    this.values = [0, 0, 0];
    this.truth = this.values; // the server's newest value, shown once the hold ends
    this.camera = null; // whose value it is
    this.inFlight = []; // values sent and not yet echoed, oldest first
    this.holdTimer = 0;
    this.canvas = document.createElement('canvas');
    this.canvas.width = this.canvas.height = 160;
    // A two-dimensional control: a slider to assistive technology, whose value is the
    // distance from the centre and whose text says the direction and the channel values.
    this.canvas.setAttribute('role', 'slider');
    this.canvas.setAttribute('aria-roledescription', 'color wheel');
    this.canvas.setAttribute('aria-label', `${name} color wheel`);
    this.canvas.setAttribute('aria-valuemin', '0');
    this.canvas.setAttribute('aria-valuemax', '100');
    this.canvas.setAttribute('aria-keyshortcuts', 'ArrowUp ArrowDown ArrowLeft ArrowRight Home');
    this.canvas.title = 'Arrows push the hue (Shift: fine), Home or double-click recentres';
    this.canvas.tabIndex = 0;
    this.canvas.addEventListener('pointerdown', (e) => this.disabled || this.drag(e));
    this.canvas.addEventListener('dblclick', () => this.disabled || this.centre());
    this.canvas.addEventListener('keydown', (e) => this.disabled || this.key(e));
    this.describe();
  }

  /**
   * A wheel that only shows its value (aria-disabled, as roles.js marks a viewer's): it
   * takes no drag, key or click.
   */
  get disabled() {
    return this.canvas.getAttribute('aria-disabled') === 'true';
  }

  base() {
    return this.name === 'offset' ? 0 : 1;
  }

  /** Deviation of the channels from their Rec.709 luma, relative for slope/power. */
  deltas(values) {
    const level = luma(values);
    return this.name === 'offset' ? values.map((v) => v - level) : values.map((v) => v / (level || 1) - 1);
  }

  /**
   * Sets the chroma vector, keeping the channels' luma: the deltas are luma-neutral, so a
   * wheel never moves the level however long it is dragged (the mean would drift).
   */
  apply(cb, cr) {
    const level = luma(this.values);
    const d = chromaToRgb(cb, cr);
    const next = this.name === 'offset' ? d.map((x) => level + x) : d.map((x) => Math.max(0.001, level * (1 + x)));
    const values = next.map((x) => Number(x.toFixed(6)));
    this.inFlight.push(values);
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.release(), HOLD_MS);
    this.show(values);
    this.onChange(values);
  }

  /** Ends the hold now (a refused value): the wheel shows the server's value again. */
  release() {
    this.inFlight = [];
    clearTimeout(this.holdTimer);
    this.show(this.truth);
  }

  drag(event) {
    this.canvas.setPointerCapture(event.pointerId);
    const move = (e) => {
      const r = this.canvas.getBoundingClientRect();
      const x = ((e.clientX - r.left) / r.width) * 2 - 1;
      const y = 1 - ((e.clientY - r.top) / r.height) * 2;
      const len = Math.hypot(x, y);
      const k = len > 1 ? 1 / len : 1;
      this.apply(x * k * this.reach, y * k * this.reach);
    };
    move(event);
    const up = () => {
      this.canvas.removeEventListener('pointermove', move);
      this.canvas.removeEventListener('pointerup', up);
    };
    this.canvas.addEventListener('pointermove', move);
    this.canvas.addEventListener('pointerup', up);
  }

  key(event) {
    const steps = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (event.key === 'Home') {
      event.preventDefault();
      this.centre();
      return;
    }
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    const { cb, cr } = rgbToChroma(this.deltas(this.values));
    const s = this.reach * (event.shiftKey ? 0.005 : 0.05);
    this.apply(cb + step[0] * s, cr + step[1] * s);
  }

  centre() {
    this.apply(0, 0);
  }

  /**
   * The server's value of `camera`'s wheel: shown at once, unless it is the echo of a
   * value this wheel sent before its newest (the hold, see HOLD_MS).
   */
  set(values, camera = null) {
    const unchanged = camera === this.camera && same(values, this.truth);
    this.truth = values;
    if (camera !== this.camera) {
      this.camera = camera;
      this.release();
      return;
    }
    if (unchanged) return; // the panel redrawn for another change: nothing new here
    const echoed = this.inFlight.findIndex((sent) => same(sent, values));
    if (echoed >= 0 && echoed < this.inFlight.length - 1) {
      this.inFlight.splice(0, echoed + 1);
      return;
    }
    this.release();
  }

  show(values) {
    this.values = values;
    this.draw();
    this.describe();
  }

  /** The wheel's value for assistive technology: how far, which way, and the channels. */
  describe() {
    const { cb, cr } = rgbToChroma(this.deltas(this.values));
    const far = Math.min(100, Math.round((100 * Math.hypot(cb, cr)) / this.reach));
    const channels = `R ${this.values[0].toFixed(3)}, G ${this.values[1].toFixed(3)}, B ${this.values[2].toFixed(3)}`;
    const way = far === 0 ? 'centred' : `towards ${hueName(chromaToRgb(cb, cr))}, ${far} % of the wheel`;
    this.canvas.setAttribute('aria-valuenow', String(far));
    this.canvas.setAttribute('aria-valuetext', `${way}; ${channels}`);
  }

  draw() {
    const g = this.canvas.getContext('2d');
    const n = this.canvas.width;
    const c = n / 2;
    g.clearRect(0, 0, n, n);
    // Hue ring, dim so it does not glare in a dark truck.
    for (let a = 0; a < 360; a += 3) {
      const rad = (a * Math.PI) / 180;
      const rgb = chromaToRgb(Math.cos(rad) * 0.25, Math.sin(rad) * 0.25).map((x) => Math.round(110 + 250 * x));
      g.strokeStyle = `rgb(${rgb.join(',')})`;
      g.lineWidth = 6;
      g.beginPath();
      g.arc(c, c, c - 5, -rad - 0.03, -rad + 0.06, false);
      g.stroke();
    }
    g.strokeStyle = '#444';
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(c, 10); g.lineTo(c, n - 10); g.moveTo(10, c); g.lineTo(n - 10, c);
    g.stroke();
    const { cb, cr } = rgbToChroma(this.deltas(this.values));
    // Past the wheel's reach (typed values can go further), the puck waits on the rim, hollow.
    const far = Math.hypot(cb, cr) / this.reach;
    const k = far > 1 ? 1 / far : 1;
    const x = c + (cb / this.reach) * k * (c - 10);
    const y = c - (cr / this.reach) * k * (c - 10);
    g.fillStyle = '#e0e0e0';
    g.strokeStyle = '#e0e0e0';
    if (far > 1) {
      g.lineWidth = 2;
      g.beginPath();
      g.arc(x, y, 5, 0, Math.PI * 2);
      g.stroke();
      return;
    }
    g.beginPath();
    g.arc(x, y, 5, 0, Math.PI * 2);
    g.fill();
  }
}
