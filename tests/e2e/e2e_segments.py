"""Segments and merge (issue 18, DESIGN.md §9): `check --segment I/N` on every
segment, then `merge` of the partials in any order, gives the single pass's
report (apart from run, summary.elapsed_s and summary.fps) — with segment
boundaries inside black, frozen and out-of-range runs and at missing frames,
for ProRes (intra: any frame is a boundary) and H.264 with B-frames (long
GOP: keyframes only), and with more segments than keyframes. Parts that do
not belong together are refused (exit 2) naming the part."""
import base64
import bisect
import contextlib
import http.server
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (MEDIAQC, SANITIZER_MARKS, TIMEOUT, clip_path, manifest,  # noqa: E402
                    parse_report)

# short runs are reported, so every planted run is an event
SETS = ["--set", "freeze.min_duration_s=0.2", "--set", "black.min_duration_s=0.2"]
# 97 frames at 24 fps: frame 40 held for 11 frames (freeze), 22..34 black,
# 5 frames dropped before frame 60 (missing frames), 01:00:00:00 timecode
PLANTED = ("loop=loop=10:size=1:start=40,setpts=N/(24*TB),"
           "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(n,22,34)',"
           "select='not(between(n,60,64))'")
# (a, b): a boundary in a+1..b cuts the run; missing frames: the cut at the gap
RUNS = {"black": (22, 34), "freeze": (40, 50), "missing": (59, 60)}


def seal(doc):
    """A partial's "checksum", as a segment writes it (docs/segments.md):
    the CRC-32 of its payload members, each followed by a newline."""
    doc["checksum"] = "crc32:%08x" % zlib.crc32("".join(
        (doc.get(k) or "") + "\n" for k in ("stream", "audio", "audio_records", "records")).encode())
    return doc


