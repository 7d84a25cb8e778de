#!/usr/bin/env python3
"""The hdr check on real encoded media, against an independent double-precision
computation written here from the standards (BT.2020 Y'CbCr equations, nearest
chroma, SMPTE ST 2084, BT.2100 HLG with a 1000 cd/m2 display and gamma 1.2).

- Clips made here with the ffmpeg CLI from planted 10-bit frames: libx265
  (lossless) with x265 master-display and max-cll, FFV1 with PQ tags and no
  metadata, an HLG FFV1 clip and an SDR clip. Per-frame max_nits/avg_nits and
  MaxCLL/MaxFALL within 0.5% of the Python computation, the planted bright
  patch at its analytic ST 2084 value, each event at its frames, the
  metadata read back as ffprobe shows it, SDR skipped.
- HDR10+: an ST 2094-40 SEI written here bit by bit into an x265 stream is
  counted on every frame, as ffprobe counts it.
- The real HDR files of $MQC_REAL_MEDIA (skipped only when that directory is
  absent): metadata as ffprobe shows it, sampled frames measured within 0.5%,
  and the only events those measurements justify.
"""
import array
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check, read_jsonl, run  # noqa: E402

REAL = os.environ.get("MQC_REAL_MEDIA", "")
W, H, FRAMES = 192, 108, 12
MASTER_DISPLAY = "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,50)"
MAX_CLL = (1000, 100)

KR, KB = 0.2627, 0.0593
KG = 1 - KR - KB


def pq_eotf(e):
    """SMPTE ST 2084, cd/m2."""
    m1, m2 = 2610 / 16384, 2523 / 4096 * 128
    c1, c2, c3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
    p = e ** (1 / m2)
    return 10000 * (max(p - c1, 0) / (c2 - c3 * p)) ** (1 / m1)


def hlg_scene(e):
    """ARIB STD-B67 / BT.2100 inverse OETF."""
    a = 0.17883277
    b = 1 - 4 * a
    c = 0.5 - a * math.log(4 * a)
    return e * e / 3 if e <= 0.5 else (math.exp((e - c) / a) + b) / 12


def sdr_nits(e):
    return 100 * e ** 2.4


def clamp01(e):
    return 0.0 if e < 0 else 1.0 if e > 1 else e


class Reference:
    """max(R, G, B) in cd/m2 of a limited-range BT.2020/BT.709 Y'CbCr pixel."""

    def __init__(self, transfer, depth=10, kr=KR, kb=KB):
        s = 1 << (depth - 8)
        kg = 1 - kr - kb
        n = 1 << depth
        self.ey = [(v - 16 * s) / (219 * s) for v in range(n)]
        c = [(v - 128 * s) / (224 * s) for v in range(n)]
        self.rcr = [2 * (1 - kr) * v for v in c]
        self.gcb = [-2 * kb * (1 - kb) / kg * v for v in c]
        self.gcr = [-2 * kr * (1 - kr) / kg * v for v in c]
        self.bcb = [2 * (1 - kb) * v for v in c]
        self.transfer = transfer
        self.memo = {}

    def nits(self, y, cb, cr):
        key = (y << 32) | (cb << 16) | cr
        v = self.memo.get(key)
        if v is None:
            e = self.ey[y]
            rgb = (clamp01(e + self.rcr[cr]), clamp01(e + self.gcb[cb] + self.gcr[cr]),
                   clamp01(e + self.bcb[cb]))
            if self.transfer == "pq":
                v = pq_eotf(max(rgb))
            elif self.transfer == "hlg":
                s = [hlg_scene(x) for x in rgb]
                ys = KR * s[0] + (1 - KR - KB) * s[1] + KB * s[2]
                v = 1000 * ys ** 0.2 * max(s) if ys > 0 else 0.0
            else:
                v = sdr_nits(max(rgb))
            self.memo[key] = v
        return v

    def frame(self, planes, width, height):
        """(max, mean) of a 4:2:0 frame."""
        y, cb, cr = planes
        cw = (width + 1) // 2
        mx, total = 0.0, 0.0
        nits = self.nits
        for row in range(height):
            yo, co = row * width, (row >> 1) * cw
            for x in range(width):
                v = nits(y[yo + x], cb[co + (x >> 1)], cr[co + (x >> 1)])
                total += v
                if v > mx:
                    mx = v
        return mx, total / (width * height)


