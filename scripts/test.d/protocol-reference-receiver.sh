#!/usr/bin/env bash
# Interop: lookwire pushes a 33³ look over LWLB to the Python reference receiver
# (protocol/reference/receiver.py), which applies it to a still with OpenColorIO; the
# result must match lookwire's own tetrahedral application of the same look.
set -euo pipefail
cd "$(dirname "$0")/../.."

python3 -c "import numpy, PyOpenColorIO" 2>/dev/null || python3 -m pip install --quiet numpy opencolorio
cargo build --quiet -p lookwire-protocol --example lwlb_push

work=$(mktemp -d)
trap 'kill "$receiver" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")

python3 - "$work/in.pfm" <<'PY'
import sys, numpy as np
img = np.random.default_rng(7).random((32, 48, 3), dtype=np.float32)
img[0, :4] = [[0, 0, 0], [1, 1, 1], [1, 0, 0], [0, 0, 1]]
h, w, _ = img.shape
open(sys.argv[1], "wb").write(b"PF\n%d %d\n-1.0\n" % (w, h) + img.astype("<f4").tobytes())
PY

python3 protocol/reference/receiver.py --port "$port" --still "$work/in.pfm" \
  --out "$work/out.pfm" --exit-after 1 &
receiver=$!
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.1
done

# One f32 33³ push into the active slot.
target/debug/examples/lwlb_push "127.0.0.1:$port" 33 0 "$work/in.pfm" "$work/expected.pfm"
wait "$receiver"

python3 - "$work/out.pfm" "$work/expected.pfm" <<'PY'
import sys, numpy as np
def read(p):
    f = open(p, "rb"); f.readline(); w, h = map(int, f.readline().split()); f.readline()
    return np.frombuffer(f.read(), "<f4").reshape(h, w, 3)
got, want = read(sys.argv[1]), read(sys.argv[2])
err = np.abs(got - want).max()
print(f"reference receiver vs lookwire: max |diff| = {err:.3g}")
assert err < 1e-5, err
PY
