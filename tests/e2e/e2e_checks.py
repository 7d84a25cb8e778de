"""Checks on real encoded media against the generator's ground truth and
against independent references (ffmpeg's signalstats and blackdetect)."""
import os
import re
import subprocess
import tempfile
import unittest

from common import check, clip_path, read_jsonl, run, stable, video_clips

CHECKS_UNDER_TEST = ("legal_range", "black")


def ffmpeg_frame_metadata(path, vf):
    """Per-frame lavfi metadata as a list of {key: value} in display order."""
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-vf",
         vf + ",metadata=mode=print:file=-", "-f", "null", "-"],
        capture_output=True, text=True, timeout=300, check=True).stdout
    frames = []
    for line in out.splitlines():
        if line.startswith("frame:"):
            frames.append({})
        elif "=" in line and frames:
            k, v = line.split("=", 1)
            frames[-1][k.strip()] = v.strip()
    return frames


def blackdetect_runs(path, duration):
    err = subprocess.run(
        ["ffmpeg", "-nostdin", "-i", path, "-map", "0:v:0", "-vf",
         "blackdetect=d=%g:pic_th=0.98:pix_th=0.10" % duration, "-f", "null", "-"],
        capture_output=True, text=True, timeout=300).stderr
    return [(float(a), float(b)) for a, b in
            re.findall(r"black_start:([\d.]+) black_end:([\d.]+)", err)]


class PlantedDefects(unittest.TestCase):
    """Every planted defect is found where it was planted; nothing else is."""

    @classmethod
    def setUpClass(cls):
        cls.reports = {}
        cls.frames = {}
        for clip in video_clips():
            tmp = tempfile.mkdtemp(prefix="mqc-e2e-")
            frames = os.path.join(tmp, "frames.jsonl")
            res = run(["check", clip_path(clip["file"]), "--threads", "2", "--frames", frames,
                       "--quiet"], workdir=tmp)
            cls.reports[clip["file"]] = (res, clip)
            cls.frames[clip["file"]] = read_jsonl(frames)

    def test_defects_found_with_exact_or_near_frames(self):
        for name, (res, clip) in self.reports.items():
            tolerance = 0 if clip["lossless"] else 1
            for d in clip["defects"]:
                if d["check"] not in CHECKS_UNDER_TEST:
                    continue
                with self.subTest(clip=name, code=d["code"]):
                    events = [e for e in check(res.report, d["check"])["events"]
                              if e["code"] == d["code"]]
                    self.assertEqual(len(events), 1, events)
                    e = events[0]
                    self.assertLessEqual(abs(e["start_frame"] - d["start_frame"]), tolerance)
                    self.assertLessEqual(abs(e["end_frame"] - d["end_frame"]), tolerance)
                    if d.get("area_pct") is not None:
                        # the worst area is the planted rectangle (plus codec ringing)
                        self.assertAlmostEqual(e["value"], d["area_pct"],
                                               delta=0.0001 if clip["lossless"] else 0.5)

    def test_only_planted_defects_are_reported(self):
        for name, (res, clip) in self.reports.items():
            planted = {(d["check"], d["code"]) for d in clip["defects"]}
            for cid in CHECKS_UNDER_TEST:
                for e in check(res.report, cid)["events"]:
                    with self.subTest(clip=name, check=cid, event=e["code"]):
                        self.assertIn((cid, e["code"]), planted)

    def test_verdict_and_exit_code(self):
        for name, (res, clip) in self.reports.items():
            with self.subTest(clip=name):
                errors = [d for d in clip.get("defects", []) if d["check"] == "legal_range"]
                self.assertEqual(res.report["verdict"], "fail" if errors else "pass")
                self.assertEqual(res.code, 1 if errors else 0)
                if clip["clean"]:
                    for c in res.report["checks"]:
                        self.assertEqual(c["events"], [], c["id"])

    def test_stream_facts(self):
        for name, (res, clip) in self.reports.items():
            with self.subTest(clip=name):
                v = res.report["video"]
                for key in ("codec", "pix_fmt", "bit_depth", "width", "height", "frame_rate",
                            "color_range", "start_timecode", "frames"):
                    self.assertEqual(v[key], clip[key], key)
                self.assertEqual(res.report["summary"]["frames_analyzed"], clip["frames"])

    def test_event_timecodes_and_seconds(self):
        for name, (res, clip) in self.reports.items():
            num, den = map(int, clip["frame_rate"].split("/"))
            for c in res.report["checks"]:
                for e in c["events"]:
                    with self.subTest(clip=name, code=e["code"]):
                        self.assertAlmostEqual(e["start_s"], e["start_frame"] * den / num, places=5)
                        self.assertAlmostEqual(e["end_s"], (e["end_frame"] + 1) * den / num,
                                               places=5)
                        self.assertEqual(tc_to_frames(e["start_tc"], num, den)
                                         - tc_to_frames(clip["start_timecode"], num, den),
                                         e["start_frame"])

    def test_y_min_max_equal_ffmpeg_signalstats(self):
        for name, (res, clip) in self.reports.items():
            with self.subTest(clip=name):
                ref = ffmpeg_frame_metadata(clip_path(name), "signalstats")
                ours = self.frames[name]
                self.assertEqual(len(ours), len(ref))
                for i, (a, b) in enumerate(zip(ours, ref)):
                    self.assertEqual(a["frame"], i)
                    self.assertEqual(a["y_min"], int(b["lavfi.signalstats.YMIN"]), i)
                    self.assertEqual(a["y_max"], int(b["lavfi.signalstats.YMAX"]), i)
                    self.assertAlmostEqual(a["y_avg"], float(b["lavfi.signalstats.YAVG"]),
                                           delta=0.01)

    def test_black_runs_agree_with_ffmpeg_blackdetect(self):
        for name, (res, clip) in self.reports.items():
            with self.subTest(clip=name):
                num, den = map(int, clip["frame_rate"].split("/"))
                ours = [(e["start_s"], e["end_s"]) for e in check(res.report, "black")["events"]]
                ref = blackdetect_runs(clip_path(name), 0.5)
                self.assertEqual(len(ours), len(ref), (ours, ref))
                for (a0, a1), (b0, b1) in zip(ours, ref):
                    # container timestamps are rounded (mkv: 1 ms)
                    self.assertAlmostEqual(a0, b0, delta=0.002)
                    self.assertAlmostEqual(a1, b1, delta=0.002)

    def test_per_frame_records(self):
        for name, (res, clip) in self.reports.items():
            with self.subTest(clip=name):
                recs = self.frames[name]
                self.assertEqual(len(recs), clip["frames"])
                for r in recs:
                    for key in ("frame", "time", "pts", "y_min", "y_max", "y_avg", "range_out",
                                "black"):
                        self.assertIn(key, r)
                    self.assertTrue(0 <= r["black"] <= 1 and 0 <= r["range_out"] <= 1)
                black = [d for d in clip["defects"] if d["check"] == "black"]
                for d in black:
                    for f in range(d["start_frame"], d["end_frame"] + 1):
                        self.assertGreaterEqual(recs[f]["black"], 0.98)


