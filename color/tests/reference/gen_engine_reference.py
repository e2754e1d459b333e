#!/usr/bin/env python3
"""Reference data for lookwire's color engine (spaces + pipeline).

Independent of the Rust code: OpenColorIO 2.6 builtins (processors built with
OPTIMIZATION_LOSSLESS) for every id OCIO has, colour-science 0.4.7 formulas and
`matrix_RGB_to_RGB` for the ids it lacks.

Writes, next to this script, in engine/:
  spaces.json    per id: curve decode/encode samples (incl. out-of-range codes) and
                 the matrix to ACES2065-1;
  pipeline.json  index of baked-lattice cases (input, working, CDL style, CDL, output);
  pipeline.bin   their lattices, float32 little endian, red fastest, N = SIZE.

Run: python3 color/tests/reference/gen_engine_reference.py
Needs: pip install opencolorio==2.6.0 colour-science==0.4.7 numpy
"""
import json
import os
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import colour  # noqa: E402
import PyOpenColorIO as ocio  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "engine")
SIZE = 8
B, F, I = ocio.BuiltinTransform, ocio.TRANSFORM_DIR_FORWARD, ocio.TRANSFORM_DIR_INVERSE
CFG = ocio.Config.CreateRaw()
M = colour.models


def cs(name):
    """A colourspace whose matrices are derived from its primaries (colour-science ships
    the makers' rounded matrices for some, e.g. DJI D-Gamut: 1.7e-4 off)."""
    space = colour.RGB_COLOURSPACES[name].copy()
    space.use_derived_matrix_RGB_to_XYZ = True
    space.use_derived_matrix_XYZ_to_RGB = True
    return space


HLG_SCALE = 0.18 / float(M.oetf_inverse_BT2100_HLG(0.38))


def ocio_curve(name, scale_in, scale_out):
    """An OCIO curve builtin as a numpy function of any shape (grey through RGB)."""
    def f(v):
        v = np.asarray(v, dtype=np.float64)
        flat = np.repeat(v.reshape(-1, 1) * scale_in, 3, axis=1)
        out = run_ocio([B(name, F)], flat)[:, 0] * scale_out
        return out.reshape(v.shape)
    return f


# colour-science mirrors only the square-root segment of HLG for negatives; OCIO mirrors
# the whole curve (as lookwire does), so HLG's curve comes from OCIO (E_ocio = 3·E).
HLG_DECODE = ocio_curve("CURVE - HLG-OETF-INVERSE", 1.0, HLG_SCALE / 3.0)
HLG_ENCODE = ocio_curve("CURVE - HLG-OETF", 3.0 / HLG_SCALE, 1.0)