def decoded_frames(path, width, height, select=None, depth=10):
    """Frames decoded by ffmpeg as 4:2:0 planes (Y, Cb, Cr arrays) in their
    own depth (8 or 10 bits: no rescaling)."""
    # -noautorotate: the picture as coded (the iPhone clip carries a rotation)
    args = ["ffmpeg", "-v", "error", "-nostdin", "-noautorotate", "-i", path]
    if select is not None:
        expr = "+".join("eq(n\\,%d)" % n for n in select)
        args += ["-vf", "select=%s" % expr, "-vsync", "0"]
    args += ["-f", "rawvideo", "-pix_fmt", "yuv420p10le" if depth > 8 else "yuv420p", "-"]
    data = subprocess.run(args, capture_output=True, check=True, timeout=600).stdout
    cw, ch = (width + 1) // 2, (height + 1) // 2
    per = width * height + 2 * cw * ch
    samples = array.array("H" if depth > 8 else "B", data)
    out = []
    for f in range(len(samples) // per):
        b = f * per
        out.append((samples[b:b + width * height],
                    samples[b + width * height:b + width * height + cw * ch],
                    samples[b + width * height + cw * ch:b + per]))
    return out


def planted_frame(f):
    """Frame f as (Y, Cb, Cr) 10-bit planes: a background that changes per
    frame, a coloured patch, a bright neutral patch on frames 3-5 and a
    bright left half on frames 8-9."""
    y = array.array("H", [280 + f] * (W * H))
    cw, ch = W // 2, H // 2
    cb = array.array("H", [512] * (cw * ch))
    cr = array.array("H", [512] * (cw * ch))

    def rect(x0, y0, w, h, yv, cbv=512, crv=512):
        for r in range(y0, y0 + h):
            for x in range(x0, x0 + w):
                y[r * W + x] = yv
        for r in range(y0 // 2, (y0 + h) // 2):
            for x in range(x0 // 2, (x0 + w) // 2):
                cb[r * cw + x] = cbv
                cr[r * cw + x] = crv

    rect(16, 16, 32, 16, 400, 450, 620)
    if 3 <= f <= 5:
        rect(96, 48, 16, 16, 800)
    if 8 <= f <= 9:
        rect(0, 0, W // 2, H, 620)
    return y, cb, cr


def encode(path, codec_args):
    raw = b"".join(b"".join(p.tobytes() for p in planted_frame(f)) for f in range(FRAMES))
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt",
                    "yuv420p10le", "-s", "%dx%d" % (W, H), "-r", "25", "-i", "-"] + codec_args +
                   [path], input=raw, check=True, timeout=600)


def tags(trc, primaries="bt2020", matrix="bt2020nc"):
    return ["-color_primaries", primaries, "-color_trc", trc, "-colorspace", matrix,
            "-color_range", "tv"]


def hdr_only_profile(tmp, **options):
    path = os.path.join(tmp, "hdr-only.json")
    with open(path, "w") as f:
        json.dump({"name": "hdr-only", "checks": {"hdr": options}}, f)
    return path


def ffprobe(path, what):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", what, "-of",
                          "json", path], capture_output=True, text=True, check=True,
                         timeout=600).stdout
    return json.loads(out)


def side_data(entries, kind):
    for sd in entries or []:
        if sd.get("side_data_type") == kind:
            return sd
    return None


def fraction(s):
    num, den = s.split("/")
    return int(num) / int(den)


def have_x265():
    enc = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True,
                         text=True).stdout
    return "libx265" in enc


class BitWriter:
    def __init__(self):
        self.bits = []

    def put(self, value, n):
        self.bits += [(value >> (n - 1 - i)) & 1 for i in range(n)]

    def bytes(self):
        bits = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))


