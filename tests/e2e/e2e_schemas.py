#!/usr/bin/env python3
"""The contract as a file (issue 12, part 6): schemas/*.schema.json.

Every report and --frames file the end-to-end tests read is validated by
common.py; this suite shows the schemas are strict where the contract is fixed
(a missing or mistyped field fails) and open where checks vary (new check ids,
their params/metrics, `audio`, per-frame keys), and that the profile schema
agrees with `mediaqc profiles validate` on what it covers.
"""
import copy
import glob
import json
import os
import subprocess
import tempfile
import unittest

import common

DEFECTS = "prores_10bit_422.mov"


def errors(doc, kind):
    return common.schema_errors(doc, kind)


class ReportSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = tempfile.mkdtemp(prefix="mqc-schemas-")
        cls.frames_path = os.path.join(tmp, "f.jsonl")
        res = common.run(["check", common.clip_path(DEFECTS), "--frames", cls.frames_path,
                          "--quiet"], workdir=tmp)
        assert res.code == 1, res.stderr
        cls.report = res.report            # already validated by common.run
        cls.frames = common.read_jsonl(cls.frames_path)
        notmedia = os.path.join(tmp, "not_media.mov")   # audio-only input is analysed now
        with open(notmedia, "wb") as f:
            f.write(b"not a media file\n" * 64)
        unreadable = common.run(["check", notmedia, "--quiet"])
        assert unreadable.code == 3, unreadable.stderr
        cls.unreadable = unreadable.report
        # audio only: frames are null in its audio events
        cls.audio_only = common.run(["check", common.clip_path("audio_only.mov"),
                                     "--quiet"]).report

    def mutated(self, fn):
        r = copy.deepcopy(self.report)
        fn(r)
        return r

    def first_event(self, r):
        return next(e for c in r["checks"] for e in c["events"])

    def test_real_reports_are_valid(self):
        self.assertEqual(errors(self.report, "report"), [])
        self.assertEqual(errors(self.unreadable, "report"), [])
        self.assertIsNone(self.unreadable["video"])
        self.assertEqual(errors(self.audio_only, "report"), [])
        self.assertIsNone(self.audio_only["video"])
        self.assertEqual(len(self.audio_only["audio"]), 1)

    def test_missing_or_mistyped_fields_are_caught(self):
        def drop(*path):
            def fn(r):
                o = r
                for k in path[:-1]:
                    o = o[k]
                del o[path[-1]]
            return fn

        def put(value, *path):
            def fn(r):
                o = r
                for k in path[:-1]:
                    o = o[k]
                o[path[-1]] = value
            return fn

        def on_event(key, value):
            def fn(r):
                e = self.first_event(r)
                if value is KeyError:
                    del e[key]
                else:
                    e[key] = value
            return fn

        cases = {
            "no verdict": drop("verdict"),
            "verdict not in the enum": put("passed", "verdict"),
            "wrong schema name": put("mediaqc.report/2", "schema"),
            "misspelt top-level key": put("fail", "verdit"),
            "width as a string": put("640", "video", "width"),
            "no video.frames": drop("video", "frames"),
            "misspelt video key": put(25, "video", "framerate"),
            "frame rate not a ratio": put("23.976", "video", "frame_rate"),
            "fractional error count": put(1.5, "summary", "errors"),
            "negative size": put(-1, "input", "size_bytes"),
            "no run": drop("run"),
            "status outside the enum": put("ok", "checks", 0, "status"),
            "check without metrics": drop("checks", 0, "metrics"),
            "check id not snake_case": put("Legal Range", "checks", 0, "id"),
            "unknown key in a check": put([], "checks", 0, "warnings"),
            "negative start_frame": on_event("start_frame", -1),
            "event without end_tc": on_event("end_tc", KeyError),
            "malformed timecode": on_event("start_tc", "1:00:00"),
            "severity outside the enum": on_event("severity", "fatal"),
            "empty message": on_event("message", ""),
            "misspelt event key": on_event("start_time", 1.0),
            "end before start": on_event("end_frame", 0),
        }
        for name, fn in cases.items():
            with self.subTest(name):
                self.assertNotEqual(errors(self.mutated(fn), "report"), [], name)

    def test_status_agrees_with_events(self):
        def pass_with_events(r):
            c = next(c for c in r["checks"] if c["events"])
            c["status"] = "pass"

        def fail_without_events(r):
            c = next(c for c in r["checks"] if not c["events"])
            c["status"] = "fail"

        def reason_when_not_skipped(r):
            r["checks"][0]["skipped_reason"] = "because"
        for fn in (pass_with_events, fail_without_events, reason_when_not_skipped):
            with self.subTest(fn.__name__):
                self.assertNotEqual(errors(self.mutated(fn), "report"), [])

    def test_what_new_checks_add_is_allowed(self):
        def new_things(r):
            r["audio"] = [{"index": 1, "codec": "pcm_s24le", "channels": 2, "layout": "stereo",
                           "sample_rate": 48000, "duration_s": 3.1}]
            r["checks"].append({
                "id": "hdr", "severity": "warning", "status": "fail",
                "params": {"tolerance_pct": 10, "targets": ["a", "b"]},
                "metrics": {"transfer": "pq", "max_cll_nits": 1000.5,
                            "mastering_primaries": None, "votes": {"tff": 3}},
                "events": [dict(self.first_event(r), code="max_cll_mismatch",
                                severity="warning")]})
            r["checks"].append({
                "id": "silence", "severity": "warning", "status": "skipped",
                "skipped_reason": "no audio", "params": {}, "metrics": {}, "events": []})
            ev = dict(self.first_event(r), code="silence", stream=1, channel=0)
            r["checks"].append({"id": "silence2", "severity": "error", "status": "fail",
                                "params": {}, "metrics": {}, "events": [ev]})
            r["checks"][0]["metrics"]["a_new_metric"] = [1, 2]
            r["run"]["trigger"] = {"bucket": "b", "key": "k"}
        self.assertEqual(errors(self.mutated(new_things), "report"), [])

    def test_frame_records(self):
        self.assertGreater(len(self.frames), 0)
        rec = self.frames[0]
        self.assertEqual(errors(rec, "frame"), [])
        bad = {
            "no pts": {k: v for k, v in rec.items() if k != "pts"},
            "negative frame": dict(rec, frame=-1),
            # the default per-frame hash: XXH3-128 under "hash" (DESIGN §9)
            "upper-case hash": dict(rec, hash=rec["hash"].upper()),
            "short hash": dict(rec, hash=rec["hash"][:20]),
            "upper-case md5": dict(rec, md5=rec["hash"].upper()),
            "short md5": dict(rec, md5=rec["hash"][:16]),
            "fraction above 1": dict(rec, black=1.5),
            "y_max as a string": dict(rec, y_max="940"),
            "nested object": dict(rec, votes={"tff": 1}),
            "key not snake_case": dict(rec, **{"Max-Nits": 3}),
        }
        for name, r in bad.items():
            with self.subTest(name):
                self.assertNotEqual(errors(r, "frame"), [], name)
        good = dict(rec, max_nits=203.5, momentary_lufs=None, field_order="tff",
                    hash="0123456789abcdef0123456789abcdef", pts=None)
        self.assertEqual(errors(good, "frame"), [])