# id -> (OCIO builtin or None, colour-science decode, encode, colourspace, CAT)
# decode/encode/colourspace are only used for ids OCIO lacks.
SPACES = {
    "aces2065-1": ("", None, None, None, None),
    "acescg": ("ACEScg_to_ACES2065-1", None, None, None, None),
    "acescct": ("ACEScct_to_ACES2065-1", None, None, None, None),
    "acescc": ("ACEScc_to_ACES2065-1", None, None, None, None),
    "arri-logc3-awg3": ("ARRI_ALEXA-LOGC-EI800-AWG_to_ACES2065-1", None, None, None, None),
    "arri-logc4-awg4": ("ARRI_LOGC4_to_ACES2065-1", None, None, None, None),
    "sony-slog3-sgamut3": ("SONY_SLOG3-SGAMUT3_to_ACES2065-1", None, None, None, None),
    "sony-slog3-sgamut3cine": ("SONY_SLOG3-SGAMUT3.CINE_to_ACES2065-1", None, None, None, None),
    "sony-slog3-venice-sgamut3": ("SONY_SLOG3-SGAMUT3-VENICE_to_ACES2065-1", None, None, None, None),
    "sony-slog3-venice-sgamut3cine": ("SONY_SLOG3-SGAMUT3.CINE-VENICE_to_ACES2065-1", None, None, None, None),
    "panasonic-vlog-vgamut": ("PANASONIC_VLOG-VGAMUT_to_ACES2065-1", None, None, None, None),
    "red-log3g10-rwg": ("RED_LOG3G10-RWG_to_ACES2065-1", None, None, None, None),
    "red-redlogfilm-rwg": ("RED_REDLOGFILM-RWG_to_ACES2065-1", None, None, None, None),
    "canon-clog2-cgamut": ("CANON_CLOG2-CGAMUT_to_ACES2065-1", None, None, None, None),
    "canon-clog3-cgamut": ("CANON_CLOG3-CGAMUT_to_ACES2065-1", None, None, None, None),
    "apple-log-rec2020": ("APPLE_LOG_to_ACES2065-1", None, None, None, None),
    "apple-log-applewg": ("APPLE_LOG-APPLEWG_to_ACES2065-1", None, None, None, None),
    "bmd-film-gen5": (None, M.oetf_inverse_BlackmagicFilmGeneration5,
                      M.oetf_BlackmagicFilmGeneration5, "Blackmagic Wide Gamut", "CAT02"),
    "dji-dlog-dgamut": (None, M.log_decoding_DJIDLog, M.log_encoding_DJIDLog,
                        "DJI D-Gamut", "CAT02"),
    "fuji-flog2-fgamut": (None, M.log_decoding_FLog2, M.log_encoding_FLog2, "F-Gamut", "CAT02"),
    "davinci-intermediate-dwg": (None, M.oetf_inverse_DaVinciIntermediate,
                                 M.oetf_DaVinciIntermediate, "DaVinci Wide Gamut", "CAT02"),
    "rec709-bt709": (None, M.oetf_inverse_BT709, M.oetf_BT709, "ITU-R BT.709", "Bradford"),
    "rec2100-hlg": (None, HLG_DECODE, HLG_ENCODE, "ITU-R BT.2020", "Bradford"),
    "arri-logc3-awg3-ei1600": (None, lambda y: M.log_decoding_ARRILogC3(y, EI=1600),
                               lambda x: M.log_encoding_ARRILogC3(x, EI=1600),
                               "ARRI Wide Gamut 3", "CAT02"),
    "arri-logc3-awg3-ei400": (None, lambda y: M.log_decoding_ARRILogC3(y, EI=400),
                              lambda x: M.log_encoding_ARRILogC3(x, EI=400),
                              "ARRI Wide Gamut 3", "CAT02"),
}
# LogC3 at other EIs: the curves are checked against colour-science (ARRI's 6-decimal
# table); the pipelines run in OCIO with a LogCameraTransform from ARRI's algorithm at
# full precision (../shared/specs/color.md §2.1, as the aces_1.0.3 OCIO configs code it).
LOGC3_EI = {"arri-logc3-awg3-ei1600": 1600, "arri-logc3-awg3-ei400": 400}


def logc3_params(ei):
    black, cut0 = 16 / 4095, 1 / 9
    slope = 1 / (cut0 * np.log(10))
    off = np.log10(cut0) - slope * cut0
    gain = ei / 400
    gray = 0.01 / gain
    c = (np.log2(gain) * (0.89 - 1) / 3 + 1) * (500 / 1023 * 0.525)
    d = 400 / 1023
    for _ in range(3):
        nz = ((95 / 1023 - d) / c - off) / slope
        d = 400 / 1023 - np.log10(1 + nz) * c
    a1, b1 = 1 / gray, nz - black / gray
    e1 = slope * a1 * c
    s = 4 / (0.18 * ei)
    a, b, e = a1 * s, b1 + a1 * black, e1 * s
    return {"cut": (cut0 - b) / a, "a": a, "b": b, "c": c, "d": d, "e": e}


def logc3_to_aces(ei):
    p = logc3_params(ei)
    log = ocio.LogCameraTransform(
        linSideBreak=[p["cut"]] * 3, base=10.0, logSideSlope=[p["c"]] * 3,
        logSideOffset=[p["d"]] * 3, linSideSlope=[p["a"]] * 3, linSideOffset=[p["b"]] * 3,
        linearSlope=[p["e"]] * 3, direction=I)
    m = to_aces_matrix("arri-logc3-awg3")[0]
    m44 = np.eye(4)
    m44[:3, :3] = m
    mt = ocio.MatrixTransform(m44.flatten().tolist())
    return [log, mt]

