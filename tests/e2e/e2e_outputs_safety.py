#!/usr/bin/env python3
"""End-to-end tests: output files and the bytes in them (issue 20, items 3, 7, 8;
docs/robustness.md, "Output files and bytes").

- Planted symbolic links: at the old temp name `<path>.tmp<PID>` (planted for the
  next few hundred PIDs), at the paths an `event --root` job computes (the report,
  a folder of it, a FIFO behind a link), at `--frames`: the link's target is never
  written; a link the user names with -o/--frames is replaced, as before.
- Temp files of killed writers (`.NAME.mqctmp.XXXXXX`) are removed by the next
  write of NAME; a live writer's (its lock held) is not.
- Full disk (/dev/full) on every output, stdout included: exit 2 and a message
  naming the output and the cause.
- Hostile names (ESC, BEL, CR/LF, C1 CSI, invalid UTF-8, a leading tab or =):
  stderr and stdout carry no control bytes and stay valid UTF-8; the JSON is
  strict UTF-8 that json.loads parses, with `input.path_bytes` giving the exact
  name; the HTML and JUnit are valid UTF-8 and show the name escaped; CSV cells
  that start with = + - @ tab are guarded.

Environment (set by CTest): MEDIAQC, MQC_MEDIA.
"""
import csv
import fcntl
import io
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

import common

CLIP = os.path.abspath(common.clip_path("h264_8bit_420.mp4"))   # 75 frames, fails
FRAMES = 75
PRECIOUS = b"precious bytes that no report may overwrite\n"
# what a terminal or a log reader would act on: C0 but tab and newline, DEL, C1
CONTROL = set(range(0x20)) - {0x09, 0x0A} | {0x7F}


def mediaqc(args, cwd=None, stdin=None, stdout=subprocess.PIPE, timeout=common.TIMEOUT):
    argv = [os.path.abspath(common.MEDIAQC)] + list(args)   # str or bytes (any name)
    proc = subprocess.run(argv, cwd=cwd, input=stdin, stdout=stdout, stderr=subprocess.PIPE,
                          timeout=timeout)
    err = proc.stderr.decode("utf-8", "replace")
    for mark in common.SANITIZER_MARKS:
        assert mark not in err, err
    assert proc.returncode >= 0, "%s died by signal %d" % (args, -proc.returncode)
    return proc


def next_pids(n):
    """PIDs the next processes will probably get (Linux hands them out in order)."""
    with open("/proc/sys/kernel/ns_last_pid") as f:
        last = int(f.read())
    with open("/proc/sys/kernel/pid_max") as f:
        top = int(f.read())
    return [(last + i) % top for i in range(1, n + 1)]


def plant_old_temp_links(path, victim, n=400):
    for pid in next_pids(n):
        try:
            os.symlink(victim, "%s.tmp%d" % (path, pid))
        except FileExistsError:
            pass


def read(path):
    with open(path, "rb") as f:
        return f.read()


def event_doc(bucket, key, **obj):
    return json.dumps({"Records": [{"eventName": "ObjectCreated:Put",
                                    "s3": {"bucket": {"name": bucket},
                                           "object": dict(key=key, **obj)}}]}).encode()


def temps(folder, name):
    return [n for n in os.listdir(folder) if n.startswith(".%s.mqctmp." % name)]


