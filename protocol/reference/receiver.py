#!/usr/bin/env python3
"""Reference receiver for LWLB, lookwire's open software-LUT-box protocol (protocol/SPEC.md).

Listens on TCP, answers HELLO with its capabilities, stores every pushed 3D LUT or CDL
in its slots, and whenever the active slot changes applies it with OpenColorIO to a
still image and writes the result. Third parties can read this file as the protocol in
~250 lines of Python; it needs only numpy and PyOpenColorIO (pip install opencolorio).

    python3 receiver.py --still in.pfm --out out.pfm [--port 7470] [--exit-after 1]

Stills: .pfm (float), .ppm (8/16-bit binary P6) or .npy (float32 H×W×3).
"""

import argparse
import os
import socketserver
import struct
import sys
import threading
import zlib

import numpy as np
import PyOpenColorIO as OCIO

MAGIC = b"LWLB"
MAJOR = 1
HEADER = struct.Struct("<4sBBHIII")  # magic, major, type, reserved, seq, length, crc
HELLO, CAPS, PUSH_LUT3D, PUSH_CDL, ACTIVATE = 0x01, 0x02, 0x10, 0x11, 0x12
ACK, ERROR, STATUS_REQUEST, STATUS = 0x20, 0x21, 0x30, 0x31
SLOTS, SIZES, BITS, MAX_PAYLOAD = 2, (17, 33, 65), 16, 32 + 65**3 * 12


class Refused(Exception):
    """A fault answered with ERROR `code`; `fatal` closes the connection."""

    def __init__(self, code, message, fatal=False):
        super().__init__(message)
        self.code, self.fatal = code, fatal


def string(s):
    b = s.encode("utf-8")[:1024]
    return struct.pack("<H", len(b)) + b


def frame(kind, seq, payload=b""):
    return HEADER.pack(MAGIC, MAJOR, kind, 0, seq, len(payload), zlib.crc32(payload)) + payload


def capabilities(minor):
    flags = 0b11111  # CDL-native, f32 samples, integer samples, SDR, HDR
    head = struct.pack("<HBBBBHI", minor, SLOTS, flags, BITS, len(SIZES), 0, MAX_PAYLOAD)
    return head + b"".join(struct.pack("<H", s) for s in SIZES) + string("lookwire reference receiver")


def decode_lut(p):
    """Returns (slot, OCIO transform) for a PUSH_LUT3D payload, checking every field."""
    if len(p) < 32:
        raise Refused(5, f"PUSH_LUT3D payload of {len(p)} bytes is shorter than its 32-byte header")
    slot, encoding, bits, r0, size, r1 = struct.unpack_from("<BBBBHH", p, 0)
    lo = np.array(struct.unpack_from("<3f", p, 8), dtype=np.float64)
    hi = np.array(struct.unpack_from("<3f", p, 20), dtype=np.float64)
    if r0 or r1:
        raise Refused(5, "reserved bytes of PUSH_LUT3D must be 0")
    if (encoding, bits) == (1, 32):
        dtype, top = "<f4", None
    elif encoding == 2 and bits == BITS:
        dtype, top = "<u2", (1 << bits) - 1
    else:
        raise Refused(6, f"encoding {encoding} with {bits} bits was not announced")
    if size not in SIZES:
        raise Refused(6, f"size {size} not among the announced {SIZES}")
    if not np.all(hi > lo):
        raise Refused(5, "domain maximum must exceed its minimum")
    samples = np.frombuffer(p, dtype=dtype, offset=32)
    if samples.size != size**3 * 3 or len(p) != 32 + samples.nbytes:
        raise Refused(5, f"size {size} needs {size**3 * 3} samples, got {len(p) - 32} bytes")
    values = samples.astype(np.float32) if top is None else (samples / top).astype(np.float32)
    if not np.all(np.isfinite(values)):
        raise Refused(5, "LUT samples must be finite")
    if top is not None and samples.max() > top:
        raise Refused(5, f"an integer sample exceeds {top}")
    # LWLB is red fastest ([b][g][r]); OCIO's setData wants blue fastest ([r][g][b]).
    lut = OCIO.Lut3DTransform(size)
    lut.setInterpolation(OCIO.INTERP_TETRAHEDRAL)
    lut.setData(np.ascontiguousarray(values.reshape(size, size, size, 3).transpose(2, 1, 0, 3)).ravel())
    scale = 1.0 / (hi - lo)
    matrix = OCIO.MatrixTransform()
    matrix.setMatrix([scale[0], 0, 0, 0, 0, scale[1], 0, 0, 0, 0, scale[2], 0, 0, 0, 0, 1])
    matrix.setOffset([-lo[0] * scale[0], -lo[1] * scale[1], -lo[2] * scale[2], 0])
    return slot, OCIO.GroupTransform([matrix, lut])


def decode_cdl(p):
    if len(p) != 84:
        raise Refused(5, f"PUSH_CDL payload must be 84 bytes, got {len(p)}")
    slot, style, reserved = struct.unpack_from("<BBH", p, 0)
    v = struct.unpack_from("<10d", p, 4)
    if reserved or style > 1:
        raise Refused(5, "bad CDL style or reserved bytes")
    if not all(np.isfinite(v)) or min(v[0:3]) < 0 or min(v[6:9]) <= 0 or v[9] < 0:
        raise Refused(5, "CDL values break the ASC rules")
    cdl = OCIO.CDLTransform()
    cdl.setSlope(v[0:3])
    cdl.setOffset(v[3:6])
    cdl.setPower(v[6:9])
    cdl.setSat(v[9])
    cdl.setStyle(OCIO.CDL_ASC if style == 0 else OCIO.CDL_NO_CLAMP)
    return slot, cdl