CODES = [-0.3, -0.1, -0.02, 0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7,
         0.8, 0.9, 0.95, 1.0, 1.1, 1.3, 1.5, 1.6]
LINEARS = [-0.05, -0.01, -0.001, 0.0, 1e-4, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.18,
           0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 1000.0]


def processor(transforms):
    group = ocio.GroupTransform(transforms)
    return CFG.getProcessor(group).getOptimizedCPUProcessor(
        ocio.BIT_DEPTH_F32, ocio.BIT_DEPTH_F32, ocio.OPTIMIZATION_LOSSLESS)


def run_ocio(transforms, rgb):
    data = np.ascontiguousarray(rgb, dtype=np.float32).copy()
    if transforms:
        processor(transforms).applyRGB(data)
    return data.astype(np.float64)


def to_aces_matrix(space_id):
    builtin, _, _, cs_name, cat = SPACES[space_id]
    if builtin == "":
        return np.eye(3), "identity"
    if builtin:
        group = CFG.getProcessor(B(builtin, F)).createGroupTransform()
        mats = [t for t in group if isinstance(t, ocio.MatrixTransform)]
        m = np.array(mats[-1].getMatrix(), dtype=np.float64).reshape(4, 4)[:3, :3]
        return m, f"OCIO {builtin}"
    m = colour.matrix_RGB_to_RGB(cs(cs_name), cs("ACES2065-1"),
                                 chromatic_adaptation_transform=cat)
    return m, f"colour-science matrix_RGB_to_RGB({cs_name}, ACES2065-1, {cat})"


def curve_samples(space_id):
    """Decode of codes and encode of linears, through grey (a gamut maps grey to grey)."""
    builtin, dec, enc, _, _ = SPACES[space_id]
    codes = np.array(CODES)
    lins = np.array(LINEARS)
    if builtin == "":
        return codes.tolist(), codes.tolist(), lins.tolist(), lins.tolist(), "identity"
    if builtin:
        grey = lambda v: np.repeat(v[:, None], 3, axis=1)  # noqa: E731
        d = run_ocio([B(builtin, F)], grey(codes))
        # ACEScc's builtin clamps ACES2065-1 at 0 before its curve: sample the curve above 0.
        lins = lins[lins >= 0] if space_id == "acescc" else lins
        e = run_ocio([B(builtin, I)], grey(lins))
        # Grey stays grey to ~1e-7 through the camera matrix; keep channel G.
        return codes.tolist(), d[:, 1].tolist(), lins.tolist(), e[:, 1].tolist(), f"OCIO {builtin}"
    # colour-science: only where its formulas are defined (no negative log arguments).
    keep_c = [c for c in CODES if np.isfinite(dec(np.array(c)))]
    keep_l = [x for x in LINEARS if np.isfinite(enc(np.array(x)))]
    d = [float(dec(np.array(c))) for c in keep_c]
    e = [float(enc(np.array(x))) for x in keep_l]
    source = "OCIO CURVE - HLG-OETF, scaled" if space_id == "rec2100-hlg" else "colour-science"
    return keep_c, d, keep_l, e, source


CDLS = {
    "identity": ([1, 1, 1], [0, 0, 0], [1, 1, 1], 1.0),
    "moderate": ([1.1, 1.0, 0.9], [0.01, 0.0, -0.01], [1.0, 1.05, 1.0], 1.2),
    "extreme-a": ([3.5, 0.0, 0.25], [-0.4, 0.3, 0.45], [0.3, 4.0, 1.0], 2.5),
    "extreme-b": ([0.05, 2.0, 10.0], [0.5, -0.6, -2.0], [6.0, 0.15, 1.7], 0.0),
}
OUTPUTS = ["acescct", "aces2065-1", "arri-logc3-awg3", "sony-slog3-sgamut3cine",
           "canon-clog3-cgamut", "acescc", "red-log3g10-rwg", "apple-log-rec2020",
           "panasonic-vlog-vgamut", "arri-logc4-awg4", "acescg"]


