"""Continuity checks (dropped_frames, freeze, timecode) on clips made here with
the ffmpeg CLI, against independent references: ffprobe's timestamps and
frame counts, ffmpeg's framemd5 (identical frames), ffmpeg's freezedetect
(frozen runs) and a hand-written SMPTE drop-frame counter (timecodes).

Mapping to freezedetect: freezedetect compares the mean absolute difference
of all planes, as a fraction of 2^bits, with n; mediaqc compares luma with
noise_pct of the nominal range (n = noise_pct/100 * 219/256 at 8-bit limited
range). The clips freeze every plane, so both see the same runs."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from common import TIMEOUT, check, run, stable

SIZE = "320x240"


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def testsrc(rate, seconds):
    return ["-f", "lavfi", "-i", "testsrc2=s=%s:r=%s:d=%s" % (SIZE, rate, seconds)]


def freeze_filter(first, last, replace):
    """frames first..last replaced by frame `replace` (ffmpeg freezeframes)"""
    return "split[a][b];[a][b]freezeframes=first=%d:last=%d:replace=%d" % (first, last, replace)


def ffprobe_pts(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=best_effort_timestamp_time", "-of", "csv=p=0", path],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return [float(line.split(",")[0]) for line in out.split()]


def ffprobe_stream(path, *entries):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                          "-show_entries", "stream=" + ",".join(entries), "-of",
                          "default=nw=1", path],
                         capture_output=True, text=True, timeout=120).stdout
    return dict(line.split("=", 1) for line in out.split())


def identical_to_previous(path):
    """frame indices whose framemd5 equals the previous frame's"""
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0",
                          "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    md5 = [line.split(",")[-1].strip() for line in out.splitlines()
           if line and not line.startswith("#")]
    return [i for i in range(1, len(md5)) if md5[i] == md5[i - 1]]


def freezedetect_runs(path, fps, noise=0.001, duration=2):
    """freezedetect's runs as inclusive frame ranges [first, last]"""
    err = subprocess.run(["ffmpeg", "-nostdin", "-i", path, "-map", "0:v:0", "-vf",
                          "freezedetect=n=%g:d=%g" % (noise, duration), "-f", "null", "-"],
                         capture_output=True, text=True, timeout=120).stderr
    starts = [float(x) for x in re.findall(r"freeze_start: ([\d.]+)", err)]
    ends = [float(x) for x in re.findall(r"freeze_end: ([\d.]+)", err)]
    return [(round(s * fps), round(e * fps) - 1) for s, e in zip(starts, ends)]


