"""Picture-structure checks (active_area, flash, interlace) on clips made here
with ffmpeg's lavfi sources, against independent references run on the same
files: ffmpeg's cropdetect (active rectangle per frame), ffmpeg's idet
(single-frame, multi-frame and repeated-field counts) and the flash timings
the clips were built with. The real interlaced MPEG-2 file of the shared
corpus (MQC_REAL_MEDIA) is checked against its picture headers and idet."""
import collections
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from common import check, manifest, clip_path, read_jsonl, run

REAL = os.environ.get("MQC_REAL_MEDIA", "")
SIZE = "640x360"


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=300)


def ffmpeg_log(*args):
    """stderr of an ffmpeg run at info level (filters log their results there)"""
    return subprocess.run(["ffmpeg", "-v", "info", "-nostdin"] + list(args) + ["-f", "null", "-"],
                          capture_output=True, text=True, check=True, timeout=300).stderr


def events(report, check_id, code=None):
    return [e for e in check(report, check_id)["events"] if code is None or e["code"] == code]


class Media:
    """clips are made once per test run, in one temporary directory"""
    dir = None

    @classmethod
    def path(cls, name):
        if cls.dir is None:
            cls.dir = tempfile.mkdtemp(prefix="mqc-structure-")
        return os.path.join(cls.dir, name)

    @classmethod
    def cleanup(cls):
        if cls.dir:
            shutil.rmtree(cls.dir, ignore_errors=True)


def tearDownModule():
    Media.cleanup()


def encode_lossless(path, filtergraph, rate="25", extra=()):
    """a filtergraph of lavfi sources, FFV1 in Matroska (exact pixels)"""
    ffmpeg("-filter_complex", filtergraph, "-r", rate, "-c:v", "ffv1", "-pix_fmt", "yuv420p",
           *extra, path)


def check_report(path, *args, frames=False):
    workdir = tempfile.mkdtemp(prefix="mqc-e2e-", dir=Media.dir)
    fr = os.path.join(workdir, "frames.jsonl")
    res = run(["check", path, "--quiet"] + (["--frames", fr] if frames else []) + list(args),
              workdir=workdir)
    if res.report is None:
        raise AssertionError("no report: %s" % res.stderr)
    return res, (read_jsonl(fr) if frames else None)


# ---------------------------------------------------------------- active_area

def cropdetect(path, limit):
    """per-frame raw rectangle (x1, x2, y1, y2) that cropdetect finds with an
    absolute threshold `limit` (a line is picture when its mean is above it),
    reset every frame"""
    log = ffmpeg_log("-i", path, "-vf", "cropdetect=limit=%d:round=2:reset=1" % limit)
    rects = [tuple(int(v) for v in m) for m in
             re.findall(r"x1:(\d+) x2:(\d+) y1:(\d+) y2:(\d+)", log)]
    if not rects:
        raise AssertionError("cropdetect printed nothing:\n" + log[-2000:])
    return rects


def letterbox_graph(inner, outer="960x540", seconds=3, x=0, y=0):
    return ("testsrc2=s=%s:r=25:d=%d,pad=%s:%d:%d:black" %
            (inner, seconds, outer.replace("x", ":"), x, y))