class ProfileSchema(unittest.TestCase):
    def validate_cli(self, doc):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        try:
            p = subprocess.run([common.MEDIAQC, "profiles", "validate", f.name],
                               capture_output=True, text=True, timeout=common.TIMEOUT)
        finally:
            os.unlink(f.name)
        self.assertIn(p.returncode, (0, 2), p.stderr)
        return p.returncode == 0

    def test_shipped_profiles_and_their_merged_form(self):
        files = glob.glob(os.path.join(common.SOURCE, "profiles", "*.json"))
        self.assertGreaterEqual(len(files), 5)
        for path in files:
            with self.subTest(path):
                with open(path) as f:
                    common.validate(json.load(f), "profile", path)
                name = os.path.basename(path)[:-5]
                p = subprocess.run([common.MEDIAQC, "profiles", "show", name],
                                   capture_output=True, text=True, timeout=common.TIMEOUT)
                self.assertEqual(p.returncode, 0, p.stderr)
                common.validate(json.loads(p.stdout), "profile", "profiles show " + name)

    def test_schema_and_validator_agree(self):
        good = {"name": "mine", "extends": "base", "description": "x",
                "expect": {"width": 1920, "frame_rate": ["25", "24000/1001"],
                           "color_primaries": "bt709"},
                "checks": {"black": {"severity": "error", "enabled": True,
                                     "min_duration_s": 1.5}}}
        self.assertEqual(errors(good, "profile"), [])
        self.assertTrue(self.validate_cli(good))
        bad = {
            "unknown top-level key": dict(good, check={}),
            "severity outside the enum": dict(good, checks={"black": {"severity": "fatal"}}),
            "enabled not boolean": dict(good, checks={"black": {"enabled": "yes"}}),
            "check not an object": dict(good, checks={"black": True}),
            "width as a string": dict(good, expect={"width": "1920"}),
            "width zero": dict(good, expect={"width": 0}),
            "empty frame rate list": dict(good, expect={"frame_rate": []}),
            "unknown expect key": dict(good, expect={"widht": 1920}),
            "name with a space": dict(good, name="my profile"),
            "extends a path that is no .json": dict(good, extends="../house/base"),
            "option as an object": dict(good, checks={"black": {"min_duration_s": {"s": 1}}}),
        }
        for name, doc in bad.items():
            with self.subTest(name):
                self.assertNotEqual(errors(doc, "profile"), [], "schema accepts: " + name)
                self.assertFalse(self.validate_cli(doc), "mediaqc accepts: " + name)


if __name__ == "__main__":
    unittest.main()