def smpte_df(frame_number):
    """29.97 drop-frame timecode of a frame count (SMPTE ST 12-1: frames ;00 and
    ;01 are skipped at the start of every minute except minutes 0, 10, 20, ...)"""
    ten_min, rest = divmod(frame_number, 17982)
    frame_number += 18 * ten_min + (2 * ((rest - 2) // 1798) if rest >= 2 else 0)
    ff = frame_number % 30
    ss = frame_number // 30 % 60
    mm = frame_number // 1800 % 60
    hh = frame_number // 108000 % 24
    return "%02d:%02d:%02d;%02d" % (hh, mm, ss, ff)


def smpte_df_number(tc):
    hh, mm, ss, ff = (int(x) for x in re.split("[:;]", tc))
    minutes = 60 * hh + mm
    return (108000 * hh + 1800 * mm + 30 * ss + ff) - 2 * (minutes - minutes // 10)


class Continuity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-continuity-")
        cls.clips = {}
        passthrough = ["-fps_mode", "passthrough"]

        def make(name, args):
            path = os.path.join(cls.dir, name)
            ffmpeg(*(args + [path]))
            cls.clips[name] = path

        ffv1 = ["-c:v", "ffv1"]
        x264 = ["-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p"]
        # frames 20..22 removed; the others keep their timestamps
        drop = ["-vf", "select='not(between(n,20,22))'"] + passthrough
        make("drop.mkv", testsrc(25, 4) + drop + ffv1)
        make("drop.mov", testsrc("24000/1001", 4) + drop + ffv1)
        # Matroska rounds 33.37 ms to 33/34 ms
        make("drop2997.mkv", testsrc("30000/1001", 4) + ["-vf", "select='not(eq(n,40))'"] +
             passthrough + ffv1)
        make("clean2997.mkv", testsrc("30000/1001", 4) + ffv1)
        # frame 30 shown twice, frame 60 three times; timestamps continuous
        make("dup.mkv", testsrc(25, 4) + ["-vf", "loop=loop=1:size=1:start=30,"
                                          "loop=loop=2:size=1:start=61,setpts=N/25/TB"] + ffv1)
        # animation on twos: every picture held two frames, not a fault
        make("twos.mkv", ["-f", "lavfi", "-i", "testsrc2=s=%s:r=12.5:d=4" % SIZE, "-vf",
                          "fps=25"] + ffv1)
        # 40 frames at 30 fps then 50 at 24 fps, in a fine time base
        vfr = ["-vf", "settb=1/90000,setpts='if(lt(N,40),N/30,40/30+(N-40)/24)/TB'",
               "-enc_time_base", "1/90000"] + passthrough
        make("vfr.mkv", testsrc(30, 3) + vfr + ffv1)
        make("vfr.mov", testsrc(30, 3) + vfr + ffv1)
        # two MPEG-TS files back to back: the timeline restarts at frame 50
        make("a.ts", testsrc(25, 2) + ["-c:v", "mpeg2video", "-q:v", "2"])
        splice = os.path.join(cls.dir, "splice.ts")
        with open(splice, "wb") as out:
            for _ in range(2):
                with open(cls.clips["a.ts"], "rb") as part:
                    shutil.copyfileobj(part, out)
        cls.clips["splice.ts"] = splice
        # cut at 60%: Matroska keeps its duration, MOV (faststart) its sample count
        make("full.mkv", testsrc(25, 4) + ffv1)
        make("full.mov", testsrc(25, 4) + ffv1 + ["-movflags", "+faststart"])
        for ext in ("mkv", "mov"):
            with open(cls.clips["full." + ext], "rb") as f:
                data = f.read()
            path = os.path.join(cls.dir, "trunc." + ext)
            with open(path, "wb") as f:
                f.write(data[:len(data) * 6 // 10])
            cls.clips["trunc." + ext] = path
        # frames 29..104 hold frame 29 (3.04 s)
        make("freeze.mkv", testsrc(25, 6) + ["-vf", freeze_filter(30, 104, 29)] + ffv1)
        make("freeze.mp4", testsrc(25, 6) + ["-vf", freeze_filter(30, 104, 29)] + x264)
        # black 30..89 (2.4 s, frozen too), then frames 90..179 hold frame 90
        make("black_freeze.mkv", testsrc(25, 9) + [
            "-vf", "drawbox=c=black:t=fill:enable='between(n,30,89)'," +
            freeze_filter(91, 179, 90)] + ffv1)
        # timecodes
        make("tc_df.mov", testsrc("30000/1001", 1) + ffv1 + ["-timecode", "00:00:59;28"])
        make("tc_ndf.mov", testsrc("30000/1001", 1) + ffv1 + ["-timecode", "01:00:00:00"])
        make("tc_df25.mkv", testsrc(25, 1) + ffv1 + ["-metadata:s:v:0",
                                                     "timecode=01:00:00;00"])
        make("tc_df30.mkv", testsrc(30, 1) + ffv1 + ["-metadata:s:v:0",
                                                     "timecode=01:00:00;00"])
        # MPEG-2 writes a GOP timecode per GOP (one frame each here); two
        # parts with different timecodes joined with continuous timestamps
        for part, tc in (("p1.ts", "00:59:59;00"), ("p2.ts", "02:00:00;00")):
            make(part, testsrc("30000/1001", 1) + ["-c:v", "mpeg2video", "-g", "1",
                                                   "-q:v", "2", "-timecode", tc])
        listing = os.path.join(cls.dir, "parts.txt")
        with open(listing, "w") as f:
            f.write("file '%s'\nfile '%s'\n" % (cls.clips["p1.ts"], cls.clips["p2.ts"]))
        make("tc_break.ts", ["-f", "concat", "-safe", "0", "-i", listing, "-c", "copy"])

        cls.reports = {}
        for name, path in cls.clips.items():
            res = run(["check", path, "--threads", "2", "--quiet"])
            cls.reports[name] = res

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def events(self, name, check_id, code=None):
        rep = self.reports[name].report
        self.assertIsNotNone(rep, self.reports[name].stderr)
        return [e for e in check(rep, check_id)["events"] if code is None or e["code"] == code]

    def metrics(self, name, check_id):
        return check(self.reports[name].report, check_id)["metrics"]

    # ---- dropped_frames: timestamps ----

    def reference_gaps(self, name, fps):
        """(frame after the gap, frames missing) from ffprobe's timestamps"""
        pts = ffprobe_pts(self.clips[name])
        gaps = []
        for i in range(1, len(pts)):
            frames = round((pts[i] - pts[i - 1]) * fps)
            if frames > 1:
                gaps.append((i, frames - 1))
        return gaps

    def test_missing_frames_at_the_gap(self):
        for name, fps, want in (("drop.mkv", 25, [(20, 3)]),
                                ("drop.mov", 24000 / 1001, [(20, 3)]),
                                ("drop2997.mkv", 30000 / 1001, [(40, 1)])):
            with self.subTest(clip=name):
                self.assertEqual(self.reference_gaps(name, fps), want)
                got = [(e["start_frame"], int(e["value"]))
                       for e in self.events(name, "dropped_frames", "missing_frames")]
                self.assertEqual(got, want)
                e = self.events(name, "dropped_frames", "missing_frames")[0]
                self.assertRegex(e["message"], r"expected pts \d+ .*found \d+")
                self.assertEqual(self.events(name, "dropped_frames", "timestamp_discontinuity"),
                                 [])
                # the container's count/duration agrees once the gap is counted
                self.assertEqual(self.events(name, "dropped_frames", "frame_count_mismatch"),
                                 [])
                self.assertEqual(self.reports[name].code, 1)

    def test_clean_clips_are_quiet(self):
        for name in ("clean2997.mkv", "full.mkv", "full.mov", "a.ts", "twos.mkv"):
            with self.subTest(clip=name):
                for cid in ("dropped_frames", "freeze", "timecode"):
                    self.assertEqual(self.events(name, cid), [], cid)
                self.assertEqual(self.metrics(name, "dropped_frames")["vfr"], 0)

    def test_vfr_is_reported_not_drowned_in_gaps(self):
        # issue 13.10: a variable rate is a fact (one info event), not a fault per frame
        pts = ffprobe_pts(self.clips["vfr.mkv"])
        for name in ("vfr.mkv", "vfr.mov"):
            with self.subTest(clip=name):
                events = self.events(name, "dropped_frames")
                self.assertEqual([(e["code"], e["severity"]) for e in events],
                                 [("variable_frame_rate", "info")])
                # the rate changes at frame 41 (1/24 s after frame 40)
                self.assertAlmostEqual(pts[41] - pts[40], 1 / 24, places=3)
                self.assertAlmostEqual(pts[40] - pts[39], 1 / 30, places=3)
                self.assertEqual(events[0]["start_frame"], 41)
                self.assertEqual(self.metrics(name, "dropped_frames")["vfr"], 1)
                self.assertEqual(check(self.reports[name].report, "dropped_frames")["status"],
                                 "pass")
                self.assertEqual(self.reports[name].code, 0)

    def test_a_profile_that_requires_cfr_fails_vfr(self):
        res = run(["check", self.clips["vfr.mkv"], "--quiet", "--set", "dropped_frames.cfr=true"])
        codes = {e["code"] for e in check(res.report, "dropped_frames")["events"]}
        self.assertIn("timestamp_discontinuity", codes)
        self.assertNotIn("variable_frame_rate", codes)
        self.assertEqual(res.code, 1)

    def test_timeline_restart_is_one_discontinuity(self):
        events = self.events("splice.ts", "dropped_frames")
        self.assertEqual([(e["code"], e["start_frame"], e["end_frame"]) for e in events],
                         [("timestamp_discontinuity", 50, 50)])
        pts = ffprobe_pts(self.clips["splice.ts"])
        self.assertLess(pts[50], pts[49])   # the reference agrees

    def test_frame_count_against_the_container(self):
        for name in ("trunc.mkv", "trunc.mov"):
            with self.subTest(clip=name):
                ref = ffprobe_stream(self.clips[name], "nb_frames", "nb_read_frames")
                decoded = int(ref["nb_read_frames"])
                declared = int(ref["nb_frames"]) if ref["nb_frames"] != "N/A" else 100
                events = self.events(name, "dropped_frames", "frame_count_mismatch")
                self.assertEqual(len(events), 1, events)
                self.assertEqual(events[0]["value"], declared - decoded)
                self.assertEqual(events[0]["start_frame"], decoded - 1)

    def test_trimmed_without_reencoding_is_not_a_count_mismatch(self):
        """A long-GOP file cut with `ffmpeg -ss ... -c copy` (as an NLE trims
        without re-encoding) keeps the pictures from the keyframe before the
        cut, and its edit list hides them: every player, and ffprobe's
        count_frames, shows fewer frames than the samples. The container
        declares the frames it shows, so nothing is missing (found on the
        real mpeg2_ntsc_bff_goptc_bars.mov: 124 samples, 2 hidden)."""
        src = os.path.join(self.dir, "trim_src.mov")
        clip = os.path.join(self.dir, "trimmed.mov")
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x180:rate=24:duration=4", "-c:v", "mpeg2video",
                        "-g", "12", "-bf", "2", "-q:v", "4", src], check=True, timeout=TIMEOUT)
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-ss", "0.6", "-i", src,
                        "-c", "copy", clip], check=True, timeout=TIMEOUT)
        ref = ffprobe_stream(clip, "nb_frames", "nb_read_frames")
        self.assertLess(int(ref["nb_read_frames"]), int(ref["nb_frames"]),
                        "the cut hides no picture: this test no longer tests anything")
        res = run(["check", clip, "--quiet", "--profile", "default"])
        self.assertEqual(res.report["video"]["frames"], int(ref["nb_read_frames"]))
        self.assertEqual(res.report["video"]["frames_declared"], int(ref["nb_read_frames"]))
        self.assertEqual([e["code"] for e in check(res.report, "dropped_frames")["events"]], [])

    # ---- dropped_frames: repeated frames ----

    def test_repeated_frames_equal_framemd5(self):
        ident = identical_to_previous(self.clips["dup.mkv"])
        self.assertEqual(ident, [30, 61, 62])
        got = [(e["start_frame"], e["end_frame"], e["value"])
               for e in self.events("dup.mkv", "dropped_frames", "repeated_frame")]
        self.assertEqual(got, [(30, 30, 1), (61, 62, 2)])
        self.assertEqual(self.metrics("dup.mkv", "dropped_frames")["repeated_frames"], 3)

    def test_held_pictures_are_not_repeats(self):
        # on twos: every other frame is identical, none is a capture fault
        self.assertGreater(len(identical_to_previous(self.clips["twos.mkv"])), 40)
        self.assertEqual(self.events("twos.mkv", "dropped_frames"), [])
        # a 3 s freeze is the freeze check's
        self.assertEqual(self.events("freeze.mkv", "dropped_frames"), [])

    # ---- freeze ----

    def test_freeze_agrees_with_freezedetect(self):
        for name, tolerance in (("freeze.mkv", 0), ("freeze.mp4", 1)):
            with self.subTest(clip=name):
                ref = freezedetect_runs(self.clips[name], 25)
                self.assertEqual(len(ref), 1)
                if tolerance == 0:
                    self.assertEqual(ref, [(29, 104)])
                events = self.events(name, "freeze", "freeze_frames")
                self.assertEqual(len(events), 1, events)
                e = events[0]
                self.assertLessEqual(abs(e["start_frame"] - ref[0][0]), tolerance)
                self.assertLessEqual(abs(e["end_frame"] - ref[0][1]), tolerance)
                self.assertAlmostEqual(e["value"], (e["end_frame"] - e["start_frame"] + 1) / 25)

    def test_black_run_is_not_a_freeze_unless_asked(self):
        name = "black_freeze.mkv"
        ref = freezedetect_runs(self.clips[name], 25)
        self.assertEqual(ref, [(30, 89), (90, 179)])
        black = [(e["start_frame"], e["end_frame"]) for e in self.events(name, "black")]
        self.assertEqual(black, [(30, 89)])
        got = [(e["start_frame"], e["end_frame"]) for e in self.events(name, "freeze")]
        self.assertEqual(got, [(90, 179)])
        res = run(["check", self.clips[name], "--quiet", "--set", "freeze.include_black=true"])
        got = [(e["start_frame"], e["end_frame"]) for e in check(res.report, "freeze")["events"]]
        self.assertEqual(got, ref)

    def test_min_duration(self):
        # 3.04 s is below a 4 s minimum, above 3 s
        for seconds, count in ((4, 0), (3, 1)):
            res = run(["check", self.clips["freeze.mkv"], "--quiet", "--set",
                       "freeze.min_duration_s=%d" % seconds])
            self.assertEqual(len(check(res.report, "freeze")["events"]), count)

    # ---- timecode ----

    def test_drop_frame_start_and_end(self):
        m = self.metrics("tc_df.mov", "timecode")
        self.assertEqual(m["start_timecode"], "00:00:59;28")
        self.assertEqual(m["drop_frame"], 1)
        frames = self.reports["tc_df.mov"].report["video"]["frames"]
        self.assertEqual(frames, 30)
        # ;28 ;29, then 00:01:00;00 and ;01 do not exist
        self.assertEqual(m["end_timecode"], smpte_df(smpte_df_number("00:00:59;28") + 29))
        self.assertEqual(m["end_timecode"], "00:01:00;29")
        self.assertEqual(self.events("tc_df.mov", "timecode"), [])

    def test_non_drop_at_2997_is_legal(self):
        m = self.metrics("tc_ndf.mov", "timecode")
        self.assertEqual((m["start_timecode"], m["drop_frame"], m["end_timecode"]),
                         ("01:00:00:00", 0, "01:00:00:29"))
        self.assertEqual(self.events("tc_ndf.mov", "timecode"), [])

    def test_drop_frame_at_other_rates_is_an_error(self):
        for name, rate in (("tc_df25.mkv", "25/1"), ("tc_df30.mkv", "30/1")):
            with self.subTest(clip=name):
                events = self.events(name, "timecode", "timecode_dropframe_mismatch")
                self.assertEqual(len(events), 1, events)
                self.assertEqual(events[0]["start_frame"], 0)
                self.assertIn("01:00:00;00", events[0]["message"])
                self.assertIn(rate, events[0]["message"])
                self.assertEqual(self.reports[name].code, 1)

    def test_drop_frame_tag_at_25_keeps_the_start_in_one_notation(self):
        """issue 13.7: events landed at 00:00:00:00 and the report mixed ';' and ':'"""
        for name in ("tc_df25.mkv", "tc_df30.mkv"):
            with self.subTest(clip=name):
                rep = self.reports[name].report
                self.assertEqual(rep["video"]["start_timecode"], "01:00:00:00")
                self.assertFalse(rep["video"]["drop_frame"])
                tcs = [e[k] for c in rep["checks"] for e in c["events"]
                       for k in ("start_tc", "end_tc")]
                self.assertTrue(tcs)
                for tc in tcs:
                    self.assertRegex(tc, r"^01:00:\d\d:\d\d$")
                mismatch = self.events(name, "timecode", "timecode_dropframe_mismatch")
                self.assertEqual([e["start_tc"] for e in mismatch], ["01:00:00:00"])

    def test_timecode_break_in_frame_timecodes(self):
        m = self.metrics("tc_break.ts", "timecode")
        self.assertEqual(m["frames_with_timecode"], 60, "one GOP per frame, every frame timed")
        events = self.events("tc_break.ts", "timecode", "timecode_break")
        first = smpte_df(smpte_df_number("00:59:59;00") + 30)
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["start_frame"], 30)
        self.assertIn("expected %s" % first, events[0]["message"])
        self.assertIn("found 02:00:00;00", events[0]["message"])

    # ---- contract ----

    def test_same_report_for_any_thread_count(self):
        for name in ("drop.mkv", "dup.mkv", "freeze.mp4", "black_freeze.mkv", "vfr.mov"):
            with self.subTest(clip=name):
                one = run(["check", self.clips[name], "--threads", "1", "--quiet"]).report
                self.assertEqual(stable(one), stable(self.reports[name].report))

    def test_options_out_of_range_are_rejected(self):
        for bad in ("freeze.noise_pct=101", "freeze.min_duration_s=-1",
                    "dropped_frames.max_repeat_frames=0", "timecode.frame_timecodes=2"):
            with self.subTest(option=bad):
                res = run(["check", self.clips["drop.mkv"], "--quiet", "--set", bad],
                          report=False)
                self.assertEqual(res.code, 2, res.stderr)
                self.assertIn(bad.split("=")[0].split(".")[1], res.stderr)


if __name__ == "__main__":
    unittest.main()
