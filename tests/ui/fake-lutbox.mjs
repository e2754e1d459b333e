// A small LWLB receiver (protocol/SPEC.md) for the UI tests: one slot, 17³ f32 lattices,
// SDR. It acknowledges every push with the payload's CRC-32 and answers STATUS, so that
// lookwire sees a healthy box; `stop()` drops every connection, as a box switched off.

import net from 'node:net';
import { crc32 } from 'node:zlib';

const HEADER = 20;
const TYPE = { hello: 0x01, capabilities: 0x02, lut3d: 0x10, cdl: 0x11, activate: 0x12, ack: 0x20, error: 0x21, statusRequest: 0x30, status: 0x31 };

function frame(type, seq, payload) {
  const head = Buffer.alloc(HEADER);
  head.write('LWLB', 0, 'latin1');
  head[4] = 1;
  head[5] = type;
  head.writeUInt32LE(seq, 8);
  head.writeUInt32LE(payload.length, 12);
  head.writeUInt32LE(payload.length ? crc32(payload) : 0, 16);
  return Buffer.concat([head, payload]);
}

function capabilities() {
  const model = Buffer.from('ui test box', 'utf8');
  const p = Buffer.alloc(14 + 2 + model.length);
  p.writeUInt16LE(0, 0); // minor
  p[2] = 1; // slots
  p[3] = 0b0_1010; // f32 samples, SDR
  p[4] = 0; // integer bits
  p[5] = 1; // one lattice size
  p.writeUInt32LE(16 << 20, 8); // max payload
  p.writeUInt16LE(17, 12);
  p.writeUInt16LE(model.length, 14);
  model.copy(p, 16);
  return p;
}

export class FakeLutBox {
  constructor() {
    this.pushes = 0;
    this.slot = { kind: 0, size: 0, crc: 0 };
    /** @type {Buffer | null} the last PUSH_LUT3D payload */
    this.lastLut = null;
    this.sockets = new Set();
    this.server = null;
    this.port = 0;
  }

  /** Listens on `port` (0: any free port); resolves once listening. */
  start(port = this.port) {
    this.server = net.createServer((socket) => this.serve(socket));
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = /** @type {net.AddressInfo} */ (this.server.address()).port;
        resolve(this);
      });
    });
  }

  /** Closes the listener and every connection at once. */
  async stop() {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise((resolve) => this.server.close(resolve));
  }

  serve(socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= HEADER) {
        const length = buffer.readUInt32LE(12);
        if (buffer.length < HEADER + length) break;
        const type = buffer[5];
        const seq = buffer.readUInt32LE(8);
        const payload = buffer.subarray(HEADER, HEADER + length);
        buffer = buffer.subarray(HEADER + length);
        socket.write(this.reply(type, seq, payload));
      }
    });
  }

  /**
   * Largest distance of the last f32 lattice from the identity over its input domain
   * (protocol/SPEC.md §4.3: red fastest, domain min/max at bytes 8 and 20).
   */
  identityError() {
    const p = this.lastLut;
    if (!p || p[1] !== 1) throw new Error('no f32 lattice pushed yet');
    const n = p.readUInt16LE(4);
    const min = [0, 1, 2].map((c) => p.readFloatLE(8 + 4 * c));
    const max = [0, 1, 2].map((c) => p.readFloatLE(20 + 4 * c));
    let worst = 0;
    for (let b = 0; b < n; b++) for (let g = 0; g < n; g++) for (let r = 0; r < n; r++) {
      const at = 32 + 12 * (r + n * (g + n * b));
      [r, g, b].forEach((node, c) => {
        const want = min[c] + ((max[c] - min[c]) * node) / (n - 1);
        worst = Math.max(worst, Math.abs(p.readFloatLE(at + 4 * c) - want));
      });
    }
    return worst;
  }

  reply(type, seq, payload) {
    if (type === TYPE.hello) return frame(TYPE.capabilities, seq, capabilities());
    if (type === TYPE.lut3d || type === TYPE.cdl || type === TYPE.activate) {
      const crc = crc32(payload);
      if (type !== TYPE.activate) {
        this.pushes++;
        this.slot = { kind: type === TYPE.lut3d ? 1 : 2, size: type === TYPE.lut3d ? payload.readUInt16LE(4) : 0, crc };
        if (type === TYPE.lut3d) this.lastLut = Buffer.from(payload);
      }
      const ack = Buffer.alloc(8);
      ack[0] = payload[0];
      ack.writeUInt32LE(crc, 4);
      return frame(TYPE.ack, seq, ack);
    }
    if (type === TYPE.statusRequest) {
      const status = Buffer.alloc(16);
      status[1] = 1;
      status.writeUInt32LE(this.pushes >>> 0, 4);
      status[8] = this.slot.kind;
      status.writeUInt16LE(this.slot.size, 10);
      status.writeUInt32LE(this.slot.crc, 12);
      return frame(TYPE.status, seq, status);
    }
    // Unknown type: ERROR 3 (§4.7: code u16, reserved, message string).
    const message = Buffer.from('unknown message type', 'utf8');
    const error = Buffer.alloc(6 + message.length);
    error.writeUInt16LE(3, 0);
    error.writeUInt16LE(message.length, 4);
    message.copy(error, 6);
    return frame(TYPE.error, seq, error);
  }
}
