"""The reports people and tools open: HTML (in a real headless Chromium), CMX3600
EDL, CSV markers, JUnit XML and the stdout summary, on real encoded media.

The browser part needs Debian's chromium and playwright-core
(scripts/setup-browser.sh). As root (CI) the test installs them itself; elsewhere
it skips the browser tests with a loud message. Screenshots are kept in
$MQC_ARTIFACTS (default: <build>/tests/artifacts or a temp dir)."""
import csv
import io
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zlib

from common import (MEDIAQC, SANITIZER_MARKS, SOURCE, check, clip_path, load_report, manifest,
                    parse_report, read_jsonl)

BROWSER_DIR = os.environ.get("MQC_BROWSER_DIR",
                             os.path.join(os.path.expanduser("~"), ".cache", "mediaqc", "browser"))
CHROMIUM = os.environ.get("MQC_CHROMIUM", "/usr/bin/chromium")
INSPECT = os.path.join(SOURCE, "tests", "e2e", "browser", "inspect.js")
DEFECT_CLIP = "prores_10bit_422.mov"
# "/" cannot be in a file name: this is the file "script>.mov" in the directory
# "<script>alert(1)<", so the path reads <script>alert(1)</script>.mov
HOSTILE_NAME = "<script>alert(1)</script>.mov"
HOSTILE_TITLE = "</script><img src=x onerror=alert(1)>\u2028<b>bold</b>"
THUMB_WIDTH = 320
THUMB_LIMIT = 200


def artifacts_dir():
    d = os.environ.get("MQC_ARTIFACTS") or os.path.join(
        os.path.dirname(os.path.abspath(MEDIAQC)), "tests", "artifacts")
    try:
        os.makedirs(d, exist_ok=True)
    except OSError:
        d = tempfile.mkdtemp(prefix="mqc-artifacts-")
    return d


def mediaqc(args, expect=None):
    proc = subprocess.run([MEDIAQC] + list(args), capture_output=True, text=True, timeout=300)
    for mark in SANITIZER_MARKS:
        if mark in proc.stderr:
            raise AssertionError("sanitizer report from %s:\n%s" % (args, proc.stderr))
    if proc.returncode < 0:
        raise AssertionError("mediaqc died by signal %d" % -proc.returncode)
    if expect is not None and proc.returncode != expect:
        raise AssertionError("exit %d (expected %d) for %s:\n%s%s" % (
            proc.returncode, expect, args, proc.stdout, proc.stderr))
    return proc


def all_outputs(workdir, stem="r"):
    paths = {k: os.path.join(workdir, stem + ext) for k, ext in
             (("json", ".json"), ("html", ".html"), ("edl", ".edl"), ("csv", ".csv"),
              ("junit", ".xml"))}
    args = ["-o", paths["json"], "--html", paths["html"], "--edl", paths["edl"],
            "--markers", paths["csv"], "--junit", paths["junit"]]
    return paths, args


def read(path):
    with open(path, newline="") as f:    # keep CRLF: EDL and CSV lines end in it
        return f.read()


def json_events(report):
    """(check, event) in the order the markers list them: by first frame, then check order."""
    out = []
    for ci, c in enumerate(report["checks"]):
        for ei, e in enumerate(c["events"]):
            out.append((e["start_frame"], ci, ei, c["id"], e))
    out.sort(key=lambda t: t[:3])
    return [(t[3], t[4]) for t in out]


# ---- PNG, decoded by hand (an independent reader of what libpng wrote) ----