def hdr10plus_sei_nal():
    """An HEVC prefix SEI NAL unit carrying SMPTE ST 2094-40 (HDR10+) metadata,
    written from the standard's syntax (ITU-T T.35 country 0xB5, provider 0x003C,
    oriented code 0x0001, application identifier 4, version 1; one window)."""
    w = BitWriter()
    for value, n in ((0xB5, 8), (0x003C, 16), (0x0001, 16), (4, 8), (1, 8)):
        w.put(value, n)
    w.put(1, 2)                 # num_windows
    w.put(400, 27)              # targeted_system_display_maximum_luminance
    w.put(0, 1)                 # targeted_system_display_actual_peak_luminance_flag
    for _ in range(3):
        w.put(50000, 17)        # maxscl[c]
    w.put(10000, 17)            # average_maxrgb
    w.put(1, 4)                 # num_distribution_maxrgb_percentiles
    w.put(50, 7)                # distribution_index
    w.put(20000, 17)            # distribution_value
    w.put(0, 10)                # fraction_bright_pixels
    w.put(0, 1)                 # mastering_display_actual_peak_luminance_flag
    w.put(0, 1)                 # tone_mapping_flag
    w.put(0, 1)                 # color_saturation_mapping_flag
    payload = w.bytes()
    sei = bytes([4, len(payload)]) + payload + b"\x80"   # type 4: user_data_registered_itu_t_t35
    escaped = bytearray()
    zeros = 0
    for b in sei:               # emulation prevention (H.265 7.4.2)
        if zeros >= 2 and b <= 3:
            escaped.append(3)
            zeros = 0
        escaped.append(b)
        zeros = zeros + 1 if b == 0 else 0
    return b"\x00\x00\x00\x01" + bytes([39 << 1, 1]) + bytes(escaped)


def insert_before_slices(annexb, nal):
    """Puts nal before the first slice NAL unit of every access unit (Annex B)."""
    starts = [i for i in range(len(annexb) - 3) if annexb[i:i + 3] == b"\x00\x00\x01"]
    out, prev, in_au = bytearray(), 0, False
    for i in starts:
        begin = i - 1 if i > 0 and annexb[i - 1] == 0 else i
        nal_type = (annexb[i + 3] >> 1) & 0x3F
        if nal_type < 32:       # a VCL NAL unit
            if not in_au:
                out += annexb[prev:begin] + nal
                prev = begin
            in_au = True
        elif nal_type in (32, 33, 34, 35):     # VPS/SPS/PPS/AUD: a new access unit
            in_au = False
    out += annexb[prev:]
    return bytes(out)


class Measured:
    """Runs the check (hdr only) and keeps report, records and the reference."""

    def __init__(self, path, profile, transfer, select=None, width=W, height=H, depth=10,
                 kr=KR, kb=KB):
        self.path = path
        frames_path = path + ".jsonl"
        res = run(["check", path, "--profile", profile, "--threads", "2", "--quiet",
                   "--frames", frames_path])
        self.report = res.report
        self.code = res.code
        self.hdr = check(res.report, "hdr")
        self.records = read_jsonl(frames_path) if os.path.exists(frames_path) else []
        self.reference = None
        if transfer:
            ref = Reference(transfer, depth, kr, kb)
            frames = decoded_frames(path, width, height, select, depth)
            picks = select if select is not None else range(len(frames))
            self.reference = {n: ref.frame(fr, width, height) for n, fr in zip(picks, frames)}


