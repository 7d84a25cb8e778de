"""Segments of files with audio (issue 18): segment 0 analyses every audio
stream of the whole file in one piece (reading on past its frames with the
video skipped), the others read no audio; `merge` of the partials in any
order gives the single pass's report (apart from run, summary.elapsed_s and
summary.fps) for every audio check — loudness (R128 and A/85: integrated,
LRA, momentary and short-term maxima, true peak), silence, clipping, phase,
the audio format facts — and every video check. The planted audio defects
cross segment boundaries: a silence run, a clipped run, an inverted-phase
window, a loud passage, and true-peak overs in the last segment."""
import base64
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import TIMEOUT  # noqa: E402
from e2e_segments import (TestServers, comparable, comparable_html, seal,  # noqa: E402
                          encode_prores_h264, remote_segments, run, serving)

RATE = 24
# 6 s at 24 fps = 144 frames; intra boundaries: N=2 at 3.0 s, N=3 at 2.0 and
# 4.0 s, N=7 near 0.83, 1.71, 2.58, 3.42, 4.29, 5.13 s
TONE = "0.1*sin(2*PI*440*t)"
GAIN = ("if(between(t,1.6,2.5),0,1)"          # silence across 1.71 s and 2.0 s
        "*if(between(t,2.9,3.1),15,1)"        # clipped run across 3.0 s
        "*if(between(t,3.3,4.4),6,1)")        # loud passage across 3.42, 4.0, 4.29 s
# intersample peaks: a quarter-rate sine at 45 degrees, samples at 0.70, true peak 0.99
OVERS = "if(between(t,5.3,5.6),0.99*sin(2*PI*12000*t+PI/4),0)"
LEFT = "%s*%s+%s" % (TONE, GAIN, OVERS)
# inverted over the 1 s correlation window 4..5 s, across 4.29 s
RIGHT = "%s*%s*if(between(t,3.9,5.05),-1,1)+%s" % (TONE, GAIN, OVERS)
AUDIO = "aevalsrc='%s|%s':s=48000:d=6" % (LEFT, RIGHT)
# short runs are reported, so every planted run is an event
SETS = ["--set", "silence.min_duration_s=0.5", "--set", "phase.min_correlation=-0.3"]


def events(rep, check):
    return {c["id"]: c for c in rep["checks"]}[check].get("events", [])


