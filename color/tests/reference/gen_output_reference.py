#!/usr/bin/env python3
"""Reference data for lookwire's output transforms, from OpenColorIO's builtins.

Writes color/tests/reference/output/:
  inputs.txt            ACES2065-1 inputs, one "r g b" per line (float32 values):
                        a 17^3 lattice of ACEScct code values on [0, 1] (red fastest)
                        decoded to ACES2065-1, then extreme inputs (very bright,
                        very saturated, negative) and seeded random ones.
  <output-id>.txt       the output's code values for each input line.
  gamut-compress.txt    ACES 1.3 Reference Gamut Compression (ACES2065-1 out).

Each output id equals OCIO's `ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - X` followed by
`DISPLAY - CIE-XYZ-D65_to_Y`, evaluated on the CPU with OPTIMIZATION_LOSSLESS.
Run with PyOpenColorIO 2.6:  python3 color/tests/reference/gen_output_reference.py
"""
import os
import sys

import numpy as np
import PyOpenColorIO as ocio

ACES2 = "ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - "
DISPLAY = "DISPLAY - CIE-XYZ-D65_to_"

OUTPUTS = {
    "aces2-sdr-rec709": ("SDR-100nit-REC709_2.0", "REC.1886-REC.709"),
    "aces2-sdr-p3d65": ("SDR-100nit-P3-D65_2.0", "G2.6-P3-D65"),
    "aces2-hdr-rec2100-hlg1000": ("HDR-1000nit-P3-D65_2.0", "REC.2100-HLG-1000nit"),
    "aces1-sdr-rec709": ("SDR-VIDEO_1.0", "REC.1886-REC.709"),
    "aces1-hdr-rec2100-pq1000": ("HDR-VIDEO-1000nit-15nit-REC2020lim_1.1", "REC.2100-PQ"),
}
for nits in (500, 1000, 2000, 4000):
    OUTPUTS[f"aces2-hdr-rec2100-pq{nits}"] = (f"HDR-{nits}nit-P3-D65_2.0", "REC.2100-PQ")
    OUTPUTS[f"aces2-hdr-p3d65-pq{nits}"] = (f"HDR-{nits}nit-P3-D65_2.0", "ST2084-P3-D65")

GAMUT_COMPRESS = "ACES-LMT - ACES 1.3 Reference Gamut Compression"
CONFIG = ocio.Config.CreateRaw()


def cpu(*names):
    group = ocio.GroupTransform([ocio.BuiltinTransform(n, ocio.TRANSFORM_DIR_FORWARD) for n in names])
    return CONFIG.getProcessor(group).getOptimizedCPUProcessor(
        ocio.BIT_DEPTH_F32, ocio.BIT_DEPTH_F32, ocio.OPTIMIZATION_LOSSLESS)


def run(proc, rgb):
    out = np.ascontiguousarray(rgb, dtype=np.float32).copy()
    proc.applyRGB(out)
    return out


def lattice(n):
    v = np.linspace(0.0, 1.0, n, dtype=np.float32)
    b, g, r = np.meshgrid(v, v, v, indexing="ij")
    return np.stack([r, g, b], -1).reshape(-1, 3)


def extremes():
    rows = []
    for y in (2.0, 10.0, 50.0, 100.0, 222.875, 1000.0, 4000.0, 10000.0, 65504.0):
        rows.append((y, y, y))
    hues = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (0, 1, 1), (1, 0, 1),
            (1, 0.5, 0), (0.2, 0.1, 1.0), (1, 0.05, 0.02), (0.02, 0.3, 1.0)]
    for h in hues:
        for s in (0.001, 0.05, 0.18, 1.0, 4.0, 16.0, 100.0, 1000.0):
            rows.append(tuple(c * s for c in h))
    ap1_to_ap0 = np.array([[0.6954522414, 0.1406786965, 0.1638690622],
                           [0.0447945634, 0.8596711184, 0.0955343182],
                           [-0.0055258826, 0.0040252103, 1.0015006723]])
    for h in hues[:6]:
        for s in (0.18, 1.0, 10.0):
            rows.append(tuple(ap1_to_ap0 @ (np.array(h) * s)))
    negatives = [(-0.1, 0.2, 0.3), (-1.0, -1.0, -1.0), (0.5, -0.2, 0.1), (-0.001, -0.002, 0.0),
                 (0.1, 0.1, -0.5), (-5.0, 2.0, 1.0), (3.0, -0.5, -0.5), (0.0, 0.0, 0.0),
                 (-0.02, 0.18, 0.18), (1e-6, 0.0, 0.0), (0.0, 1e-4, 0.0), (-65504.0, 0.0, 0.0)]
    rows.extend(negatives)
    return np.array(rows, dtype=np.float32)


def randoms(count):
    rng = np.random.default_rng(20260521)
    cct = rng.uniform(-0.05, 1.3, size=(count, 3)).astype(np.float32)
    lin = rng.uniform(-0.2, 20.0, size=(count, 3)).astype(np.float32)
    return cct, lin


def write(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(" ".join(np.format_float_positional(np.float32(x), unique=True, trim="-") for x in r))
            f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.join(here, "output")
    os.makedirs(out_dir, exist_ok=True)
    if not ocio.__version__.startswith("2.6"):
        sys.exit(f"needs OpenColorIO 2.6, found {ocio.__version__}")

    cct_to_aces = cpu("ACEScct_to_ACES2065-1")
    rand_cct, rand_lin = randoms(512)
    inputs = np.concatenate([
        run(cct_to_aces, lattice(17)),
        extremes(),
        run(cct_to_aces, rand_cct),
        rand_lin,
    ]).astype(np.float32)
    write(os.path.join(out_dir, "inputs.txt"), inputs)

    for oid, (x, y) in sorted(OUTPUTS.items()):
        write(os.path.join(out_dir, f"{oid}.txt"), run(cpu(ACES2 + x, DISPLAY + y), inputs))
    write(os.path.join(out_dir, "gamut-compress.txt"), run(cpu(GAMUT_COMPRESS), inputs))
    print(f"{len(inputs)} inputs, {len(OUTPUTS)} outputs written to {out_dir}")


if __name__ == "__main__":
    main()
