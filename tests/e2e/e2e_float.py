"""Float pictures (issue 13.3): OpenEXR half and float are analysed as float
(linear light), not converted to 16-bit codes. bit_depth reports float16 or
float32 from the EXR header, counts NaN and infinite samples, and never says
"low bits unused"; checks that measure integer code values are skipped with the
reason. Ground truth: the encoder's -format (half/float), the samples ffmpeg
decodes (-f rawvideo -pix_fmt gbrpf32le, counted here in Python) and ffmpeg's
framemd5."""
import array
import math
import os
import subprocess
import tempfile
import unittest

from common import check, read_jsonl, run

REAL = os.environ.get("MQC_REAL_MEDIA") or "/work/shared/media/real"
NAN_INF = os.path.join(REAL, "ilm_exr_half_nan_inf.exr")
UNDECODABLE = os.path.join(REAL, "ilm_exr_float32_widefloatrange.exr")
SOURCE = "testsrc2=size=160x120:rate=24"
INTEGER_CHECKS = ("legal_range", "gamut", "black", "freeze")


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def samples(path):
    """Every colour sample ffmpeg decodes, as floats (G, B, R planes)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "rawvideo",
                          "-pix_fmt", "gbrpf32le", "-"], capture_output=True, check=True,
                         timeout=120).stdout
    a = array.array("f")
    a.frombytes(raw)
    return a


def framemd5(path):
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0",
                          "-fflags", "+bitexact", "-f", "framemd5", "-"], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    return [line.split(",")[-1].strip() for line in out.splitlines() if not line.startswith("#")]


class Float(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for p in (NAN_INF, UNDECODABLE):
            if not os.path.exists(p):
                raise AssertionError("real-media corpus not found: %s (set MQC_REAL_MEDIA)" % p)
        d = tempfile.mkdtemp(prefix="mqc-float-")
        cls.half = os.path.join(d, "half.exr")
        cls.full = os.path.join(d, "float.exr")
        ffmpeg("-f", "lavfi", "-i", SOURCE, "-frames:v", "1", "-c:v", "exr", "-format", "half",
               "-pix_fmt", "gbrpf32le", cls.half)
        ffmpeg("-f", "lavfi", "-i", SOURCE, "-frames:v", "1", "-c:v", "exr", "-format", "float",
               "-pix_fmt", "gbrpf32le", cls.full)
        cls.res = {}
        cls.frames = {}
        for name, path in (("half", cls.half), ("float", cls.full), ("naninf", NAN_INF)):
            fr = os.path.join(d, name + ".jsonl")
            cls.res[name] = run(["check", path, "--quiet", "--frames", fr,
                                 "--set", "checksum.algorithm=md5"])
            cls.frames[name] = read_jsonl(fr)

    def test_half_and_float_are_reported_as_float(self):
        for name, bits in (("half", 16), ("float", 32)):
            with self.subTest(file=name):
                res = self.res[name]
                self.assertEqual(res.code, 0, res.stdout + res.stderr)
                v = res.report["video"]
                self.assertEqual(v["pix_fmt"], "gbrpf32le")
                self.assertNotIn("analysed_pix_fmt", v)      # analysed as float
                self.assertEqual(v["sample_format"], "float%d" % bits)
                self.assertEqual(v["bit_depth"], bits)
                self.assertEqual(v["container_bit_depth"], 32)
                c = check(res.report, "bit_depth")
                self.assertEqual(c["status"], "pass")
                self.assertEqual(c["events"], [])
                self.assertEqual(c["metrics"]["sample_format"], "float%d" % bits)
                self.assertEqual(c["metrics"]["declared_bits"], bits)

    def test_value_range_as_decoded(self):
        for name, path in (("half", self.half), ("float", self.full)):
            with self.subTest(file=name):
                a = [x for x in samples(path) if math.isfinite(x)]
                m = check(self.res[name].report, "bit_depth")["metrics"]
                self.assertAlmostEqual(m["min_value"], min(a), places=6)
                self.assertAlmostEqual(m["max_value"], max(a), places=6)

    def test_integer_code_checks_are_skipped_with_the_reason(self):
        for name in self.res:
            for cid in INTEGER_CHECKS:
                with self.subTest(file=name, check=cid):
                    c = check(self.res[name].report, cid)
                    self.assertEqual(c["status"], "skipped")
                    self.assertIn("float", c["skipped_reason"])
                    self.assertNotIn("not supported", c["skipped_reason"])

    def test_nan_and_inf_are_counted_not_crashed_on(self):
        a = samples(NAN_INF)
        nan = sum(1 for x in a if math.isnan(x))
        inf = sum(1 for x in a if math.isinf(x))
        self.assertGreater(nan + inf, 0)
        res = self.res["naninf"]
        self.assertEqual(res.code, 1, res.stdout + res.stderr)
        self.assertEqual(res.report["video"]["sample_format"], "float16")
        c = check(res.report, "bit_depth")
        self.assertEqual(c["metrics"]["nan_samples"], nan)
        self.assertEqual(c["metrics"]["inf_samples"], inf)
        self.assertEqual([(e["code"], e["value"], e["start_frame"]) for e in c["events"]],
                         [("non_finite_samples", nan + inf, 0)])
        self.assertEqual(self.frames["naninf"][0]["non_finite_samples"], nan + inf)
        finite = [x for x in a if math.isfinite(x)]
        self.assertAlmostEqual(c["metrics"]["max_value"], max(finite), places=3)

    def test_float_hashes_match_ffmpeg_framemd5(self):
        for name, path in (("half", self.half), ("float", self.full), ("naninf", NAN_INF)):
            with self.subTest(file=name):
                self.assertEqual([r["md5"] for r in self.frames[name]], framemd5(path))

    def test_float32_ffmpeg_cannot_decode_is_exit_3_naming_the_file(self):
        res = run(["check", UNDECODABLE, "--quiet"])
        self.assertEqual(res.code, 3)
        self.assertEqual(res.report["verdict"], "error")
        self.assertIn(UNDECODABLE, res.stderr)
        # the decoder's own error ("Not yet implemented in FFmpeg") when it reaches us,
        # else that it returned no picture
        self.assertIn("no video frame could be decoded: ", res.stderr)


if __name__ == "__main__":
    unittest.main()