def run(args, ok=(0, 1)):
    p = subprocess.run([MEDIAQC] + args, capture_output=True, text=True, timeout=TIMEOUT)
    if p.returncode not in ok or any(m in p.stderr for m in SANITIZER_MARKS):
        raise AssertionError("mediaqc %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr))
    return p


def comparable(path):
    with open(path) as f:
        doc = parse_report(f.read(), path)
    doc.pop("run")
    doc["summary"].pop("elapsed_s")
    doc["summary"].pop("fps")
    return doc


def comparable_html(path):
    """The page without what differs between two runs of the same analysis:
    the footer's finish time, run time and command, and the embedded
    report's run fields (compared as comparable() compares them)."""
    with open(path) as f:
        html = f.read()
    m = re.search(r'(<script type="application/json" id="mqc-report">)(.*?)(</script>)', html,
                  re.S)
    doc = json.loads(m.group(2))
    doc.pop("run")
    doc["summary"].pop("elapsed_s")
    doc["summary"].pop("fps")
    page = html[:m.start(2)] + html[m.end(2):]
    page = re.sub(r" · finished [^<]*</p>", "</p>", page)
    page = re.sub(r"<p>command: <code>.*?</code></p>", "", page)
    return page, doc


def thumbnails(path=None, html=None):
    """Each event picture of the page: its frame and its PNG (and overlay)."""
    if html is None:
        with open(path) as f:
            html = f.read()
    return re.findall(r'<figure><img class="thumb".*?</figure>', html, re.S)


def assert_remote_merge_is_single(test, parts, single, merged):
    """The merge of a remote input's parts is the single pass's report of
    the local file, apart from the input's path."""
    run(["merge"] + parts + ["-o", merged])
    want, got = comparable(single), comparable(merged)
    want["input"].pop("path")
    got["input"].pop("path")
    test.assertEqual(got, want)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def keyframes(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=key_frame", "-of", "csv=p=0", path], capture_output=True,
                         text=True, check=True).stdout.split()
    return [i for i, k in enumerate(out) if k.strip().startswith("1")]


class RangeServer(http.server.ThreadingHTTPServer):
    """Plain HTTP with single byte ranges, counting what it sends per request."""
    daemon_threads = True

    def __init__(self, root):
        self.root, self.sent, self.lock = root, [], threading.Lock()
        super().__init__(("127.0.0.1", 0), RangeHandler)


class RangeHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.do_GET(body=False)

    def do_GET(self, body=True):
        path = os.path.join(self.server.root, os.path.basename(self.path))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        size = os.path.getsize(path)
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        start, end = (int(m.group(1)), int(m.group(2) or size - 1)) if m else (0, size - 1)
        end = min(end, size - 1)
        if start >= size:
            self.send_error(416)
            return
        self.send_response(206 if m else 200)
        if m:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("ETag", '"%d"' % size)
        self.end_headers()
        if body:
            with open(path, "rb") as f:
                f.seek(start)
                self.wfile.write(f.read(end - start + 1))
            with self.server.lock:
                self.server.sent.append((self.headers.get("Range"), end - start + 1))


def encode_prores_h264(src, prores, prores_args, h264, h264_args):
    """src (an ffmpeg command line up to the codecs) as ProRes (intra: any
    frame is a boundary) and as H.264 with B-frames in closed 12-frame GOPs."""
    subprocess.run(src + ["-c:v", "prores_ks"] + prores_args + [prores], check=True,
                   timeout=TIMEOUT)
    subprocess.run(src + ["-c:v", "libx264", "-bf", "2", "-pix_fmt", "yuv420p", "-x264-params",
                          "keyint=12:min-keyint=12:scenecut=0:open-gop=0"] + h264_args + [h264],
                   check=True, timeout=TIMEOUT)


@contextlib.contextmanager
def serving(root):
    """A RangeServer on a free port for the files in root: (server, URL of root)."""
    srv = RangeServer(root)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv, "http://127.0.0.1:%d/" % srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


def remote_segments(srv, url, n, outdir, extra):
    """Segments 0..n-1 of url: their partials, and per segment the (Range,
    bytes) of every GET the server answered."""
    parts, sent = [], []
    for i in range(n):
        part = os.path.join(outdir, "remote_%d.json" % i)
        with srv.lock:
            srv.sent.clear()
        run(["check", url, "--segment", "%d/%d" % (i, n), "-o", part, "--quiet"] + extra,
            ok=(0,))
        with srv.lock:
            sent.append(list(srv.sent))
        parts.append(part)
    return parts, sent


class Segments(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-seg-")
        src = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
               "testsrc2=size=320x180:rate=24:duration=3.8", "-vf", PLANTED,
               "-fps_mode", "passthrough", "-timecode", "01:00:00:00"]
        cls.prores = os.path.join(cls.dir, "planted_prores.mov")
        cls.h264 = os.path.join(cls.dir, "planted_h264_bframes.mp4")
        encode_prores_h264(src, cls.prores, ["-profile:v", "2", "-pix_fmt", "yuv422p10le"],
                           cls.h264, [])
        cls.rng = random.Random(18)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def segment_all(self, clip, n, tag):
        parts = []
        for i in range(n):
            part = os.path.join(self.dir, "%s_%d_of_%d.json" % (tag, i, n))
            run(["check", clip, "--segment", "%d/%d" % (i, n), "-o", part, "--quiet"] + SETS,
                ok=(0,))
            parts.append(part)
        return parts

    def assert_merge_equals_single(self, clip, counts, tag):
        single = os.path.join(self.dir, tag + "_single.json")
        single_edl = os.path.join(self.dir, tag + "_single.edl")
        run(["check", clip, "-o", single, "--edl", single_edl, "--quiet"] + SETS)
        want = comparable(single)
        with open(single_edl) as f:
            want_edl = f.read()
        boundaries = set()
        for n in counts:
            with self.subTest(clip=tag, segments=n):
                parts = self.segment_all(clip, n, tag)
                for p in parts:
                    with open(p) as f:
                        doc = json.load(f)
                    self.assertEqual(doc["schema"], "mediaqc.partial/1")
                    boundaries.add(doc["segment"]["first_frame"])
                self.rng.shuffle(parts)        # any order
                merged = os.path.join(self.dir, "%s_merged_%d.json" % (tag, n))
                merged_edl = merged + ".edl"
                p = run(["merge"] + parts + ["-o", merged, "--edl", merged_edl])
                self.assertEqual(p.returncode, 1 if want["verdict"] == "fail" else 0)
                self.assertEqual(comparable(merged), want)
                with open(merged_edl) as f:
                    self.assertEqual(f.read(), want_edl)
        return want, boundaries

    def assert_html_equals_single(self, clip, counts, tag):
        """merge --html gives the single pass's page: the same events with the
        same thumbnails (decoded again from the input), the same curves."""
        single = os.path.join(self.dir, tag + "_single.html")
        run(["check", clip, "--html", single, "--quiet"] + SETS)
        want = comparable_html(single)
        pictures = thumbnails(single)
        self.assertGreater(len(pictures), 5)
        frames = {int(f) for f in re.findall(r'data-frame="(\d+)"', "".join(pictures))}
        for n in counts:
            with self.subTest(clip=tag, segments=n):
                parts = self.segment_all(clip, n, tag + "_html")
                starts = []
                for part in parts:
                    with open(part) as f:
                        starts.append(json.load(f)["segment"]["first_frame"])
                # pictures from several segments
                segs = {bisect.bisect_right(sorted(starts), f) for f in frames}
                self.assertGreater(len(segs), 1, (frames, starts))
                self.rng.shuffle(parts)
                page = os.path.join(self.dir, "%s_merged_%d.html" % (tag, n))
                p = run(["merge"] + parts + ["--html", page])
                self.assertNotIn("warning", p.stderr)
                self.assertEqual(thumbnails(page), pictures)
                self.assertEqual(comparable_html(page), want)

    def test_merge_html_equals_single_pass(self):
        self.assert_html_equals_single(self.prores, (3, 7), "prores")
        self.assert_html_equals_single(self.h264, (2, 12), "h264")

    def test_merge_html_without_the_input(self):
        """The input is gone: the page is written without pictures, the
        warning names the input and the cause, the exit code is the verdict."""
        clip = os.path.join(self.dir, "gone.mov")
        shutil.copy(self.prores, clip)
        parts = self.segment_all(clip, 3, "gone")
        single = os.path.join(self.dir, "gone_single.html")
        run(["check", clip, "--html", single, "--quiet"] + SETS)
        page = os.path.join(self.dir, "gone_merged.html")
        cases = {"missing": ("No such file", lambda: os.remove(clip)),
                 "another file": ("index differs",
                                  lambda: shutil.copy(self.h264, clip)),
                 "not media": ("not a media file", lambda: write(clip, "garbage"))}
        for name, (cause, damage) in cases.items():
            with self.subTest(name):
                damage()
                p = run(["merge"] + parts + ["--html", page, "-o", page + ".json"], ok=(1,))
                self.assertRegex(p.stderr, r"warning: the HTML report has no thumbnails: "
                                 + re.escape(clip) + ": .*" + cause)
                self.assertEqual(thumbnails(page), [])
                with open(page) as f:
                    html = f.read()
                self.assertIn("no pictures: " + clip, html)
                # everything else is the single pass's
                got, want = comparable_html(page), comparable_html(single)
                self.assertEqual(got[1], want[1])
                strip = lambda s: re.sub(r'<div class="thumbs">.*?</div>|<p id="thumb-note">'
                                         r'.*?</p>', "", s[0], flags=re.S)
                self.assertEqual(strip(got), strip(want))
                if os.path.exists(clip):
                    os.remove(clip)

    def assert_cuts_inside(self, boundaries, runs):
        """Some segment starts inside each run (after its first frame)."""
        for name, (first, last) in runs.items():
            self.assertTrue(any(first < b <= last for b in boundaries),
                            "no boundary inside the %s run %d..%d (boundaries %s)"
                            % (name, first, last, sorted(boundaries)))

    def test_prores_intra_planted_runs(self):
        want, cuts = self.assert_merge_equals_single(self.prores, (2, 3, 7, 8), "prores")
        codes = {e["code"] for c in want["checks"] for e in c["events"]}
        self.assertTrue({"black_frames", "freeze_frames", "missing_frames"} <= codes, codes)
        self.assert_cuts_inside(cuts, RUNS)

    def test_h264_long_gop_bframes(self):
        keys = keyframes(self.h264)
        self.assertGreater(len(keys), 4)
        # 12 segments for 9 keyframes: some are empty
        want, cuts = self.assert_merge_equals_single(self.h264, (2, 3, 7, 12), "h264")
        self.assertTrue(cuts <= set(keys), "boundaries %s not at keyframes %s" % (cuts, keys))
        self.assert_cuts_inside(cuts, RUNS)
        codes = {e["code"] for c in want["checks"] for e in c["events"]}
        self.assertTrue({"black_frames", "freeze_frames", "missing_frames"} <= codes, codes)

    def test_generated_clips_with_planted_defects(self):
        """The suite's generated MOV/MP4 clips (legal range, gamut, black runs)."""
        clips = [c for c in manifest()["clips"] if c.get("video") and
                 c["file"].endswith((".mov", ".mp4"))]
        self.assertTrue(clips)
        for c in clips:
            _, cuts = self.assert_merge_equals_single(clip_path(c["file"]), (2, 3, 7),
                                                      c["file"].replace(".", "_"))
            if c["codec"] == "prores":      # intra: boundaries inside the planted runs
                runs = {"%s %d" % (d["code"], i): (d["start_frame"], d["end_frame"])
                        for i, d in enumerate(c["defects"]) if d["check"] != "gamut"}
                self.assert_cuts_inside(cuts, {k: v for k, v in runs.items()
                                               if "above" not in k})

    def test_parts_that_do_not_belong_together(self):
        a = self.segment_all(self.prores, 3, "bad_a")
        b = self.segment_all(self.h264, 3, "bad_b")
        out = os.path.join(self.dir, "bad.json")
        cases = {
            "another file": ([a[0], b[1], a[2]], os.path.basename(b[1])),
            "missing segment": ([a[0], a[2]], "segment 1 of 3 is missing"),
            "overlap": ([a[0], a[1], a[1], a[2]], "overlapping"),
        }
        other = self.segment_all(self.prores, 2, "bad_c")
        cases["other count"] = ([a[0], other[1], a[2]], os.path.basename(other[1]))
        prof = os.path.join(self.dir, "bad_profile_1_of_3.json")
        run(["check", self.prores, "--segment", "1/3", "-o", prof, "--quiet"] + SETS +
            ["--set", "black.min_duration_s=0.3"], ok=(0,))
        cases["another profile"] = ([a[0], prof, a[2]], "another profile")
        tampered = os.path.join(self.dir, "bad_version_1_of_3.json")
        with open(a[1]) as f:
            doc = json.load(f)
        doc["tool"]["build"] = "0.0.1 si0"
        with open(tampered, "w") as f:
            json.dump(doc, f)
        cases["another version"] = ([a[0], tampered, a[2]], "another mediaqc build")
        notpart = os.path.join(self.dir, "bad_single.json")
        run(["check", self.prores, "-o", notpart, "--quiet"])
        cases["a report"] = ([a[0], notpart, a[2]], "not a mediaqc partial")
        for name, (parts, says) in cases.items():
            with self.subTest(name):
                p = run(["merge"] + parts + ["-o", out], ok=(2,))
                self.assertIn(says, p.stderr)
                self.assertNotIn("Sanitizer", p.stderr)

    def test_damaged_partials_are_refused_by_name(self):
        """Empty, truncated, non-JSON and tampered partials: exit 2 naming the
        part, never a crash or a report."""
        a = self.segment_all(self.prores, 2, "dmg")
        with open(a[1], "rb") as f:
            raw = f.read()
        doc = json.loads(raw)
        self.assertIn("records", doc)
        out = os.path.join(self.dir, "dmg.json")

        def tampered(name, records, sealed=True, **members):
            """The partial with other records (and members): sealed with
            the checksum of what it then holds (docs/segments.md), so the
            reader's own validation is what refuses it, or not sealed."""
            d = dict(doc, records=records, **members)
            if sealed:
                seal(d)
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                json.dump(d, f)
            return path
        # sealing the untouched partial gives its own checksum back
        with open(tampered("dmg_resealed_1_of_2.json", doc["records"])) as f:
            self.assertEqual(json.load(f)["checksum"], doc["checksum"])
        cases = {
            "empty": b"",
            "truncated": raw[:len(raw) // 2],
            "garbage": bytes(range(256)) * 4,
        }
        paths = {}
        for name, data in cases.items():
            paths[name] = os.path.join(self.dir, "dmg_%s_1_of_2.json" % name)
            with open(paths[name], "wb") as f:
                f.write(data)
        paths["records not base64"] = tampered("dmg_b64_1_of_2.json", "%%%not base64%%%")
        paths["records not deflated"] = tampered(
            "dmg_deflate_1_of_2.json", base64.b64encode(os.urandom(3000)).decode())
        paths["records cut short"] = tampered("dmg_short_1_of_2.json",
                                              doc["records"][:len(doc["records"]) // 2])
        # one character of the stream's facts or of the records changed, as
        # bit rot would: the structs are read as they are, so the checksum
        # must refuse them before any is used
        def flipped(b64):
            i = len(b64) // 3
            return b64[:i] + ("A" if b64[i] != "A" else "B") + b64[i + 1:]
        paths["stream facts changed"] = tampered("dmg_stream_1_of_2.json", doc["records"],
                                                 sealed=False, stream=flipped(doc["stream"]))
        paths["records changed"] = tampered("dmg_rot_1_of_2.json", flipped(doc["records"]),
                                            sealed=False)
        # numbers no frame count reaches (CI's fuzz_partial found the
        # conversion of 1e300 to a frame number undefined)
        paths["first frame 1e300"] = tampered(
            "dmg_huge_1_of_2.json", doc["records"],
            segment=dict(doc["segment"], first_frame=1e300))
        paths["count -1e19"] = tampered("dmg_count_1_of_2.json", doc["records"],
                                        segment=dict(doc["segment"], count=-1e19))
        for name, path in paths.items():
            with self.subTest(name):
                if os.path.exists(out):
                    os.unlink(out)
                p = run(["merge", a[0], path, "-o", out], ok=(2,))
                self.assertIn(os.path.basename(path), p.stderr)
                if name in ("stream facts changed", "records changed"):
                    self.assertIn("checksum", p.stderr)
                self.assertNotIn("Sanitizer", p.stderr)
                self.assertFalse(os.path.exists(out), "a report from a damaged part")

    def test_remote_segments_read_their_byte_ranges(self):
        """http(s)/s3 input: a segment fetches the header, the index and its
        own range with ranged GETs, never the whole object (the whole-file
        hash, which needs every byte, is off here: segment 0 would read all)."""
        www = os.path.join(self.dir, "www")
        os.makedirs(www, exist_ok=True)
        clip = os.path.join(www, "big.mov")
        # uncompressed 10-bit 4:2:2 (v210, intra): 50 MB in no time to encode
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=640x360:rate=24:duration=3.4", "-c:v", "v210", clip],
                       check=True, timeout=TIMEOUT)
        size = os.path.getsize(clip)
        self.assertGreater(size, 40 << 20)
        nohash = SETS + ["--set", "checksum.file_hash=false"]
        with serving(www) as (srv, root):
            single = os.path.join(self.dir, "remote_single.json")
            run(["check", clip, "-o", single, "--quiet"] + nohash)
            # ground truth: where ffprobe says each frame's bytes are
            pk = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                                 "-show_entries", "packet=pos,size", "-of", "csv=p=0", clip],
                                capture_output=True, text=True, check=True).stdout.split()
            pk = [tuple(int(v) for v in line.split(",")) for line in pk]
            media_end = max(pos + sz for pos, sz in pk)
            block = 4 << 20
            n = 4
            parts, sent_by = remote_segments(srv, root + "big.mov", n, self.dir, nohash)
            for i, (part, sent) in enumerate(zip(parts, sent_by)):
                with open(part) as f:
                    seg = json.load(f)["segment"]
                first, end = seg["first_frame"], seg["end_frame"]
                end = len(pk) if end < 0 else end
                # the two frames before it, decoded too (freeze's lead-in: segments.md)
                lo = pk[max(first - 2, 0)][0]
                hi = max(pos + sz for pos, sz in pk[first:end])
                for rng, nbytes in sent:
                    self.assertTrue(rng, "a GET without Range")
                    start = int(rng.split("=")[1].split("-")[0])
                    # the header and its read-ahead, the index after the media (moov),
                    # or the segment's own bytes (to the block)
                    self.assertTrue(start < 3 * block or start >= media_end // block * block or
                                    lo // block * block <= start < hi, "segment %d fetched %s "
                                    "(its bytes: %d..%d)" % (i, rng, lo, hi))
                total = sum(b for _, b in sent)
                self.assertLess(total, size * 0.75, "segment %d read %d of %d bytes"
                                % (i, total, size))
            merged = os.path.join(self.dir, "remote_merged.json")
            assert_remote_merge_is_single(self, parts, single, merged)
            # the page's thumbnails: the frames alone, read with ranged GETs
            page, local_page = merged + ".html", single + ".html"
            run(["check", clip, "--html", local_page, "--quiet"] + nohash)
            with srv.lock:
                srv.sent.clear()
            p = run(["merge"] + parts + ["--html", page])
            self.assertNotIn("warning", p.stderr)
            with srv.lock:
                sent = list(srv.sent)
            self.assertTrue(thumbnails(local_page))
            self.assertEqual(thumbnails(page), thumbnails(local_page))
            self.assertTrue(sent and all(rng for rng, _ in sent), sent)
            # the thumbnails' frames lie all over this file: their 4 MiB blocks
            # (and the reader's read-ahead, which depends on timing) come to
            # 60-85% of it; what matters is that it is never all of it
            self.assertLess(sum(b for _, b in sent), size)

    def test_segment_usage(self):
        for bad in ("3/3", "1/0", "x/2", "-1/2", "1"):
            p = run(["check", self.prores, "--segment", bad, "-o", "x.json"], ok=(2,))
            self.assertIn("--segment", p.stderr)
        p = run(["check", self.prores, "--segment", "0/2", "--html", "x.html", "-o", "x.json"],
                ok=(2,))
        self.assertIn("partial", p.stderr)
        p = run(["merge", "--profile", "default", "x.json"], ok=(2,))
        self.assertIn("merge", p.stderr)
        # MPEG-TS has no index to split at: said, not guessed (Matroska and MXF
        # split by their timestamps: e2e_segments_mxf_mkv)
        ts = os.path.join(self.dir, "h264.ts")
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", self.h264, "-c", "copy",
                        ts], check=True, timeout=TIMEOUT)
        p = run(["check", ts, "--segment", "0/2", "-o", os.path.join(self.dir, "ts.json")],
                ok=(2,))
        self.assertIn(ts + ": --segment: the file has no sample index", p.stderr)
        # AVI's idx1 lists keyframes, but its seek does not land where it says
        # (found: segment 1 exited 2 'cannot seek' after segment 0 ran): refused
        # up front, as documented
        avi = os.path.join(self.dir, "mpeg4.avi")
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=64x36:rate=25:duration=4", "-c:v", "mpeg4", "-g", "25",
                        "-bf", "2", avi], check=True, timeout=TIMEOUT)
        for i in (0, 1):
            p = run(["check", avi, "--segment", "%d/2" % i, "-o",
                     os.path.join(self.dir, "avi.json")], ok=(2,))
            self.assertIn(avi + ": --segment: the file has no sample index", p.stderr)
        # a fragmented MP4 (CMAF, streaming): no frame count in its moov
        frag = os.path.join(self.dir, "frag.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", self.h264, "-c", "copy",
                        "-movflags", "frag_keyframe+empty_moov", frag], check=True,
                       timeout=TIMEOUT)
        p = run(["check", frag, "--segment", "1/2", "-o", os.path.join(self.dir, "frag.json")],
                ok=(2,))
        self.assertIn(frag + ": --segment: the container declares no frame count", p.stderr)
        # a single still image (EXR): nothing to split, said so
        exr = os.path.join(self.dir, "still.exr")
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=64x36:duration=0.04", "-frames:v", "1", "-c:v", "exr",
                        "-pix_fmt", "gbrpf32le", exr], check=True, timeout=TIMEOUT)
        p = run(["check", exr, "--segment", "0/2", "-o", os.path.join(self.dir, "exr.json")],
                ok=(2,))
        self.assertIn(exr + ": --segment: the file has no sample index", p.stderr)



