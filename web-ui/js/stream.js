// Pictures pushed by the server over one WebSocket (GET /api/v1/preview/stream) instead of
// polled preview.jpg requests. The page sends `{"subscribe": [...]}` (the whole set, again
// whenever it changes); the server sends a binary message per picture that changed: a
// 4-byte big-endian length n, n bytes of JSON header ({id, camera, output, rendered, width,
// height, version}), then the JPEG. Text messages are errors ({type: "error", id, message}).
//
// A lost or refused stream reconnects by itself (250 ms … 4 s); while it is down `live` is
// false and a `status` event tells the page to show its pictures through preview.jpg (the
// fallback) until the stream is back.

const RETRY_MS = [250, 500, 1000, 2000, 4000];

/** Splits one binary stream message into its header and JPEG. @param {ArrayBuffer} data */
export function parseFrame(data) {
  if (data.byteLength < 4) throw new Error(`preview frame of ${data.byteLength} bytes: too short for its length`);
  const n = new DataView(data).getUint32(0, false);
  if (4 + n > data.byteLength) throw new Error(`preview frame: header of ${n} bytes in ${data.byteLength}`);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(data, 4, n)));
  return { header, jpeg: new Blob([new Uint8Array(data, 4 + n)], { type: 'image/jpeg' }) };
}

export class PreviewStream extends EventTarget {
  /** @param {{ token?: () => string | null }} [options] `token()`: the session's token now */
  constructor({ token } = {}) {
    super();
    this.token = token ?? (() => null);
    /** @type {Map<string, { sub: any, img: HTMLImageElement }>} id → picture kept current */
    this.pictures = new Map();
    this.sent = ''; // the subscribe message the server has now
    this.socket = null;
    this.retries = 0;
    this.live = false; // open: pictures come from the stream
    this.failed = false; // down after a failure: the page uses preview.jpg meanwhile
    this.frames = 0;
  }

  connect() {
    const params = new URLSearchParams();
    const token = this.token();
    if (token) params.set('token', token);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/preview/stream?${params}`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      this.retries = 0;
      this.sent = '';
      this.setLive(true);
      this.sendSubscribe();
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setLive(false);
      const wait = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)];
      setTimeout(() => this.connect(), wait);
    };
  }

  /** @param {boolean} live */
  setLive(live) {
    const failed = !live;
    if (this.live === live && this.failed === failed) return;
    this.live = live;
    this.failed = failed;
    this.dispatchEvent(new CustomEvent('status', { detail: live ? 'live' : 'fallback' }));
  }

  /**
   * The pictures to keep current: `id` → the subscription (camera, output, width, …) and
   * the image that shows it. Sends a subscribe message only when the set changed.
   * @param {Map<string, { sub: any, img: HTMLImageElement }>} pictures
   */
  subscribe(pictures) {
    this.pictures = pictures;
    this.sendSubscribe();
  }

  sendSubscribe() {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    const subscribe = [...this.pictures].map(([id, p]) => ({ id, ...p.sub }));
    const message = JSON.stringify({ subscribe });
    if (message === this.sent) return;
    this.sent = message;
    this.socket.send(message);
  }

  /** @param {ArrayBuffer | string} data */
  receive(data) {
    if (typeof data === 'string') return this.receiveText(data);
    let frame;
    try {
      frame = parseFrame(data);
    } catch (error) {
      this.dispatchEvent(new CustomEvent('failure', { detail: error.message }));
      return;
    }
    const picture = this.pictures.get(frame.header.id);
    if (!picture) return; // from a set replaced since
    this.frames++;
    const { img } = picture;
    const old = img.dataset.blob;
    const url = URL.createObjectURL(frame.jpeg);
    img.dataset.blob = url;
    img.dataset.version = String(frame.header.version);
    img.src = url;
    if (old) URL.revokeObjectURL(old);
    this.dispatchEvent(new CustomEvent('frame', { detail: frame.header }));
  }

  /** @param {string} text */
  receiveText(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.type !== 'error') return;
    const picture = message.id != null ? this.pictures.get(message.id) : null;
    if (picture) picture.img.title = message.message;
    this.dispatchEvent(new CustomEvent('failure', { detail: `${message.message}${message.path ? ` (${message.path})` : ''}` }));
  }

  /** Drops the socket on purpose (tests); it comes back by itself. */
  drop() {
    this.socket?.close();
  }
}
