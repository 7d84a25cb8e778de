#!/usr/bin/env python3
"""End-to-end tests: one pipeline for every way in (issue 12, part 4).

`check` and the triggers run the same job (reports/job.c): the reports an
`event` writes for an object are the ones `check` writes for the same file
(apart from `run`, which says how the job was started). `decode` and
`format` are check tables like the others, listed by `mediaqc checks list`
and configurable by a profile.

Environment (set by CTest): MEDIAQC, MQC_MEDIA, MQC_SOURCE_DIR.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from common import MEDIAQC, TIMEOUT, check, clip_path, stable

CLIP = "prores_10bit_422.mov"       # planted defects, a start timecode


def mediaqc(args, expect=None, cwd=None):
    proc = subprocess.run([MEDIAQC] + args, capture_output=True, text=True, timeout=TIMEOUT,
                          cwd=cwd)
    assert proc.returncode >= 0, "died by signal %d" % -proc.returncode
    if expect is not None:
        assert proc.returncode == expect, (args, proc.returncode, proc.stderr)
    return proc


def html_without_run(text):
    """The page minus what depends on how the job was started (the footer's
    run facts and the embedded report's run object)."""
    text = re.sub(r"<p>mediaqc [^\n]*</p>\n(<p>command: [^\n]*</p>\n)?", "", text)
    m = re.search(r'(<script type="application/json" id="mqc-report">)(.*?)(</script>)', text, re.S)
    embedded = json.loads(m.group(2).replace("\\u003c", "<"))
    return text[:m.start(2)] + text[m.end(2):], stable(embedded)


class OnePipeline(unittest.TestCase):
    def test_event_writes_the_reports_check_writes(self):
        tmp = tempfile.mkdtemp(prefix="mqc-pipeline-")
        root = os.path.join(tmp, "root")
        os.makedirs(os.path.join(root, "studio", "in"))
        media = os.path.join(root, "studio", "in", CLIP)
        shutil.copy(clip_path(CLIP), media)
        ev = os.path.join(tmp, "ev.json")
        with open(ev, "w") as f:
            json.dump({"Records": [{"eventName": "ObjectCreated:Put", "s3": {
                "bucket": {"name": "studio"}, "object": {"key": "in/" + CLIP}}}]}, f)
        mediaqc(["event", ev, "--root", root, "--profile", "broadcast-hd", "--quiet"], expect=1)
        stored = os.path.join(root, "studio", "qc-reports", "in", CLIP)
        # what check writes for the same file, same profile
        mediaqc(["check", media, "--profile", "broadcast-hd", "--quiet", "-o",
                 os.path.join(tmp, "c.json"), "--html", os.path.join(tmp, "c.html")], expect=1)
        with open(stored + ".json") as f:
            from_event = json.load(f)
        with open(os.path.join(tmp, "c.json")) as f:
            from_check = json.load(f)
        self.assertEqual(stable(from_event), stable(from_check))
        self.assertEqual(from_event["run"]["trigger"]["key"], "in/" + CLIP)
        with open(stored + ".html") as f:
            page_event, embedded_event = html_without_run(f.read())
        with open(os.path.join(tmp, "c.html")) as f:
            page_check, embedded_check = html_without_run(f.read())
        self.assertEqual(page_event, page_check)
        self.assertEqual(embedded_event, embedded_check)
        self.assertEqual(embedded_event, stable(from_check))
        # both end in a newline, and no temporary file is left beside them
        for path in (stored + ".json", os.path.join(tmp, "c.json")):
            with open(path, "rb") as f:
                self.assertTrue(f.read().endswith(b"}\n"), path)
        leftovers = [n for n in os.listdir(os.path.dirname(stored)) if ".tmp" in n]
        self.assertEqual(leftovers, [])

    def test_unstorable_page_stores_no_report(self):
        """A trigger's JSON marks a complete job: when the HTML page cannot be
        stored, the JSON is not written and the job fails with exit 2."""
        tmp = tempfile.mkdtemp(prefix="mqc-pipeline-")
        root = os.path.join(tmp, "root")
        os.makedirs(os.path.join(root, "studio"))
        shutil.copy(clip_path(CLIP), os.path.join(root, "studio", CLIP))
        # the page's name is taken by a folder, so it cannot be renamed into place
        os.makedirs(os.path.join(root, "studio", "qc-reports", CLIP + ".html"))
        ev = os.path.join(tmp, "ev.json")
        with open(ev, "w") as f:
            json.dump({"Records": [{"eventName": "ObjectCreated:Put", "s3": {
                "bucket": {"name": "studio"}, "object": {"key": CLIP}}}]}, f)
        proc = mediaqc(["event", ev, "--root", root, "--quiet"], expect=2)
        self.assertIn("cannot write HTML report", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(root, "studio", "qc-reports",
                                                     CLIP + ".json")))


class InputChecksAreTables(unittest.TestCase):
    def test_checks_list_names_decode_and_format(self):
        out = mediaqc(["checks", "list"], expect=0).stdout
        names = [line.split(" — ")[0] for line in out.splitlines() if " — " in line]
        self.assertEqual(names[:2], ["decode", "format"])
        self.assertIn("events: decode_error unreadable out_of_memory", out)
        self.assertIn("events: format_mismatch", out)
        self.assertIn("configured by the profile's \"expect\" block", out)

    def test_profile_sets_their_severity(self):
        tmp = tempfile.mkdtemp(prefix="mqc-pipeline-")
        prof = os.path.join(tmp, "p.json")
        with open(prof, "w") as f:
            json.dump({"name": "p", "expect": {"width": 1920},
                       "checks": {"format": {"severity": "warning"},
                                  "decode": {"severity": "warning"}}}, f)
        out = os.path.join(tmp, "r.json")
        # a width mismatch is now a warning: the file passes
        mediaqc(["check", clip_path(CLIP), "--profile", prof, "--quiet", "-o", out], expect=0)
        with open(out) as f:
            rep = json.load(f)
        self.assertEqual(check(rep, "format")["severity"], "warning")
        self.assertEqual([e["code"] for e in check(rep, "format")["events"]],
                         ["format_mismatch"])
        self.assertEqual(check(rep, "format")["params"], {"width": 1920})
        self.assertEqual(check(rep, "decode")["severity"], "warning")
        # and an option a check does not have is refused like any other
        with open(prof, "w") as f:
            json.dump({"checks": {"format": {"width": 1920}}}, f)
        proc = mediaqc(["check", clip_path(CLIP), "--profile", prof], expect=2)
        self.assertIn("checks.format.width", proc.stderr)

    def test_without_expect_there_is_no_format_check(self):
        proc = mediaqc(["check", clip_path(CLIP), "--quiet", "-o", "-"], expect=1)
        ids = [c["id"] for c in json.loads(proc.stdout)["checks"]]
        self.assertEqual(ids[0], "decode")
        self.assertNotIn("format", ids)


if __name__ == "__main__":
    unittest.main()