class GeneratedClips(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-hdr-")
        cls.profile = hdr_only_profile(cls.tmp)
        cls.clips = {}
        if have_x265():
            x265 = os.path.join(cls.tmp, "x265_pq_hdr10.mp4")
            params = ("lossless=1:master-display=%s:max-cll=%d,%d:colorprim=bt2020:"
                      "transfer=smpte2084:colormatrix=bt2020nc" % ((MASTER_DISPLAY,) + MAX_CLL))
            encode(x265, ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", params,
                          "-pix_fmt", "yuv420p10le"] + tags("smpte2084"))
            cls.clips["x265"] = Measured(x265, cls.profile, "pq")
        for name, trc, transfer in (("ffv1_pq", "smpte2084", "pq"),
                                    ("ffv1_hlg", "arib-std-b67", "hlg"),
                                    ("ffv1_sdr", "bt709", None)):
            path = os.path.join(cls.tmp, name + ".mkv")
            encode(path, ["-c:v", "ffv1", "-level", "3", "-pix_fmt", "yuv420p10le"] +
                   (tags(trc) if transfer else tags(trc, "bt709", "bt709")))
            cls.clips[name] = Measured(path, cls.profile, transfer)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def x265(self):
        if "x265" not in self.clips:
            self.skipTest("ffmpeg has no libx265 encoder")
        return self.clips["x265"]

    def assert_measured(self, m):
        """Per-frame records and MaxCLL/MaxFALL within 0.5% of the reference."""
        self.assertEqual(len(m.records), FRAMES)
        for n, (mx, avg) in m.reference.items():
            rec = m.records[n]
            self.assertAlmostEqual(rec["max_nits"], mx, delta=0.005 * mx + 1e-6, msg=n)
            self.assertAlmostEqual(rec["avg_nits"], avg, delta=0.005 * avg + 1e-6, msg=n)
        cll = max(v[0] for v in m.reference.values())
        fall = max(v[1] for v in m.reference.values())
        metrics = m.hdr["metrics"]
        self.assertAlmostEqual(metrics["max_cll_nits"], cll, delta=0.005 * cll)
        self.assertAlmostEqual(metrics["max_fall_nits"], fall, delta=0.005 * fall)
        return cll, fall

    def events(self, m):
        return sorted((e["code"], e["start_frame"], e["end_frame"]) for e in m.hdr["events"])

    def test_x265_measurements(self):
        m = self.x265()
        cll, fall = self.assert_measured(m)
        # the planted neutral patch (Y 800) is the brightest: ST 2084 of (800-64)/876
        patch = pq_eotf((800 - 64) / 876)
        for f in (3, 4, 5):
            self.assertAlmostEqual(m.records[f]["max_nits"], patch, delta=1e-6 * patch)
        self.assertAlmostEqual(cll, patch, delta=1e-6 * patch)
        self.assertEqual(m.hdr["metrics"]["max_cll_frame"], 3)
        self.assertIn(m.hdr["metrics"]["max_fall_frame"], (8, 9))
        self.assertEqual(m.hdr["metrics"]["transfer"], "pq")

    def test_x265_events_at_their_frames(self):
        m = self.x265()
        # patch 2.4 kcd/m2 > mastering 1000 and > MaxCLL 1000 on frames 3-5;
        # the bright half lifts the frame average above MaxFALL 100 on 8-9
        self.assertEqual(self.events(m), [("above_mastering_peak", 3, 5),
                                          ("max_cll_mismatch", 3, 5),
                                          ("max_fall_mismatch", 8, 9)])
        area = 100 * 16 * 16 / (W * H)
        peak = [e for e in m.hdr["events"] if e["code"] == "above_mastering_peak"][0]
        self.assertAlmostEqual(peak["value"], area, delta=1e-4)
        self.assertEqual(m.hdr["metrics"]["frames_above_peak"], 3)

    def test_x265_metadata_as_ffprobe_shows_it(self):
        m = self.x265()
        frames = ffprobe(m.path, "-show_frames")["frames"]
        md = side_data(frames[0].get("side_data_list"), "Mastering display metadata")
        cll = side_data(frames[0].get("side_data_list"), "Content light level metadata")
        self.assertIsNotNone(md)
        self.assertIsNotNone(cll)
        metrics = m.hdr["metrics"]
        keys = ("red_x", "red_y", "green_x", "green_y", "blue_x", "blue_y", "white_point_x",
                "white_point_y")
        self.assertEqual(metrics["mastering_primaries"], {k: md[k] for k in keys})
        self.assertEqual(metrics["mastering_max_nits"], fraction(md["max_luminance"]))
        self.assertEqual(metrics["mastering_min_nits"], fraction(md["min_luminance"]))
        self.assertEqual(metrics["metadata_max_cll"], cll["max_content"])
        self.assertEqual(metrics["metadata_max_fall"], cll["max_average"])
        self.assertEqual((metrics["mastering_source"], metrics["cll_source"]), ("frame", "frame"))
        # and as x265 was told
        self.assertEqual(metrics["mastering_max_nits"], 1000)
        self.assertEqual(metrics["mastering_min_nits"], 0.005)
        self.assertEqual((metrics["metadata_max_cll"], metrics["metadata_max_fall"]), MAX_CLL)
        self.assertIsNone(metrics["dolby_vision"])
        self.assertIsNone(metrics["hdr10plus"])

    def test_x265_matching_metadata_is_quiet(self):
        """The same clip against its own measured values: no mismatch."""
        m = self.x265()
        metrics = m.hdr["metrics"]
        tol = 100 * max(metrics["max_cll_nits"] / MAX_CLL[0], metrics["max_fall_nits"] / MAX_CLL[1])
        prof = hdr_only_profile(self.tmp, tolerance_pct=tol, max_area_pct=2)
        res = run(["check", m.path, "--profile", prof, "--quiet"])
        self.assertEqual(check(res.report, "hdr")["events"], [])
        self.assertEqual(res.code, 0)

    def test_ffv1_pq_without_metadata(self):
        m = self.clips["ffv1_pq"]
        self.assert_measured(m)
        self.assertEqual(self.events(m), [("missing_hdr_metadata", 0, FRAMES - 1)])
        metrics = m.hdr["metrics"]
        for k in ("mastering_primaries", "mastering_max_nits", "metadata_max_cll",
                  "metadata_max_fall", "dolby_vision", "hdr10plus"):
            self.assertIsNone(metrics[k], k)
        # lossless codecs: the same pixels, the same light as the x265 clip
        if "x265" in self.clips:
            self.assertEqual([r["max_nits"] for r in m.records],
                             [r["max_nits"] for r in self.clips["x265"].records])

    def test_hlg_follows_bt2100(self):
        m = self.clips["ffv1_hlg"]
        self.assertEqual(m.hdr["metrics"]["transfer"], "hlg")
        cll, _ = self.assert_measured(m)
        # neutral Y 800: 1000 cd/m2 * scene^1.2
        patch = 1000 * hlg_scene((800 - 64) / 876) ** 1.2
        self.assertAlmostEqual(cll, patch, delta=0.005 * patch)
        self.assertEqual(m.hdr["events"], [])

    def test_hdr10plus_presence(self):
        """HDR10+ dynamic metadata (an ST 2094-40 SEI written here into every
        access unit of an x265 stream) is reported frame by frame, as ffprobe
        sees it."""
        if not have_x265():
            self.skipTest("ffmpeg has no libx265 encoder")
        raw = os.path.join(self.tmp, "hdr10plus.hevc")
        encode(raw, ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params",
                     "bframes=0:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:"
                     "log-level=error",
                     "-pix_fmt", "yuv420p10le", "-f", "hevc"])
        with open(raw, "rb") as f:
            stream = insert_before_slices(f.read(), hdr10plus_sei_nal())
        with open(raw, "wb") as f:
            f.write(stream)
        path = os.path.join(self.tmp, "hdr10plus.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-r", "25", "-i", raw,
                        "-c", "copy"] + tags("smpte2084") + [path], check=True, timeout=600)
        frames = ffprobe(path, "-show_frames")["frames"]
        with_plus = [f for f in frames
                     if side_data(f.get("side_data_list"),
                                  "HDR Dynamic Metadata SMPTE2094-40 (HDR10+)")]
        self.assertEqual(len(with_plus), FRAMES)     # the independent reading
        m = Measured(path, self.profile, "pq")
        self.assertEqual(m.hdr["metrics"]["hdr10plus"], {"frames": FRAMES})
        self.assert_measured(m)

    def test_sdr_is_skipped(self):
        m = self.clips["ffv1_sdr"]
        self.assertEqual(m.hdr["status"], "skipped")
        self.assertIn("SDR", m.hdr["skipped_reason"])
        self.assertNotIn("max_nits", m.records[0])

    def test_threads_and_bands_do_not_change_the_report(self):
        m = self.clips["ffv1_pq"]
        base = None
        for extra in (["--threads", "1"], ["--threads", "2", "--band-height", "16"]):
            res = run(["check", m.path, "--profile", self.profile, "--quiet"] + extra)
            c = check(res.report, "hdr")
            if base is None:
                base = c
            self.assertEqual(c, base)


