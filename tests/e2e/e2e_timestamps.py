"""Event times and timecodes come from the frames' timestamps (DESIGN.md §9),
not from the frame index: after 5 missing frames the next event is 5 frames
later. Ground truth: ffprobe's best_effort_timestamp of the flagged frames and
the SMPTE timecode of (start timecode + that time), counted here by hand."""
import csv
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from common import check, run

RATE = 25


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def ffprobe_pts(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=best_effort_timestamp_time", "-of", "csv=p=0", path],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return [float(line.split(",")[0]) for line in out.split()]


def smpte(seconds, start_hours=1):
    """non-drop timecode at 25 fps of a time after a start of HH:00:00:00"""
    n = round(seconds * RATE)
    ff, s = n % RATE, n // RATE
    return "%02d:%02d:%02d:%02d" % (start_hours + s // 3600, s // 60 % 60, s % 60, ff)


class Timestamps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-ts-")
        # 5 s at 25 fps; source frames 50..54 removed with their timestamps kept
        # (a 0.2 s gap at 2.0 s); source frames 70..84 black (shown from 2.8 s)
        cls.clip = os.path.join(cls.dir, "gap.mkv")
        ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=%d:d=5" % RATE, "-vf",
               "drawbox=enable='between(n,70,84)':color=black:t=fill,"
               "select='not(between(n,50,54))'", "-fps_mode", "passthrough",
               "-c:v", "ffv1", "-timecode", "01:00:00:00", cls.clip)
        cls.pts = ffprobe_pts(cls.clip)
        cls.edl = os.path.join(cls.dir, "r.edl")
        cls.csv = os.path.join(cls.dir, "r.csv")
        cls.res = run(["check", cls.clip, "--quiet", "--set", "black.min_duration_s=0.2",
                       "--edl", cls.edl, "--markers", cls.csv])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def event(self, check_id, code):
        events = [e for e in check(self.res.report, check_id)["events"] if e["code"] == code]
        self.assertEqual(len(events), 1, events)
        return events[0]

    def test_the_reference_has_the_gap(self):
        self.assertEqual(len(self.pts), 120)
        self.assertAlmostEqual(self.pts[50] - self.pts[49], 0.24, places=6)

    def test_event_after_the_gap_is_timed_by_its_timestamp(self):
        e = self.event("black", "black_frames")
        self.assertEqual((e["start_frame"], e["end_frame"]), (65, 79))
        self.assertAlmostEqual(e["start_s"], self.pts[65], places=6)     # 2.8, not 2.6
        self.assertAlmostEqual(e["end_s"], self.pts[79] + 1 / RATE, places=6)
        self.assertEqual(e["start_tc"], smpte(self.pts[65]))             # 01:00:02:20
        self.assertEqual(e["end_tc"], smpte(self.pts[79]))

    def test_the_gap_event_names_the_frame_after_it(self):
        e = self.event("dropped_frames", "missing_frames")
        self.assertEqual((e["start_frame"], e["value"]), (50, 5))
        self.assertAlmostEqual(e["start_s"], self.pts[50], places=6)     # 2.2, not 2.0
        self.assertEqual(e["start_tc"], smpte(self.pts[50]))

    def test_csv_edl_and_summary_use_the_same_timecodes(self):
        with open(self.csv) as f:
            rows = {(r["check"], r["code"]): r for r in csv.DictReader(f)}
        self.assertEqual(rows[("black", "black_frames")]["timecode"], smpte(self.pts[65]))
        self.assertEqual(rows[("black", "black_frames")]["end_timecode"], smpte(self.pts[79]))
        with open(self.edl, encoding="latin-1") as f:
            edl = f.read()
        self.assertRegex(edl, r"\* LOC: %s \w+ +black black_frames" % smpte(self.pts[65]))
        self.assertIn("first at %s (frame 65)" % smpte(self.pts[65]), self.res.stdout)

    def test_frames_records_carry_the_timestamps(self):
        frames = os.path.join(self.dir, "f.jsonl")
        run(["check", self.clip, "--quiet", "--frames", frames], report=False)
        with open(frames) as f:
            times = [float(re.search(r'"time":([0-9.]+)', line).group(1)) for line in f]
        self.assertEqual(len(times), len(self.pts))
        for got, want in zip(times, self.pts):
            self.assertAlmostEqual(got, want, places=5)


if __name__ == "__main__":
    unittest.main()