class PlantedLinks(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mqc-links-")
        self.victim = os.path.join(self.dir, "victim")
        with open(self.victim, "wb") as f:
            f.write(PRECIOUS)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_link_at_the_temp_name_of_check_o(self):
        out = os.path.join(self.dir, "report.json")
        plant_old_temp_links(out, self.victim)
        p = mediaqc(["check", CLIP, "-o", out, "--quiet"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(read(self.victim), PRECIOUS, "the report went through a planted link")
        self.assertFalse(os.path.islink(out))
        self.assertEqual(common.load_report(out)["summary"]["frames_analyzed"], FRAMES)
        self.assertEqual(temps(self.dir, "report.json"), [])

    def test_link_named_by_the_user_is_replaced(self):
        out = os.path.join(self.dir, "report.json")
        os.symlink(self.victim, out)
        p = mediaqc(["check", CLIP, "-o", out, "--quiet"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertFalse(os.path.islink(out))
        self.assertEqual(read(self.victim), PRECIOUS)
        common.load_report(out)

    def test_link_at_frames(self):
        frames = os.path.join(self.dir, "frames.jsonl")
        os.symlink(self.victim, frames)
        p = mediaqc(["check", CLIP, "--frames", frames, "--quiet"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(read(self.victim), PRECIOUS, "--frames wrote through a link")
        self.assertFalse(os.path.islink(frames))
        self.assertEqual(len(common.read_jsonl(frames)), FRAMES)
        self.assertEqual(temps(self.dir, "frames.jsonl"), [])

    def test_frames_to_stdout(self):
        p = mediaqc(["check", CLIP, "--frames", "-", "--quiet"])
        self.assertEqual(p.returncode, 1, p.stderr)
        lines = p.stdout.decode().splitlines()
        self.assertEqual([json.loads(ln)["frame"] for ln in lines], list(range(FRAMES)))
        p = mediaqc(["check", CLIP, "--frames", "-", "-o", "-", "--quiet"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(b"only one output can go to stdout", p.stderr)

    def place(self, bucket, key):
        path = os.path.join(self.dir, "root", bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copyfile(CLIP, path)
        return os.path.join(self.dir, "root", bucket, "qc-reports", key)

    def run_event(self, bucket, key, timeout=common.TIMEOUT, **obj):
        return mediaqc(["event", "-", "--root", os.path.join(self.dir, "root")],
                       stdin=event_doc(bucket, key, **obj), timeout=timeout)

    def test_links_at_paths_an_event_job_computes(self):
        # at the report itself and at its old temp names: the link is replaced
        report = self.place("studio", "a.mp4") + ".json"
        os.makedirs(os.path.dirname(report))
        os.symlink(self.victim, report)
        os.symlink(self.victim, report[:-5] + ".html")
        plant_old_temp_links(report, self.victim)
        p = self.run_event("studio", "a.mp4")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(read(self.victim), PRECIOUS)
        self.assertFalse(os.path.islink(report))
        self.assertEqual(common.load_report(report)["run"]["trigger"]["key"], "a.mp4")

        # a FIFO behind a link at the report, and one in its place: never
        # opened, neither to look for a stored report (the eTag) nor to write
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo)
        for key in ("b.mp4", "c.mp4"):
            report = self.place("studio", key) + ".json"
            if key == "b.mp4":
                os.symlink(fifo, report)
            else:
                os.mkfifo(report)
            p = self.run_event("studio", key, timeout=60, eTag="0123abcd")
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertFalse(os.path.islink(report))
            self.assertEqual(common.load_report(report)["run"]["trigger"]["etag"], "0123abcd")

    def test_linked_folder_in_a_job_path_is_refused(self):
        elsewhere = os.path.join(self.dir, "elsewhere")
        os.makedirs(elsewhere)
        for bucket, key, link in (("media", "c.mp4", "qc-reports"),
                                  ("deep", "shots/d.mp4", "qc-reports/shots")):
            report_dir = os.path.dirname(self.place(bucket, key))
            os.makedirs(os.path.dirname(report_dir), exist_ok=True)
            os.symlink(elsewhere, report_dir)
            # a file in the link's target at the claim's name: the claim (the
            # job's first file) must not reach it either (it was emptied and
            # removed before the job refused the link)
            claim = os.path.basename(self.place(bucket, key)) + ".json.claim"
            with open(os.path.join(elsewhere, claim), "wb") as f:
                f.write(PRECIOUS)
            p = self.run_event(bucket, key)
            err = p.stderr.decode()
            self.assertEqual(p.returncode, 2, err)
            self.assertIn("%s is a symbolic link" % link, err)
            self.assertEqual(os.listdir(elsewhere), [claim], "a file went through a linked folder")
            self.assertEqual(read(os.path.join(elsewhere, claim)), PRECIOUS)
            os.unlink(os.path.join(elsewhere, claim))

    def test_segment_jobs_follow_no_link(self):
        """A segment job's partial (and so its merge) below a linked folder is
        refused like a whole-file job's report."""
        elsewhere = os.path.join(self.dir, "elsewhere-seg")
        os.makedirs(elsewhere)
        report_dir = os.path.dirname(self.place("segs", "e.mp4"))
        os.makedirs(os.path.dirname(report_dir), exist_ok=True)
        os.symlink(elsewhere, report_dir)
        doc = json.loads(event_doc("segs", "e.mp4"))
        doc["Records"][0]["mediaqc"] = {"segment": 0, "segments": 1}
        p = mediaqc(["event", "-", "--root", os.path.join(self.dir, "root")],
                    stdin=json.dumps(doc).encode())
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 2, err)
        self.assertIn("qc-reports is a symbolic link", err)
        self.assertEqual(os.listdir(elsewhere), [], "a partial went through a linked folder")

    def test_watch_state_and_reports_follow_no_link(self):
        folder = os.path.join(self.dir, "watch")
        os.makedirs(folder)
        shutil.copyfile(CLIP, os.path.join(folder, "w.mp4"))
        elsewhere = os.path.join(self.dir, "elsewhere")
        os.makedirs(elsewhere)
        os.symlink(elsewhere, os.path.join(folder, "qc-reports"))
        p = mediaqc(["watch", folder, "--once", "--interval", "0.1"])
        self.assertIn(b"qc-reports is a symbolic link", p.stderr)
        self.assertEqual(os.listdir(elsewhere), [])


class LeftoverTemps(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mqc-temps-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def plant(self, name, age_s=3600):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(b"half a report")
        t = time.time() - age_s
        os.utime(path, (t, t))
        return path

    def test_next_write_removes_stale_temps_but_not_a_live_writers(self):
        stale = [self.plant(".report.json.mqctmp.%s" % s) for s in ("Ab12Cd", "zzzzzz")]
        stale_frames = self.plant(".frames.jsonl.mqctmp.q1w2e3")
        live = self.plant(".report.json.mqctmp.L1ve00")
        other = self.plant(".other.json.mqctmp.Ab12Cd")      # another file's
        victim = os.path.join(self.dir, "victim")
        with open(victim, "wb") as f:
            f.write(PRECIOUS)
        os.symlink(victim, os.path.join(self.dir, ".report.json.mqctmp.link00"))
        with open(live, "rb") as holder:
            fcntl.flock(holder, fcntl.LOCK_EX)               # a writer still at work
            p = mediaqc(["check", CLIP, "-o", os.path.join(self.dir, "report.json"),
                         "--frames", os.path.join(self.dir, "frames.jsonl"), "--quiet"])
        self.assertEqual(p.returncode, 1, p.stderr)
        for path in stale + [stale_frames]:
            self.assertFalse(os.path.exists(path), path)
        self.assertTrue(os.path.exists(live), "a live writer's temp file was removed")
        self.assertTrue(os.path.exists(other))
        self.assertEqual(read(victim), PRECIOUS)

    def test_killed_writer_leaves_only_a_temp_that_the_next_write_removes(self):
        # a long input, so the writer is caught mid-run
        clip = os.path.join(self.dir, "long.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                        "testsrc2=size=640x360:rate=25:duration=60", "-c:v", "libx264",
                        "-preset", "ultrafast", clip], check=True, timeout=common.TIMEOUT)
        frames = os.path.join(self.dir, "frames.jsonl")
        proc = subprocess.Popen([common.MEDIAQC, "check", clip, "--frames", frames, "--quiet",
                                 "--threads", "1"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        def written():   # the temp file has records in it: the writer is mid-run
            t = temps(self.dir, "frames.jsonl")
            return t and os.path.getsize(os.path.join(self.dir, t[0])) > 0

        deadline = time.time() + 60
        while not written() and proc.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        self.assertIsNone(proc.poll(), "the writer ended before it could be killed")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        left = temps(self.dir, "frames.jsonl")
        self.assertEqual(len(left), 1, "the killed writer's temp file")
        self.assertFalse(os.path.exists(frames), "a partial file at the final name")
        self.assertGreater(os.path.getsize(os.path.join(self.dir, left[0])), 0)
        p = mediaqc(["check", CLIP, "--frames", frames, "--quiet"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(temps(self.dir, "frames.jsonl"), [])
        self.assertEqual(len(common.read_jsonl(frames)), FRAMES)


class FullDisk(unittest.TestCase):
    def assert_io_error(self, p, *names):
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 2, err)
        self.assertIn("No space left on device", err)
        for n in names:
            self.assertIn(n, err)

    def test_every_output_file(self):
        for flag, what in (("-o", "report"), ("--html", "HTML report"), ("--edl", "EDL"),
                           ("--markers", "markers"), ("--junit", "JUnit report"),
                           ("--frames", "frames file")):
            with self.subTest(flag=flag):
                p = mediaqc(["check", CLIP, flag, "/dev/full", "--quiet"])
                self.assert_io_error(p, "/dev/full: cannot write %s" % what)

    def test_stdout(self):
        with open("/dev/full", "wb") as full:
            p = mediaqc(["check", CLIP, "-o", "-", "--quiet"], stdout=full)
            self.assert_io_error(p, "stdout: cannot write report")
            self.assertEqual(p.stderr.count(b"\n"), 1, p.stderr)   # said once
            for args in (["check", CLIP, "--quiet"], ["hash", CLIP], ["profiles", "list"],
                         ["checks", "list"]):
                with self.subTest(args=args[:2]):
                    p = mediaqc(args, stdout=full)
                    self.assert_io_error(p, "stdout: cannot write")


HOSTILE = b"\x1b]0;pwned\x07\x1b[31mred\r\nmediaqc: forged line\xc2\x9b2J\xff\xfe.mov"


class HostileNames(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-names-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def assert_clean_text(self, data, what):
        bad = sorted({b for b in data if b in CONTROL})
        self.assertEqual(bad, [], "%s holds control bytes %s: %r" % (what, bad, data[:300]))
        text = data.decode("utf-8")     # strict: raises on invalid UTF-8
        self.assertFalse(any(0x80 <= ord(c) <= 0x9F for c in text), "%s: C1 control" % what)
        return text

    def test_messages_on_stderr_and_stdout(self):
        garbage = os.path.join(self.dir.encode(), HOSTILE)
        with open(garbage, "wb") as f:
            f.write(b"not media at all")
        for args in (["check", garbage], ["hash", garbage], ["check", garbage + b".missing"],
                     ["check", CLIP, "--profile", garbage], ["check", "--bogus" + "\x1b[2J"]):
            with self.subTest(args=args[0]):
                p = mediaqc(args)
                err = self.assert_clean_text(p.stderr, "stderr")
                self.assert_clean_text(p.stdout, "stdout")
                lines = err.splitlines()
                self.assertTrue(lines and lines[0].startswith("mediaqc: "), err)
                self.assertFalse(any(ln.startswith("mediaqc: forged") for ln in lines), err)
        # the stdout summary and an event's summary line
        named = os.path.join(self.dir.encode(), b"clip" + HOSTILE)
        shutil.copyfile(CLIP, named)
        p = mediaqc(["check", named])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(self.assert_clean_text(p.stdout, "summary").count("\n"), 4)

    def test_reports_are_valid_utf8_and_keep_the_exact_name(self):
        named = os.path.join(self.dir.encode(), b"clip" + HOSTILE)
        shutil.copyfile(CLIP, named)
        out = os.path.join(self.dir, "r")
        p = mediaqc(["check", named, "-o", out + ".json", "--html", out + ".html",
                     "--junit", out + ".xml", "--edl", out + ".edl", "--quiet"])
        self.assertEqual(p.returncode, 1, p.stderr)
        report = json.loads(read(out + ".json").decode("utf-8"))   # strict UTF-8, then JSON
        common.validate(report, "report", "report of a hostile name")
        self.assertEqual(bytes.fromhex(report["input"]["path_bytes"]), named)
        self.assertEqual(report["input"]["path"], named.decode("utf-8", "replace"))
        self.assertIn("\ufffd", report["run"]["argv"][1])
        page = read(out + ".html").decode("utf-8")
        self.assertNotIn("\x1b", page)
        self.assertNotIn("\x07", page)
        self.assertIn("]0;pwned[31mred&#10;mediaqc: forged line", page)   # shown escaped
        start = page.index('id="mqc-report">') + len('id="mqc-report">')
        embedded = json.loads(page[start:page.index("</script>", start)])
        self.assertEqual(embedded["input"]["path_bytes"], report["input"]["path_bytes"])
        ET.fromstring(read(out + ".xml"))      # well-formed XML, so UTF-8 too
        self.assert_clean_text(read(out + ".edl").replace(b"\r\n", b"\n"), "EDL")

    def test_event_summary_and_report_of_a_key_that_is_no_utf8(self):
        root = os.path.join(self.dir, "root")
        os.makedirs(os.path.join(root, "bkt"), exist_ok=True)
        key = b"k\xff\xfe.mp4"
        shutil.copyfile(CLIP, os.path.join(root.encode(), b"bkt", key))
        doc = event_doc("bkt", "k%FF%FE.mp4")
        p = mediaqc(["event", "-", "--root", root], stdin=doc)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assert_clean_text(p.stdout, "event summary")
        path = os.path.join(root.encode(), b"bkt", b"qc-reports", key + b".json")
        report = json.loads(read(path).decode("utf-8"))
        common.validate(report, "report", "report of a key that is no UTF-8")
        self.assertEqual(bytes.fromhex(report["input"]["path_bytes"]),
                         os.path.join(root.encode(), b"bkt", key))
        self.assertEqual(report["run"]["trigger"]["key"], key.decode("utf-8", "replace"))

    def test_csv_cells_that_would_be_formulas(self):
        for lead in ("=", "+", "-", "@", "\t"):
            with self.subTest(lead=lead):
                name = lead + "SUM(1+1)*cmd|' -C calc'!A0.mov"
                with open(os.path.join(self.dir, name), "wb") as f:
                    f.write(b"not media")
                out = os.path.join(self.dir, "m.csv")
                p = mediaqc(["check", "--markers", out, "--quiet", "--", name], cwd=self.dir)
                self.assertEqual(p.returncode, 3, p.stderr)
                rows = list(csv.reader(io.StringIO(read(out).decode("utf-8"), newline="")))
                messages = [r[8] for r in rows[1:]]
                self.assertTrue(messages and all(m.startswith("'" + lead) for m in messages),
                                messages)
                for r in rows:
                    for cell in r:
                        self.assertFalse(cell[:1] in ("=", "+", "-", "@", "\t", "\r"), r)


if __name__ == "__main__":
    unittest.main()