class ActiveArea(unittest.TestCase):
    def compare_with_cropdetect(self, path, want_w, want_h):
        res, frames = check_report(path, frames=True)
        c = check(res.report, "active_area")
        limit = c["metrics"]["threshold_code"]
        rects = cropdetect(path, limit)
        # cropdetect prints from its first frame on; align on the last frames
        ours = frames[-len(rects):]
        self.assertGreater(len(rects), 10)
        for (x1, x2, y1, y2), f in zip(rects, ours):
            self.assertLessEqual(abs(f["active_width"] - (x2 - x1 + 1)), 2, f)
            self.assertLessEqual(abs(f["active_height"] - (y2 - y1 + 1)), 2, f)
        self.assertLessEqual(abs(c["metrics"]["active_width"] - want_w), 2)
        self.assertLessEqual(abs(c["metrics"]["active_height"] - want_h), 2)
        return res.report

    def test_letterbox_239(self):
        path = Media.path("letterbox_239.mkv")
        encode_lossless(path, letterbox_graph("960x402", y=69))
        rep = self.compare_with_cropdetect(path, 960, 402)
        c = check(rep, "active_area")
        self.assertAlmostEqual(c["metrics"]["active_aspect"], 2.388, places=2)
        ev = events(rep, "active_area", "borders_detected")
        self.assertEqual(len(ev), 1, ev)
        self.assertEqual((ev[0]["start_frame"], ev[0]["end_frame"]), (0, 74))
        self.assertEqual(events(rep, "active_area", "active_area_change"), [])
        # borders are a fact (info), whatever the check's severity: the check passes
        self.assertEqual(c["severity"], "warning")
        self.assertEqual(ev[0]["severity"], "info")
        self.assertEqual(c["status"], "pass")

    def test_broadcast_uk_borders_are_errors(self):
        path = Media.path("letterbox_239.mkv")
        if not os.path.exists(path):
            encode_lossless(path, letterbox_graph("960x402", y=69))
        res, _ = check_report(path, "--profile", "broadcast-uk")
        self.assertEqual(res.code, 1)
        c = check(res.report, "active_area")
        self.assertEqual(c["params"]["borders_severity"], "check")
        self.assertEqual([e["severity"] for e in events(res.report, "active_area",
                                                         "borders_detected")], ["error"])
        self.assertEqual(c["status"], "fail")
        aspect = [e for e in events(res.report, "format", "format_mismatch")
                  if "active_aspect" in e["message"]]
        self.assertEqual(len(aspect), 1, aspect)

    def test_pillarbox_43(self):
        path = Media.path("pillarbox_43.mkv")
        encode_lossless(path, letterbox_graph("720x540", x=120))
        rep = self.compare_with_cropdetect(path, 720, 540)
        self.assertAlmostEqual(check(rep, "active_area")["metrics"]["active_aspect"], 1.333,
                               places=2)
        self.assertEqual(len(events(rep, "active_area", "borders_detected")), 1)

    def test_letterbox_comes_and_goes(self):
        path = Media.path("letterbox_toggle.mkv")
        # 3 s full frame, 3 s letterboxed 2.39, 3 s full frame
        graph = ("testsrc2=s=960x540:r=25:d=3[a];" + letterbox_graph("960x402", y=69) +
                 "[b];testsrc2=s=960x540:r=25:d=3[c];[a][b][c]concat=n=3")
        encode_lossless(path, graph)
        res, _ = check_report(path)
        changes = events(res.report, "active_area", "active_area_change")
        self.assertEqual([(e["start_frame"], e["end_frame"]) for e in changes],
                         [(75, 149), (150, 224)], changes)
        self.assertIn("960x540", changes[0]["message"])
        self.assertIn("960x402", changes[0]["message"])
        borders = events(res.report, "active_area", "borders_detected")
        self.assertEqual([(e["start_frame"], e["end_frame"]) for e in borders], [(75, 149)])
        self.assertEqual([e["severity"] for e in borders], ["info"])
        self.assertEqual([e["severity"] for e in changes], ["warning", "warning"])
        self.assertEqual(check(res.report, "active_area")["metrics"]["active_area_changes"], 2)

    def test_black_frames_are_not_a_change(self):
        path = Media.path("black_gap.mkv")
        graph = ("testsrc2=s=640x360:r=25:d=3[a];color=black:s=640x360:r=25:d=2[b];"
                 "testsrc2=s=640x360:r=25:d=3[c];[a][b][c]concat=n=3")
        encode_lossless(path, graph)
        res, _ = check_report(path)
        c = check(res.report, "active_area")
        self.assertEqual(c["events"], [])
        self.assertEqual(c["metrics"]["frames_black"], 50)

    def test_expect_active_aspect(self):
        path = Media.path("letterbox_239.mkv")
        if not os.path.exists(path):
            encode_lossless(path, letterbox_graph("960x402", y=69))
        for want, mismatch in (("2.39", False), ("16:9", True), ("1.78", True)):
            prof = Media.path("aspect_%s.json" % want.replace(":", "_"))
            with open(prof, "w") as f:
                json.dump({"name": "aspect", "extends": "default",
                           "expect": {"active_aspect": want}}, f)
            res, _ = check_report(path, "--profile", prof)
            ev = events(res.report, "format", "format_mismatch")
            self.assertEqual(bool(ev), mismatch, (want, ev))
            if mismatch:
                self.assertAlmostEqual(ev[0]["value"], 960 / 402, places=2)
                self.assertIn("active_aspect", ev[0]["message"])
                self.assertEqual(res.code, 1)
        # a tolerance that excludes 2.388
        prof = Media.path("aspect_tight.json")
        with open(prof, "w") as f:
            json.dump({"name": "tight", "extends": "default",
                       "expect": {"active_aspect": "2.39", "active_aspect_tolerance": 0.001}}, f)
        res, _ = check_report(path, "--profile", prof)
        self.assertEqual(len(events(res.report, "format", "format_mismatch")), 1)

    def test_bad_expect_active_aspect(self):
        prof = Media.path("aspect_bad.json")
        with open(prof, "w") as f:
            json.dump({"name": "bad", "expect": {"active_aspect": "wide"}}, f)
        res = run(["profiles", "validate", prof], report=False)
        self.assertEqual(res.code, 2)
        self.assertIn("expect.active_aspect", res.stderr)