@unittest.skipUnless(REAL and os.path.isdir(REAL), "no real media directory")
class RealHdrFiles(unittest.TestCase):
    """The corpus's HDR files: PQ (AV1, MDCV + CLL in the container, MaxCLL
    above the mastering peak), HLG with Dolby Vision 8.4, Dolby Vision 9."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-hdr-real-")
        cls.profile = hdr_only_profile(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def measure(self, name, transfer, kr=KR, kb=KB, picks=(0,), depth=10):
        src = os.path.join(REAL, name)
        if not os.path.exists(src):
            self.skipTest("%s not in the corpus" % name)
        path = os.path.join(self.tmp, name)
        shutil.copy(src, path)      # the records file goes beside it
        first = Measured(path, self.profile, None)
        metrics = first.hdr["metrics"]
        picks = sorted(set(picks) | {metrics["max_cll_frame"], metrics["max_fall_frame"]})
        stream = ffprobe(path, "-show_streams")["streams"][0]
        m = Measured(path, self.profile, transfer, picks, stream["width"], stream["height"],
                     depth=depth, kr=kr, kb=kb)
        self.assertEqual(m.hdr, first.hdr)
        for n, (mx, avg) in m.reference.items():
            self.assertAlmostEqual(m.records[n]["max_nits"], mx, delta=0.005 * mx, msg=n)
            self.assertAlmostEqual(m.records[n]["avg_nits"], avg, delta=0.005 * avg, msg=n)
        # records carry 9 significant digits
        cll, fall = (max(r[k] for r in m.records) for k in ("max_nits", "avg_nits"))
        self.assertAlmostEqual(metrics["max_cll_nits"], cll, delta=1e-8 * cll)
        self.assertAlmostEqual(metrics["max_fall_nits"], fall, delta=1e-8 * fall)
        return m, stream

    def assert_dovi(self, metrics, stream, rpu_frames):
        conf = side_data(stream.get("side_data_list"), "DOVI configuration record")
        want = {k: v for k, v in conf.items() if k != "side_data_type"}
        want["rpu_frames"] = rpu_frames
        self.assertEqual(metrics["dolby_vision"], want)

    def test_pq_mdcv_clli(self):
        m, stream = self.measure("youtube_av1_pq_mdcv_clli_1080p60.mp4", "pq")
        metrics = m.hdr["metrics"]
        md = side_data(stream["side_data_list"], "Mastering display metadata")
        cll = side_data(stream["side_data_list"], "Content light level metadata")
        keys = ("red_x", "red_y", "green_x", "green_y", "blue_x", "blue_y", "white_point_x",
                "white_point_y")
        self.assertEqual(metrics["mastering_primaries"], {k: md[k] for k in keys})
        self.assertEqual(metrics["mastering_max_nits"], fraction(md["max_luminance"]))
        self.assertEqual(metrics["mastering_min_nits"], fraction(md["min_luminance"]))
        self.assertEqual((metrics["metadata_max_cll"], metrics["metadata_max_fall"]),
                         (cll["max_content"], cll["max_average"]))
        self.assertEqual((metrics["mastering_source"], metrics["cll_source"]),
                         ("container", "container"))
        self.assertEqual(metrics["transfer"], "pq")
        # events only as far as the measurements justify them
        codes = {e["code"] for e in m.hdr["events"]}
        meas_cll, meas_fall = metrics["max_cll_nits"], metrics["max_fall_nits"]
        self.assertEqual("max_cll_mismatch" in codes,
                         abs(meas_cll / cll["max_content"] - 1) > 0.1)
        self.assertEqual("max_fall_mismatch" in codes,
                         abs(meas_fall / cll["max_average"] - 1) > 0.1)
        self.assertEqual("above_mastering_peak" in codes, metrics["frames_above_peak"] > 0)
        self.assertLessEqual(metrics["frames_above_peak"] > 0, meas_cll > 1000)
        self.assertNotIn("missing_hdr_metadata", codes)

    def test_hlg_dolby_vision_84(self):
        m, stream = self.measure("iphone12promax_hevc_hlg_dovi84.mp4", "hlg")
        metrics = m.hdr["metrics"]
        self.assertEqual(metrics["transfer"], "hlg")
        frames = ffprobe(m.path, "-show_frames")["frames"]
        rpus = sum(1 for f in frames if side_data(f.get("side_data_list"), "Dolby Vision RPU Data"))
        self.assertEqual(rpus, 9)
        self.assert_dovi(metrics, stream, rpus)
        self.assertIsNone(metrics["mastering_primaries"])
        self.assertIsNone(metrics["metadata_max_cll"])
        self.assertEqual(m.hdr["events"], [])      # HLG, no metadata to hold it against

    def test_dolby_vision_profile_9(self):
        # no colour tags at all: the SDR base layer (compatibility id 2), BT.709
        m, stream = self.measure("dolby_vision_p9_avc_1080p60.mp4", "sdr", kr=0.2126,
                                 kb=0.0722, depth=8)
        metrics = m.hdr["metrics"]
        self.assertEqual(metrics["transfer"], "sdr")
        self.assertEqual(metrics["matrix_used"], "bt709 (untagged)")
        self.assert_dovi(metrics, stream, 0)
        self.assertEqual(m.hdr["events"], [])


if __name__ == "__main__":
    unittest.main()
