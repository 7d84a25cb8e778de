#!/usr/bin/env python3
"""Comparison (issue 19, docs/compare.md): `mediaqc diff` of two reports and
`mediaqc conform` of a proxy to its original.

Media are made here with ffmpeg from lavfi sources, so every planted change
(black frames fixed, a new out-of-range patch, a frame removed from a proxy,
a late start, replaced content, another timecode or rate) is known exactly.
"""
import copy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import common

FFMPEG = shutil.which("ffmpeg")


def ffmpeg(*args):
    subprocess.run([FFMPEG, "-v", "error", "-y"] + list(args), check=True,
                   timeout=common.TIMEOUT)


def mediaqc(*args):
    proc = subprocess.run([common.MEDIAQC] + list(args), capture_output=True, text=True,
                          timeout=common.TIMEOUT)
    for mark in common.SANITIZER_MARKS:
        if mark in proc.stderr:
            raise AssertionError("sanitizer report from %s:\n%s" % (args, proc.stderr))
    if proc.returncode < 0:
        raise AssertionError("%s died by signal %d" % (args, -proc.returncode))
    return proc


# a patch of luma 254 (above 105% of 8-bit nominal white) in the top-left corner
def hot_patch(frames):
    cond = "+".join("between(n,%d,%d)" % f for f in frames)
    return ("geq=lum='if(lt(X,64)*lt(Y,64),254,lum(X,Y))':cb='cb(X,Y)':cr='cr(X,Y)'"
            ":enable='%s'" % cond)