class SegmentsWithAudio(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-sega-")
        src = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
               "testsrc2=size=320x180:rate=%d:duration=6" % RATE, "-f", "lavfi", "-i", AUDIO]
        cls.prores = os.path.join(cls.dir, "prores_pcm.mov")
        cls.h264 = os.path.join(cls.dir, "h264_aac.mp4")
        encode_prores_h264(src, cls.prores, ["-profile:v", "0", "-c:a", "pcm_s24le"],
                           cls.h264, ["-c:a", "aac", "-b:a", "192k"])
        cls.rng = random.Random(1818)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def merged(self, clip, n, tag, extra):
        parts = []
        for i in range(n):
            part = os.path.join(self.dir, "%s_%d_of_%d.json" % (tag, i, n))
            run(["check", clip, "--segment", "%d/%d" % (i, n), "-o", part, "--quiet"] + extra,
                ok=(0,))
            parts.append(part)
        self.rng.shuffle(parts)        # any order
        out = os.path.join(self.dir, "%s_merged_%d.json" % (tag, n))
        run(["merge"] + parts + ["-o", out])
        return comparable(out)

    def assert_merge_equals_single(self, clip, counts, tag, extra=()):
        extra = SETS + list(extra)
        single = os.path.join(self.dir, tag + "_single.json")
        run(["check", clip, "-o", single, "--quiet"] + extra)
        want = comparable(single)
        for n in counts:
            with self.subTest(clip=tag, segments=n):
                self.assertEqual(self.merged(clip, n, tag, extra), want)
        return want

    def test_prores_pcm(self):
        want = self.assert_merge_equals_single(self.prores, (2, 3, 7), "prores")
        # the planted defects are found, across the cuts (ground truth: the audio expression)
        sil = events(want, "silence")
        self.assertEqual([e["channel"] for e in sil], [0, 1])
        for e in sil:
            self.assertAlmostEqual(e["start_s"], 1.6, delta=0.01)
            self.assertAlmostEqual(e["end_s"], 2.5, delta=0.01)
        clip = events(want, "clipping")
        self.assertEqual([e["channel"] for e in clip], [0, 1])
        for e in clip:
            self.assertTrue(2.9 <= e["start_s"] < 3.0 < e["end_s"] <= 3.1, e)
        (ph,) = events(want, "phase")
        self.assertAlmostEqual(ph["start_s"], 4.0, delta=0.01)
        self.assertAlmostEqual(ph["end_s"], 5.0, delta=0.01)
        loud = events(want, "loudness")
        self.assertEqual(loud[0]["code"], "loudness_out_of_range")
        over = [e for e in loud if e["code"] == "true_peak_over"]
        self.assertTrue(any(e["start_s"] >= 5.3 for e in over), over)   # the last segment's

    def test_h264_aac(self):
        self.assert_merge_equals_single(self.h264, (2, 3, 7), "h264")

    def assert_html_equals_single(self, clip, tag):
        """merge --html gives the single pass's page, the audio curves
        (loudness over time, from segment 0's per-frame audio records) too."""
        single = os.path.join(self.dir, tag + "_single.html")
        run(["check", clip, "--html", single, "--quiet"] + SETS)
        want = comparable_html(single)
        self.assertIn('class="curve c-momentary_lufs', want[0])      # the curve is drawn
        for n in (2, 3, 7):
            with self.subTest(clip=tag, segments=n):
                parts = []
                for i in range(n):
                    part = os.path.join(self.dir, "%s_html_%d_of_%d.json" % (tag, i, n))
                    run(["check", clip, "--segment", "%d/%d" % (i, n), "-o", part, "--quiet"]
                        + SETS, ok=(0,))
                    parts.append(part)
                self.rng.shuffle(parts)
                page = os.path.join(self.dir, "%s_merged_%d.html" % (tag, n))
                p = run(["merge"] + parts + ["--html", page])
                self.assertNotIn("warning", p.stderr)
                self.assertEqual(comparable_html(page), want)

    def test_merge_html_equals_single_pass(self):
        self.assert_html_equals_single(self.prores, "prores_page")
        self.assert_html_equals_single(self.h264, "h264_page")

    def test_audio_records_missing_or_damaged(self):
        """Segment 0's per-frame audio records (AudioEntry: pts, count, and
        AudioField: check, key, type, int, double, engine/partial.c): with
        entries cut away the merge still writes the page but says which
        frames lack their audio curves; a damaged entry refuses the part by
        name."""
        parts = []
        for i in range(2):
            part = os.path.join(self.dir, "rec_%d.json" % i)
            run(["check", self.prores, "--segment", "%d/2" % i, "-o", part, "--quiet"] + SETS,
                ok=(0,))
            parts.append(part)
        with open(parts[0]) as f:
            doc = json.load(f)
        raw = zlib.decompress(base64.b64decode(doc["audio_records"]))
        entries, at = [], 0
        while at < len(raw):
            pts, n = struct.unpack_from("<qi", raw, at)
            size = 16 + 32 * n
            entries.append((pts, raw[at:at + size]))
            at += size
        self.assertEqual(len(entries), 144)             # every frame of the file
        self.assertEqual([e[0] for e in entries], sorted(e[0] for e in entries))

        def merged_with(blob, name, ok):
            doc["audio_records"] = base64.b64encode(zlib.compress(blob)).decode()
            seal(doc)       # the records' own validation is what is tested
            bad = os.path.join(self.dir, name)
            with open(bad, "w") as f:
                json.dump(doc, f)
            return run(["merge", bad, parts[1], "--html", bad + ".html"], ok=ok), bad
        p, _ = merged_with(b"".join(e[1] for e in entries[:100]), "rec_cut.json", (0, 1))
        self.assertIn("warning: the HTML report's audio curves lack 44 frame(s), the first "
                      "frame 100", p.stderr)
        # a field naming a check that does not exist
        first = bytearray(entries[0][1])
        struct.pack_into("<i", first, 16, 999)
        p, bad = merged_with(bytes(first) + b"".join(e[1] for e in entries[1:]), "rec_bad.json",
                             (2,))
        self.assertIn(bad + ": damaged partial (audio records)", p.stderr)
        p, bad = merged_with(b"".join(e[1] for e in entries)[:-5], "rec_short.json", (2,))
        self.assertIn(bad + ": damaged partial (audio records)", p.stderr)

    def test_decode_errors_in_a_later_segment(self):
        """ProRes + AAC, damaged AAC packets at 3.1 s and a damaged picture at
        frame 130 (later segments' ranges): segment 0 decodes the audio, the
        last segment the picture, and the merge delivers the audio problems
        after the last frame, as one pass does (after the picture's)."""
        clip, bad = (os.path.join(self.dir, n) for n in ("prores_aac.mov", "damaged.mov"))
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x180:rate=%d:duration=6" % RATE, "-f", "lavfi", "-i",
                        AUDIO, "-c:v", "prores_ks", "-profile:v", "0", "-c:a", "aac", clip],
                       check=True, timeout=TIMEOUT)

        def packets(sel):      # (pts_time, size, pos) by ffprobe
            out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", sel,
                                  "-show_entries", "packet=pts_time,size,pos", "-of", "csv=p=0",
                                  clip], capture_output=True, text=True, check=True).stdout
            return [tuple(float(v) for v in line.split(",")[:3]) for line in out.split()]
        with open(clip, "rb") as f:
            data = bytearray(f.read())
        pos = int(packets("v:0")[130][2])
        for i in range(4, 8):           # the frame header's "icpf"
            data[pos + i] ^= 0xff
        for t, size, pos in packets("a:0"):
            for i in range(8, int(size) if 3.1 <= t < 3.15 else 0):
                data[int(pos) + i] ^= 0x5a
        with open(bad, "wb") as f:
            f.write(data)
        want = self.assert_merge_equals_single(bad, (2, 3, 7), "damaged")
        got = [(e["start_frame"], e["message"].startswith("audio stream 1: decode error"))
               for e in events(want, "decode")]
        self.assertEqual(got, [(130, False), (74, True)])

    def test_atsc_a85(self):
        want = self.assert_merge_equals_single(self.prores, (3,), "a85",
                                               ("--profile", "atsc-a85"))
        self.assertEqual(want["profile"]["name"], "atsc-a85")

    def test_only_segment_0_reads_audio(self):
        """Segments after the first carry no audio result; segment 0 carries
        every audio check's events and metrics and the streams' facts."""
        docs = []
        for i in range(3):
            part = os.path.join(self.dir, "who_%d.json" % i)
            run(["check", self.prores, "--segment", "%d/3" % i, "-o", part, "--quiet"] + SETS,
                ok=(0,))
            with open(part) as f:
                docs.append(json.load(f))
        audio_checks = ("loudness", "silence", "clipping", "phase")
        for i, doc in enumerate(docs):
            res = {c["id"]: "result" in c for c in doc["checks"]}
            self.assertEqual(doc["audio"] is not None, i == 0)
            for c in audio_checks:
                self.assertEqual(res[c], i == 0, (i, c))
        # a part whose audio was removed is refused, naming it
        docs[0]["audio"] = None
        bad = os.path.join(self.dir, "who_0_bad.json")
        with open(bad, "w") as f:
            json.dump(docs[0], f)
        p = run(["merge", bad, os.path.join(self.dir, "who_1.json"),
                 os.path.join(self.dir, "who_2.json"), "-o", os.path.join(self.dir, "x.json")],
                ok=(2,))
        self.assertIn("who_0_bad.json", p.stderr)

    def test_remote_segment_0_reads_the_audio_not_the_video(self):
        """Over http(s), segment 0 reads its own video range and, past it,
        the audio samples only (the MOV demuxer skips the discarded video)."""
        www = os.path.join(self.dir, "www")
        os.makedirs(www, exist_ok=True)
        clip = os.path.join(www, "big_audio.mov")
        # uncompressed video (v210: big without encoding time) + 24-bit PCM stereo
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=640x360:rate=24:duration=6", "-f", "lavfi", "-i", AUDIO,
                        "-c:v", "v210", "-c:a", "pcm_s24le", clip], check=True, timeout=TIMEOUT)
        size = os.path.getsize(clip)
        nohash = SETS + ["--set", "checksum.file_hash=false"]
        with serving(www) as (srv, root):
            single = os.path.join(self.dir, "remote_single.json")
            run(["check", clip, "-o", single, "--quiet"] + nohash)
            n = 4
            parts, sent = remote_segments(srv, root + "big_audio.mov", n, self.dir, nohash)
            read = [sum(b for _, b in s) for s in sent]
            print("segments of %d bytes read %s bytes" % (size, read), file=sys.stderr)
            # the others read no audio; segment 0 reads the audio to the end of the
            # file, in the reader's 4 MiB blocks: where audio sits beside every
            # video frame (as here and in most masters) that is nearly every block
            # ... each block once (a re-read of the index block aside), never more
            self.assertLess(read[0], size + 2 * (4 << 20))
            for i in range(1, n):
                self.assertLess(read[i], size * 0.75, "segment %d read %d of %d bytes"
                                % (i, read[i], size))
            merged = os.path.join(self.dir, "remote_merged.json")
            run(["merge"] + parts[::-1] + ["-o", merged])
            want, got = comparable(single), comparable(merged)
            want["input"].pop("path")
            got["input"].pop("path")
            self.assertEqual(got, want)