def png_decode(data):
    """-> (width, height, color_type, rows of bytes per pixel channel)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, idat, ihdr, chunks = 8, b"", None, []
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, "bad CRC in %r" % kind
        chunks.append(kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", chunks
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0
    bpp = {2: 3, 3: 1, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * bpp
    assert len(raw) == h * (stride + 1), "IDAT holds %d bytes, expected %d" % (
        len(raw), h * (stride + 1))
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, ctype, rows


def data_uri_png(src):
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix), src[:40]
    import base64
    return base64.b64decode(src[len(prefix):], validate=True)


# ---- the browser ----

def browser_ready():
    return (os.path.exists(CHROMIUM) and shutil.which("node") and shutil.which("xmllint") and
            os.path.exists(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")))


def ensure_browser():
    """True when the browser can run; installs it as root (CI), else skips loudly."""
    if browser_ready():
        return True
    if os.geteuid() == 0:
        subprocess.run(["sh", os.path.join(SOURCE, "scripts", "setup-browser.sh")], check=True,
                       timeout=900, env=dict(os.environ, MQC_BROWSER_DIR=BROWSER_DIR))
        return browser_ready()
    sys.stderr.write("\n" + "!" * 78 + "\n!! SKIPPING the HTML browser tests: chromium, "
                     "xmllint or playwright-core is missing.\n!! Run scripts/setup-browser.sh "
                     "(as root) to install them.\n" + "!" * 78 + "\n")
    return False


def inspect(html, screenshot=None):
    proc = subprocess.run(["node", INSPECT, html] + ([screenshot] if screenshot else []),
                          capture_output=True, text=True, timeout=180,
                          env=dict(os.environ, MQC_BROWSER_DIR=BROWSER_DIR, MQC_CHROMIUM=CHROMIUM))
    if proc.returncode:
        raise AssertionError("browser inspection failed:\n" + proc.stderr)
    return json.loads(proc.stdout)


def tiny_clip(path, seconds, extra_vf="", rate="25"):
    """64x36 FFV1 with 01:00:00:00: a picture that changes every frame, luma
    252 on frames 10..19 (whole picture), black (16) on frames 30..49."""
    lum = ("if(between(N\\,10\\,19)\\,252\\,if(between(N\\,30\\,49)\\,16\\,"
           "80+40*sin(N/7)+X/2+mod(X+N\\,16)))")
    vf = "geq=lum='%s':cb=128:cr=128,format=yuv420p%s" % (lum, extra_vf)
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    "color=c=gray:s=64x36:r=%s:d=%s" % (rate, seconds), "-vf", vf, "-c:v", "ffv1",
                    "-timecode", "01:00:00:00", path], check=True, timeout=300)


class DefectClipReports(unittest.TestCase):
    """All five outputs of one run on the ProRes master with planted defects."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-reports-")
        cls.clip = clip_path(DEFECT_CLIP)
        cls.paths, args = all_outputs(cls.tmp)
        cls.proc = mediaqc(["check", cls.clip, "--threads", "2", "--quiet"] + args, expect=1)
        cls.report = load_report(cls.paths["json"])
        cls.manifest = next(c for c in manifest()["clips"] if c["file"] == DEFECT_CLIP)

    # -- stdout summary --

    def test_summary_has_verdict_failing_checks_and_every_path(self):
        out = self.proc.stdout
        self.assertRegex(out.splitlines()[0], r"^%s: FAIL \(profile default, 75 frames" %
                         re.escape(self.clip))
        for c in self.report["checks"]:
            if c["events"]:
                first = c["events"][0]
                self.assertRegex(out, r"\n  %s +%s +%d events?, first at %s \(frame %d\)" % (
                    c["severity"], c["id"], len(c["events"]), re.escape(first["start_tc"]),
                    first["start_frame"]))
        for label, key in (("report", "json"), ("html", "html"), ("edl", "edl"),
                           ("markers", "csv"), ("junit", "junit")):
            self.assertIn("\n  %s: %s\n" % (label, self.paths[key]), out)

    # -- EDL --

    def test_edl_is_cmx3600_with_one_locator_per_event_at_json_timecodes(self):
        lines = read(self.paths["edl"]).split("\r\n")
        self.assertEqual(lines[0], "TITLE: %s QC" % DEFECT_CLIP)
        self.assertEqual(lines[1], "FCM: NON-DROP FRAME")   # 24000/1001 never drops
        tc = r"(\d\d:\d\d:\d\d[:;]\d\d)"
        event_re = re.compile(r"^(\d{3})  AX       V     C        %s %s %s %s$" % (tc, tc, tc, tc))
        events = [event_re.match(line) for line in lines if re.match(r"^\d{3} ", line)]
        self.assertTrue(all(events), lines)
        expected = json_events(self.report)
        self.assertEqual(len(events), len(expected))
        locs = [line for line in lines if line.startswith("* LOC: ")]
        resolve = [line for line in lines if line.startswith(" |C:")]
        for i, (m, (cid, e), loc, res) in enumerate(zip(events, expected, locs, resolve)):
            self.assertEqual(int(m.group(1)), i + 1)
            self.assertEqual(m.group(2), e["start_tc"])            # source in
            self.assertEqual(m.group(4), e["start_tc"])            # record in
            self.assertEqual(m.group(3), m.group(5))               # one-frame marker
            colour = {"error": "RED", "warning": "YELLOW", "info": "BLUE"}[
                check(self.report, cid)["severity"]]
            self.assertEqual(loc, "* LOC: %s %-7s %s %s: %s" % (
                e["start_tc"], colour, cid, e["code"], e["message"]))
            self.assertRegex(res, r"^ \|C:ResolveColor\w+ \|M:%s %s \|D:%d$" % (
                cid, e["code"], e["end_frame"] - e["start_frame"] + 1))

    def test_edl_out_points_are_one_frame_later(self):
        report = self.report
        fps = 24  # the nominal rate of 24000/1001 timecode
        for line in read(self.paths["edl"]).split("\r\n"):
            if re.match(r"^\d{3} ", line):
                a, b = line.split()[4:6]
                fa = [int(x) for x in re.split("[:;]", a)]
                fb = [int(x) for x in re.split("[:;]", b)]
                frames = lambda t: ((t[0] * 60 + t[1]) * 60 + t[2]) * fps + t[3]
                self.assertEqual(frames(fb) - frames(fa), 1, line)
        self.assertEqual(report["video"]["frame_rate"], "24000/1001")

    # -- CSV --

    def test_csv_markers_parse_and_match_json(self):
        text = read(self.paths["csv"])
        self.assertTrue(text.endswith("\r\n"))
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        expected = json_events(self.report)
        self.assertEqual(len(rows), len(expected))
        for row, (cid, e) in zip(rows, expected):
            self.assertEqual(row["timecode"], e["start_tc"])
            self.assertEqual(int(row["frame"]), e["start_frame"])
            self.assertEqual(row["end_timecode"], e["end_tc"])
            self.assertEqual(int(row["end_frame"]), e["end_frame"])
            self.assertEqual((row["check"], row["code"], row["message"]),
                             (cid, e["code"], e["message"]))
            self.assertEqual(row["severity"], e["severity"])
            self.assertAlmostEqual(float(row["value"]), e["value"], places=3)

    # -- JUnit --

    def test_junit_one_testcase_per_check_failures_list_error_events(self):
        root = ET.parse(self.paths["junit"]).getroot()
        self.assertEqual(root.tag, "testsuites")
        suite = root.find("testsuite")
        cases = suite.findall("testcase")
        self.assertEqual([c.get("name") for c in cases],
                         [c["id"] for c in self.report["checks"]])
        failing = [c["id"] for c in self.report["checks"]
                   if c["events"] and c["severity"] == "error"]
        self.assertEqual(int(suite.get("failures")), len(failing))
        self.assertEqual(int(suite.get("tests")), len(cases))
        for case in cases:
            jc = check(self.report, case.get("name"))
            failures = case.findall("failure")
            if jc["id"] in failing:
                self.assertEqual(len(failures), 1)
                msg = failures[0].get("message")
                self.assertTrue(msg.startswith("%d error event" % len(jc["events"])), msg)
                for e in jc["events"]:
                    self.assertIn("%s %s-%s" % (e["code"], e["start_tc"], e["end_tc"]), msg)
            else:
                self.assertEqual(failures, [])
        black = next(c for c in cases if c.get("name") == "black")
        self.assertIn("black_frames 01:00:02:02-01:00:02:16", black.find("system-out").text)

    def test_junit_validates_against_the_common_schema(self):
        validate_junit(self, self.paths["junit"])

    # -- HTML --

    def test_html_has_no_external_references(self):
        html = read(self.paths["html"])
        self.assertNotRegex(html, r"""(src|href)\s*=\s*["']?(https?:|//)""")
        self.assertNotIn("@import", html)
        self.assertNotRegex(html, r"url\(\s*['\"]?(https?:|//)")
        self.assertIn("default-src 'none'", html)

    def test_embedded_json_is_the_report(self):
        html = read(self.paths["html"])
        m = re.search(r'<script type="application/json" id="mqc-report">(.*?)</script>', html,
                      re.S)
        embedded = parse_report(m.group(1), "the report embedded in the HTML")
        mine = dict(self.report)
        for r in (embedded, mine):
            r.pop("run")
            r["summary"].pop("elapsed_s")
            r["summary"].pop("fps")
        self.assertEqual(embedded, mine)

    def test_thumbnails_are_pngs_of_the_right_frame_and_size(self):
        html = read(self.paths["html"])
        thumbs = re.findall(r'<img class="thumb" width="(\d+)" height="(\d+)" alt="frame (\d+)" '
                            r'data-frame="\d+" src="([^"]+)"', html)
        self.assertTrue(thumbs)
        frames = {int(f) for _, _, f, _ in thumbs}
        for _, e in json_events(self.report):
            self.assertIn(e["start_frame"], frames)
        width, height = self.report["video"]["width"], self.report["video"]["height"]
        for w, h, frame, src in thumbs:
            pw, ph, ctype, rows = png_decode(data_uri_png(src))
            self.assertEqual((pw, ph), (THUMB_WIDTH, THUMB_WIDTH * height // width))
            self.assertEqual((int(w), int(h)), (pw, ph))
            self.assertEqual(ctype, 2)   # RGB

        # frame 10 looks like ffmpeg's own picture of frame 10, not like frame 9
        src10 = next(src for _, _, f, src in thumbs if int(f) == 10)
        _, _, _, rows = png_decode(data_uri_png(src10))
        mine = b"".join(rows)

        def ffmpeg_rgb(n):
            return subprocess.run(
                ["ffmpeg", "-v", "error", "-nostdin", "-i", self.clip, "-vf",
                 "select=eq(n\\,%d),scale=%d:%d:flags=area:in_color_matrix=bt709:in_range=tv"
                 ":out_range=pc" % (n, pw, ph), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt",
                 "rgb24", "-"], capture_output=True, check=True, timeout=60).stdout

        def mad(a, b):
            return sum(abs(x - y) for x, y in zip(a, b)) / len(a)
        d10, d9 = mad(mine, ffmpeg_rgb(10)), mad(mine, ffmpeg_rgb(9))
        self.assertLess(d10, 3.0, "thumbnail differs from ffmpeg's frame 10 by %.2f" % d10)
        self.assertGreater(d9, d10 + 2, "thumbnail cannot be told from frame 9")

    def test_overlay_marks_exactly_the_planted_rectangle(self):
        html = read(self.paths["html"])
        m = re.search(r'alt="frame 10" data-frame="10" src="[^"]+"><img class="overlay" alt="" '
                      r'width="\d+" height="\d+" src="([^"]+)"', html)
        self.assertIsNotNone(m, "no overlay on the thumbnail of frame 10")
        w, h, ctype, rows = png_decode(data_uri_png(m.group(1)))
        self.assertEqual(ctype, 3)   # palette with transparency
        above = [(x, y) for y, row in enumerate(rows) for x, v in enumerate(row) if v == 1]
        below = [(x, y) for y, row in enumerate(rows) for x, v in enumerate(row) if v == 2]
        d = next(d for d in self.manifest["defects"] if d["code"] == "luma_above_max")
        scale = self.report["video"]["width"] / w
        r = {k: d["rect"][k] / scale for k in ("x", "y", "w", "h")}
        xs, ys = [p[0] for p in above], [p[1] for p in above]
        # the rectangle, give or take one thumbnail pixel of codec ringing
        self.assertGreaterEqual(min(xs), r["x"] - 1)
        self.assertLessEqual(max(xs), r["x"] + r["w"])
        self.assertGreaterEqual(min(ys), r["y"] - 1)
        self.assertLessEqual(max(ys), r["y"] + r["h"])
        self.assertGreaterEqual(len(above), 0.95 * r["w"] * r["h"])
        self.assertEqual(below, [])


class HtmlInBrowser(unittest.TestCase):
    """The defect clip's HTML report as Chromium shows it."""

    @classmethod
    def setUpClass(cls):
        if not ensure_browser():
            raise unittest.SkipTest("chromium/playwright-core not installed "
                                    "(scripts/setup-browser.sh)")
        cls.tmp = tempfile.mkdtemp(prefix="mqc-reports-")
        cls.paths, args = all_outputs(cls.tmp)
        mediaqc(["check", clip_path(DEFECT_CLIP), "--quiet"] + args, expect=1)
        cls.report = load_report(cls.paths["json"])
        cls.shot = os.path.join(artifacts_dir(), "report-prores_10bit_422.png")
        cls.page = inspect(cls.paths["html"], cls.shot)

    def test_page_is_quiet_and_offline(self):
        self.assertEqual(self.page["console"], [])
        self.assertEqual(self.page["pageErrors"], [])
        self.assertEqual(self.page["requests"], [])
        self.assertEqual(self.page["dialogs"], [])

    def test_verdict_counts_and_event_rows(self):
        self.assertEqual(self.page["verdict"], "FAIL")
        self.assertEqual(self.page["errorsCount"], str(self.report["summary"]["errors"]))
        expected = json_events(self.report)
        rows = self.page["rows"]
        self.assertEqual(len(rows), len(expected))
        for row, (cid, e) in zip(rows, expected):
            self.assertEqual((row["check"], row["code"], row["sev"]),
                             (cid, e["code"], e["severity"]))
            self.assertEqual((row["startTc"], row["endTc"]), (e["start_tc"], e["end_tc"]))
            self.assertEqual((row["startFrame"], row["endFrame"]),
                             (e["start_frame"], e["end_frame"]))
        # the planted defects are there, at their frames
        seen = {(r["check"], r["code"], r["startFrame"], r["endFrame"]) for r in rows}
        for d in next(c for c in manifest()["clips"] if c["file"] == DEFECT_CLIP)["defects"]:
            if d["check"] in ("legal_range", "black"):
                self.assertIn((d["check"], d["code"], d["start_frame"], d["end_frame"]), seen)
        self.assertEqual(self.page["timelineSpans"], len(expected))
        self.assertGreaterEqual(self.page["curves"], 4)
        self.assertEqual([c["check"] for c in self.page["checkRows"]],
                         [c["id"] for c in self.report["checks"]])

    def test_filtering_by_severity_and_check(self):
        f = self.page["filter"]
        sev = [r["sev"] for r in self.page["rows"]]
        self.assertEqual(f["withoutErrors"], sev.count("warning") + sev.count("info"))
        self.assertEqual(f["shownText"], str(f["withoutErrors"]))
        self.assertEqual(f["withoutWarnings"], sev.count("error") + sev.count("info"))
        self.assertEqual(f["allAgain"], len(sev))
        for cid, shown in f["byCheck"].items():
            self.assertEqual(shown, [cid] * len(check(self.report, cid)["events"]))

    def test_sorting(self):
        self.assertEqual(self.page["sortAsc"], sorted(self.page["sortAsc"]))
        self.assertEqual(self.page["sortDesc"], sorted(self.page["sortAsc"], reverse=True))
        order = {"error": 0, "warning": 1, "info": 2}
        self.assertEqual(self.page["sortSeverity"],
                         sorted(self.page["sortSeverity"], key=order.get))

    def test_thumbnails_decoded_by_the_browser(self):
        thumbs = self.page["thumbs"]
        self.assertGreaterEqual(len(thumbs), len(self.page["rows"]))
        for t in thumbs:
            self.assertTrue(t["complete"])
            self.assertEqual((t["naturalWidth"], t["naturalHeight"]), (320, 180))
        self.assertTrue(self.page["overlays"])

    def test_screenshot_saved(self):
        with open(self.shot, "rb") as f:
            w, h = struct.unpack(">II", f.read(24)[16:24])
        self.assertEqual(w, 1400)
        self.assertGreater(h, 900)


class HostileInput(unittest.TestCase):
    """A file named <script>alert(1)</script>.mov with a hostile title tag."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-hostile-")
        cls.clip = os.path.join(cls.tmp, "in'\"&<img src=x onerror=alert(2)>", HOSTILE_NAME)
        cls.base = os.path.basename(cls.clip)
        os.makedirs(os.path.dirname(cls.clip))
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", clip_path(DEFECT_CLIP),
                        "-map", "0:v", "-c", "copy", "-metadata", "title=" + HOSTILE_TITLE,
                        "-metadata", "comment=]]><!--", "-timecode", "01:00:00:00", cls.clip],
                       check=True, timeout=60)
        cls.paths, args = all_outputs(cls.tmp)
        cls.proc = mediaqc(["check", cls.clip, "--quiet"] + args, expect=1)

    def test_html_escapes_everything(self):
        html = read(self.paths["html"])
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<img src=x", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;.mov", html)
        self.assertIn("&lt;img src=x onerror=alert(2)&gt;", html)
        # the only script elements are the template's two
        self.assertEqual(len(re.findall(r"<script\b", html, re.I)), 2)
        self.assertEqual(len(re.findall(r"</script", html, re.I)), 2)

    def test_browser_runs_nothing_injected(self):
        if not ensure_browser():
            self.skipTest("chromium/playwright-core not installed")
        page = inspect(self.paths["html"], os.path.join(artifacts_dir(), "report-hostile.png"))
        self.assertEqual(page["dialogs"], [])
        self.assertEqual(page["pageErrors"], [])
        self.assertEqual(page["requests"], [])
        self.assertEqual(page["injected"], {"imgX": 0, "withHandlers": 0, "scripts": 2,
                                            "pwned": False})
        self.assertEqual(page["fileName"], self.base)
        self.assertEqual(page["filePath"], self.clip)
        self.assertEqual(page["embeddedReport"]["input"]["path"], self.clip)
        self.assertIn(self.base, page["title"])

    def test_xml_edl_csv_stay_well_formed(self):
        root = ET.parse(self.paths["junit"]).getroot()
        suite = root.find("testsuite")
        self.assertEqual(suite.get("name"), self.clip)
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        self.assertEqual(props["input"], self.clip)
        validate_junit(self, self.paths["junit"])
        edl = read(self.paths["edl"]).split("\r\n")
        self.assertEqual(edl[0], "TITLE: %s QC" % self.base)
        for line in edl:
            self.assertNotIn("\n", line)
            self.assertTrue(line == "" or re.match(r"^(TITLE: |FCM: |\d{3}  |\* LOC: | \|C:)",
                                                   line), line)
        rows = list(csv.reader(io.StringIO(read(self.paths["csv"]), newline="")))
        self.assertTrue(all(len(r) == 9 for r in rows))

    def test_summary_is_plain_text(self):
        self.assertIn(self.clip, self.proc.stdout)
        self.assertNotRegex(self.proc.stdout, r"[\x00-\x09\x0b-\x1f\x7f]")


class ControlCharactersInName(unittest.TestCase):
    def test_newlines_and_escapes_in_the_file_name(self):
        tmp = tempfile.mkdtemp(prefix="mqc-ctl-")
        name = os.path.join(tmp, "a\nb\r\x1b[31mred,\"q\".mov")
        shutil.copy(clip_path(DEFECT_CLIP), name)
        paths, args = all_outputs(tmp)
        proc = mediaqc(["check", name, "--quiet"] + args, expect=1)
        self.assertNotIn("\x1b", proc.stdout)
        self.assertEqual(len(proc.stdout.splitlines()[0].split(": FAIL")), 2)
        edl = read(paths["edl"]).split("\r\n")
        self.assertEqual(edl[0], "TITLE: a b  [31mred,\"q\".mov QC")
        root = ET.parse(paths["junit"]).getroot()   # control characters are not XML
        self.assertEqual(root.find("testsuite").get("name"),
                         name.replace("\r", "").replace("\x1b", ""))   # newline kept as &#10;


class DropFrameMarkers(unittest.TestCase):
    """29.97 drop-frame timecode (00:59:59;00 in the FFV1 clip)."""

    def test_edl_declares_drop_frame_and_uses_json_timecodes(self):
        tmp = tempfile.mkdtemp(prefix="mqc-df-")
        paths, args = all_outputs(tmp)
        mediaqc(["check", clip_path("ffv1_10bit_444.mkv"), "--quiet"] + args, expect=1)
        report = load_report(paths["json"])
        self.assertTrue(report["video"]["drop_frame"])
        lines = read(paths["edl"]).split("\r\n")
        self.assertEqual(lines[1], "FCM: DROP FRAME")
        starts = [line.split()[4] for line in lines if re.match(r"^\d{3} ", line)]
        self.assertEqual(starts, [e["start_tc"] for _, e in json_events(report)])
        self.assertTrue(all(re.match(r"^\d\d:\d\d:\d\d;\d\d$", s) for s in starts), starts)
        rows = list(csv.DictReader(io.StringIO(read(paths["csv"]), newline="")))
        self.assertEqual([r["timecode"] for r in rows], starts)


class LongClips(unittest.TestCase):
    """Curves are bucketed: the HTML does not grow with the number of frames."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-long-")
        cls.sizes, cls.reports, cls.frames = {}, {}, {}
        for seconds in (3, 120, 480):
            clip = os.path.join(cls.tmp, "tiny_%ds.mkv" % seconds)
            tiny_clip(clip, seconds)
            html = os.path.join(cls.tmp, "tiny_%ds.html" % seconds)
            js = os.path.join(cls.tmp, "tiny_%ds.json" % seconds)
            fr = os.path.join(cls.tmp, "tiny_%ds.jsonl" % seconds)
            mediaqc(["check", clip, "--quiet", "--html", html, "-o", js, "--frames", fr],
                    expect=1)
            cls.sizes[seconds] = os.path.getsize(html)
            cls.reports[seconds] = (read(html), load_report(js))
            cls.frames[seconds] = read_jsonl(fr)

    def test_same_events_in_every_length(self):
        def events(r):
            return [(c["id"], e["code"], e["start_frame"], e["end_frame"])
                    for c in r["checks"] for e in c["events"]]
        base = events(self.reports[3][1])
        self.assertIn(("legal_range", "luma_above_max", 10, 19), base)
        self.assertIn(("black", "black_frames", 30, 49), base)
        for s in (120, 480):
            self.assertEqual(events(self.reports[s][1]), base)

    def test_html_size_is_bounded(self):
        # 3000 and 12000 frames fill the same 750 buckets: same size within a few %
        self.assertLess(abs(self.sizes[480] - self.sizes[120]), 0.05 * self.sizes[120],
                        self.sizes)
        # and the curve data of a long file adds a bounded amount to a short one's page
        self.assertLess(self.sizes[480], 3 * self.sizes[3], self.sizes)
        self.assertLess(self.sizes[480] - self.sizes[3], 96 * 1024, self.sizes)

    def test_curve_buckets_agree_with_the_frame_records(self):
        for seconds in (3, 480):
            html, report = self.reports[seconds]
            frames = self.frames[seconds]
            n = len(frames)
            width = 1
            while (n - 1) // width >= 1000:
                width *= 2
            note = re.search(r"Curves: (\d+) frames in (\d+) points of (\d+) frame", html)
            self.assertEqual([int(x) for x in note.groups()], [n, -(-n // width), width])
            path = re.search(r'<path class="curve c-y_max" [^>]* d="([^"]+)"', html).group(1)
            values, y = [], None
            for cmd, val in re.findall(r"([MVh])([-\d.e+]+(?: [-\d.e+]+)?)", path):
                if cmd == "M":
                    y = float(val.split()[1])
                elif cmd == "V":
                    y = float(val)
                else:   # a run of buckets at y (the last one may be partial)
                    values += [y] * math.ceil(float(val) - 1e-9)
            self.assertEqual(len(values), -(-n // width))
            for i, y in enumerate(values):
                expect = max(f["y_max"] for f in frames[i * width:(i + 1) * width])
                self.assertEqual(y, expect, "bucket %d" % i)


class ThumbnailCap(unittest.TestCase):
    def test_at_most_200_thumbnails_and_the_report_says_so(self):
        tmp = tempfile.mkdtemp(prefix="mqc-cap-")
        clip = os.path.join(tmp, "flicker.mkv")
        # every other frame hot: 250 one-frame events per range check
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
                        "color=c=gray:s=64x36:r=25:d=20", "-vf",
                        "geq=lum='if(mod(N\\,2)\\,252\\,100)':cb=128:cr=128,format=yuv420p",
                        "-c:v", "ffv1", clip], check=True, timeout=120)
        html_path = os.path.join(tmp, "r.html")
        mediaqc(["check", clip, "--quiet", "--html", html_path], expect=1)
        html = read(html_path)
        self.assertEqual(len(set(re.findall(r'data-frame="(\d+)"', html))), THUMB_LIMIT)
        m = re.search(r"Pictures: (\d+) thumbnails, at most (\d+) per report; <b>(\d+) event "
                      r"pictures not taken", html)
        self.assertIsNotNone(m)
        self.assertEqual(int(m.group(1)), THUMB_LIMIT)
        # 250 hot frames, each an event of every range check that flags it
        missing = html.count("no picture (limit of 200 reached)")
        self.assertEqual(int(m.group(3)), missing)
        self.assertEqual(missing % (250 - THUMB_LIMIT), 0)
        self.assertGreater(missing, 0)


class Determinism(unittest.TestCase):
    def test_outputs_identical_for_1_and_2_threads(self):
        outs = []
        for threads in ("1", "2"):
            tmp = tempfile.mkdtemp(prefix="mqc-det-")
            paths, args = all_outputs(tmp)
            mediaqc(["check", clip_path(DEFECT_CLIP), "--quiet", "--threads", threads] + args,
                    expect=1)
            html = read(paths["html"])
            html = re.sub(r"<footer>.*</footer>", "", html, flags=re.S)
            html = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
            junit = re.sub(r' (time|timestamp)="[^"]*"', "", read(paths["junit"]))
            outs.append((html, read(paths["edl"]), read(paths["csv"]), junit))
        for a, b, what in zip(outs[0], outs[1], ("html", "edl", "csv", "junit")):
            self.assertEqual(a, b, what)


class BadInput(unittest.TestCase):
    def test_unreadable_input_still_gets_reports(self):
        tmp = tempfile.mkdtemp(prefix="mqc-bad-")
        paths, args = all_outputs(tmp)
        notmedia = os.path.join(tmp, "not_media.mov")   # audio-only input is analysed now
        with open(notmedia, "wb") as f:
            f.write(b"this is not a media file\n" * 64)
        proc = mediaqc(["check", notmedia, "--quiet"] + args, expect=3)
        self.assertIn("ERROR", proc.stdout.splitlines()[0])
        html = read(paths["html"])
        self.assertIn('id="verdict">ERROR<', html)
        self.assertIn("No pictures were analysed", html)
        root = ET.parse(paths["junit"]).getroot()
        errors = root.findall(".//error")
        self.assertEqual(len(errors), 1)
        self.assertIn("not_media.mov", errors[0].get("message"))
        validate_junit(self, paths["junit"])
        self.assertEqual(read(paths["edl"]).count("AX"), 0)

    def test_unwritable_output_is_a_usage_error_and_not_claimed(self):
        tmp = tempfile.mkdtemp(prefix="mqc-bad-")
        bad = os.path.join(tmp, "missing-dir", "r.html")
        edl = os.path.join(tmp, "m.edl")
        proc = mediaqc(["check", clip_path(DEFECT_CLIP), "--quiet", "--html", bad, "--edl", edl],
                       expect=2)
        self.assertIn(bad, proc.stderr)
        self.assertIn("cannot write HTML report", proc.stderr)
        self.assertNotIn("html: ", proc.stdout)
        self.assertIn("edl: " + edl, proc.stdout)
        self.assertTrue(os.path.exists(edl))

    def test_two_outputs_on_stdout_are_refused(self):
        proc = mediaqc(["check", clip_path(DEFECT_CLIP), "-o", "-", "--junit", "-"], expect=2)
        self.assertIn("only one output", proc.stderr)

    def test_junit_on_stdout(self):
        proc = mediaqc(["check", clip_path(DEFECT_CLIP), "--quiet", "--junit", "-"], expect=1)
        root = ET.fromstring(proc.stdout)
        self.assertEqual(root.tag, "testsuites")


# The common JUnit XML schema (the one Jenkins and most CI servers read):
# testsuites > testsuite > properties?, testcase*, system-out?, system-err?;
# testcase > skipped?, error*, failure*, system-out*, system-err*.
JUNIT_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:simpleType name="SUREFIRE_TIME">
    <xs:restriction base="xs:string"><xs:pattern value="(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\\.[0-9]{0,3})?"/></xs:restriction>
  </xs:simpleType>
  <xs:complexType name="result" mixed="true">
    <xs:attribute name="message" type="xs:string"/>
    <xs:attribute name="type" type="xs:string"/>
  </xs:complexType>
  <xs:element name="property">
    <xs:complexType>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="value" type="xs:string" use="required"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="properties">
    <xs:complexType><xs:sequence><xs:element ref="property" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="skipped">
    <xs:complexType mixed="true"><xs:attribute name="message" type="xs:string"/></xs:complexType>
  </xs:element>
  <xs:element name="error" type="result"/>
  <xs:element name="failure" type="result"/>
  <xs:element name="system-out" type="xs:string"/>
  <xs:element name="system-err" type="xs:string"/>
  <xs:element name="testcase">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="skipped" minOccurs="0"/>
        <xs:element ref="error" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element ref="failure" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element ref="system-out" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element ref="system-err" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="classname" type="xs:string"/>
      <xs:attribute name="assertions" type="xs:string"/>
      <xs:attribute name="time" type="SUREFIRE_TIME"/>
      <xs:attribute name="status" type="xs:string"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="properties" minOccurs="0"/>
        <xs:element ref="testcase" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element ref="system-out" minOccurs="0"/>
        <xs:element ref="system-err" minOccurs="0"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger"/>
      <xs:attribute name="skipped" type="xs:nonNegativeInteger"/>
      <xs:attribute name="disabled" type="xs:nonNegativeInteger"/>
      <xs:attribute name="time" type="SUREFIRE_TIME"/>
      <xs:attribute name="timestamp" type="xs:dateTime"/>
      <xs:attribute name="hostname" type="xs:string"/>
      <xs:attribute name="id" type="xs:string"/>
      <xs:attribute name="package" type="xs:string"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence><xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="time" type="SUREFIRE_TIME"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger"/>
      <xs:attribute name="disabled" type="xs:nonNegativeInteger"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


def validate_junit(test, path):
    xmllint = shutil.which("xmllint")
    if not xmllint and ensure_browser():   # the set-up script brings it
        xmllint = shutil.which("xmllint")
    if not xmllint:
        test.skipTest("xmllint (libxml2-utils) is not installed")
    with tempfile.NamedTemporaryFile("w", suffix=".xsd", delete=False) as f:
        f.write(JUNIT_XSD)
    try:
        proc = subprocess.run([xmllint, "--noout", "--schema", f.name, path],
                              capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    test.assertEqual(proc.returncode, 0, proc.stderr)


if __name__ == "__main__":
    unittest.main()