class Diff(unittest.TestCase):
    """Reports of a clip before and after a fix: its black frames 20-39 are
    gone, its hot patch at 50-59 is still there, and the re-delivery brought
    a new hot patch at 5-9."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-diff-")
        src = ["-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=3"]
        before, after = cls.path("before.mkv"), cls.path("after.mkv")
        ffmpeg(*src, "-vf", "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:"
               "enable='between(n,20,39)'," + hot_patch([(50, 59)]),
               "-c:v", "ffv1", "-pix_fmt", "yuv420p", before)
        ffmpeg(*src, "-vf", hot_patch([(5, 9), (50, 59)]), "-c:v", "ffv1", "-pix_fmt",
               "yuv420p", after)
        profile = cls.path("profile.json")
        with open(profile, "w") as f:
            json.dump({"name": "difftest", "checks": {"legal_range": {}, "black": {}}}, f)
        cls.old, cls.new = cls.path("old.json"), cls.path("new.json")
        for media, rep in ((before, cls.old), (after, cls.new)):
            res = mediaqc("check", media, "--profile", profile, "-o", rep, "--quiet")
            assert res.returncode == 1, res.stderr
            common.load_report(rep)

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp, name)

    def diff(self, old, new, *extra, code=None):
        out = self.path("diff.json")
        if os.path.exists(out):
            os.remove(out)
        res = mediaqc("diff", old, new, "-o", out, *extra)
        if code is not None:
            self.assertEqual(res.returncode, code, res.stdout + res.stderr)
        with open(out) as f:
            doc = json.load(f)
        common.validate(doc, "diff", out)
        return res, doc

    def statuses(self, doc):
        return sorted((e["status"], e["check"], e["code"],
                       (e["new"] or e["old"])["start_frame"], (e["new"] or e["old"])["end_frame"])
                      for e in doc["events"])

    def mutated(self, fn):
        with open(self.new) as f:
            rep = json.load(f)
        fn(rep)
        path = self.path("mutated.json")
        with open(path, "w") as f:
            json.dump(rep, f)
        return path

    def test_fixed_new_unchanged_exact(self):
        res, doc = self.diff(self.old, self.new, code=1)   # a new error event
        self.assertEqual(self.statuses(doc), [
            ("fixed", "black", "black_frames", 20, 39),
            ("new", "legal_range", "luma_above_max", 5, 9),
            ("unchanged", "legal_range", "luma_above_max", 50, 59)])
        self.assertEqual(doc["summary"], {"fixed": 1, "new": 1, "changed": 0, "unchanged": 1,
                                          "new_errors": 1})
        self.assertEqual(doc["verdict"], {"old": "fail", "new": "fail", "changed": False})
        self.assertIn({"check": "black", "key": "status", "old": "fail", "new": "pass"},
                      doc["checks"])
        self.assertIn({"check": "black", "key": "black_frames", "old": 20, "new": 0},
                      doc["metrics"])
        self.assertRegex(res.stdout, r"1 fixed, 1 new, 0 changed, 1 unchanged")
        self.assertRegex(res.stdout, r"new +error +legal_range/luma_above_max at "
                         r"00:00:00:05 \(frames 5-9\)")
        self.assertRegex(res.stdout, r"fixed +warning +black/black_frames at 00:00:00:20")

    def test_reverse_has_no_new_error(self):
        # NEW -> OLD: the patch at 5-9 is fixed, the black frames (a warning) are new
        _, doc = self.diff(self.new, self.old, code=0)
        self.assertEqual(self.statuses(doc), [
            ("fixed", "legal_range", "luma_above_max", 5, 9),
            ("new", "black", "black_frames", 20, 39),
            ("unchanged", "legal_range", "luma_above_max", 50, 59)])
        self.assertEqual(doc["summary"]["new_errors"], 0)

    def test_same_report_is_unchanged(self):
        res, doc = self.diff(self.new, self.new, code=0)
        self.assertEqual([e["status"] for e in doc["events"]], ["unchanged", "unchanged"])
        self.assertEqual((doc["facts"], doc["metrics"], doc["checks"], doc["warnings"]),
                         ([], [], [], []))

    def event_of(self, rep, start):
        return next(e for c in rep["checks"] for e in c["events"] if e["start_frame"] == start)

    def test_matching_rule(self):
        # the 50-59 patch moved by 3 frames (the tolerance): still the same event
        def shift(by_start, by_end):
            def fn(rep):
                e = self.event_of(rep, 50)
                e["start_frame"] += by_start
                e["end_frame"] += by_end
            return fn
        _, doc = self.diff(self.new, self.mutated(shift(3, 3)))
        self.assertEqual([e["status"] for e in doc["events"]], ["unchanged", "unchanged"])
        # beyond the tolerance but overlapping: the same place, another span
        _, doc = self.diff(self.new, self.mutated(shift(0, 8)))
        changed = [e for e in doc["events"] if e["status"] == "changed"]
        self.assertEqual(len(changed), 1)
        self.assertEqual(changed[0]["changes"], ["span"])
        # no overlap even with the tolerance: one fixed, one new
        _, doc = self.diff(self.new, self.mutated(shift(14, 14)))
        self.assertEqual(sorted(e["status"] for e in doc["events"]),
                         ["fixed", "new", "unchanged"])

        def value_and_severity(rep):
            e = self.event_of(rep, 50)
            e["value"] = 9.5
            e["severity"] = "warning"
        _, doc = self.diff(self.new, self.mutated(value_and_severity), code=0)
        changed = [e for e in doc["events"] if e["status"] == "changed"]
        self.assertEqual(changed[0]["changes"], ["severity", "value"])
        # a warning that became an error is an error OLD lacked
        _, doc = self.diff(self.mutated(value_and_severity), self.new, code=1)
        self.assertEqual(doc["summary"]["new_errors"], 1)

    def test_facts_and_warnings(self):
        def other(rep):
            rep["profile"]["name"] = "broadcast-hd"
            rep["tool"]["version"] = "0.0.9"
            rep["video"]["frames"] = 74
        res, doc = self.diff(self.new, self.mutated(other), code=0)
        self.assertIn({"key": "video.frames", "old": 75, "new": 74}, doc["facts"])
        self.assertEqual(len(doc["warnings"]), 2)
        self.assertIn("profiles differ (difftest in OLD, broadcast-hd in NEW)", res.stderr)
        self.assertIn("mediaqc versions differ", res.stderr)

    def test_incompatible_reports(self):
        partial = self.path("partial.json")
        with open(partial, "w") as f:
            json.dump({"schema": "mediaqc.partial/1", "segment": [0, 2]}, f)
        other = self.path("other.json")
        with open(other, "w") as f:
            json.dump({"schema": "mediaqc.diff/1"}, f)
        notjson = self.path("notjson.json")
        with open(notjson, "w") as f:
            f.write("{not json")
        for bad, why in ((partial, "a partial report"), (other, "not a mediaqc report"),
                         (notjson, "not a mediaqc report"),
                         (self.path("missing.json"), "cannot read report")):
            for args in ((bad, self.new), (self.new, bad)):
                res = mediaqc("diff", *args)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertIn(bad, res.stderr)
                self.assertIn(why, res.stderr)
        res = mediaqc("diff", self.new)
        self.assertEqual(res.returncode, 2)

    def test_html(self):
        page = self.path("diff.html")
        res = mediaqc("diff", self.old, self.new, "--html", page, "--quiet")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertEqual(res.stdout, "")
        with open(page) as f:
            html = f.read()
        self.assertNotRegex(html, r"(src|href)=\"https?:")
        old_svg = re.search(r'<svg id="timeline-old".*?</svg>', html, re.S).group(0)
        new_svg = re.search(r'<svg id="timeline-new".*?</svg>', html, re.S).group(0)
        self.assertLess(html.index('id="timeline-old"'), html.index('id="timeline-new"'))
        # OLD: black 20-39 and the patch 50-59; NEW: patches 5-9 and 50-59
        self.assertEqual(len(re.findall(r'<rect class="span', old_svg)), 2)
        self.assertEqual(len(re.findall(r'<rect class="span', new_svg)), 2)
        self.assertIn("black black_frames 00:00:00:20–00:00:01:14", old_svg)
        self.assertNotIn("black_frames", new_svg)
        rows = re.findall(r'<tr id="ev-\d+" class="st-(\w+)"', html)
        self.assertEqual(sorted(rows), ["fixed", "new", "unchanged"])
        embedded = re.search(r'<script type="application/json" id="mqc-report">(.*?)</script>',
                             html, re.S).group(1)
        common.validate(json.loads(embedded), "diff", "embedded diff")


REAL = os.environ.get("MQC_REAL_MEDIA") or "/work/shared/media/real"
REAL_FILE = "android13_transformer_avc_aac_stereo.mp4"   # 1280x720 H.264 + AAC, 149 frames
PROXY_ARGS = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
              "-c:a", "aac", "-b:a", "96k"]


def ffprobe_frames(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                          "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path],
                         capture_output=True, text=True, check=True, timeout=common.TIMEOUT)
    return int(out.stdout.strip())


class Conform(unittest.TestCase):
    """A 10 s 10-bit 4:2:2 ProRes original (a 10-frame black leader, testsrc2,
    a mandelbrot zoom, a game of life; timecode 01:00:00:00, mono PCM) and
    8-bit H.264 quarter-size proxies made from it by ffmpeg, each with one
    known difference."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-conform-")
        cls.orig = cls.path("original.mov")
        ffmpeg("-f", "lavfi", "-i", "color=c=black:s=640x360:r=25:d=0.4",
               "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=4",
               "-f", "lavfi", "-i", "mandelbrot=s=640x360:r=25:maxiter=300:end_pts=75",
               "-f", "lavfi", "-i", "life=s=640x360:r=25:mold=10:ratio=0.1:"
               "death_color=#C83232:life_color=#00ff00",
               "-f", "lavfi", "-i", "sine=f=440:r=48000:d=10",
               "-filter_complex", "[2:v]trim=end_frame=75,setpts=PTS-STARTPTS[m];"
               "[3:v]trim=end_frame=65,setpts=PTS-STARTPTS[l];"
               "[0:v][1:v][m][l]concat=n=4:v=1:a=0,format=yuv422p10le[v]",
               "-map", "[v]", "-map", "4:a", "-c:v", "prores_ks", "-profile:v", "2",
               "-c:a", "pcm_s24le", "-timecode", "01:00:00:00", cls.orig)
        scale = "scale=320:180"
        cls.proxies = {
            "proxy": (["-vf", scale], "01:00:00:00"),
            # original frame 100 removed
            "drop": (["-vf", "select='not(eq(n\\,100))',setpts=N/FRAME_RATE/TB," + scale],
                     "01:00:00:00"),
            # starts at original frame 12, with the timecode of that frame
            "late": (["-vf", "trim=start_frame=12,setpts=PTS-STARTPTS," + scale,
                      "-af", "atrim=start=0.48,asetpts=PTS-STARTPTS"], "01:00:00:12"),
            # frames 150-154 replaced by another picture (testsrc)
            "replaced": (["-f", "lavfi", "-i", "testsrc=s=640x360:r=25:d=10", "-filter_complex",
                          "[0:v][1:v]overlay=enable='between(n,150,154)'," + scale + "[v]",
                          "-map", "[v]", "-map", "0:a"], "01:00:00:00"),
            "timecode": (["-vf", scale], "10:00:00:00"),
            "rate": (["-vf", "fps=24," + scale], "01:00:00:00"),
        }
        for name, (args, tc) in cls.proxies.items():
            extra = args[:4] if args[0] == "-f" else []
            rest = args[4:] if extra else args
            ffmpeg("-i", cls.orig, *extra, *rest, *PROXY_ARGS, "-timecode", tc,
                   cls.path(name + ".mp4"))
        cls.results = {}

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp, name)

    def conform(self, name, original=None, code=None):
        if name not in self.results or original:
            out = self.path(name + ".json")
            proxy = name if os.path.isabs(name) else self.path(name + ".mp4")
            res = mediaqc("conform", proxy, original or self.orig, "-o", out)
            rep = common.load_report(out) if os.path.exists(out) else None
            self.results[name] = (res, rep)
        res, rep = self.results[name]
        if code is not None:
            self.assertEqual(res.returncode, code, res.stdout + res.stderr)
        return res, rep

    def events(self, rep):
        """(code, proxy frames, original frames, value) of the conform check."""
        c = common.check(rep, "conform")
        return [(e["code"], e["start_frame"], e["end_frame"], e["original"]["start_frame"],
                 e["original"]["end_frame"], e["original"]["frames"], e["value"])
                for e in c["events"]]

    def metrics(self, rep):
        return common.check(rep, "conform")["metrics"]

    def test_proxy_conforms(self):
        res, rep = self.conform("proxy", code=0)
        self.assertEqual(rep["verdict"], "pass")
        self.assertEqual(self.events(rep), [])
        m = self.metrics(rep)
        self.assertEqual((m["proxy_frames"], m["original_frames"], m["matched_pairs"]),
                         (250, ffprobe_frames(self.orig), 250))
        # the black leader pairs by its level and never looks like another picture
        self.assertGreaterEqual(m["flat_pairs"], 10)
        self.assertEqual(m["resyncs"], 0)
        self.assertEqual(m["original"]["video"]["bit_depth"], 10)
        self.assertEqual(rep["video"]["bit_depth"], 8)
        self.assertEqual((m["proxy_duration_s"], m["original_duration_s"]), (10.0, 10.0))
        self.assertEqual([(a["channels"], a["sample_rate"]) for a in m["original_audio"]],
                         [(1, 48000)])
        self.assertEqual(len(m["proxy_audio"]), 1)
        self.assertIn("CONFORM (250 proxy frames, 250 original frames)", res.stdout)

    def test_one_frame_removed(self):
        _, rep = self.conform("drop", code=1)
        self.assertEqual(ffprobe_frames(self.path("drop.mp4")), 249)
        # the proxy's timecodes run on without the frame: one behind from there
        self.assertEqual(self.events(rep), [
            ("missing_in_proxy", 100, 100, 100, 100, 1, 1),
            ("timecode_mismatch", 100, 248, 101, 249, 149, -1)])
        ev = common.check(rep, "conform")["events"][0]
        self.assertEqual((ev["start_tc"], ev["original"]["start_tc"]),
                         ("01:00:04:00", "01:00:04:00"))

    def test_starts_12_frames_late(self):
        _, rep = self.conform("late", code=1)
        self.assertEqual(self.events(rep), [("offset", 0, 0, 0, 11, 12, 12)])
        self.assertEqual(self.metrics(rep)["proxy_frames"], 238)

    def test_5_frames_replaced(self):
        _, rep = self.conform("replaced", code=1)
        self.assertEqual(self.events(rep), [("picture_mismatch", 150, 154, 150, 154, 5, 5)])
        ev = common.check(rep, "conform")["events"][0]
        self.assertEqual((ev["start_tc"], ev["end_tc"], ev["original"]["end_tc"]),
                         ("01:00:06:00", "01:00:06:04", "01:00:06:04"))

    def test_other_start_timecode(self):
        _, rep = self.conform("timecode", code=1)
        # 9 hours later: 9 * 3600 * 25 frames, on every frame
        self.assertEqual(self.events(rep),
                         [("timecode_mismatch", 0, 249, 0, 249, 250, 9 * 3600 * 25)])
        ev = common.check(rep, "conform")["events"][0]
        self.assertEqual((ev["start_tc"], ev["original"]["start_tc"]),
                         ("10:00:00:00", "01:00:00:00"))

    def test_other_frame_rate(self):
        _, rep = self.conform("rate", code=0)
        n = ffprobe_frames(self.path("rate.mp4"))
        self.assertEqual(n, 240)
        self.assertEqual(self.events(rep), [("frame_rate_mismatch", 0, n - 1, 0, 249, 250, 24)])
        self.assertEqual(common.check(rep, "conform")["events"][0]["severity"], "info")
        self.assertEqual(self.metrics(rep)["matched_pairs"], n)

    def test_roles_reversed(self):
        # the original checked against shorter files: what they lack is extra in it
        def events_of(original):
            out = self.path("reversed.json")
            res = mediaqc("conform", self.orig, self.path(original), "-o", out)
            self.assertEqual(res.returncode, 1, res.stderr)
            return self.events(common.load_report(out))
        self.assertEqual(events_of("drop.mp4"), [
            ("extra_in_proxy", 100, 100, 100, 100, 0, 1),
            ("timecode_mismatch", 101, 249, 100, 248, 149, 1)])
        # the black leader and 2 frames more come before the late file's first frame
        self.assertEqual(events_of("late.mp4"), [("offset", 0, 11, 0, 0, 0, -12)])

    def test_real_file_and_its_proxy(self):
        real = os.path.join(REAL, REAL_FILE)
        if not os.path.isfile(real):
            raise AssertionError("real-media corpus not found at %s (set MQC_REAL_MEDIA)" % REAL)
        proxy = self.path("real_proxy.mp4")
        ffmpeg("-i", real, "-vf", "scale=320:-2", *PROXY_ARGS, proxy)
        _, rep = self.conform(proxy, original=real, code=0)
        self.assertEqual(self.events(rep), [])
        m = self.metrics(rep)
        n = ffprobe_frames(real)
        self.assertEqual((m["proxy_frames"], m["original_frames"], m["matched_pairs"]), (n, n, n))
        self.assertLess(m["worst_match_distance"], 0.1)

    def test_from_object_storage(self):
        # both files read as s3:// objects (s3rver on loopback), one run each
        services = os.environ.get("MQC_SERVICES_DIR",
                                  os.path.expanduser("~/.cache/mediaqc-services"))
        s3rver = os.path.join(services, "node_modules", ".bin", "s3rver")
        if not os.path.exists(s3rver):
            raise AssertionError("missing %s: run scripts/setup-services.sh" % s3rver)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        log = open(self.path("s3rver.log"), "w")
        server = subprocess.Popen([s3rver, "-d", self.path("s3"), "-a", "127.0.0.1", "-p",
                                   str(port)], stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        base = "http://127.0.0.1:%d" % port

        def request(method, path, data=None):
            req = urllib.request.Request(base + path, data=data, method=method)
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status
        try:
            end = time.time() + 30
            while True:
                try:
                    request("PUT", "/media")
                    break
                except (urllib.error.URLError, ConnectionError):
                    if time.time() > end:
                        raise
                    time.sleep(0.1)
            for name, path in (("drop.mp4", self.path("drop.mp4")), ("orig.mov", self.orig)):
                with open(path, "rb") as f:
                    self.assertEqual(request("PUT", "/media/" + name, f.read()), 200)
            env = dict(os.environ, AWS_ENDPOINT_URL=base, AWS_ACCESS_KEY_ID="S3RVER",
                       AWS_SECRET_ACCESS_KEY="S3RVER", AWS_REGION="us-east-1")
            out = self.path("s3.json")
            proc = subprocess.run([common.MEDIAQC, "conform", "s3://media/drop.mp4",
                                   "s3://media/orig.mov", "-o", out], capture_output=True,
                                  text=True, env=env, timeout=common.TIMEOUT)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            rep = common.load_report(out)
            self.assertEqual(rep["input"]["path"], "s3://media/drop.mp4")
            self.assertEqual(self.events(rep), self.events(self.conform("drop")[1]))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            log.close()

    def test_html_page(self):
        page = self.path("drop.html")
        res = mediaqc("conform", self.path("drop.mp4"), self.orig, "--html", page, "--quiet")
        self.assertEqual(res.returncode, 1, res.stderr)
        with open(page) as f:
            html = f.read()
        self.assertIn("missing_in_proxy", html)
        self.assertNotRegex(html, r"(src|href)=\"https?:")

    def test_bad_input(self):
        res = mediaqc("conform", self.path("nothing.mp4"), self.orig)
        self.assertEqual(res.returncode, 2)
        self.assertIn("nothing.mp4", res.stderr)
        notmedia = self.path("notmedia.mov")
        with open(notmedia, "wb") as f:
            f.write(b"not media\n" * 100)
        out = self.path("notmedia.json")
        res = mediaqc("conform", self.path("proxy.mp4"), notmedia, "-o", out)
        self.assertEqual(res.returncode, 3, res.stderr)
        self.assertIn("original", res.stderr)
        self.assertEqual(common.load_report(out)["verdict"], "error")
        res = mediaqc("conform", self.path("proxy.mp4"))
        self.assertEqual(res.returncode, 2)

    def test_diff_of_conform_reports(self):
        # a conform report is a report: diff says what a re-made proxy fixed
        self.conform("drop")
        self.conform("proxy")
        res = mediaqc("diff", self.path("drop.json"), self.path("proxy.json"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("2 fixed, 0 new, 0 changed, 0 unchanged", res.stdout)


if __name__ == "__main__":
    unittest.main()
