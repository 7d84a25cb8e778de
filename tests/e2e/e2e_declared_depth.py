"""Declared bit depth is the codec's (issue 13.2): 10/12-bit JPEG 2000 decodes to
rgb48le, 12-bit DPX to gbrp12le, ProRes 4444 XQ to yuva444p12le; none of them is
"low bits unused". Ground truth: ffprobe's bits_per_raw_sample (the codec's depth)
and pixel-format depth, and the significant bits counted here in Python from the
samples ffmpeg decodes (constant low bits over every sample of every plane)."""
import array
import json
import os
import subprocess
import tempfile
import unittest

from common import check, run

REAL = os.environ.get("MQC_REAL_MEDIA") or "/work/shared/media/real"
W, H, FRAMES = 320, 240, 3
SOURCE = "testsrc2=size=%dx%d:rate=24" % (W, H)
# 12-bit samples whose low 4 bits are zero: 8 significant bits in a 12-bit codec
ONLY8 = "lutrgb=r='bitand(val,4080)':g='bitand(val,4080)':b='bitand(val,4080)'"


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def probe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=pix_fmt,bits_per_raw_sample", "-of",
                          "default=noprint_wrappers=1", path], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    facts = dict(line.split("=", 1) for line in out.split())
    fmts = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_pixel_formats", "-of",
                                      "json"], capture_output=True, text=True, check=True,
                                     timeout=60).stdout)["pixel_formats"]
    for f in fmts:
        if f["name"] == facts["pix_fmt"]:
            facts["container"] = f["components"][0]["bit_depth"]
    return facts


def significant_bits(path, depth):
    """Bits above the lowest one that varies over every decoded sample (16-bit
    planar samples, alpha included)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "rawvideo",
                          "-pix_fmt", "gbrp16le", "-"], capture_output=True, check=True,
                         timeout=120).stdout
    a = array.array("H")
    a.frombytes(raw)
    or_mask, and_mask = 0, 0xFFFF
    for v in a:
        or_mask |= v
        and_mask &= v
    varying, low = or_mask ^ and_mask, 0
    while low < 16 and not varying >> low & 1:
        low += 1
    return depth - low


class DeclaredDepth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-depth-")
        d = cls.dir
        cls.files = {
            "j2k12": os.path.join(d, "j2k12.mxf"),
            "j2k10": os.path.join(d, "j2k10.mxf"),
            "j2k12_only8": os.path.join(d, "j2k12_only8.mxf"),
            "dpx12": os.path.join(d, "dpx12.dpx"),
            "prores4444xq": os.path.join(d, "prores4444xq.mov"),
        }
        f = cls.files
        src = ["-f", "lavfi", "-i", SOURCE, "-frames:v", str(FRAMES)]
        ffmpeg(*src, "-c:v", "libopenjpeg", "-pix_fmt", "gbrp12le", f["j2k12"])
        ffmpeg(*src, "-c:v", "libopenjpeg", "-pix_fmt", "gbrp10le", f["j2k10"])
        ffmpeg(*src, "-vf", "format=gbrp12le," + ONLY8, "-c:v", "libopenjpeg",
               f["j2k12_only8"])
        ffmpeg("-f", "lavfi", "-i", SOURCE, "-frames:v", "1", "-c:v", "dpx", "-pix_fmt",
               "gbrp12le", "-update", "1", f["dpx12"])
        ffmpeg(*src, "-c:v", "prores_ks", "-profile:v", "5", "-pix_fmt", "yuva444p10le",
               f["prores4444xq"])
        cls.results = {k: run(["check", p, "--quiet"]) for k, p in f.items()}
        for name in ("clipster_j2k_rgb444_10bit_op1a.mxf", "nucoda_dpx_v2_12bit_log_cropped.dpx"):
            p = os.path.join(REAL, name)
            if not os.path.exists(p):
                raise AssertionError("real-media corpus not found: %s (set MQC_REAL_MEDIA)" % p)
            cls.files[name] = p
            cls.results[name] = run(["check", p, "--quiet"])

    def test_declared_and_container_depth_as_ffprobe_says(self):
        for name, path in self.files.items():
            facts = probe(path)
            with self.subTest(file=name, facts=facts):
                v = self.results[name].report["video"]
                self.assertEqual(v["pix_fmt"], facts["pix_fmt"])
                self.assertEqual(v["bit_depth"], int(facts["bits_per_raw_sample"]))
                self.assertEqual(v["container_bit_depth"], facts["container"])
                m = check(self.results[name].report, "bit_depth")["metrics"]
                self.assertEqual(m["declared_bits"], int(facts["bits_per_raw_sample"]))
                self.assertEqual(m["container_bits"], facts["container"])

    def test_codec_depth_in_a_deeper_format_is_not_low_bits(self):
        # the codec's depth is below the format's, and the content uses all of it
        for name in ("j2k12", "j2k10", "clipster_j2k_rgb444_10bit_op1a.mxf"):
            with self.subTest(file=name):
                res = self.results[name]
                facts = probe(self.files[name])
                self.assertLess(int(facts["bits_per_raw_sample"]), facts["container"])
                c = check(res.report, "bit_depth")
                self.assertEqual(c["events"], [])
                self.assertEqual(c["status"], "pass")
        for name in ("j2k12", "j2k10"):
            with self.subTest(file=name):
                want = significant_bits(self.files[name], 16)
                self.assertEqual(want, int(probe(self.files[name])["bits_per_raw_sample"]))
                m = check(self.results[name].report, "bit_depth")["metrics"]
                self.assertEqual(m["effective_bits"], want)
                self.assertEqual(self.results[name].code, 0, self.results[name].stdout)

    def test_twelve_bit_dpx_and_prores_xq_pass(self):
        for name in ("dpx12", "prores4444xq", "nucoda_dpx_v2_12bit_log_cropped.dpx"):
            with self.subTest(file=name):
                c = check(self.results[name].report, "bit_depth")
                self.assertEqual(c["events"], [])

    def test_fewer_bits_than_the_codec_declares_still_fail(self):
        res = self.results["j2k12_only8"]
        want = significant_bits(self.files["j2k12_only8"], 16)
        self.assertEqual(want, 8)
        c = check(res.report, "bit_depth")
        self.assertEqual(res.code, 1)
        self.assertEqual([e["code"] for e in c["events"]], ["low_effective_bit_depth"])
        self.assertEqual(c["events"][0]["value"], want)
        self.assertEqual(c["metrics"]["declared_bits"], 12)


if __name__ == "__main__":
    unittest.main()
