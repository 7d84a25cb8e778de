"""Segments and merge with noisy holds (issue 18; docs/segments.md "Lead-in"):
`freeze` compares each frame with the first frame of its run, which may lie
far before a segment's cut. A held picture with temporal noise, and
freeze.noise_pct set at the median of the noise's mean difference, breaks
into short runs wherever the noise happens to cross the threshold; a
segment that compared its first frame with the frame before the cut would
end or start those runs elsewhere. The merged report must be the single
pass's for every N, ProRes (intra: cuts anywhere, lead-in frame by frame)
and H.264 with B-frames (long GOP: the lead-in re-decodes earlier GOPs),
with cuts inside a short hold, a 90-frame hold (the lead-in reaches back
several GOPs to its start) and a black hold (include_black off and on)."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import TIMEOUT  # noqa: E402
from e2e_segments import (assert_remote_merge_is_single, comparable,  # noqa: E402
                          encode_prores_h264, keyframes, remote_segments, run, serving)

# 240 frames at 24 fps; each hold is one picture shown for its frames, then
# noise=allf=t makes every frame's noise different (frame numbers measured
# on the single pass: the first frame of a hold is the run's reference)
HOLDS = {"short": (28, 43), "long": (64, 153), "black": (180, 209)}
SOURCE = ("loop=loop=15:size=1:start=29,loop=loop=89:size=1:start=65,trim=end_frame=240,"
          "setpts=N/(24*TB),drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:"
          "enable='between(n,180,209)',noise=alls=3:allf=t")
GOP = 12
COUNTS = (2, 3, 7)


def freeze_runs(path):
    with open(path) as f:
        doc = json.load(f)
    ck = next(c for c in doc["checks"] if c["id"] == "freeze")
    return [(e["start_frame"], e["end_frame"]) for e in ck["events"]]


class NoisyHolds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-segfreeze-")
        src = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
               "testsrc2=size=320x180:rate=24:duration=10", "-vf", SOURCE,
               "-fps_mode", "passthrough"]
        cls.prores = os.path.join(cls.dir, "noisy_prores.mov")
        cls.h264 = os.path.join(cls.dir, "noisy_h264_bframes.mp4")
        # -qp 2: x264 keeps the noise (at its default rate it smooths a hold flat)
        encode_prores_h264(src, cls.prores, ["-profile:v", "2", "-pix_fmt", "yuv422p10le"],
                           cls.h264, ["-qp", "2"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def noise_sets(self, clip, include_black):
        """freeze.noise_pct at the median mean difference of the long hold's
        frames to their reference (the threshold splits the hold's frames in
        two halves), every run reported."""
        out = os.path.join(self.dir, "probe.json")
        frames = out + ".frames"
        run(["check", clip, "-o", out, "--frames", frames, "--quiet"])
        with open(out) as f:
            doc = json.load(f)
        noise_code = next(c for c in doc["checks"] if c["id"] == "freeze")["metrics"][
            "noise_code"]       # of the default noise_pct, 0.1
        first, last = HOLDS["long"]
        with open(frames) as f:
            mads = [r["freeze_mad"] for r in map(json.loads, f)
                    if first < r["frame"] <= last]
        pct = 0.1 * statistics.median(mads) / noise_code
        return ["--set", "freeze.noise_pct=%r" % pct, "--set", "freeze.min_duration_s=0",
                "--set", "freeze.include_black=%s" % ("true" if include_black else "false")]

    def lead_in(self, clip, i, n, sets):
        """Segment i/n's partial and its lead-in (--stats): frames folded,
        the first of them."""
        part = os.path.join(self.dir, "%s_%d_of_%d.json" % (os.path.basename(clip), i, n))
        p = run(["check", clip, "--segment", "%d/%d" % (i, n), "-o", part, "--quiet",
                 "--stats"] + sets, ok=(0, 1))
        m = re.search(r"lead-in: (\d+) frames folded, from frame (-?\d+)", p.stderr)
        with open(part) as f:
            cut = json.load(f)["segment"]["first_frame"]
        return part, cut, (int(m.group(1)), int(m.group(2))) if m else None

    def assert_merges_as_single(self, clip, include_black, intra):
        sets = self.noise_sets(clip, include_black)
        single = os.path.join(self.dir, "single.json")
        run(["check", clip, "-o", single, "--quiet"] + sets)
        want = comparable(single)
        runs = freeze_runs(single)
        first, last = HOLDS["long"]
        # the threshold breaks the long hold into several runs: a cut can
        # fall inside one whose reference lies before the frame before it
        self.assertGreater(sum(first <= a and b <= last for a, b in runs), 5, runs)
        cuts = {}
        for n in COUNTS:
            with self.subTest(clip=os.path.basename(clip), include_black=include_black,
                              segments=n):
                parts, leads = [], []
                for i in range(n):
                    part, cut, lead = self.lead_in(clip, i, n, sets)
                    parts.append(part)
                    leads.append((cut, lead))
                merged = os.path.join(self.dir, "merged_%d.json" % n)
                p = run(["merge"] + parts[::-1] + ["-o", merged])
                self.assertEqual(p.returncode, 1 if want["verdict"] == "fail" else 0)
                self.assertEqual(freeze_runs(merged), runs)
                self.assertEqual(comparable(merged), want)
                for i, (cut, lead) in enumerate(leads):
                    if i == 0:
                        self.assertIsNone(lead)     # nothing before frame 0
                        continue
                    self.assertIsNotNone(lead, cut)
                    cuts[cut] = lead
                    folded, start = lead
                    self.assertLess(start, cut)
                    hold = [h for h in HOLDS.values() if h[0] < cut <= h[1]]
                    if hold and not (hold[0] == HOLDS["black"] and not include_black):
                        # inside a hold (where no frame resyncs): back to its start
                        self.assertLessEqual(start, hold[0][0], (cut, lead))
                    elif intra:
                        # moving content: the two frames before the cut
                        self.assertEqual(lead, (2, cut - 2), cut)
                    else:
                        # the GOP the segment decodes anyway
                        self.assertEqual(folded, cut - start, cut)
                        self.assertLessEqual(folded, GOP + 1, cut)
        # cuts inside every hold, and one the lead-in reached more than two
        # GOPs back for
        for name, (a, b) in HOLDS.items():
            self.assertTrue(any(a < c <= b for c in cuts), (name, sorted(cuts)))
        self.assertTrue(any(a < c <= b and c - cuts[c][1] > 2 * GOP
                            for c in cuts for a, b in [HOLDS["long"]]), cuts)

    def test_prores_intra(self):
        for include_black in (False, True):
            self.assert_merges_as_single(self.prores, include_black, intra=True)

    def test_h264_long_gop_bframes(self):
        types = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                                "-show_entries", "frame=pict_type", "-of", "csv=p=0",
                                self.h264], capture_output=True, text=True, check=True,
                               timeout=TIMEOUT).stdout
        self.assertIn("B", types)
        self.assertEqual(keyframes(self.h264)[:3], [0, GOP, 2 * GOP])
        for include_black in (False, True):
            self.assert_merges_as_single(self.h264, include_black, intra=False)

    def test_remote_lead_in(self):
        """Over HTTP the lead-in's later tries open the input again and read
        with ranged GETs too; merged == single. (This file is smaller than
        two of the reader's 4 MiB blocks: every open reads all of it.)"""
        www = os.path.join(self.dir, "www")
        os.makedirs(www, exist_ok=True)
        shutil.copy(self.prores, os.path.join(www, "noisy.mov"))
        sets = self.noise_sets(self.prores, False) + ["--set", "checksum.file_hash=false"]
        single = os.path.join(self.dir, "remote_single.json")
        run(["check", self.prores, "-o", single, "--quiet"] + sets)
        with serving(www) as (srv, root):
            parts, sent = remote_segments(srv, root + "noisy.mov", 3, self.dir, sets)
        for i, got in enumerate(sent):
            self.assertTrue(got and all(rng for rng, _ in got), (i, got))
        # segment 1 starts at frame 80, inside the long hold: tries from 76,
        # 72, 64 and 48 open the input again (segment 2 starts on moving content)
        opens = [sum(rng.startswith("bytes=0-") and b > 2 for rng, b in got) for got in sent]
        self.assertGreater(opens[1], 1, sent[1])
        self.assertEqual(opens[2], 1, sent[2])
        assert_remote_merge_is_single(self, parts, single,
                                      os.path.join(self.dir, "remote_merged.json"))


if __name__ == "__main__":
    unittest.main()
