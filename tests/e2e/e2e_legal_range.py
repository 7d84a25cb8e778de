"""legal_range beyond 8/10-bit luma: the chroma band, 12- and 16-bit streams,
full-range streams and R'G'B' input, on FFV1/MJPEG clips generated here with
planted patches. Per-frame chroma extremes are compared with ffmpeg's
signalstats (UMIN/UMAX/VMIN/VMAX), out-of-band fractions with a count over the
decoded frames done here in Python."""
import array
import os
import shutil
import subprocess
import tempfile
import unittest

from common import check, read_jsonl, run, stable

W, H, FRAMES = 320, 176, 10
# hand-computed R103 bands, -5%..105% (see tests/unit/test_range.c for the sums)
LUMA = {8: (5, 246), 10: (20, 984), 12: (81, 3935), 16: (1293, 62963)}
CHROMA = {8: (5, 251), 10: (19, 1005), 12: (77, 4019), 16: (1229, 64307)}
FORMATS = {  # name -> (pix_fmt, depth, log2 chroma w, log2 chroma h)
    "yuv444p": ("yuv444p", 8, 0, 0),
    "yuv422p10": ("yuv422p10le", 10, 1, 0),
    "yuv420p12": ("yuv420p12le", 12, 1, 1),
    "yuv444p16": ("yuv444p16le", 16, 0, 0),
}
# planted patches: (plane, first frame, last frame, x, y, w, h in luma pixels, which)
PATCHES = [
    (0, 1, 2, 16, 16, 64, 32, "luma_hi"),      # 2048 px = 3.6 % of the picture
    (1, 3, 5, 96, 32, 128, 48, "chroma_hi"),   # 6144 px = 10.9 % of the Cb plane (5.45 % of Cb+Cr)
    (2, 6, 7, 160, 96, 96, 48, "chroma_lo"),   # 4608 px = 8.2 % of the Cr plane
    (1, 9, 9, 0, 0, 32, 16, "chroma_hi"),      # 512 px = 0.91 % of the Cb plane: under 1 %
]


def value_for(which, depth, full):
    if full:   # the extremes of the code space are legal in full range
        return {"luma_hi": (1 << depth) - 1, "chroma_hi": (1 << depth) - 1, "chroma_lo": 0}[which]
    return {"luma_hi": LUMA[depth][1] + 3, "chroma_hi": CHROMA[depth][1] + 2,
            "chroma_lo": CHROMA[depth][0] - 2}[which]


def make_frames(depth, sw, sh, full=False):
    """Raw planar frames: legal gradients with the patches painted in."""
    s = depth - 8
    cw, ch = W >> sw, H >> sh
    out = array.array("H" if depth > 8 else "B")
    for f in range(FRAMES):
        planes = []
        for p, (pw, ph) in enumerate(((W, H), (cw, ch), (cw, ch))):
            base = [(((60 + (x * 2 + y + f) % 120) if p == 0 else (112 + (x + 2 * y + f) % 32))
                     << s) + (x * 7 + y * 3) % (1 << s) for y in range(ph) for x in range(pw)]
            for plane, f0, f1, x0, y0, rw, rh, which in PATCHES:
                if plane != p or not f0 <= f <= f1:
                    continue
                if p:
                    x0, y0, rw, rh = x0 >> sw, y0 >> sh, rw >> sw, rh >> sh
                v = value_for(which, depth, full)
                for y in range(y0, y0 + rh):
                    base[y * pw + x0:y * pw + x0 + rw] = [v] * rw
            planes.append(base)
        for pl in planes:
            out.extend(pl)
    return out


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def encode(frames, path, pix_fmt, codec_args, full=False):
    raw = path + ".yuv"
    with open(raw, "wb") as f:
        frames.tofile(f)
    ffmpeg("-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", "%dx%d" % (W, H), "-r", "25",
           "-color_range", "pc" if full else "tv", "-i", raw, *codec_args,
           "-color_range", "pc" if full else "tv", path)
    os.unlink(raw)


def signalstats(path):
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-vf",
                          "signalstats,metadata=mode=print:file=-", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    frames = []
    for line in out.splitlines():
        if line.startswith("frame:"):
            frames.append({})
        elif "=" in line and frames:
            k, v = line.split("=", 1)
            frames[-1][k.strip().replace("lavfi.signalstats.", "")] = float(v)
    return frames


