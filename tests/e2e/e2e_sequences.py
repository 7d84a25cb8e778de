"""Numbered image sequences (issue 13.4): `check 'shot_%04d.dpx'` with
--start-number and --frame-rate (default 24) reads DPX, EXR, TIFF and PNG
sequences; a hole in the numbering is missing_frames naming the absent files
and reading goes on after it; a file that changes size or format is reported,
not crashed on; hash and --mhl work per file. Ground truth: the files ffmpeg
writes (and the ones this test deletes), ffmpeg's framemd5 of each file alone,
and hashlib over each file's bytes."""
import hashlib
import os
import shutil
import subprocess
import tempfile
import unittest

from common import MEDIAQC, TIMEOUT, check, run

REAL = os.environ.get("MQC_REAL_MEDIA") or "/work/shared/media/real"
SOURCE = "testsrc2=size=96x64:rate=24"
N = 10


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def file_md5(path):
    """ffmpeg's framemd5 digest of a one-picture file."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return [line.split(",")[-1].strip() for line in out.splitlines()
            if not line.startswith("#")][0]


def make_sequence(dirname, ext, codec_args, start=1):
    os.makedirs(dirname)
    ffmpeg("-f", "lavfi", "-i", SOURCE, "-frames:v", str(N), *codec_args, "-start_number",
           str(start), os.path.join(dirname, "shot_%04d." + ext))
    return os.path.join(dirname, "shot_%04d." + ext)


class Sequences(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-seq-")
        cls.kinds = {
            "dpx": ("dpx", ["-c:v", "dpx"]),
            "exr": ("exr", ["-c:v", "exr", "-format", "half", "-pix_fmt", "gbrpf32le"]),
            "tiff": ("tiff", ["-c:v", "tiff"]),
            "png": ("png", ["-c:v", "png"]),
        }
        cls.patterns = {}
        for kind, (ext, args) in cls.kinds.items():
            cls.patterns[kind] = make_sequence(os.path.join(cls.tmp, kind), ext, args)

    def holes(self, kind, missing, start=1):
        """A copy of the sequence with the files `missing` deleted."""
        d = tempfile.mkdtemp(prefix="mqc-seq-holes-")
        src = os.path.dirname(self.patterns[kind])
        for f in os.listdir(src):
            shutil.copy(os.path.join(src, f), d)
        for n in missing:
            os.remove(os.path.join(d, "shot_%04d.%s" % (n, self.kinds[kind][0])))
        return os.path.join(d, os.path.basename(self.patterns[kind]))

    def test_every_format_reads_every_frame_at_24_fps(self):
        for kind, pattern in self.patterns.items():
            with self.subTest(kind=kind):
                res = run(["check", pattern, "--quiet"])
                self.assertIn(res.code, (0, 1), res.stderr)
                v = res.report["video"]
                self.assertEqual(v["frames"], N)
                self.assertEqual(v["frames_declared"], N)
                self.assertEqual(v["frame_rate"], "24/1")
                self.assertEqual((v["width"], v["height"]), (96, 64))
                self.assertEqual(check(res.report, "dropped_frames")["events"], [])
                self.assertEqual(check(res.report, "decode")["events"], [])

    def test_hole_is_missing_frames_naming_the_files(self):
        for kind in self.patterns:
            with self.subTest(kind=kind):
                pattern = self.holes(kind, [4, 5, 8])
                res = run(["check", pattern, "--quiet", "--frame-rate", "25"])
                self.assertEqual(res.code, 1, res.stderr)
                self.assertEqual(res.report["video"]["frames"], N - 3)
                self.assertEqual(res.report["video"]["frame_rate"], "25/1")
                ev = [e for e in check(res.report, "dropped_frames")["events"]
                      if e["severity"] == "error"]
                ext = self.kinds[kind][0]
                self.assertEqual([(e["code"], e["value"], e["start_frame"]) for e in ev],
                                 [("missing_frames", 2, 3), ("missing_frames", 1, 5)])
                self.assertIn("shot_0004.%s, shot_0005.%s" % (ext, ext), ev[0]["message"])
                self.assertIn("shot_0008.%s" % ext, ev[1]["message"])
                # the frame after the hole is presented at its file's time: 6th file, 25 fps
                self.assertAlmostEqual(ev[0]["start_s"], 5 / 25, places=6)
                self.assertEqual(check(res.report, "decode")["events"], [])

    def test_directory_is_its_one_sequence(self):
        """A shot's directory stands for the one numbered sequence in it: the
        same report as its pattern; none or two sequences: exit 2 naming them."""
        for kind, pattern in self.patterns.items():
            with self.subTest(kind=kind):
                by_dir = run(["check", os.path.dirname(pattern), "--quiet"])
                by_pattern = run(["check", pattern, "--quiet"])
                self.assertEqual(by_dir.code, by_pattern.code, by_dir.stderr)
                self.assertEqual(by_dir.report["checks"], by_pattern.report["checks"])
                self.assertEqual(by_dir.report["video"], by_pattern.report["video"])
        d = tempfile.mkdtemp(prefix="mqc-seq-two-", dir=self.tmp)
        for kind in ("dpx", "png"):
            src = os.path.dirname(self.patterns[kind])
            for f in os.listdir(src):
                shutil.copy(os.path.join(src, f), d)
        res = run(["check", d, "--quiet"], report=False)
        self.assertEqual(res.code, 2)
        self.assertIn("more than one image sequence", res.stderr)
        empty = tempfile.mkdtemp(prefix="mqc-seq-empty-", dir=self.tmp)
        res = run(["check", empty, "--quiet"], report=False)
        self.assertEqual(res.code, 2)
        self.assertIn("no numbered image files", res.stderr)

    def test_start_number(self):
        pattern = self.patterns["dpx"]
        res = run(["check", pattern, "--quiet", "--start-number", "3"])
        self.assertEqual(res.report["video"]["frames"], N - 2)
        # files below the start number are not read; missing ones before the first are named
        res = run(["check", pattern, "--quiet", "--start-number", "0"])
        ev = check(res.report, "dropped_frames")["events"]
        self.assertEqual([(e["code"], e["value"]) for e in ev], [("missing_frames", 1)])
        self.assertIn("shot_0000.dpx", ev[0]["message"])
        res = run(["check", pattern, "--quiet", "--start-number", "99"])
        self.assertEqual(res.code, 2)
        self.assertIn("numbered 99", res.stderr)

    def test_hash_is_per_file(self):
        pattern = self.holes("dpx", [6])
        proc = subprocess.run([MEDIAQC, "hash", pattern], capture_output=True, text=True,
                              timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = [line.split(",")[-1].strip() for line in proc.stdout.splitlines()
               if not line.startswith("#")]
        d = os.path.dirname(pattern)
        want = [file_md5(os.path.join(d, "shot_%04d.dpx" % n)) for n in range(1, N + 1) if n != 6]
        self.assertEqual(got, want)

    def test_mhl_verifies_each_file(self):
        pattern = self.holes("dpx", [])
        d = os.path.dirname(pattern)
        names = sorted(f for f in os.listdir(d) if f.endswith(".dpx"))
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<hashlist version="1.1">']
        for i, name in enumerate(names):
            with open(os.path.join(d, name), "rb") as f:
                digest = hashlib.md5(f.read()).hexdigest()
            if i == 2:
                digest = "0" * 32          # a corrupted copy
            if i == 4:
                continue                   # a file the manifest does not list
            lines.append("  <hash><file>%s</file><md5>%s</md5></hash>" % (name, digest))
        lines.append("</hashlist>")
        mhl = os.path.join(d, "shot.mhl")
        with open(mhl, "w") as f:
            f.write("\n".join(lines) + "\n")
        res = run(["check", pattern, "--quiet", "--mhl", mhl])
        c = check(res.report, "checksum")
        self.assertEqual(c["metrics"]["mhl_files_verified"], N - 2)
        self.assertEqual(c["metrics"]["mhl_files_mismatched"], 1)
        self.assertEqual(c["metrics"]["mhl_files_unlisted"], 1)
        msgs = sorted(e["message"] for e in c["events"])
        self.assertEqual(len(msgs), 2)
        self.assertTrue(msgs[0].startswith(names[2] + ": md5 is "), msgs)
        self.assertIn("%s is not listed" % names[4], msgs[1])

    def test_size_change_midway_is_reported(self):
        d = tempfile.mkdtemp(prefix="mqc-seq-size-")
        pattern = os.path.join(d, "shot_%04d.dpx")
        ffmpeg("-f", "lavfi", "-i", SOURCE, "-frames:v", "4", "-c:v", "dpx", pattern)
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=128x72:rate=24", "-frames:v", "2", "-c:v",
               "dpx", "-pix_fmt", "rgb48le", "-start_number", "5", pattern)
        res = run(["check", pattern, "--quiet"])
        self.assertEqual(res.code, 1, res.stderr)
        self.assertEqual(res.report["video"]["frames"], 6)
        ev = check(res.report, "decode")["events"]
        self.assertEqual([(e["code"], e["start_frame"]) for e in ev], [("decode_error", 4)])
        self.assertIn("96x64 rgb24 to 128x72 rgb48le", ev[0]["message"])

    def test_real_sequences(self):
        cases = [("ae_dpx16_rgba_seq/ae16_rgba_%04d.dpx", "1", 2, []),
                 ("beachball_exr_half_seq/beachball_%04d.exr", "4", 3, []),
                 ("ae_dpx8_seq_truncated/ae8_rgb_%04d.dpx", "0", 2, ["decode_error"])]
        for pattern, start, frames, decode in cases:
            with self.subTest(pattern=pattern):
                path = os.path.join(REAL, pattern)
                res = run(["check", path, "--quiet", "--start-number", start])
                self.assertEqual(res.report["video"]["frames"], frames)
                self.assertEqual([e["code"] for e in check(res.report, "decode")["events"]],
                                 decode)
                self.assertEqual([e["code"] for e in check(res.report, "dropped_frames")["events"]
                                  if e["severity"] == "error"], [])
        res = run(["check", os.path.join(REAL, "ae_dpx8_seq_truncated/ae8_rgb_%04d.dpx"),
                   "--quiet"])
        self.assertIn("ae8_rgb_0001.dpx", check(res.report, "decode")["events"][0]["message"])


if __name__ == "__main__":
    unittest.main()