def cdl_transform(name, style):
    slope, offset, power, sat = CDLS[name]
    t = ocio.CDLTransform()
    t.setSlope(slope)
    t.setOffset(offset)
    t.setPower(power)
    t.setSat(sat)
    t.setStyle(ocio.CDL_ASC if style == "asc" else ocio.CDL_NO_CLAMP)
    return t


def input_stage(space_id):
    """Input code values → ACES2065-1: OCIO transforms, or a numpy function."""
    builtin, dec, _, _, _ = SPACES[space_id]
    if builtin == "":
        return []
    if builtin:
        return [B(builtin, F)]
    if space_id in LOGC3_EI:
        return logc3_to_aces(LOGC3_EI[space_id])
    m, _ = to_aces_matrix(space_id)
    return [lambda rgb: dec(rgb) @ m.T]


def output_stage(space_id):
    builtin = SPACES[space_id][0]
    return [] if builtin == "" else [B(builtin, I)]


def evaluate(stages, rgb):
    """Runs a list of OCIO transforms and numpy callables; adjacent transforms share a processor."""
    pending = []
    data = np.asarray(rgb, dtype=np.float64)
    for s in stages + [None]:
        if isinstance(s, ocio.Transform):
            pending.append(s)
            continue
        if pending:
            data = run_ocio(pending, data)
            pending = []
        if s is not None:
            data = np.asarray(s(data), dtype=np.float64)
    return data


def lattice(n):
    v = np.linspace(0.0, 1.0, n)
    b, g, r = np.meshgrid(v, v, v, indexing="ij")
    return np.stack([r, g, b], -1).reshape(-1, 3)


def case_stages(inp, working, style, cdl, out):
    grade = cdl_transform(cdl, style)
    if working == "camera":
        return [grade] + input_stage(inp) + output_stage(out)
    return input_stage(inp) + [B("ACEScct_to_ACES2065-1", I), grade,
                               B("ACEScct_to_ACES2065-1", F)] + output_stage(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    spaces = []
    for sid in SPACES:
        m, msrc = to_aces_matrix(sid)
        codes, dec, lins, enc, csrc = curve_samples(sid)
        spaces.append({"id": sid, "to_aces": m.tolist(), "matrix_source": msrc,
                       "curve_source": csrc, "decode": [codes, dec], "encode": [lins, enc]})
    with open(os.path.join(OUT, "spaces.json"), "w") as f:
        json.dump({"generator": "gen_engine_reference.py", "ocio": ocio.__version__,
                   "colour": colour.__version__, "spaces": spaces}, f, indent=1)

    cases, blobs, offset, k = [], [], 0, 0
    lat = lattice(SIZE)
    for inp in SPACES:
        for working in ["camera", "acescct"]:
            for style in ["asc", "noclamp"]:
                for cdl in CDLS:
                    out = OUTPUTS[k % len(OUTPUTS)]
                    k += 1
                    res = evaluate(case_stages(inp, working, style, cdl, out), lat)
                    res = np.where(np.isfinite(res), res, np.nan).astype("<f4")
                    cases.append({"input": inp, "working": working, "style": style, "cdl": cdl,
                                  "output": out, "offset": offset,
                                  "ocio_only": bool(SPACES[inp][0] is not None)})
                    blobs.append(res.tobytes())
                    offset += res.size
    with open(os.path.join(OUT, "pipeline.bin"), "wb") as f:
        f.write(b"".join(blobs))
    cdls = {k: {"slope": v[0], "offset": v[1], "power": v[2], "sat": v[3]} for k, v in CDLS.items()}
    with open(os.path.join(OUT, "pipeline.json"), "w") as f:
        json.dump({"generator": "gen_engine_reference.py", "size": SIZE, "cdls": cdls,
                   "cases": cases}, f, indent=1)
    print(f"{len(spaces)} spaces, {len(cases)} pipeline cases, {offset * 4} bytes")


if __name__ == "__main__":
    main()