def decode(path, pix_fmt, depth, sw, sh):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "rawvideo",
                          "-pix_fmt", pix_fmt, "-"], capture_output=True, check=True,
                         timeout=120).stdout
    a = array.array("H" if depth > 8 else "B")
    a.frombytes(raw)
    sizes = (W * H, (W >> sw) * (H >> sh), (W >> sw) * (H >> sh))
    frames, pos = [], 0
    while pos < len(a):
        fr = []
        for s in sizes:
            fr.append(a[pos:pos + s])
            pos += s
        frames.append(fr)
    return frames


CHROMA_ON = ["--set", "legal_range.chroma=true"]


class LegalRangeDepths(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-legal-")
        cls.clips = {}
        for name, (pix_fmt, depth, sw, sh) in FORMATS.items():
            path = os.path.join(cls.tmp, name + ".mkv")
            encode(make_frames(depth, sw, sh), path, pix_fmt, ["-c:v", "ffv1"])
            cls.clips[name] = path
        cls.reports, cls.records = {}, {}
        for name, path in cls.clips.items():
            frames = os.path.join(cls.tmp, name + ".jsonl")
            cls.reports[name] = run(["check", path, "--quiet", "--threads", "2", "--frames",
                                     frames] + CHROMA_ON)
            cls.records[name] = read_jsonl(frames)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_band_codes_per_depth(self):
        for name, (_, depth, _, _) in FORMATS.items():
            m = check(self.reports[name].report, "legal_range")["metrics"]
            with self.subTest(clip=name):
                self.assertEqual((m["luma_min_code"], m["luma_max_code"]), LUMA[depth])
                self.assertEqual((m["chroma_min_code"], m["chroma_max_code"]), CHROMA[depth])

    def test_events_equal_a_count_over_the_decoded_frames(self):
        for name, (pix_fmt, depth, sw, sh) in FORMATS.items():
            frames = decode(self.clips[name], pix_fmt, depth, sw, sh)
            self.assertEqual(len(frames), FRAMES)
            expected = {}
            for i, (y, cb, cr) in enumerate(frames):
                lo, hi = CHROMA[depth]
                # chroma per plane: the event value is the worst plane's share
                fractions = {
                    "luma_above_max": sum(v > LUMA[depth][1] for v in y) / len(y),
                    "luma_below_min": sum(v < LUMA[depth][0] for v in y) / len(y),
                    "chroma_above_max": max(sum(v > hi for v in c) / len(c) for c in (cb, cr)),
                    "chroma_below_min": max(sum(v < lo for v in c) / len(c) for c in (cb, cr)),
                }
                for code, frac in fractions.items():
                    if frac * 100 > 1.0:
                        expected.setdefault(code, []).append((i, frac * 100))
            events = check(self.reports[name].report, "legal_range")["events"]
            with self.subTest(clip=name):
                got = {e["code"]: e for e in events}
                self.assertEqual(sorted(got), sorted(expected))
                for code, flagged in expected.items():
                    e = got[code]
                    self.assertEqual((e["start_frame"], e["end_frame"]),
                                     (flagged[0][0], flagged[-1][0]), code)
                    # the report rounds values to 4 decimals
                    self.assertAlmostEqual(e["value"], max(v for _, v in flagged), delta=1e-4)
                # the planted sets, by hand
                self.assertEqual({c: (e["start_frame"], e["end_frame"]) for c, e in got.items()},
                                 {"luma_above_max": (1, 2), "chroma_above_max": (3, 5),
                                  "chroma_below_min": (6, 7)})

    def test_chroma_extremes_equal_signalstats(self):
        for name in FORMATS:
            ref = signalstats(self.clips[name])
            ours = self.records[name]
            with self.subTest(clip=name):
                self.assertEqual(len(ours), len(ref))
                for i, (a, b) in enumerate(zip(ours, ref)):
                    self.assertEqual((a["y_min"], a["y_max"]), (b["YMIN"], b["YMAX"]), i)
                    self.assertEqual((a["cb_min"], a["cb_max"], a["cr_min"], a["cr_max"]),
                                     (b["UMIN"], b["UMAX"], b["VMIN"], b["VMAX"]), i)

    def test_chroma_is_opt_in(self):
        res = run(["check", self.clips["yuv444p16"], "--quiet"])
        c = check(res.report, "legal_range")
        self.assertEqual([e["code"] for e in c["events"]], ["luma_above_max"])
        self.assertNotIn("chroma_min_code", c["metrics"])
        self.assertFalse(c["params"]["chroma"])

    def test_thread_count_does_not_change_the_report(self):
        for name in ("yuv420p12", "yuv444p16"):
            one = run(["check", self.clips[name], "--quiet", "--threads", "1"] + CHROMA_ON)
            two = run(["check", self.clips[name], "--quiet", "--threads", "2", "--band-height",
                       "16"] + CHROMA_ON)
            with self.subTest(clip=name):
                self.assertEqual(stable(one.report), stable(two.report))


class FullRange(unittest.TestCase):
    """Full-range streams: the extremes of the code space are legal."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-legal-full-")
        t = lambda n: os.path.join(cls.tmp, n)
        cls.ffv1_full, cls.ffv1_tv = t("full8.mkv"), t("tagged_tv8.mkv")
        cls.mjpeg, cls.full16 = t("full.avi"), t("full16.mkv")
        frames = make_frames(8, 1, 1, full=True)
        encode(frames, cls.ffv1_full, "yuv420p", ["-c:v", "ffv1"], full=True)
        encode(frames, cls.ffv1_tv, "yuv420p", ["-c:v", "ffv1"], full=False)
        encode(frames, cls.mjpeg, "yuvj420p", ["-c:v", "mjpeg", "-q:v", "2"], full=True)
        encode(make_frames(16, 0, 0, full=True), cls.full16, "yuv444p16le", ["-c:v", "ffv1"],
               full=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_full_range_content_passes(self):
        for path, depth in ((self.ffv1_full, 8), (self.mjpeg, 8), (self.full16, 16)):
            res = run(["check", path, "--quiet"] + CHROMA_ON)
            c = check(res.report, "legal_range")
            with self.subTest(clip=os.path.basename(path)):
                self.assertEqual(res.report["video"]["color_range"], "pc")
                self.assertEqual(c["events"], [])
                top = (1 << depth) - 1
                self.assertEqual((c["metrics"]["luma_min_code"], c["metrics"]["luma_max_code"]),
                                 (0, top))
                self.assertEqual((c["metrics"]["chroma_min_code"],
                                  c["metrics"]["chroma_max_code"]), (0, top))
                if path != self.mjpeg:   # lossless: the planted extremes are there
                    self.assertEqual((c["metrics"]["y_max"], c["metrics"]["cb_max"],
                                      c["metrics"]["cr_min"]), (top, top, 0))

    def test_same_pictures_tagged_limited_are_flagged(self):
        res = run(["check", self.ffv1_tv, "--quiet"] + CHROMA_ON)
        codes = sorted(e["code"] for e in check(res.report, "legal_range")["events"])
        self.assertEqual(codes, ["chroma_above_max", "chroma_below_min", "luma_above_max"])
        self.assertEqual(res.code, 1)


class RgbInput(unittest.TestCase):
    """R'G'B' input is the gamut check's: legal_range says so and skips."""

    def test_rgb_is_skipped_with_the_reason(self):
        tmp = tempfile.mkdtemp(prefix="mqc-legal-rgb-")
        try:
            path = os.path.join(tmp, "rgb10.mkv")
            ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x32:r=25", "-frames:v", "2", "-pix_fmt",
                   "gbrp10le", "-c:v", "ffv1", path)
            # only legal_range runs: this test is about its decision alone
            profile = os.path.join(tmp, "legal_only.json")
            with open(profile, "w") as f:
                f.write('{"name": "legal-only", "checks": {"legal_range": {"chroma": true}}}')
            res = run(["check", path, "--quiet", "--profile", profile])
            c = check(res.report, "legal_range")
            self.assertEqual(res.code, 0)
            self.assertEqual(c["status"], "skipped")
            self.assertIn("gamut", c["skipped_reason"])
            self.assertEqual(c["events"], [])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
