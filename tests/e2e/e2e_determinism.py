"""Damaged media give the same report and the same frame hashes on every run
and for every thread count (issue 20.1, 20.2; DESIGN.md section 3).

A small corrupt corpus is made at test time: bit flips inside the packets of
a ProRes and an H.264 clip, and truncated copies of both (index first, so the
head decodes). Each file is checked and hashed ten times over --threads
1/2/3/7; the reports minus `run`, `summary.elapsed_s` and `summary.fps`, and
the `mediaqc hash` lines, must be identical. Before the fix, ProRes frames
kept what a reused frame-pool buffer held where a damaged slice was not
written (a different earlier picture with each thread timing), H.264 was
concealed differently by frame threads, and decode errors went to whichever
frame came out when the decoder reported them."""
import json
import os
import random
import shutil
import subprocess
import tempfile
import unittest

from common import SANITIZER_MARKS, MEDIAQC, load_report

RUNS = [1, 2, 3, 7, 1, 2, 3, 7, 3, 7]    # ten runs, every thread count more than once


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def packets(path):
    """(pos, size) of the video packets, from ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pos,size", "-of", "json", path], capture_output=True,
                         text=True, check=True).stdout
    return [(int(p["pos"]), int(p["size"])) for p in json.loads(out)["packets"]]


def flip_packets(src, dst, seed, every):
    """Inverts one byte inside every `every`-th packet, past its first bytes
    (the frame header stays readable, the slices are damaged)."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    rng = random.Random(seed)
    for i, (pos, size) in enumerate(packets(src)):
        if i % every == every // 2 and size > 64:
            data[pos + rng.randrange(32, size)] ^= 0xFF
    with open(dst, "wb") as f:
        f.write(data)


def truncate(src, dst, fraction):
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(data[:int(len(data) * fraction)])


def stable(report):
    """The report minus the facts of one run."""
    report.pop("run", None)
    report["summary"].pop("elapsed_s", None)
    report["summary"].pop("fps", None)
    return json.dumps(report, sort_keys=True)


class DamagedMedia(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-determinism-")
        t = lambda name: os.path.join(cls.tmp, name)
        # index first (faststart): a truncated copy keeps a decodable head
        ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25", "-t", "2", "-c:v", "prores_ks",
               "-profile:v", "2", "-movflags", "+faststart", t("prores.mov"))
        ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25", "-t", "2", "-c:v", "libx264",
               "-preset", "veryfast", "-g", "12", "-bf", "2", "-pix_fmt", "yuv420p",
               "-movflags", "+faststart", t("h264.mp4"))
        flip_packets(t("prores.mov"), t("prores_flipped.mov"), 1, 3)
        flip_packets(t("h264.mp4"), t("h264_flipped.mp4"), 2, 4)
        truncate(t("prores.mov"), t("prores_cut.mov"), 0.8)
        truncate(t("h264.mp4"), t("h264_cut.mp4"), 0.7)
        cls.corpus = {name: t(name) for name in ("prores_flipped.mov", "h264_flipped.mp4",
                                                 "prores_cut.mov", "h264_cut.mp4")}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_tool(self, args, ok=(0, 1)):
        p = subprocess.run([MEDIAQC] + args, capture_output=True, text=True, timeout=120)
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, p.stderr)
        self.assertIn(p.returncode, ok, p.stderr)
        return p

    def test_reports_identical_over_runs_and_threads(self):
        for name, path in self.corpus.items():
            with self.subTest(file=name):
                seen = {}
                for i, threads in enumerate(RUNS):
                    out = os.path.join(self.tmp, "%s.%d.json" % (name, i))
                    p = self.run_tool(["check", path, "-q", "-o", out, "--threads", str(threads)])
                    self.assertEqual(p.returncode, 1, "%s: damage must fail the check" % name)
                    report = load_report(out)
                    decode = next(c for c in report["checks"] if c["id"] == "decode")
                    self.assertTrue(decode["events"], "%s: no decode_error reported" % name)
                    seen.setdefault(stable(report), []).append(threads)
                self.assertEqual(len(seen), 1, "%s: %d different reports (threads per report: %s)"
                                 % (name, len(seen), list(seen.values())))

    def test_hash_identical_over_runs_and_threads(self):
        for name, path in self.corpus.items():
            with self.subTest(file=name):
                seen = {}
                for threads in RUNS:
                    p = self.run_tool(["hash", path, "--threads", str(threads)], ok=(0, 1))
                    self.assertIn("\n0,", p.stdout)
                    seen.setdefault(p.stdout, []).append(threads)
                self.assertEqual(len(seen), 1, "%s: %d different hash outputs (threads: %s)"
                                 % (name, len(seen), list(seen.values())))

    def test_inter_coded_pictures_are_ffmpegs_single_thread_pictures(self):
        """Independent ground truth: damaged H.264 decodes to exactly what
        `ffmpeg -threads 1` gives, whatever --threads says."""
        for name in ("h264_flipped.mp4", "h264_cut.mp4"):
            path = self.corpus[name]
            ref = subprocess.run(["ffmpeg", "-v", "quiet", "-nostdin", "-threads", "1", "-i", path,
                                  "-map", "0:v:0", "-fflags", "+bitexact", "-f", "framemd5", "-"],
                                 capture_output=True, text=True, timeout=120).stdout
            for threads in (1, 7):
                with self.subTest(file=name, threads=threads):
                    ours = self.run_tool(["hash", path, "--threads", str(threads)]).stdout
                    self.assertEqual([l for l in ours.splitlines() if not l.startswith("#")],
                                     [l for l in ref.splitlines() if not l.startswith("#")])

    def test_truncation_attributed_to_the_last_frame(self):
        """The cut packet and the short file are problems of the last frame
        decoded, for every thread count (before: frames 81..86 by timing)."""
        for name in ("prores_cut.mov", "h264_cut.mp4"):
            for threads in (1, 3, 7):
                with self.subTest(file=name, threads=threads):
                    out = os.path.join(self.tmp, "%s.cut.%d.json" % (name, threads))
                    self.run_tool(["check", self.corpus[name], "-q", "-o", out,
                                   "--threads", str(threads)])
                    report = load_report(out)
                    last = report["summary"]["frames_analyzed"] - 1
                    decode = next(c for c in report["checks"] if c["id"] == "decode")
                    self.assertTrue(decode["events"])
                    for e in decode["events"]:
                        self.assertEqual((e["start_frame"], e["end_frame"]), (last, last), e)


if __name__ == "__main__":
    unittest.main()