# ---------------------------------------------------------------------- flash

def flash_clip(name, graph, rate=50):
    path = Media.path(name)
    if not os.path.exists(path):
        encode_lossless(path, graph, rate=str(rate))
    return path


def alternation(low, high, period, size="640x360", rate=50, seconds=4):
    """full screen `low` / `high` luma, `period` frames per cycle (half each)"""
    return ("color=white:s=%s:r=%d:d=%d,geq=lum='if(lt(mod(N,%d),%d),%d,%d)':cb=128:cr=128" %
            (size, rate, seconds, period, period // 2, high, low))


class Flash(unittest.TestCase):
    def flash(self, path):
        res, frames = check_report(path, frames=True)
        return res, check(res.report, "flash"), frames

    def test_five_per_second_fails(self):
        # black/white, 10 frames a cycle at 50 fps: 5 flashes (10 transitions) per second
        res, c, frames = self.flash(flash_clip("flash5.mkv", alternation(16, 235, 10)))
        self.assertEqual(res.code, 1)
        self.assertEqual(c["severity"], "error")
        self.assertEqual(c["metrics"]["max_flashes_per_s"], 5)
        ev = events(res.report, "flash", "general_flash")
        self.assertEqual(len(ev), 1, ev)
        # the 7th transition (3.5 flashes within one second) is at frame 35
        self.assertEqual((ev[0]["start_frame"], ev[0]["end_frame"]), (35, 199))
        self.assertEqual(ev[0]["value"], 5)
        self.assertEqual(events(res.report, "flash", "red_flash"), [])
        # the record's screen luminance: 200 cd/m2 white, 0 black (BT.1886 display)
        nits = sorted({round(f["flash_nits"]) for f in frames})
        self.assertEqual(nits, [0, 200])

    def test_two_per_second_passes(self):
        res, c, _ = self.flash(flash_clip("flash2.mkv", alternation(16, 235, 25)))
        self.assertEqual(c["events"], [])
        self.assertEqual(c["metrics"]["max_flashes_per_s"], 2)

    def test_small_box_passes(self):
        # 10% of the screen flashing 5 times a second over moving picture
        graph = ("testsrc2=s=640x360:r=50:d=4,drawbox=x=220:y=124:w=202:h=114:color=white:"
                 "t=fill:enable='lt(mod(n,10),5)'")
        res, c, _ = self.flash(flash_clip("flash_box.mkv", graph))
        self.assertEqual(c["events"], [])
        self.assertLessEqual(c["metrics"]["max_flashes_per_s"], 3)
        # the same box over 40% of the screen fails
        graph = ("testsrc2=s=640x360:r=50:d=4,drawbox=x=118:y=66:w=404:h=228:color=white:"
                 "t=fill:enable='lt(mod(n,10),5)'")
        res, c, _ = self.flash(flash_clip("flash_bigbox.mkv", graph))
        self.assertEqual(len(events(res.report, "flash", "general_flash")), 1)

    def test_red_flash(self):
        # saturated red against a grey of the same luminance (BT.601 weights:
        # R = 1 is 0.299 linear, grey 0.299^(1/2.4) = 154/255): only red flashes
        graph = ("color=0x9a9a9a:s=640x360:r=50:d=4,drawbox=x=0:y=0:w=640:h=360:color=red:"
                 "t=fill:enable='lt(mod(n,10),5)'")
        res, c, _ = self.flash(flash_clip("flash_red.mkv", graph))
        ev = events(res.report, "flash", "red_flash")
        self.assertEqual(len(ev), 1, c)
        self.assertEqual(ev[0]["value"], 5)
        self.assertEqual(events(res.report, "flash", "general_flash"), [])
        self.assertEqual(res.code, 1)

    def test_slow_fade_is_not_a_flash(self):
        graph = "color=white:s=640x360:r=25:d=6,fade=t=in:st=0:d=3,fade=t=out:st=3:d=3"
        res, c, frames = self.flash(flash_clip("fade.mkv", graph, rate=25))
        self.assertEqual(c["events"], [])
        self.assertLessEqual(c["metrics"]["max_flashes_per_s"], 0.5)
        self.assertGreater(max(f["flash_nits"] for f in frames), 150)


# ------------------------------------------------------------------ interlace

def idet_counts(path):
    """ffmpeg idet's totals on the file: single, multi, repeated"""
    log = ffmpeg_log("-i", path, "-map", "0:v:0", "-vf", "idet")
    got = {}
    for kind, key in (("Single frame detection", "single"), ("Multi frame detection", "multi")):
        m = re.search(kind + r": TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+) "
                      r"Undetermined:\s*(\d+)", log)
        for name, v in zip(("tff", "bff", "progressive", "undetermined"), m.groups()):
            got["%s_%s" % (key, name)] = int(v)
    m = re.search(r"Repeated Fields: Neither:\s*(\d+) Top:\s*(\d+) Bottom:\s*(\d+)", log)
    for name, v in zip(("neither", "top", "bottom"), m.groups()):
        got["repeated_" + name] = int(v)
    return got


def interlaced_clip(name, field_order, extra_vf=""):
    """testsrc2 at 59.94p woven into 29.97 TFF fields, tagged `field_order`"""
    path = Media.path(name)
    if not os.path.exists(path):
        ffmpeg("-f", "lavfi", "-i", "testsrc2=s=720x480:r=60000/1001:d=3",
               "-vf", "interlace=scan=tff" + extra_vf, "-c:v", "ffv1", "-pix_fmt", "yuv420p",
               "-field_order", field_order, path)
    return path


class Interlace(unittest.TestCase):
    def same_as_idet(self, path, *args):
        res, frames = check_report(path, *args, frames=True)
        c = check(res.report, "interlace")
        want = idet_counts(path)
        self.assertEqual({k: c["metrics"][k] for k in want}, want)
        # each frame's record names its repeated field as idet counts them
        per_frame = collections.Counter(f["repeated_field"] for f in frames)
        self.assertEqual({"repeated_" + ("neither" if k == "none" else k): n
                          for k, n in per_frame.items()},
                         {k: v for k, v in want.items() if k.startswith("repeated_") and v})
        self.assertTrue(all(f["field_motion"] >= 0 for f in frames))
        return res, c

    def test_tff_tagged_progressive(self):
        res, c = self.same_as_idet(interlaced_clip("tff_as_prog.mkv", "progressive"))
        self.assertEqual(c["metrics"]["multi_tff"], 90)
        self.assertEqual(c["metrics"]["detected_field_order"], "tff")
        self.assertEqual(c["metrics"]["declared_field_order"], "progressive")
        ev = c["events"]
        self.assertEqual([e["code"] for e in ev], ["interlaced_as_progressive"], ev)
        # evidence needs one second of frames (30) before an order is believed
        self.assertEqual((ev[0]["start_frame"], ev[0]["end_frame"]), (29, 89))
        self.assertEqual(c["severity"], "warning")

    def test_tff_tagged_bff(self):
        res, c = self.same_as_idet(interlaced_clip("tff_as_bff.mkv", "bb"))
        self.assertEqual(c["metrics"]["declared_field_order"], "bff")
        self.assertEqual(c["metrics"]["field_order"], "conflict")
        self.assertEqual([e["code"] for e in c["events"]], ["field_order_mismatch"])

    def test_tff_tagged_tff_is_quiet(self):
        res, c = self.same_as_idet(interlaced_clip("tff_as_tff.mkv", "tt"))
        self.assertEqual(c["events"], [])
        self.assertEqual(c["metrics"]["field_order"], "tff")

    def test_luma_only_agrees(self):
        path = interlaced_clip("tff_as_bff.mkv", "bb")
        res, c = check_report(path, "--set", "interlace.planes=luma")
        c = check(res.report, "interlace")
        self.assertEqual(c["metrics"]["multi_tff"], 90)
        self.assertEqual([e["code"] for e in c["events"]], ["field_order_mismatch"])

    def test_telecine_with_broken_cadence(self):
        path = Media.path("telecine_break.mkv")
        # two 3:2 telecined runs of 4 s; the second loses its first 2 frames:
        # the join at output frame 120 shifts the cadence's phase
        ffmpeg("-filter_complex",
               "testsrc2=s=720x480:r=24000/1001:d=4,telecine=pattern=23[a];"
               "testsrc2=s=720x480:r=24000/1001:d=4,telecine=pattern=23,trim=start_frame=2,"
               "setpts=PTS-STARTPTS[b];[a][b]concat=n=2", "-c:v", "ffv1", "-pix_fmt", "yuv420p",
               path)
        res, c = self.same_as_idet(path)
        m = c["metrics"]
        self.assertGreater(m["repeated_top"], 40)
        self.assertGreater(m["repeated_bottom"], 40)
        ev = events(res.report, "interlace", "broken_cadence")
        self.assertEqual(len(ev), 1, c["events"])
        self.assertTrue(120 <= ev[0]["start_frame"] <= 125, ev)
        self.assertEqual(m["cadence_breaks"], 1)
        self.assertGreater(m["pulldown_frames"], 200)
        self.assertEqual(events(res.report, "interlace", "interlaced_as_progressive"), [])

    def test_unbroken_telecine(self):
        path = Media.path("telecine.mkv")
        ffmpeg("-f", "lavfi", "-i", "testsrc2=s=720x480:r=24000/1001:d=4",
               "-vf", "telecine=pattern=23", "-c:v", "ffv1", "-pix_fmt", "yuv420p", path)
        res, c = self.same_as_idet(path)
        self.assertEqual(c["events"], [])
        self.assertEqual(len(c["metrics"]["pulldown_pattern"]), 5)

    def test_frame_pulldown_is_not_a_repeated_frame(self):
        # 23.976p made 29.97p by repeating every 4th frame: dropped_frames sees
        # an identical frame every 5; the interlace check's cadence excuses it
        path = Media.path("frame_pulldown.mkv")
        ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=24000/1001:d=4,fps=30000/1001",
               "-c:v", "ffv1", "-pix_fmt", "yuv420p", path)
        res, _ = check_report(path)
        d = check(res.report, "dropped_frames")
        self.assertEqual(events(res.report, "dropped_frames", "repeated_frame"), [])
        self.assertGreaterEqual(d["metrics"]["repeats_in_pulldown"], 20)
        self.assertEqual(check(res.report, "interlace")["events"], [])
        # without the interlace check nothing learns the cadence: repeats again
        res, _ = check_report(path, "--set", "interlace.enabled=false")
        self.assertGreaterEqual(len(events(res.report, "dropped_frames", "repeated_frame")), 20)

    def test_progressive_is_quiet(self):
        path = Media.path("progressive.mkv")
        ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=4", "-c:v", "ffv1",
               "-pix_fmt", "yuv420p", path)
        res, c = self.same_as_idet(path)
        self.assertEqual(c["events"], [])
        self.assertEqual(c["metrics"]["detected_field_order"], "progressive")


