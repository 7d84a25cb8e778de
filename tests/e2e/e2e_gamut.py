#!/usr/bin/env python3
"""The gamut check on real encoded media.

- The generator's planted patches (neutral chroma, R'G'B' ~108% and ~-6.8%)
  are found at the manifest's frames; clean clips stay quiet.
- Clips made here with the ffmpeg CLI, with legal luma but colours outside
  the R'G'B' cube (FFV1 10-bit 4:4:4 and ProRes 4:2:2): the check's per-frame
  gamut_out equals a straightforward double-precision count in this file
  (BT.709/BT.601 matrix, nearest chroma, optional 3-tap low-pass) on the
  frames decoded by ffmpeg.
- A Rec.2020 clip with a saturated Rec.2020 green, a red inside P3-D65 but
  outside Rec.709, and a grey: target Rec.709 flags green and red, P3-D65
  only green, Rec.2020 nothing; per-frame target_out agrees with the
  BT.2020 -> BT.709 matrix published in ITU-R BT.2087.
- Reports are identical for 1 and 2 threads and other band heights, and bad
  target/source/config settings are configuration errors (exit 2) that say
  what is wrong.
"""
import array
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SOURCE, check, clip_path, read_jsonl, run, stable, video_clips  # noqa: E402

KR_KB = {"bt709": (0.2126, 0.0722), "bt601": (0.299, 0.114), "bt2020": (0.2627, 0.0593)}
# ITU-R BT.2087 Table: linear BT.2020 RGB -> linear BT.709 RGB
BT2020_TO_709 = ((1.6605, -0.5876, -0.0728),
                 (-0.1246, 1.1329, -0.0083),
                 (-0.0182, -0.1006, 1.1187))


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def gamut_only_profile(tmp, **options):
    path = os.path.join(tmp, "gamut-only.json")
    with open(path, "w") as f:
        json.dump({"name": "gamut-only", "checks": {"gamut": options}}, f)
    return path


