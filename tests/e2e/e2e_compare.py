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
import subprocess
import tempfile
import unittest

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


if __name__ == "__main__":
    unittest.main()
