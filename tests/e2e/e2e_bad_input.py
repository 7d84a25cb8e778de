#!/usr/bin/env python3
"""End-to-end tests: `mediaqc check` on bad input (DESIGN.md §2, §3).

Every run asserts the exact exit code, that mediaqc was not killed by a
signal, printed no sanitizer report and did not hang (watchdog), and, for
errors, that stderr is one clear line naming the file and the cause.

Environment (set by CTest, see tests/CMakeLists.txt):
  MEDIAQC         path to the mediaqc binary
  MQC_MEDIA       directory written by mqc-gen-media (clips + manifest.json)
  MQC_SOURCE_DIR  repository root
Needs the ffmpeg CLI for one derived file (a faststart copy of a clip).
"""
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import unittest
import wave

from common import validate

# absolute: the tests run mediaqc from a temporary working directory
MEDIAQC = os.path.abspath(os.environ["MEDIAQC"]) if os.environ.get("MEDIAQC") else ""
MEDIA = os.path.abspath(os.environ["MQC_MEDIA"]) if os.environ.get("MQC_MEDIA") else ""
SOURCE_DIR = os.environ.get("MQC_SOURCE_DIR", "")

WATCHDOG_S = 60
SCHEMA = "mediaqc.report/1"
USAGE_HINT = "(run `mediaqc help` for usage)"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "SUMMARY: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")

PASS, FAIL, USAGE, UNREADABLE = 0, 1, 2, 3
VERDICT_OF_CODE = {PASS: "pass", FAIL: "fail", UNREADABLE: "error"}

CLEAN_PRORES = "prores_10bit_422_clean.mov"   # 75 frames, moov at the end
PRORES = "prores_10bit_422.mov"               # moov at the end
AUDIO_ONLY = "audio_only.mov"
CLIP_FRAMES = 75


def media(name):
    return os.path.join(MEDIA, name)


def decode_check(report):
    checks = [c for c in report["checks"] if c["id"] == "decode"]
    assert len(checks) == 1, "report has %d checks with id \"decode\"" % len(checks)
    return checks[0]


def event_codes(check):
    return [e["code"] for e in check["events"]]


class BadInputTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        missing = [n for n, v in (("MEDIAQC", MEDIAQC), ("MQC_MEDIA", MEDIA),
                                  ("MQC_SOURCE_DIR", SOURCE_DIR)) if not v]
        if missing:
            raise RuntimeError("environment variable(s) not set: " + ", ".join(missing))
        for name in (CLEAN_PRORES, PRORES, AUDIO_ONLY):
            if not os.path.isfile(media(name)):
                raise RuntimeError("%s: not found (run mqc-gen-media %s)" % (media(name), MEDIA))
        cls.tmp = tempfile.mkdtemp(prefix="mqc-bad-input-")
        cls.faststart = os.path.join(cls.tmp, "prores_faststart.mov")
        try:
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", media(CLEAN_PRORES),
                            "-map", "0", "-c", "copy", "-movflags", "+faststart", cls.faststart],
                           check=True, timeout=WATCHDOG_S, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as e:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise RuntimeError("ffmpeg could not make the faststart copy: %s" % e)
        with open(cls.faststart, "rb") as f:
            cls.faststart_bytes = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers -------------------------------------------------------

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def truncated(self, name, size):
        return self.write(name, self.faststart_bytes[:size])

    def run_mqc(self, args, expect_code, report=None, cwd=None):
        """Runs mediaqc with `args`; returns (stdout, stderr, report or None).

        expect_code: an exit code or a collection of allowed ones. report: the -o
        path whose JSON is loaded and schema-checked ("-" = stdout), or None.
        """
        cmd = [MEDIAQC] + list(args)
        shown = " ".join(repr(a) for a in cmd)
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=WATCHDOG_S,
                               cwd=cwd or self.tmp)
        except subprocess.TimeoutExpired as e:
            self.fail("hang: %s did not finish within %d s\nstderr: %s"
                      % (shown, WATCHDOG_S, (e.stderr or b"").decode("utf-8", "replace")))
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        ctx = "\ncommand: %s\nexit: %d\nstdout:\n%s\nstderr:\n%s" % (shown, p.returncode, out, err)
        self.assertGreaterEqual(p.returncode, 0, "killed by signal %d%s" % (-p.returncode, ctx))
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, err, "sanitizer report" + ctx)
        allowed = {expect_code} if isinstance(expect_code, int) else set(expect_code)
        self.assertIn(p.returncode, allowed, "unexpected exit code" + ctx)
        self.last_code = p.returncode
        doc = None
        if report is not None:
            if report == "-":
                text = out
            else:
                rp = report if os.path.isabs(report) else os.path.join(cwd or self.tmp, report)
                self.assertTrue(os.path.isfile(rp), "no report written at %s%s" % (rp, ctx))
                with open(rp, "rb") as f:
                    text = f.read().decode("utf-8")
            try:
                doc = json.loads(text)
            except ValueError as e:
                self.fail("report is not valid JSON (%s)%s" % (e, ctx))
            validate(doc, "report", "report" + ctx)
            self.assertEqual(doc.get("schema"), SCHEMA, ctx)
            self.assertEqual(doc.get("verdict"), VERDICT_OF_CODE.get(p.returncode),
                             "verdict does not match exit code" + ctx)
        return out, err, doc

    def assert_clean_failure(self, err, names, causes):
        """stderr is one `mediaqc: ...` line (plus at most the usage hint) that
        contains every string of `names` and at least one of `causes`."""
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertTrue(lines, "no error message on stderr")
        msg = lines[0]
        self.assertTrue(msg.startswith("mediaqc: "), "message does not start with "
                        "'mediaqc: ': %r" % msg)
        self.assertTrue(all(l == USAGE_HINT for l in lines[1:]),
                        "more than one line on stderr: %r" % err)
        for name in names:
            self.assertIn(name, msg, "message does not name %r" % name)
        self.assertTrue(any(c.lower() in msg.lower() for c in causes),
                        "message %r gives none of the causes %r" % (msg, causes))

    def assert_unreadable(self, report, path, causes):
        """Verdict error and an `unreadable` event in `decode` that says why."""
        self.assertEqual(report["verdict"], "error")
        self.assertEqual(report["input"]["path"], path)
        events = [e for e in decode_check(report)["events"] if e["code"] == "unreadable"]
        self.assertEqual(len(events), 1, "expected one unreadable event: %r"
                         % decode_check(report)["events"])
        message = events[0]["message"]
        self.assertTrue(any(c.lower() in message.lower() for c in causes),
                        "unreadable event %r gives none of the causes %r" % (message, causes))

    def check_unreadable(self, path, causes, extra=()):
        """exit 3 with a report: verdict error, unreadable event, one-line stderr."""
        rp = self.path("report-%s.json" % self.id().rsplit(".", 1)[-1])
        _, err, doc = self.run_mqc(["check", path, "--quiet", "-o", rp] + list(extra),
                                   UNREADABLE, report=rp)
        self.assert_clean_failure(err, [path], causes)
        self.assert_unreadable(doc, path, causes)
        return doc

    def check_partial(self, path, report_name, allowed):
        """A damaged file: exit in `allowed` (subset of 0, 1, 3), never a crash,
        and a report consistent with the exit code."""
        rp = self.path(report_name)
        out, err, doc = self.run_mqc(["check", path, "--quiet", "-o", rp], allowed, report=rp)
        decode = decode_check(doc)
        if self.last_code == UNREADABLE:
            self.assert_clean_failure(err, [path], ["not a media file", "cannot read",
                                                    "no video", "no video frame"])
            self.assertIn("unreadable", event_codes(decode))
        else:
            self.assertEqual(err.strip(), "", "stderr on a run that was analysed")
            self.assertIn(path, out, "summary does not name the file")
            self.assertNotIn("unreadable", event_codes(decode))
            self.assertGreater(doc["summary"]["frames_analyzed"], 0)
            if self.last_code == FAIL:
                self.assertGreater(doc["summary"]["errors"], 0)
        return doc

    # ---- inputs that cannot be analysed --------------------------------

    def test_missing_file(self):
        p = self.path("no-such-file.mov")
        _, err, _ = self.run_mqc(["check", p, "--quiet"], USAGE)
        self.assert_clean_failure(err, [p], ["no such file"])

    def test_missing_file_no_report_written(self):
        p, rp = self.path("also-missing.mov"), self.path("missing-report.json")
        self.run_mqc(["check", p, "--quiet", "-o", rp], USAGE)
        self.assertFalse(os.path.exists(rp), "a usage error must not write a report")

    def test_directory_input(self):
        d = self.path("a-directory.mov")
        os.makedirs(d, exist_ok=True)
        _, err, _ = self.run_mqc(["check", d, "--quiet"], USAGE)
        self.assert_clean_failure(err, [d], ["directory"])

    def test_empty_file(self):
        self.check_unreadable(self.write("empty.mov", b""), ["empty", "0 bytes"])

    def test_text_file(self):
        p = self.write("notes.mov", b"This is not a movie.\nIt is a shopping list.\n" * 20)
        self.check_unreadable(p, ["not a media file", "invalid data"])

    def test_dev_null(self):
        self.check_unreadable("/dev/null", ["not a media file", "invalid data", "empty"])

    def test_random_garbage(self):
        rnd = random.Random(20240611)
        p = self.write("garbage.mp4", bytes(rnd.getrandbits(8) for _ in range(100 * 1024)))
        rp = self.path("garbage.json")
        _, err, doc = self.run_mqc(["check", p, "--quiet", "-o", rp], (FAIL, UNREADABLE),
                                   report=rp)
        if self.last_code == UNREADABLE:
            self.assert_clean_failure(err, [p], ["not a media file", "invalid data",
                                                 "no video", "cannot read"])
            self.assertIn("unreadable", event_codes(decode_check(doc)))

    def test_fifo_with_garbage_writer(self):
        fifo = self.path("pipe.mp4")
        os.mkfifo(fifo)
        garbage = bytes(random.Random(7).getrandbits(8) for _ in range(64 * 1024))

        def writer():
            try:
                with open(fifo, "wb") as f:
                    f.write(garbage)
            except OSError:
                pass  # reader gave up early (EPIPE): fine

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        try:
            _, err, _ = self.run_mqc(["check", fifo, "--quiet"], UNREADABLE)
            self.assert_clean_failure(err, [fifo], ["not a media file", "invalid data"])
        finally:
            # release a writer still blocked in open() if mediaqc never opened the pipe
            try:
                os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
            except OSError:
                pass
            t.join(5)

    def test_audio_only(self):
        # issue 15: audio-only input is analysed, the video checks are skipped
        rp = self.path("report-audio-only.json")
        _, _, doc = self.run_mqc(["check", media(AUDIO_ONLY), "--quiet", "-o", rp], {0, 1},
                                 report=rp)
        self.assertIsNone(doc["video"])
        self.assertEqual(doc["summary"]["frames_analyzed"], 0)
        self.assertNotEqual(doc["verdict"], "error")
        self.assertEqual([(a["channels"], a["sample_rate"], a["samples"]) for a in doc["audio"]],
                         [(1, 48000, 48000)])
        for c in doc["checks"]:
            if c["id"] in ("legal_range", "black", "checksum"):
                self.assertEqual(c["status"], "skipped")
                self.assertIn("no video stream", c["skipped_reason"])

    def test_audio_rate_that_r128_cannot_measure(self):
        # fuzz_decode found it: a stream libebur128 refuses (8 Hz) crashed the
        # loudness check's cleanup (SIGSEGV); now it is reported, not passed
        p = self.path("rate8.wav")
        w = wave.open(p, "wb")
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8)
        w.writeframes(b"\x00\x10" * 16)
        w.close()
        rp = self.path("rate8.json")
        _, _, doc = self.run_mqc(["check", p, "--quiet", "-o", rp], {0, 1}, report=rp)
        self.assertEqual([(a["channels"], a["sample_rate"]) for a in doc["audio"]], [(1, 8)])
        loud = next(c for c in doc["checks"] if c["id"] == "loudness")
        self.assertEqual([e["code"] for e in loud["events"]], ["loudness_unmeasured"])
        self.assertIsNone(loud["metrics"]["integrated_lufs"])

    def test_stream_index_not_video(self):
        # stream 1 of the ProRes clip is its tmcd (timecode data) track
        self.check_unreadable(media(CLEAN_PRORES), ["not a video stream"],
                              extra=["--stream", "1"])

    def test_report_to_stdout_on_bad_file(self):
        p = self.write("stdout-empty.mov", b"")
        out, err, doc = self.run_mqc(["check", p, "--quiet", "-o", "-"], UNREADABLE, report="-")
        self.assert_clean_failure(err, [p], ["empty"])
        self.assert_unreadable(doc, p, ["empty"])

    # ---- truncated and damaged files -----------------------------------

    def test_truncated_moov_at_end(self):
        with open(media(PRORES), "rb") as f:
            data = f.read()
        p = self.write("prores_half.mov", data[:len(data) // 2])  # the moov is lost
        self.check_unreadable(p, ["not a media file", "invalid data", "cannot read"])

    def test_truncated_faststart_partly_decodes(self):
        size = len(self.faststart_bytes)
        p = self.truncated("faststart_60pct.mov", size * 6 // 10)
        rp = self.path("faststart_60pct.json")
        out, err, doc = self.run_mqc(["check", p, "--quiet", "-o", rp], FAIL, report=rp)
        self.assertEqual(doc["verdict"], "fail")
        frames = doc["summary"]["frames_analyzed"]
        self.assertGreater(frames, 0)
        self.assertLess(frames, CLIP_FRAMES)
        decode = decode_check(doc)
        self.assertEqual(decode["status"], "fail")
        self.assertIn("decode_error", event_codes(decode))
        self.assertNotIn("unreadable", event_codes(decode))
        for e in decode["events"]:
            self.assertTrue(e["message"], "decode_error event without a message")
        self.assertEqual(err.strip(), "")
        self.assertIn(p, out, "summary does not name the file")

    def test_truncated_faststart_other_offsets(self):
        size = len(self.faststart_bytes)
        for label, cut in (("1KB", 1024), ("10pct", size // 10), ("90pct", size * 9 // 10),
                           ("size-1", size - 1)):
            with self.subTest(cut=label):
                p = self.truncated("faststart_%s.mov" % label, cut)
                self.check_partial(p, "faststart_%s.json" % label, (FAIL, UNREADABLE))

    def test_garbage_block_in_mdat(self):
        data = bytearray(self.faststart_bytes)
        mdat = data.find(b"mdat")
        self.assertGreater(mdat, 0, "faststart copy has no mdat box")
        mid = mdat + (len(data) - mdat) // 2
        data[mid:mid + 4096] = bytes(random.Random(99).getrandbits(8) for _ in range(4096))
        p = self.write("garbage_in_mdat.mov", bytes(data))
        doc = self.check_partial(p, "garbage_in_mdat.json", (PASS, FAIL))
        if self.last_code == FAIL:
            self.assertIn("decode_error", event_codes(decode_check(doc)))

    # ---- profile errors ------------------------------------------------

    PROFILE_CASES = [
        # (name, profile JSON text, strings the message must contain, cause keywords)
        ("unknown_top_level_key", '{"name": "x", "colour": "blue"}',
         ["colour"], ["unknown key"]),
        ("unknown_check", '{"checks": {"nosuch": {}}}',
         ["checks.nosuch"], ["unknown check"]),
        ("unknown_check_option", '{"checks": {"black": {"max_blackness": 3}}}',
         ["checks.black.max_blackness"], ["unknown option"]),
        ("wrong_type", '{"checks": {"legal_range": {"max_area_pct": "1"}}}',
         ["checks.legal_range.max_area_pct"], ["expected number"]),
        ("out_of_range", '{"checks": {"legal_range": {"max_area_pct": 250}}}',
         ["checks.legal_range.max_area_pct"], ["[0, 100]"]),
        ("negative_out_of_range", '{"checks": {"black": {"min_duration_s": -1}}}',
         ["checks.black.min_duration_s"], ["expected number"]),
        ("bad_severity", '{"checks": {"black": {"severity": "fatal"}}}',
         ["checks.black.severity"], ["expected one of"]),
        ("enabled_not_bool", '{"checks": {"black": {"enabled": "yes"}}}',
         ["checks.black.enabled"], ["expected boolean"]),
        ("checks_not_object", '{"checks": []}', ["checks"], ["expected an object"]),
        ("not_an_object", '[1, 2, 3]', [], ["must be a JSON object"]),
        ("invalid_json", '{"checks": {\n  "black": {,}\n}', [], ["invalid JSON"]),
        ("empty_file", '', [], ["invalid JSON"]),
        ("nul_byte", '{"name": "a"}\0', [], ["NUL"]),
        ("extends_missing_parent", '{"extends": "no-such-parent"}',
         ["extends", "no-such-parent"], ["no profile named"]),
    ]

    def test_profile_errors(self):
        for name, text, needles, causes in self.PROFILE_CASES:
            with self.subTest(case=name):
                p = self.write(os.path.join("profiles", "bad_%s.json" % name), text.encode())
                _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet",
                                          "--profile", p], USAGE)
                self.assert_clean_failure(err, [p] + needles, causes)

    def test_profile_extends_cycle(self):
        d = self.path("cycle")
        a = self.write(os.path.join("cycle", "cyc_a.json"), b'{"name": "a", "extends": "cyc_b"}')
        b = self.write(os.path.join("cycle", "cyc_b.json"), b'{"name": "b", "extends": "cyc_a"}')
        _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet", "--profile", a],
                                 USAGE)
        self.assert_clean_failure(err, [], ["cycle"])
        self.assertTrue(os.path.basename(a) in err or os.path.basename(b) in err,
                        "cycle message names neither profile: %r" % err)
        self.assertIn(d, err.splitlines()[0])

    def test_profile_self_extends(self):
        p = self.write(os.path.join("cycle", "selfish.json"), b'{"extends": "selfish"}')
        _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet", "--profile", p],
                                 USAGE)
        self.assert_clean_failure(err, ["selfish.json"], ["cycle"])

    def test_profile_name_not_found(self):
        _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet",
                                  "--profile", "nosuchprofile"], USAGE)
        self.assert_clean_failure(err, ["nosuchprofile"], ["no such profile"])

    def test_profile_path_not_found(self):
        p = self.path("profiles", "missing.json")
        _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet", "--profile", p],
                                 USAGE)
        self.assert_clean_failure(err, [p], ["not found", "no such file"])

    def test_profile_is_directory(self):
        d = self.path("profiles", "dir-profile.json")
        os.makedirs(d, exist_ok=True)
        _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet", "--profile", d],
                                 USAGE)
        self.assert_clean_failure(err, [d], ["directory"])

    # ---- CLI usage errors ----------------------------------------------

    def test_usage_errors(self):
        clip = media(CLEAN_PRORES)
        cases = [
            # (label, argv after the binary, strings the message must contain, causes)
            ("no_command", [], [], ["missing command"]),
            ("unknown_command", ["frobnicate"], ["frobnicate"], ["unknown command"]),
            ("unknown_option", ["check", clip, "--bogus"], ["--bogus"], ["unknown option"]),
            ("unknown_short_option", ["check", clip, "-z"], ["-z"], ["unknown option"]),
            ("missing_input", ["check", "--quiet"], ["INPUT"], ["exactly one"]),
            ("two_inputs", ["check", clip, clip], ["INPUT"], ["more than one"]),
            ("threads_zero", ["check", clip, "--threads", "0"], ["--threads", '"0"'],
             ["expected an integer"]),
            ("threads_abc", ["check", clip, "--threads", "abc"], ["--threads", '"abc"'],
             ["expected an integer"]),
            ("threads_equals_abc", ["check", clip, "--threads=abc"], ["--threads", '"abc"'],
             ["expected an integer"]),
            ("threads_no_value", ["check", clip, "--threads"], ["--threads"],
             ["missing value"]),
            ("progress_sometimes", ["check", clip, "--progress", "sometimes"],
             ["--progress", "sometimes"], ["expected auto, always or never"]),
            ("stream_abc", ["check", clip, "--stream", "abc"], ["--stream", "abc"],
             ["expected a stream index"]),
            ("output_no_value", ["check", clip, "-o"], ["-o"], ["missing value"]),
        ]
        for label, args, needles, causes in cases:
            with self.subTest(case=label):
                _, err, _ = self.run_mqc(args, USAGE)
                self.assert_clean_failure(err, needles, causes)

    def test_unknown_short_option_in_cluster(self):
        # getopt reports -z while still inside "-zq": the message must name the
        # option, not whatever argument happens to precede it
        clip = media(CLEAN_PRORES)
        _, err, _ = self.run_mqc(["check", clip, "-zq"], USAGE)
        self.assert_clean_failure(err, ["-z"], ["unknown option"])
        self.assertNotIn(clip, err, "message names the input instead of the bad option")

    # ---- hostile file names --------------------------------------------

    HOSTILE_NAMES = [
        "with some spaces.mov",
        "quo'te\"s `and` $(dollar).mov",
        os.path.join("<script>alert(1)<", "script>.mov"),  # i.e. "<script>alert(1)</script>.mov"
        "Ünïcødé 🎬.mov",
        "./-x.mov",
        "percent %s%n%x%%.mov",
        "back\\slash\ttab.mov",
    ]

    def test_hostile_file_names(self):
        for name in self.HOSTILE_NAMES:
            with self.subTest(name=name):
                p = self.path(name)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                shutil.copyfile(media(CLEAN_PRORES), p)
                out, err, doc = self.run_mqc(["check", name, "--quiet", "-o", "hostile.json"],
                                             PASS, report="hostile.json")
                self.assertEqual(doc["input"]["path"], name)
                self.assertEqual(doc["summary"]["frames_analyzed"], CLIP_FRAMES)
                self.assertIn(name, out, "summary does not name the file")
                self.assertEqual(err.strip(), "")

    def test_hostile_report_name(self):
        rp = "rép ort <b>&amp; \"x\".json"
        _, _, doc = self.run_mqc(["check", self.faststart, "--quiet", "-o", rp], PASS,
                                 report=rp)
        self.assertEqual(doc["input"]["path"], self.faststart)

    def test_hostile_name_unreadable_message(self):
        name = "Ünïcødé <b>bad</b> %s.mov"
        p = self.write(name, b"\0" * 1000)
        self.check_unreadable(p, ["not a media file", "invalid data"])

    # ---- report and side-file output errors ----------------------------

    def test_unwritable_report_path(self):
        rp = "/nonexistent-dir/r.json"
        _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet", "-o", rp], USAGE)
        self.assert_clean_failure(err, [rp], ["cannot write"])

    def test_unwritable_report_path_not_claimed_in_summary(self):
        rp = "/nonexistent-dir/r.json"
        out, _, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet", "-o", rp], USAGE)
        self.assertNotIn("report: " + rp, out,
                         "the summary claims a report that was not written")

    def test_report_path_is_directory(self):
        d = self.path("report-dir")
        os.makedirs(d, exist_ok=True)
        _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet", "-o", d], USAGE)
        self.assert_clean_failure(err, [d], ["cannot write"])
        self.assertTrue(os.path.isdir(d), "the directory was replaced")

    def test_unwritable_frames_path(self):
        fp = "/nonexistent-dir/frames.jsonl"
        _, err, _ = self.run_mqc(["check", media(CLEAN_PRORES), "--quiet", "--frames", fp],
                                 USAGE)
        self.assert_clean_failure(err, [fp], ["cannot write"])


if __name__ == "__main__":
    unittest.main()
