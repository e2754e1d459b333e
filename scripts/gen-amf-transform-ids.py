#!/usr/bin/env python3
"""Writes server/tests/post/amf/transform-ids.json: the ACES transform ids (AMF
`transformId`) that OpenColorIO's built-in ACES studio configs attach to their colour
spaces, keyed by the OpenColorIO built-in transform each colour space uses.

lookwire's AMF export names each camera's input transform and each output's output
transform by these ids; the Rust tests check lookwire's table against this file (CI has no
OpenColorIO). Needs: pip install opencolorio (2.6 or later)."""
import json
import pathlib

import PyOpenColorIO as ocio

# The ACES 1.3 studio configs carry no AMF ids; ACES 2.x ones do.
CONFIGS = ["studio-config-v5.0.0_aces-v2.1_ocio-v2.6"]


def builtin_styles(transform):
    """The styles of every built-in transform inside `transform`."""
    if transform is None:
        return []
    if isinstance(transform, ocio.BuiltinTransform):
        return [transform.getStyle()]
    if isinstance(transform, ocio.GroupTransform):
        return [s for t in transform for s in builtin_styles(t)]
    return []


def colour_spaces(config):
    out = {}
    for cs in config.getColorSpaces():
        ids = cs.getInterchangeAttribute("amf_transform_ids")
        if not ids:
            continue
        transforms = [
            cs.getTransform(ocio.COLORSPACE_DIR_TO_REFERENCE),
            cs.getTransform(ocio.COLORSPACE_DIR_FROM_REFERENCE),
        ]
        styles = sorted({s for t in transforms for s in builtin_styles(t)})
        out[cs.getName()] = {"builtins": styles, "ids": sorted(ids.split())}
    return out


def main():
    doc = {
        "generator": "scripts/gen-amf-transform-ids.py",
        "opencolorio": ocio.__version__,
        "configs": {},
    }
    for name in CONFIGS:
        config = ocio.Config.CreateFromBuiltinConfig(name)
        doc["configs"][name] = colour_spaces(config)
    path = pathlib.Path(__file__).resolve().parent.parent / "server/tests/post/amf/transform-ids.json"
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