def raw_frames(path, pix_fmt, width, height, log2_cw):
    """Decoded frames as (Y, Cb, Cr) lists of rows, native planar 16-bit."""
    data = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "rawvideo",
                           "-pix_fmt", pix_fmt, "-"], capture_output=True, check=True,
                          timeout=120).stdout
    cw = (width + (1 << log2_cw) - 1) >> log2_cw
    samples = array.array("H", data)
    per_frame = width * height + 2 * cw * height
    frames = []
    for f in range(len(samples) // per_frame):
        base = f * per_frame
        y = samples[base:base + width * height]
        cb = samples[base + width * height:base + width * height + cw * height]
        cr = samples[base + width * height + cw * height:base + per_frame]
        frames.append((y, cb, cr, cw))
    return frames


def rgb_codes(y, cb, cr, kr, kb, depth=10):
    """R'G'B' as unrounded limited-range codes (BT.601/709/2020 equations)."""
    s = 1 << (depth - 8)
    ey, ecb, ecr = (y - 16 * s) / (219 * s), (cb - 128 * s) / (224 * s), (cr - 128 * s) / (224 * s)
    kg = 1 - kr - kb
    e = (ey + 2 * (1 - kr) * ecr,
         ey - 2 * kb * (1 - kb) / kg * ecb - 2 * kr * (1 - kr) / kg * ecr,
         ey + 2 * (1 - kb) * ecb)
    return [16 * s + 219 * s * v for v in e]


def reference_out(frame, width, height, log2_cw, matrix, lo=20, hi=984, taps=1):
    """Pixels outside the band by the book, and how many are within 0.01
    code of a limit (those may go either way in fixed point)."""
    y, cb, cr, cw = frame
    kr, kb = KR_KB[matrix]
    weights = {1: (1,), 3: (0.25, 0.5, 0.25)}[taps]
    h = taps // 2
    out = unsure = 0
    for row in range(height):
        rgb = [rgb_codes(y[row * width + x], cb[row * cw + (x >> log2_cw)],
                         cr[row * cw + (x >> log2_cw)], kr, kb) for x in range(width)]
        for x in range(width):
            comps = []
            for c in range(3):
                comps.append(sum(w * rgb[min(max(x + j - h, 0), width - 1)][c]
                                 for j, w in enumerate(weights)))
            if any(v >= hi + 0.5 or v < lo - 0.5 for v in comps):
                out += 1
            if any(abs(v - (hi + 0.5)) < 0.01 or abs(v - (lo - 0.5)) < 0.01 for v in comps):
                unsure += 1
    return out, unsure


class PlantedDefects(unittest.TestCase):
    """The generator's patches are found where the manifest puts them."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-gamut-")
        cls.profile = gamut_only_profile(cls.tmp)
        cls.results = {}
        for clip in video_clips():
            frames = os.path.join(cls.tmp, clip["file"] + ".jsonl")
            res = run(["check", clip_path(clip["file"]), "--profile", cls.profile, "--threads",
                       "2", "--quiet", "--frames", frames])
            cls.results[clip["file"]] = (res, clip, read_jsonl(frames))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_planted_patches_found(self):
        seen = 0
        for name, (res, clip, _) in self.results.items():
            tolerance = 0 if clip["lossless"] else 1
            for d in clip["defects"]:
                if d["check"] != "gamut":
                    continue
                seen += 1
                with self.subTest(clip=name, code=d["code"]):
                    events = [e for e in check(res.report, "gamut")["events"]
                              if e["code"] == d["code"]]
                    self.assertEqual(len(events), 1, events)
                    e = events[0]
                    self.assertLessEqual(abs(e["start_frame"] - d["start_frame"]), tolerance)
                    self.assertLessEqual(abs(e["end_frame"] - d["end_frame"]), tolerance)
                    self.assertAlmostEqual(e["value"], d["area_pct"],
                                           delta=0.0001 if clip["lossless"] else 0.5)
        self.assertGreaterEqual(seen, 6)   # two codes in three clips

    def test_patch_excursions_in_metrics(self):
        for name, (res, clip, _) in self.results.items():
            if not any(d["check"] == "gamut" for d in clip["defects"]):
                continue
            m = check(res.report, "gamut")["metrics"]
            with self.subTest(clip=name):
                # neutral Y 252 / 1010: (Y - black) / (white - black)
                want_max = 100 * ((252 - 16) / 219 if clip["bit_depth"] == 8 else (1010 - 64) / 876)
                self.assertAlmostEqual(m["worst_rgb_max_pct"], want_max, delta=0.01)
                self.assertAlmostEqual(m["worst_rgb_min_pct"], 100 * (1 - 16) / 219, delta=0.01)
                self.assertEqual(m["worst_rgb_max_frame"] // 10, 1)
                self.assertEqual(m["worst_rgb_min_frame"] // 10, 3)

    def test_nothing_else_reported(self):
        for name, (res, clip, _) in self.results.items():
            c = check(res.report, "gamut")
            planted = {d["code"] for d in clip["defects"] if d["check"] == "gamut"}
            with self.subTest(clip=name):
                self.assertEqual(c["status"], "fail" if planted else "pass")
                for e in c["events"]:
                    self.assertIn(e["code"], planted)
                for n in clip["not_reported"]:
                    if n["check"] != "gamut":
                        continue
                    first = n.get("start_frame", n.get("frame"))
                    last = n.get("end_frame", n.get("frame"))
                    for e in c["events"]:
                        self.assertFalse(e["start_frame"] <= last and e["end_frame"] >= first,
                                         (n, e))

    def test_per_frame_gamut_out(self):
        for name, (res, clip, recs) in self.results.items():
            with self.subTest(clip=name):
                self.assertEqual(len(recs), clip["frames"])
                for r in recs:
                    self.assertTrue(0 <= r["gamut_out"] <= 1)
                if clip["clean"]:
                    self.assertEqual(max(r["gamut_out"] for r in recs), 0)

    def test_lossless_frames_equal_python_reference(self):
        name = "ffv1_10bit_444.mkv"
        res, clip, recs = self.results[name]
        frames = raw_frames(clip_path(name), "yuv444p10le", 640, 360, 0)
        for f in (0, 10, 30, 45):
            out, unsure = reference_out(frames[f], 640, 360, 0, "bt709")
            with self.subTest(frame=f):
                self.assertLessEqual(abs(round(recs[f]["gamut_out"] * 640 * 360) - out), unsure)
        self.assertGreater(recs[10]["gamut_out"], 0.05)
        # the small hot patch is measured, just not reported (below 1%)
        self.assertAlmostEqual(recs[45]["gamut_out"], 48 * 16 / (640 * 360), places=7)


class OutOfCube(unittest.TestCase):
    """Legal luma and legal chroma codes, illegal R'G'B'."""

    W, H, FRAMES = 200, 48, 6

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-gamut-cube-")
        cls.profile = gamut_only_profile(cls.tmp)
        # luma ramps across, Cb down, Cr moves with the frame number: every
        # frame has a different share of colours outside the cube
        geq = ("geq=lum='100+800*X/W':cb='64+896*Y/H'"
               ":cr='64+mod(896*X/W+150*N,897)'")
        tags = ["-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709",
                "-color_trc", "bt709"]
        src = "nullsrc=s=%dx%d:r=25,format=yuv444p10le,%s" % (cls.W, cls.H, geq)
        cls.ffv1 = os.path.join(cls.tmp, "cube_ffv1.mkv")
        ffmpeg("-f", "lavfi", "-i", src, "-frames:v", str(cls.FRAMES), "-c:v", "ffv1",
               "-level", "3", *tags, cls.ffv1)
        cls.prores = os.path.join(cls.tmp, "cube_prores.mov")
        ffmpeg("-f", "lavfi", "-i", src, "-frames:v", str(cls.FRAMES), "-c:v", "prores_ks",
               "-profile:v", "3", "-pix_fmt", "yuv422p10le", *tags, cls.prores)
        cls.untagged = os.path.join(cls.tmp, "cube_untagged.mkv")
        ffmpeg("-f", "lavfi", "-i", src, "-frames:v", str(cls.FRAMES), "-c:v", "ffv1",
               "-level", "3", cls.untagged)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def gamut_out(self, path, *extra):
        frames = os.path.join(self.tmp, "frames.jsonl")
        res = run(["check", path, "--profile", self.profile, "--quiet", "--frames", frames]
                  + list(extra))
        self.assertIn(res.code, (0, 1), res.stderr)
        return res, [r["gamut_out"] for r in read_jsonl(frames)]

    def compare(self, path, pix_fmt, log2_cw, matrix, extra=(), taps=1):
        res, ours = self.gamut_out(path, *extra)
        frames = raw_frames(path, pix_fmt, self.W, self.H, log2_cw)
        self.assertEqual(len(ours), self.FRAMES)
        shares = []
        for i, frame in enumerate(frames):
            out, unsure = reference_out(frame, self.W, self.H, log2_cw, matrix, taps=taps)
            with self.subTest(frame=i):
                self.assertLessEqual(abs(round(ours[i] * self.W * self.H) - out), unsure,
                                     (ours[i], out / (self.W * self.H)))
            shares.append(out)
        # a real test: many pixels out, and a different share per frame
        self.assertGreater(min(shares), self.W * self.H // 10)
        self.assertGreater(len(set(shares)), 1)
        return res

    def test_ffv1_444_bt709(self):
        res = self.compare(self.ffv1, "yuv444p10le", 0, "bt709")
        c = check(res.report, "gamut")
        self.assertEqual(c["metrics"]["matrix_used"], "bt709 (tag bt709)")
        self.assertEqual({e["code"] for e in c["events"]}, {"rgb_above_max", "rgb_below_min"})

    def test_prores_422_bt709(self):
        # the ffmpeg CLI's ProRes carries no colour tags: say BT.709
        self.compare(self.prores, "yuv422p10le", 1, "bt709", ["--set", "gamut.matrix=bt709"])

    def test_matrix_option_overrides_tag(self):
        res = self.compare(self.ffv1, "yuv444p10le", 0, "bt601", ["--set", "gamut.matrix=bt601"])
        self.assertEqual(check(res.report, "gamut")["metrics"]["matrix_used"], "bt601 (option)")

    def test_untagged_sd_size_assumes_bt601(self):
        res = self.compare(self.untagged, "yuv444p10le", 0, "bt601")
        self.assertEqual(check(res.report, "gamut")["metrics"]["matrix_used"],
                         "bt601 (untagged, %d lines)" % self.H)

    def test_lowpass_3tap(self):
        self.compare(self.prores, "yuv422p10le", 1, "bt709",
                     ["--set", "gamut.lowpass=3tap", "--set", "gamut.matrix=bt709"], taps=3)

    def test_shortcut_off_gives_the_same_report(self):
        for path in (self.ffv1, self.prores):
            with self.subTest(path=os.path.basename(path)):
                a = stable(run(["check", path, "--profile", self.profile, "--quiet"]).report)
                b = stable(run(["check", path, "--profile", self.profile, "--quiet", "--set",
                                "gamut.block_shortcut=false"]).report)
                check(b, "gamut")["params"]["block_shortcut"] = True
                b["profile"] = a["profile"]
                self.assertEqual(a, b)

    def test_threads_and_bands_do_not_change_the_report(self):
        for extra in ([], ["--set", "gamut.lowpass=5tap"]):
            base = stable(run(["check", self.prores, "--profile", self.profile, "--quiet",
                               "--threads", "1"] + extra).report)
            for more in (["--threads", "2"], ["--threads", "2", "--band-height", "16"]):
                with self.subTest(extra=extra, more=more):
                    self.assertEqual(stable(run(["check", self.prores, "--profile",
                                                 self.profile, "--quiet"] + extra
                                                + more).report), base)


def encode_2020(y_cb_cr):
    """(Y, Cb, Cr) 10-bit limited BT.2020 codes of linear BT.2020 RGB, via
    the BT.1886 inverse (gamma 1/2.4)."""
    kr, kb = KR_KB["bt2020"]
    out = []
    for rgb in y_cb_cr:
        r, g, b = (v ** (1 / 2.4) for v in rgb)
        ey = kr * r + (1 - kr - kb) * g + kb * b
        out.append((round(64 + 876 * ey), round(512 + 896 * (b - ey) / (2 * (1 - kb))),
                    round(512 + 896 * (r - ey) / (2 * (1 - kr)))))
    return out


class TargetGamut(unittest.TestCase):
    """A Rec.2020 master against Rec.709, P3-D65 and Rec.2020 targets."""

    W, H, FRAMES = 192, 32, 3

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-gamut-target-")
        cls.profile = gamut_only_profile(cls.tmp)
        # linear BT.2020: the green primary (outside P3 and 709); P3-D65 red
        # (0.8, 0.02, 0.02) in P3, i.e. inside P3, outside 709; a grey
        p3_red_in_2020 = (0.608, 0.0557, 0.0211)
        cls.codes = encode_2020([(0.0, 1.0, 0.0), p3_red_in_2020, (0.2, 0.2, 0.2)])
        (g, r, n) = cls.codes
        pick = lambda i: "if(lt(X,W/3),%d,if(lt(X,2*W/3),%d,%d))" % (g[i], r[i], n[i])
        src = ("nullsrc=s=%dx%d:r=25,format=yuv444p10le,geq=lum='%s':cb='%s':cr='%s'"
               % (cls.W, cls.H, pick(0), pick(1), pick(2)))
        cls.clip = os.path.join(cls.tmp, "rec2020.mkv")
        ffmpeg("-f", "lavfi", "-i", src, "-frames:v", str(cls.FRAMES), "-c:v", "ffv1",
               "-level", "3", "-color_range", "tv", "-colorspace", "bt2020nc",
               "-color_primaries", "bt2020", "-color_trc", "bt2020-10", cls.clip)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def target_run(self, target, *extra):
        frames = os.path.join(self.tmp, "frames.jsonl")
        res = run(["check", self.clip, "--profile", self.profile, "--quiet", "--frames", frames,
                   "--set", "gamut.target=" + target] + list(extra))
        self.assertIn(res.code, (0, 1), res.stderr)
        return check(res.report, "gamut"), read_jsonl(frames)

    def test_rec709_flags_green_and_p3_red(self):
        c, recs = self.target_run("Rec.709")
        self.assertEqual([e["code"] for e in c["events"]], ["outside_target_gamut"])
        self.assertAlmostEqual(c["events"][0]["value"], 100 * 2 / 3, delta=0.6)
        self.assertEqual(c["metrics"]["source"], "Rec.2020")
        self.assertEqual(c["metrics"]["transfer_used"], "bt1886")
        # independent: BT.2087 matrix on the decoded pixels
        frames = raw_frames(self.clip, "yuv444p10le", self.W, self.H, 0)
        kr, kb = KR_KB["bt2020"]
        for i, (y, cb, cr, _) in enumerate(frames):
            out = 0
            for p in range(self.W * self.H):
                codes = rgb_codes(y[p], cb[p], cr[p], kr, kb)
                lin = [((v - 64) / 876) ** 2.4 if v >= 64 else -((64 - v) / 876) ** 2.4
                       for v in codes]
                rgb709 = [sum(m * v for m, v in zip(row, lin)) for row in BT2020_TO_709]
                out += min(rgb709) < -0.001
            self.assertEqual(round(recs[i]["target_out"] * self.W * self.H), out)
        # the R103 band is fine: these are legal R'G'B'
        self.assertTrue(all(r["gamut_out"] == 0 for r in recs))

    def test_p3_flags_only_green(self):
        c, recs = self.target_run("P3-D65")
        self.assertEqual(len(c["events"]), 1)
        self.assertAlmostEqual(c["events"][0]["value"], 100 / 3, delta=0.6)

    def test_rec2020_target_is_quiet(self):
        c, recs = self.target_run("Rec.2020")
        self.assertEqual(c["events"], [])
        self.assertEqual(max(r["target_out"] for r in recs), 0)

    def test_source_option_and_ocio_env(self):
        # a source that says Rec.709: the Rec.709 target holds everything
        c, _ = self.target_run("Rec.709", "--set", "gamut.source=Rec.709")
        self.assertEqual(c["events"], [])
        # $OCIO selects the config
        env_config = os.path.join(SOURCE, "profiles", "ocio", "config.ocio")
        old = os.environ.get("OCIO")
        os.environ["OCIO"] = env_config
        try:
            c, _ = self.target_run("P3-D65")
        finally:
            if old is None:
                del os.environ["OCIO"]
            else:
                os.environ["OCIO"] = old
        self.assertEqual(c["metrics"]["ocio_config"], env_config)
        self.assertEqual(len(c["events"]), 1)

    def test_threads_do_not_change_the_report(self):
        args = ["check", self.clip, "--profile", self.profile, "--quiet", "--set",
                "gamut.target=Rec.709"]
        base = stable(run(args + ["--threads", "1"]).report)
        for more in (["--threads", "2"], ["--threads", "2", "--band-height", "8"]):
            with self.subTest(more=more):
                self.assertEqual(stable(run(args + more).report), base)

    def test_bad_settings_are_configuration_errors(self):
        bad_config = os.path.join(self.tmp, "broken.ocio")
        with open(bad_config, "w") as f:
            f.write("ocio_profile_version: 2\ncolorspaces: [\n")
        cases = [
            (["--set", "gamut.target=Rec.710"], ["Rec.710", "Rec.709", "P3-D65", "ACEScg"]),
            (["--set", "gamut.target=Rec.709", "--set", "gamut.source=NoSuch"], ["NoSuch"]),
            (["--set", "gamut.target=Rec.709", "--set", "gamut.ocio_config=" + bad_config],
             [bad_config]),
            (["--set", "gamut.target=Rec.709", "--set", "gamut.ocio_config=/nonexistent.ocio"],
             ["/nonexistent.ocio"]),
        ]
        for extra, words in cases:
            with self.subTest(extra=extra):
                res = run(["check", self.clip, "--profile", self.profile, "--quiet"] + extra)
                self.assertEqual(res.code, 2, res.stderr)
                self.assertIn("gamut", res.stderr)
                for w in words:
                    self.assertIn(w, res.stderr)
        for extra in (["--set", "gamut.tolerance=2"], ["--set", "gamut.lowpass=7tap"],
                      ["--set", "gamut.matrix=bt2100"]):
            with self.subTest(extra=extra):
                res = run(["check", self.clip, "--profile", self.profile, "--quiet"] + extra)
                self.assertEqual(res.code, 2, res.stderr)
                self.assertIn(extra[1].split("=")[0], res.stderr)


class ShippedConfig(unittest.TestCase):
    def test_config_is_the_generator_output(self):
        d = os.path.join(SOURCE, "profiles", "ocio")
        made = subprocess.run([sys.executable, os.path.join(d, "make_config.py")],
                              capture_output=True, text=True, check=True).stdout
        with open(os.path.join(d, "config.ocio")) as f:
            self.assertEqual(f.read(), made)


if __name__ == "__main__":
    unittest.main()