class S3SegmentsWithAudio(TestServers, unittest.TestCase):
    """s3:// segments of a file with audio, against the S3 test server of
    e2e_triggers.py: merged == the local single pass."""

    def test_s3_segments(self):
        t = self.t
        clip = t.make_clip("seg_audio.mov", ["-i", "testsrc2=s=320x180:r=%d:d=6" % RATE,
                                             "-f", "lavfi", "-i", AUDIO, "-c:v", "prores_ks",
                                             "-profile:v", "0", "-c:a", "pcm_s24le"])
        key = "seg/with audio.mov"
        t.SVC.put(key, t.read(clip))
        parts = []
        for i in range(3):
            part = os.path.join(t.WORK, "s3_part_%d.json" % i)
            p = t.mediaqc("check", "s3://%s/%s" % (t.BUCKET, key), "--segment", "%d/3" % i,
                          "-o", part, "--quiet", *SETS)
            self.assertEqual(p.returncode, 0, p.stderr)
            parts.append(part)
        merged = os.path.join(t.WORK, "s3_merged.json")
        p = t.mediaqc("merge", parts[2], parts[0], parts[1], "-o", merged)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        local = t.common.run(["check", clip, "--quiet"] + SETS).report
        self.assertEqual(t.comparable(t.load(merged)), t.comparable(local))
        self.assertTrue(events(local, "silence") and events(local, "clipping"))


if __name__ == "__main__":
    unittest.main()