class TestServers:
    """Mixin: the RabbitMQ and S3 test servers of e2e_triggers.py, as cls.t."""

    @classmethod
    def setUpClass(cls):
        import e2e_triggers
        cls.t = e2e_triggers
        cls.t.setUpModule()

    @classmethod
    def tearDownClass(cls):
        cls.t.tearDownModule()


class WorkerSegments(TestServers, unittest.TestCase):
    """submit --segments 3 against the real RabbitMQ and S3 test servers of
    e2e_triggers.py: 2 workers, one SIGKILLed mid-segment, then one report
    equal to the single pass, one result message, the partials cleaned."""

    def submit_to_two_workers(self, key, queue, segments):
        """Two workers consuming `queue`, then `submit --segments` of the
        stored object `key`: (broker, workers)."""
        t = self.t
        broker = t.Broker(queue)
        workers = [t.Worker(queue), t.Worker(queue)]
        for w in workers:
            t.wait_for("the workers to consume", lambda w=w: "consuming" in w.output())
        p = t.mediaqc("submit", "s3://%s/%s" % (t.BUCKET, key), "--amqp", t.SVC.amqp_url,
                      "--queue", queue, "--segments", str(segments))
        self.assertEqual(p.returncode, 0, p.stderr)
        return broker, workers

    def test_three_segments_two_workers_one_killed(self):
        t = self.t
        # 400 frames: on an idle machine a segment of 100 took less than the
        # 0.4 s before the kill, and every segment was stored first
        clip = t.make_clip("seg_720p_16s.mov", ["-i", "testsrc2=s=1280x720:r=25:d=16", "-c:v",
                                            "prores_ks", "-profile:v", "0", "-pix_fmt",
                                            "yuv422p10le"])
        key = "seg/master one.mov"
        etag = t.SVC.put(key, t.read(clip))
        q = "jobs-segments"
        broker, workers = self.submit_to_two_workers(key, q, 3)
        try:
            t.wait_for("both workers to take a segment", lambda: broker.ready() == 1, step=0.02)
            time.sleep(0.4)   # into the segment's decoding
            workers[0].proc.kill()
            workers[0].proc.wait(timeout=t.WAIT)
            parts = t.SVC.list_keys("qc-reports/" + key + ".json.parts/")
            self.assertLess(len(parts), 3, "every segment was stored before the kill: make it "
                            "slower")
            self.assertIsNone(t.SVC.report(key))
            workers.append(t.Worker(q))    # a replacement, as a supervisor starts one
            results = broker.wait_results(1)
            late = broker.wait_results(1, timeout=3)    # nothing more may come
        finally:
            outs = [w.stop() for w in workers[1:]]
        for code, out in outs:
            self.assertEqual(code, 0, out)
        self.assertEqual(len(results), 1, outs)
        self.assertEqual(late, [], "a second result message")
        rk, r = results[0]
        self.assertEqual((r["key"], r["etag"]), (key, etag))
        rep = t.SVC.report(key)
        self.assertEqual(rep["run"]["trigger"]["etag"], etag)
        self.assertEqual(rk, "qc." + rep["verdict"])
        local = t.common.run(["check", clip, "--quiet"]).report
        self.assertEqual(t.comparable(rep), t.comparable(local))
        # the whole-file hash came from segment 0's read of the object
        ck = {c["id"]: c for c in rep["checks"]}["checksum"]["metrics"]
        self.assertEqual(ck["file_bytes_hashed"], os.path.getsize(clip))
        # the page beside the report, with the single pass's thumbnails
        self.assertTrue(r["html"].endswith("qc-reports/" + key + ".html"), r)
        status, page = t.SVC.get("qc-reports/" + key + ".html")
        self.assertEqual(status, 200)
        local_page = os.path.join(os.path.dirname(clip), "seg_720p_16s_single.html")
        t.common.run(["check", clip, "--html", local_page, "--quiet"])
        self.assertTrue(thumbnails(local_page))
        self.assertEqual(thumbnails(html=page.decode()), thumbnails(local_page))
        # partials cleaned after the merge; the marker says which job merged
        self.assertEqual(t.SVC.list_keys("qc-reports/seg/"),
                         ["qc-reports/" + key + ".html", "qc-reports/" + key + ".json",
                          "qc-reports/" + key + ".json.merged"])
        self.assertEqual(broker.ready(), 0)
        broker.close()

    def test_a_file_that_cannot_be_split_is_analysed_whole(self):
        """MPEG-TS has no index to split at (check --segment exits 2): every
        segment job of it is refused alike, so the first to take the report's
        claim analyses the file whole and the others find it done: one
        report equal to the single pass, one result message, nothing left
        in the dead-letter queue."""
        t = self.t
        clip = t.make_clip("seg_h264.ts", ["-i", "testsrc2=s=320x180:r=25:d=4", "-c:v",
                                          "libx264", "-g", "25", "-pix_fmt", "yuv420p",
                                          "-f", "mpegts"])
        key = "seg-whole/transport stream.ts"
        etag = t.SVC.put(key, t.read(clip))
        q = "jobs-segments-whole"
        broker, workers = self.submit_to_two_workers(key, q, 3)
        try:
            results = broker.wait_results(1)
            late = broker.wait_results(1, timeout=3)
            t.wait_for("the jobs to be done", lambda: broker.ready() == 0)
        finally:
            outs = [w.stop() for w in workers]
        for code, out in outs:
            self.assertEqual(code, 0, out)
        self.assertEqual(len(results), 1, outs)
        self.assertEqual(late, [], "a second result message")
        self.assertIn("analysing the file whole instead", "".join(o for _, o in outs))
        rk, r = results[0]
        self.assertEqual((r["key"], r["etag"]), (key, etag))
        rep = t.SVC.report(key)
        self.assertEqual(rk, "qc." + rep["verdict"])
        local = t.common.run(["check", clip, "--quiet"]).report
        self.assertEqual(t.comparable(rep), t.comparable(local))
        self.assertEqual(t.SVC.list_keys("qc-reports/seg-whole/"),
                         ["qc-reports/" + key + ".html", "qc-reports/" + key + ".json",
                          "qc-reports/" + key + ".json.merged"])
        self.assertEqual(broker.drain(q + ".dead"), [])
        broker.close()


if __name__ == "__main__":
    unittest.main()
