"""Reference values for lookwire's RGB-curve spline (server/src/show/curves.rs).

SciPy's PchipInterpolator (the monotone piecewise cubic Hermite interpolant of Fritsch
and Butland) evaluated at sample inputs between each curve's first and last control
point. Run: python3 gen_curves_reference.py > curves_reference.json
"""
import json

import numpy as np
from scipy.interpolate import PchipInterpolator

CURVES = [
    [[0.0, 0.0], [1.0, 1.0]],
    [[0.0, 0.05], [1.0, 0.9]],
    [[0.0, 0.0], [0.25, 0.2], [0.75, 0.8], [1.0, 1.0]],
    [[0.0, 0.0], [0.18, 0.25], [0.5, 0.5], [0.9, 0.95], [1.0, 1.0]],
    [[-0.3, -0.3], [0.1, 0.0], [0.4, 0.55], [0.41, 0.56], [1.2, 1.1], [1.7, 1.7]],
    [[0.0, 0.5], [0.3, 0.5], [0.6, 0.9], [1.0, 0.9]],
    [[0.0, 1.0], [0.5, 0.3], [1.0, 0.0]],
    [[0.0, 0.0], [0.2, 0.6], [0.4, 0.1], [0.6, 0.7], [1.0, 0.2]],
    [[0.0, 0.0], [0.05, 0.3], [1.0, 0.35]],
]

cases = []
for points in CURVES:
    p = np.array(points, dtype=float)
    spline = PchipInterpolator(p[:, 0], p[:, 1])
    xs = np.linspace(p[0, 0], p[-1, 0], 97)
    cases.append(
        {"points": points, "x": xs.tolist(), "y": spline(xs).tolist()}
    )
print(json.dumps({"generator": "scipy.interpolate.PchipInterpolator", "cases": cases}))