@unittest.skipUnless(REAL and os.path.isdir(REAL), "real-media corpus absent")
class RealMedia(unittest.TestCase):
    def test_mpeg2_bff_field_order(self):
        path = os.path.join(REAL, "mpeg2_ntsc_bff_goptc_bars.mov")
        if not os.path.exists(path):
            self.skipTest("mpeg2_ntsc_bff_goptc_bars.mov absent")
        res, _ = check_report(path)
        c = check(res.report, "interlace")
        want = idet_counts(path)
        self.assertEqual({k: c["metrics"][k] for k in want}, want)
        # the picture headers say bottom field first on every frame (ffprobe)
        out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                              "-show_entries", "frame=interlaced_frame,top_field_first",
                              "-of", "csv=p=0", path], capture_output=True, text=True,
                             check=True).stdout.split()
        self.assertTrue(out and all(line.startswith("1,0") for line in out), out[:5])
        self.assertEqual(c["metrics"]["declared_field_order"], "bff")
        self.assertEqual(c["metrics"]["declared_by"], "frame headers")
        # static bars: idet cannot tell, so nothing contradicts the headers
        self.assertEqual(c["metrics"]["field_order"], "bff")
        self.assertEqual(c["events"], [])

    def test_no_false_alarms(self):
        """every real file: no flash or interlace event, no active-area event
        but the info-level borders that are really in the picture"""
        real_borders = {"mpeg2_ntsc_bff_goptc_bars.mov"}   # 21 black lines at the top
        names = []
        with open(os.path.join(REAL, "MANIFEST.tsv")) as f:
            for row in list(f)[1:]:
                name = row.split("\t")[0]
                if "/" in name:
                    continue    # sequence members: their folder is not one input here
                names.append(name)
        for name in names:
            res, _ = check_report(os.path.join(REAL, name))
            for cid in ("flash", "interlace", "active_area"):
                c = next((c for c in res.report["checks"] if c["id"] == cid), None)
                if c is None or c["status"] == "skipped":
                    continue
                evs = c["events"]
                if cid == "active_area" and name in real_borders:
                    self.assertEqual({e["code"] for e in evs}, {"borders_detected"}, name)
                    self.assertEqual({e["severity"] for e in evs}, {"info"}, name)
                    continue
                self.assertEqual(evs, [], (name, cid))


class Quiet(unittest.TestCase):
    """the generated clips (progressive, full frame, no flashing) give no
    event from the structure checks"""

    def test_generated_clips(self):
        for clip in manifest()["clips"]:
            if not clip.get("video"):
                continue
            res, _ = check_report(clip_path(clip["file"]))
            for cid in ("active_area", "flash", "interlace"):
                c = check(res.report, cid)
                self.assertEqual(c["events"], [], (clip["file"], cid))


if __name__ == "__main__":
    unittest.main()
