"""bit_depth on real encoded media: genuine 10-bit, 8-bit content up-converted
by swscale (shift) and by hand (bit replication, scaling), a flat black clip
and an up-converted insert. Expected numbers come from the decoded frames
(ffmpeg -f rawvideo), classified here in Python independently of the C code."""
import array
import os
import shutil
import subprocess
import tempfile
import unittest

from common import check, read_jsonl, run, stable

W, H, FRAMES = 320, 180, 8
PLANES = ("y", "cb", "cr")
MIN_LEVELS = 64
# genuine 10-bit: moving gradients that use consecutive codes
GEQ10 = ("geq=lum='64+mod(X*3+Y*2+N*5\\,877)':cb='64+mod(X*5+Y*3+N*7\\,897)'"
         ":cr='960-mod(X*2+Y*5+N*3\\,897)'")
SOURCE8 = "testsrc2=s=%dx%d:r=25" % (W, H)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def decode(path, pix_fmt):
    """Frames as lists of planes (arrays of code values) in display order."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "rawvideo",
                          "-pix_fmt", pix_fmt, "-"], capture_output=True, check=True,
                         timeout=120).stdout
    a = array.array("H" if "p1" in pix_fmt else "B")
    a.frombytes(raw)
    cw, ch = (W + 1) // 2, (H + 1) // 2
    sizes = (W * H, cw * ch, cw * ch)
    frames, pos = [], 0
    while pos < len(a):
        planes = []
        for s in sizes:
            planes.append(a[pos:pos + s])
            pos += s
        frames.append(planes)
    return frames


def images(depth):
    """Images of the up-conversions that fill the low bits, from 8/10/12 bits."""
    out = []
    for m in (8, 10, 12):
        if m >= depth:
            continue
        k = depth - m
        rep = {(v << k) | (v >> (m - k)) for v in range(1 << m)}
        sc = {(2 * v * ((1 << depth) - 1) + (1 << m) - 1) // (2 * ((1 << m) - 1))
              for v in range(1 << m)}
        out += [(m, "replicate", rep), (m, "scale", sc)]
    return out


def classify(codes, depth):
    """(effective bits or None when not judged, expansion) of a set of codes."""
    if len(codes) < MIN_LEVELS:
        return None, "none"
    low = 0
    while low < depth and len({c & ((2 << low) - 1) for c in codes}) == 1:
        low += 1
    if low:
        return depth - low, "shift"
    for m, kind, image in images(depth):
        if codes <= image:
            return m, kind
    return depth, "none"


class BitDepth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-bitdepth-")
        t = lambda name: os.path.join(cls.tmp, name)
        n = ["-frames:v", str(FRAMES), "-c:v", "ffv1"]
        ffmpeg("-f", "lavfi", "-i", "nullsrc=s=%dx%d:r=25,format=yuv420p10le,%s" % (W, H, GEQ10),
               *n, t("genuine10.mkv"))
        # swscale's 8 -> 10/12-bit path for limited-range YUV is a plain shift
        ffmpeg("-f", "lavfi", "-i", SOURCE8, "-vf", "format=yuv420p,format=yuv420p10le", *n,
               t("shift10.mkv"))
        ffmpeg("-f", "lavfi", "-i", SOURCE8, "-vf", "format=yuv420p,format=yuv420p12le", *n,
               t("shift12.mkv"))
        ffmpeg("-f", "lavfi", "-i", "color=black:s=%dx%d:r=25" % (W, H), "-vf",
               "format=yuv420p10le", *n, t("black10.mkv"))
        # 8-bit frames expanded by hand: bit replication and scaling to 10 bits
        ffmpeg("-f", "lavfi", "-i", SOURCE8, "-frames:v", str(FRAMES), "-pix_fmt", "yuv420p",
               "-f", "rawvideo", t("source8.yuv"))
        with open(t("source8.yuv"), "rb") as f:
            src = f.read()
        for name, fn in (("replicate10", lambda v: v << 2 | v >> 6),
                         ("scale10", lambda v: (2 * v * 1023 + 255) // 510)):
            lut = [fn(v) for v in range(256)]
            a = array.array("H", (lut[b] for b in src))
            with open(t(name + ".yuv"), "wb") as f:
                a.tofile(f)
            ffmpeg("-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-s", "%dx%d" % (W, H), "-r", "25",
                   "-i", t(name + ".yuv"), "-c:v", "ffv1", t(name + ".mkv"))
        # an up-converted insert: 4 genuine frames, then 4 shifted ones
        ffmpeg("-i", t("genuine10.mkv"), "-i", t("shift10.mkv"), "-filter_complex",
               "[0:v]trim=end_frame=4[a];[1:v]trim=start_frame=4,setpts=PTS-STARTPTS[b];"
               "[a][b]concat=n=2:v=1[v]", "-map", "[v]", "-c:v", "ffv1", t("insert10.mkv"))
        cls.clips = {name: t(name + ".mkv") for name in (
            "genuine10", "shift10", "shift12", "black10", "replicate10", "scale10", "insert10")}
        cls.reports, cls.frames = {}, {}
        for name, path in cls.clips.items():
            frames = t(name + ".jsonl")
            res = run(["check", path, "--threads", "2", "--quiet", "--frames", frames])
            cls.reports[name] = res
            cls.frames[name] = read_jsonl(frames)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def depth(self, name):
        return 12 if name.endswith("12") else 10

    def test_metrics_equal_an_independent_classification_of_the_decoded_frames(self):
        for name, path in self.clips.items():
            depth = self.depth(name)
            frames = decode(path, "yuv420p%dle" % depth)
            m = check(self.reports[name].report, "bit_depth")["metrics"]
            with self.subTest(clip=name):
                self.assertEqual(m["declared_bits"], depth)
                for p, plane in enumerate(PLANES):
                    codes = set()
                    for fr in frames:
                        codes.update(fr[p])
                    eff, kind = classify(codes, depth)
                    self.assertEqual(m["distinct_levels_" + plane], len(codes), plane)
                    self.assertEqual(m["min_code_" + plane], min(codes), plane)
                    self.assertEqual(m["max_code_" + plane], max(codes), plane)
                    self.assertEqual(m["effective_bits_" + plane], eff, plane)
                    self.assertEqual(m["expansion_" + plane], kind, plane)
                    or_mask = and_mask = 0
                    for c in codes:
                        or_mask |= c
                    and_mask = min(codes)
                    for c in codes:
                        and_mask &= c
                    self.assertEqual((m["or_mask_" + plane], m["and_mask_" + plane]),
                                     (or_mask, and_mask), plane)

    def test_verdicts_by_hand(self):
        expected = {  # clip -> (effective bits, expansion, event code or None)
            "genuine10": (10, "none", None),
            "shift10": (8, "shift", "low_effective_bit_depth"),
            "shift12": (8, "shift", "low_effective_bit_depth"),
            "replicate10": (8, "replicate", "upconverted_content"),
            "scale10": (8, "scale", "upconverted_content"),
            "black10": (None, "none", None),
        }
        for name, (eff, kind, code) in expected.items():
            res = self.reports[name]
            c = check(res.report, "bit_depth")
            with self.subTest(clip=name):
                self.assertEqual(c["metrics"]["effective_bits"], eff)
                self.assertEqual(c["metrics"]["expansion"], kind)
                if code:
                    self.assertEqual([(e["code"], e["start_frame"], e["end_frame"], e["value"])
                                      for e in c["events"]], [(code, 0, FRAMES - 1, eff)])
                    self.assertEqual(c["status"], "fail")
                    self.assertEqual(res.code, 1)
                else:
                    self.assertEqual(c["events"], [])
                    self.assertEqual(c["status"], "pass")

    def test_flat_clip_is_not_judged(self):
        m = check(self.reports["black10"].report, "bit_depth")["metrics"]
        self.assertEqual(m["frames_judged"], 0)
        self.assertEqual(m["distinct_levels_y"], 1)
        self.assertEqual(self.reports["black10"].code, 0)

    def test_insert_flagged_on_its_frames(self):
        c = check(self.reports["insert10"].report, "bit_depth")
        self.assertEqual([(e["code"], e["start_frame"], e["end_frame"]) for e in c["events"]],
                         [("low_effective_bit_depth", 4, FRAMES - 1)])
        self.assertEqual(c["metrics"]["effective_bits"], 10)   # the file as a whole
        per_frame = [r.get("effective_bits") for r in self.frames["insert10"]]
        self.assertEqual(per_frame, [10] * 4 + [8] * (FRAMES - 4))

    def test_min_effective_bits_from_the_profile(self):
        res = run(["check", self.clips["shift12"], "--quiet", "--set",
                   "bit_depth.min_effective_bits=8"])
        c = check(res.report, "bit_depth")
        self.assertEqual(c["events"], [])
        self.assertEqual(c["metrics"]["required_bits"], 8)
        bad = run(["check", self.clips["shift12"], "--quiet", "--set",
                   "bit_depth.min_effective_bits=17"])
        self.assertEqual(bad.code, 2)
        self.assertIn("min_effective_bits", bad.stderr)

    def test_thread_count_does_not_change_the_report(self):
        for name in ("insert10", "scale10"):
            with self.subTest(clip=name):
                one = run(["check", self.clips[name], "--threads", "1", "--quiet"]).report
                two = run(["check", self.clips[name], "--threads", "2", "--quiet",
                           "--band-height", "16"]).report
                self.assertEqual(stable(one), stable(two))


if __name__ == "__main__":
    unittest.main()
