#!/usr/bin/env python3
"""Writes config.ocio: the OpenColorIO config mediaqc ships for target-gamut
checks (OCIO 2.1 has no built-in configs).

Every colour space is linear light and relates to the reference space,
CIE XYZ with a D65 white, by one 3x3 matrix computed here from the
primaries' and white point's xy chromaticities:

  NPM = [Xr Xg Xb; Yr Yg Yb; Zr Zg Zb] * diag(S)   (SMPTE RP 177)
  with X = x/y, Y = 1, Z = (1-x-y)/y per primary and S solving NPM*[1 1 1] = white XYZ.

The ACES spaces have the ACES white (x 0.32168, y 0.33767, not D65); they are
adapted to D65 with the Bradford transform (von Kries scaling in the Bradford
cone space), as the ACES reference configs do.

Run `python3 make_config.py > config.ocio`; a test checks that the shipped
file equals this script's output.
"""
import sys

D65 = (0.3127, 0.3290)
ACES_WHITE = (0.32168, 0.33767)

# name: (R xy, G xy, B xy, white xy, family/description)
SPACES = [
    ("Rec.709", ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060)), D65,
     "linear light, ITU-R BT.709 primaries, D65"),
    ("sRGB", ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060)), D65,
     "linear light, IEC 61966-2-1 primaries (the BT.709 ones), D65"),
    ("Rec.2020", ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046)), D65,
     "linear light, ITU-R BT.2020 / BT.2100 primaries, D65"),
    ("P3-D65", ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)), D65,
     "linear light, SMPTE EG 432-1 (Display P3) primaries, D65"),
    ("ACEScg", ((0.713, 0.293), (0.165, 0.830), (0.128, 0.044)), ACES_WHITE,
     "linear light, ACES AP1 primaries (SMPTE ST 2065-1 / S-2014-004), ACES white"),
    ("ACES2065-1", ((0.7347, 0.2653), (0.0, 1.0), (0.0001, -0.0770)), ACES_WHITE,
     "linear light, ACES AP0 primaries (SMPTE ST 2065-1), ACES white"),
]

BRADFORD = ((0.8951, 0.2664, -0.1614),
            (-0.7502, 1.7135, 0.0367),
            (0.0389, -0.0685, 1.0296))


def xyz(xy):
    x, y = xy
    return (x / y, 1.0, (1.0 - x - y) / y)


def mul(a, b):
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3))
                 for i in range(3))


def apply(m, v):
    return tuple(sum(m[i][k] * v[k] for k in range(3)) for i in range(3))


def inv(m):
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return ((( e * i - f * h) / det, -(b * i - c * h) / det, ( b * f - c * e) / det),
            (-(d * i - f * g) / det, ( a * i - c * g) / det, -(a * f - c * d) / det),
            (( d * h - e * g) / det, -(a * h - b * g) / det, ( a * e - b * d) / det))


def npm(primaries, white):
    """RGB -> XYZ (Y of white = 1), SMPTE RP 177."""
    cols = [xyz(p) for p in primaries]
    p = tuple(tuple(cols[j][i] for j in range(3)) for i in range(3))
    s = apply(inv(p), xyz(white))
    return tuple(tuple(p[i][j] * s[j] for j in range(3)) for i in range(3))


def bradford(src_white, dst_white):
    """XYZ under src_white -> XYZ under dst_white."""
    s = apply(BRADFORD, xyz(src_white))
    d = apply(BRADFORD, xyz(dst_white))
    scale = tuple(tuple(d[i] / s[i] if i == j else 0.0 for j in range(3)) for i in range(3))
    return mul(inv(BRADFORD), mul(scale, BRADFORD))


def to_xyz_d65(primaries, white):
    m = npm(primaries, white)
    return m if white == D65 else mul(bradford(white, D65), m)


def matrix44(m):
    vals = [m[0][0], m[0][1], m[0][2], 0, m[1][0], m[1][1], m[1][2], 0,
            m[2][0], m[2][1], m[2][2], 0, 0, 0, 0, 1]
    # float noise of the inversion (|v| < 1e-14) is written as an exact 0
    return "[" + ", ".join("%.12g" % (v if abs(v) > 1e-14 else 0) for v in vals) + "]"


def config():
    out = ["""# Written by make_config.py (do not edit by hand): linear-light colour spaces
# related to CIE XYZ D65 by matrices computed from primaries and white points.
ocio_profile_version: 2

environment: {}
search_path: ""
strictparsing: true
luma: [0.2126, 0.7152, 0.0722]

roles:
  default: CIE-XYZ-D65
  reference: CIE-XYZ-D65
  scene_linear: Rec.709
  compositing_linear: Rec.709
  rendering: Rec.709
  data: Raw
  aces_interchange: ACES2065-1
  cie_xyz_d65_interchange: CIE-XYZ-D65

file_rules:
  - !<Rule> {name: Default, colorspace: default}

displays:
  Rec.709:
    - !<View> {name: Linear, colorspace: Rec.709}

active_displays: []
active_views: []

colorspaces:
  - !<ColorSpace>
    name: CIE-XYZ-D65
    family: Reference
    bitdepth: 32f
    description: CIE 1931 XYZ, D65 white with Y = 1 (the reference space)
    isdata: false
    allocation: uniform

  - !<ColorSpace>
    name: Raw
    family: Utility
    bitdepth: 32f
    description: data, never converted
    isdata: true
    allocation: uniform
"""]
    for name, primaries, white, desc in SPACES:
        m = to_xyz_d65(primaries, white)
        out.append("""
  - !<ColorSpace>
    name: %s
    family: Linear
    bitdepth: 32f
    description: %s
    isdata: false
    allocation: uniform
    to_scene_reference: !<MatrixTransform> {matrix: %s}
""" % (name, desc, matrix44(m)))
    return "".join(out)


if __name__ == "__main__":
    sys.stdout.write(config())
