// The WebSocket to the server: trims go out with a sequence number and stay pending until
// acknowledged (durable); after a lost connection it reconnects by itself, resumes with
// `since`, and resends what was not acknowledged. A trim sets a value, so a resend is safe.

const RETRY_MS = [250, 500, 1000, 2000, 4000];

export class Connection extends EventTarget {
  /**
   * @param {import('./state.js').ShowState} state
   * @param {{ token?: () => string | null }} [options] `token()`: the session's token now
   */
  constructor(state, { token } = {}) {
    super();
    this.state = state;
    this.token = token ?? (() => null);
    this.seq = 0;
    this.pending = new Map(); // seq → message not yet acknowledged
    this.retries = 0;
    this.socket = null;
  }

  get status() {
    return this.socket?.readyState === WebSocket.OPEN ? 'open' : 'connecting';
  }

  connect() {
    const params = new URLSearchParams();
    if (this.state.version) params.set('since', String(this.state.version));
    const token = this.token();
    if (token) params.set('token', token);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws?${params}`);
    this.socket = socket;
    this.emitStatus('connecting');
    socket.onopen = () => {
      this.retries = 0;
      this.emitStatus('open');
      for (const message of this.pending.values()) socket.send(JSON.stringify(message));
    };
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.emitStatus('closed');
      const wait = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)];
      setTimeout(() => this.connect(), wait);
    };
  }

  emitStatus(status) {
    this.dispatchEvent(new CustomEvent('status', { detail: status }));
  }

  receive(message) {
    switch (message.type) {
      case 'change':
        if (!this.state.change(message)) this.dispatchEvent(new CustomEvent('gap'));
        break;
      case 'ack':
        this.pending.delete(message.seq);
        break;
      case 'error':
        this.pending.delete(message.seq);
        this.dispatchEvent(new CustomEvent('failure', { detail: message.error }));
        break;
      default:
        break;
    }
  }

  /** Sends `{type, ...fields}` with the next sequence number; returns that number. */
  send(type, fields) {
    const message = { type, seq: ++this.seq, ...fields };
    this.pending.set(message.seq, message);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
    return message.seq;
  }

  trim(camera, field, value) {
    return this.send('trim', { camera, field, value });
  }

  /** Drops the socket on purpose (tests, or a user's "reconnect"); it comes back by itself. */
  drop() {
    this.socket?.close();
  }
}