class RangeMath(unittest.TestCase):
    """The legal band in the report follows bit depth and range (R103)."""

    def test_codes_per_depth_and_range(self):
        expected = {  # (bit depth, full range) -> (min, max) code
            (8, False): (5, 246), (10, False): (20, 984), (12, True): (0, 4095)}
        for clip in video_clips():
            res = run(["check", clip_path(clip["file"]), "--quiet"])
            m = check(res.report, "legal_range")["metrics"]
            key = (clip["bit_depth"], clip["color_range"] == "pc")
            with self.subTest(clip=clip["file"]):
                self.assertEqual((m["luma_min_code"], m["luma_max_code"]), expected[key])


class Determinism(unittest.TestCase):
    """Reports are identical for any thread count, band height and repeat."""

    def test_threads_and_band_heights(self):
        for clip in video_clips():
            path = clip_path(clip["file"])
            base = stable(run(["check", path, "--threads", "1", "--quiet"]).report)
            for extra in (["--threads", "2"], ["--threads", "4"], ["--threads", "8"],
                          ["--threads", "3", "--band-height", "16"],
                          ["--threads", "2", "--band-height", "360"], ["--threads", "2"]):
                with self.subTest(clip=clip["file"], args=extra):
                    self.assertEqual(stable(run(["check", path, "--quiet"] + extra).report), base)


def tc_to_frames(tc, num, den):
    """Independent SMPTE timecode -> frame count (drop-frame per SMPTE 12M)."""
    if tc is None:
        return 0
    hh, mm, ss, ff = map(int, re.split("[:;.]", tc))
    fps = round(num / den)
    frames = ((hh * 60 + mm) * 60 + ss) * fps + ff
    if ";" in tc:
        drop = fps // 30 * 2
        minutes = hh * 60 + mm
        frames -= drop * (minutes - minutes // 10)
    return frames


if __name__ == "__main__":
    unittest.main()
