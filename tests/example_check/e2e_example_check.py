"""docs/adding-a-check.md, proved: a check compiled only into a test program
(flat.c) gets its curve, legend entry, colour and limit line in the HTML
report, with no edit in reports/. The curve is compared with the luma
standard deviation computed here from ffmpeg's decode of the same file."""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest

EXAMPLE = os.environ.get("MQC_EXAMPLE_CHECK", "build/tests/example_check/mqc-example-check")
SOURCE = os.environ.get("MQC_SOURCE_DIR", ".")
W, H, FRAMES, RATE = 96, 54, 60, 25
FLAT = range(20, 30)          # frames planted flat: one grey, no texture


def make_clip(path):
    lum = "if(between(N\\,%d\\,%d)\\,100\\,60+X+mod(Y*7+N*3\\,40))" % (FLAT[0], FLAT[-1])
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    "color=c=gray:s=%dx%d:r=%d:d=%g" % (W, H, RATE, FRAMES / RATE), "-vf",
                    "geq=lum='%s':cb=128:cr=128,format=yuv420p" % lum, "-c:v", "ffv1", path],
                   check=True, timeout=120)


def ffmpeg_luma_sd(path):
    """Population standard deviation of each frame's luma, from ffmpeg."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-vf",
                          "extractplanes=y", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True, timeout=120).stdout
    n = W * H
    out = []
    for f in range(len(raw) // n):
        px = raw[f * n:(f + 1) * n]
        mean = sum(px) / n
        out.append(math.sqrt(sum((v - mean) ** 2 for v in px) / n))
    return out


def path_values(d, buckets):
    """Values of a step path (M x v, V v, h run) per bucket; None in gaps."""
    vals = [None] * buckets
    x, v = 0.0, None
    for op, a, b in re.findall(r"([MVh])([-\d.e+]+)(?: ([-\d.e+]+))?", d):
        if op == "M":
            x, v = float(a), float(b)
        elif op == "V":
            v = float(a)
        else:
            for i in range(int(round(x)), int(round(x + float(a)))):
                vals[i] = v
            x += float(a)
    return vals


class ExampleCheckInHtml(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-example-")
        cls.clip = os.path.join(cls.tmp, "flat.mkv")
        make_clip(cls.clip)
        cls.html_path = os.path.join(cls.tmp, "r.html")
        cls.frames_path = os.path.join(cls.tmp, "r.jsonl")
        cls.json_path = os.path.join(cls.tmp, "r.json")
        proc = subprocess.run([EXAMPLE, cls.clip, cls.html_path, cls.frames_path, cls.json_path],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise AssertionError("%s failed: %s" % (EXAMPLE, proc.stderr))
        with open(cls.html_path) as f:
            cls.html = f.read()
        with open(cls.json_path) as f:
            cls.report = json.load(f)
        with open(cls.frames_path) as f:
            cls.records = [json.loads(line) for line in f]
        cls.truth = ffmpeg_luma_sd(cls.clip)

    def test_ground_truth_has_the_planted_flat_frames(self):
        self.assertEqual(len(self.truth), FRAMES)
        self.assertEqual([i for i, sd in enumerate(self.truth) if sd < 2], list(FLAT))

    def test_frame_records_carry_the_example_value(self):
        self.assertEqual(len(self.records), FRAMES)
        for rec, sd in zip(self.records, self.truth):
            self.assertAlmostEqual(rec["luma_sd"], sd, places=6)

    def test_events_and_report_entry(self):
        flat = next(c for c in self.report["checks"] if c["id"] == "flat")
        self.assertEqual(flat["params"]["min_sd"], 2)
        self.assertEqual([(e["code"], e["start_frame"], e["end_frame"]) for e in flat["events"]],
                         [("flat_picture", FLAT[0], FLAT[-1]),
                          ("constant_picture", FLAT[0], FLAT[-1])])
        self.assertEqual(flat["events"][1]["value"], 100)

    def test_thumbnails_only_for_codes_that_want_them(self):
        rows = dict(re.findall(r'<tr id="ev-\d+" data-sev="\w+" data-check="flat">.*?<code>(\w+)'
                               r'</code>.*?<div class="thumbs">(.*?)</div></td></tr>', self.html))
        self.assertEqual(set(rows), {"flat_picture", "constant_picture"})
        self.assertIn('alt="frame %d" data-frame="%d"' % (FLAT[0], FLAT[0]), rows["flat_picture"])
        self.assertEqual(rows["constant_picture"], "")       # listed in no_pictures

    def test_curve_is_in_the_html_with_the_measured_values(self):
        m = re.search(r'<path class="curve c-luma_sd" vector-effect="non-scaling-stroke" '
                      r'transform="translate\(130\.0 ([\d.]+)\) scale\(([\d.e+-]+) ([\d.e+-]+)\)" '
                      r'd="([^"]*)"/>', self.html)
        self.assertIsNotNone(m, "no luma_sd curve in the HTML")
        # one frame per point: the curve is the values themselves
        vals = path_values(m.group(4), FRAMES)
        for i, (v, sd) in enumerate(zip(vals, self.truth)):
            self.assertIsNotNone(v, "frame %d missing from the curve" % i)
            self.assertAlmostEqual(v, sd, delta=1e-5 * max(1, sd), msg="frame %d" % i)
        # the automatic axis: the first of 1, 2, 5, 10, ... above the peak and 1.5 x min_sd
        top = -80 / float(m.group(3))
        need = max(max(self.truth), 1.5 * 2)
        ladder = [b * 10 ** e for e in range(4) for b in (1, 2, 5)]
        self.assertEqual(top, next(s for s in ladder if s >= need))

    def test_chart_legend_colour_and_limit_come_from_the_table(self):
        self.assertIn('>luma spread (code)</text>', self.html)
        self.assertIn('<i class="c-luma_sd"></i><span>luma standard deviation</span>', self.html)
        self.assertIn('.c-luma_sd { color: #00838f; }', self.html)
        self.assertRegex(self.html, r'<line class="limit" [^>]*><title>min_sd 2</title></line>')
        # and the shipped checks' curves are still there
        for key in ("y_min", "y_max", "y_avg", "range_out", "gamut_out", "black"):
            self.assertIn('<path class="curve c-%s"' % key, self.html)

    def test_reports_name_no_check(self):
        lines = subprocess.run([EXAMPLE, "--series"], capture_output=True, text=True,
                               check=True, timeout=60).stdout.split("\n")
        names = {l.split()[1] for l in lines if l.startswith("check ")}
        self.assertIn("flat", names)
        self.assertIn("legal_range", names)
        for root, _, files in os.walk(os.path.join(SOURCE, "reports")):
            for name in files:
                with open(os.path.join(root, name), errors="replace") as f:
                    text = f.read()
                for check in names:
                    self.assertNotIn('"%s"' % check, text, "%s names %s" % (name, check))

    def series(self):
        lines = subprocess.run([EXAMPLE, "--series"], capture_output=True, text=True,
                               check=True, timeout=60).stdout.split("\n")
        return [l.split()[1:] for l in lines if l.startswith("series ")]

    def test_every_record_key_is_declared_by_a_series(self):
        declared = {key for _, key, _, _ in self.series()}
        seen = set().union(*(r.keys() for r in self.records)) - {"frame", "time", "pts"}
        self.assertTrue(seen)
        self.assertEqual(seen - declared, set())

    def test_the_frame_schema_names_every_shipped_series(self):
        with open(os.path.join(SOURCE, "schemas", "frame.schema.json")) as f:
            props = json.load(f)["properties"]
        for check, key, _, unit in self.series():
            if check == "flat":          # the test-only example
                continue
            self.assertIn(key, props, "%s.%s is not in schemas/frame.schema.json" % (check, key))
            if unit == "fraction":
                self.assertEqual(props[key].get("$ref"), "#/$defs/fraction", key)


if __name__ == "__main__":
    unittest.main()