class Box:
    """Slots shared by every connection, and the still they are applied to."""

    def __init__(self, still, out, exit_after):
        self.lock = threading.Lock()
        self.slots = [(0, 0, 0, None)] * SLOTS  # kind, size, crc, transform
        self.active, self.applied = 0, 0
        self.still, self.out, self.exit_after = still, out, exit_after
        self.done = threading.Event()

    def store(self, slot, kind, size, crc, transform):
        if slot >= SLOTS:
            raise Refused(7, f"slot {slot} does not exist (slots 0..{SLOTS})")
        with self.lock:
            self.slots[slot] = (kind, size, crc, transform)
            self.applied += 1
            if slot == self.active:
                self.render()

    def render(self):
        transform = self.slots[self.active][3]
        if transform is None or self.still is None:
            return
        proc = OCIO.GetCurrentConfig().getProcessor(transform).getDefaultCPUProcessor()
        img = np.ascontiguousarray(self.still, dtype=np.float32).copy()
        proc.applyRGB(img)
        write_still(self.out, img)
        print(f"applied slot {self.active} -> {self.out}", file=sys.stderr)
        if self.exit_after and self.applied >= self.exit_after:
            self.done.set()

    def status(self):
        body = struct.pack("<BBHI", self.active, SLOTS, 0, self.applied)
        return body + b"".join(struct.pack("<BBHI", k, 0, s, c) for k, s, c, _ in self.slots)

    def answer(self, kind, payload, greeted):
        """Returns (reply type, reply payload) for one frame."""
        if kind == HELLO:
            if len(payload) < 6:
                raise Refused(5, "HELLO payload too short")
            return CAPS, capabilities(min(0, struct.unpack_from("<H", payload)[0]))
        if not greeted:
            raise Refused(9, "the first message must be HELLO", fatal=True)
        crc = zlib.crc32(payload)
        if kind == PUSH_LUT3D:
            slot, t = decode_lut(payload)
            self.store(slot, 1, struct.unpack_from("<H", payload, 4)[0], crc, t)
        elif kind == PUSH_CDL:
            slot, t = decode_cdl(payload)
            self.store(slot, 2, 0, crc, t)
        elif kind == ACTIVATE:
            if len(payload) != 4 or payload[0] >= SLOTS:
                raise Refused(7, "ACTIVATE needs an existing slot")
            slot = payload[0]
            with self.lock:
                self.active = slot
                self.render()
        elif kind == STATUS_REQUEST:
            return STATUS, self.status()
        else:
            raise Refused(3, f"unknown or misdirected message type {kind:#04x}")
        return ACK, struct.pack("<BBHI", slot, 0, 0, crc)


class Session(socketserver.StreamRequestHandler):
    def handle(self):
        box, greeted = self.server.box, False
        while True:
            head = self.rfile.read(HEADER.size)
            if len(head) < HEADER.size:
                return
            magic, major, kind, reserved, seq, length, crc = HEADER.unpack(head)
            if magic != MAGIC or reserved or major != MAJOR or length > MAX_PAYLOAD:
                code = 2 if magic == MAGIC and major != MAJOR else 8 if length > MAX_PAYLOAD else 1
                self.wfile.write(frame(ERROR, 0, struct.pack("<HH", code, 0) + string("bad header")))
                return
            payload = self.rfile.read(length)
            if len(payload) < length:
                return
            try:
                if zlib.crc32(payload) != crc:
                    raise Refused(4, "payload CRC mismatch")
                reply = box.answer(kind, payload, greeted)
                greeted = greeted or kind == HELLO
                self.wfile.write(frame(reply[0], seq, reply[1]))
            except Refused as e:
                self.wfile.write(frame(ERROR, seq, struct.pack("<HH", e.code, 0) + string(str(e))))
                if e.fatal:
                    return


def read_still(path):
    if path.endswith(".npy"):
        return np.load(path).astype(np.float32)
    with open(path, "rb") as f:
        magic = f.readline().strip()
        w, h = map(int, f.readline().split())
        if magic == b"PF":
            scale = float(f.readline())
            data = np.frombuffer(f.read(w * h * 12), dtype="<f4" if scale < 0 else ">f4")
            return np.flipud(data.reshape(h, w, 3)).astype(np.float32)
        if magic == b"P6":
            top = int(f.readline())
            dtype = ">u2" if top > 255 else "u1"
            return (np.frombuffer(f.read(), dtype=dtype)[: w * h * 3].reshape(h, w, 3) / top).astype(np.float32)
    raise ValueError(f"{path}: not a PFM, binary PPM or .npy still")


def write_still(path, img):
    if path.endswith(".npy"):
        np.save(path, img)
        return
    h, w, _ = img.shape
    with open(path + ".tmp", "wb") as f:
        f.write(b"PF\n%d %d\n-1.0\n" % (w, h))
        f.write(np.flipud(img).astype("<f4").tobytes())
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7470)
    ap.add_argument("--still", help="image the active slot is applied to")
    ap.add_argument("--out", default="out.pfm", help="where the graded still is written")
    ap.add_argument("--exit-after", type=int, default=0, help="exit after this many applied pushes")
    args = ap.parse_args()
    box = Box(read_still(args.still) if args.still else None, args.out, args.exit_after)
    server = socketserver.ThreadingTCPServer((args.host, args.port), Session)
    server.daemon_threads = True
    server.box = box
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"LWLB reference receiver on {args.host}:{server.server_address[1]}", file=sys.stderr, flush=True)
    box.done.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
