"""Segments of MXF and Matroska (issue 18): no index of theirs lists every
frame, so a frame's number comes from its timestamp (MXF: its edit unit)
and keyframes are where the demuxer's seek lands (MXF index tables,
Matroska cues). Merged == single pass for DNxHR and MPEG-2 long GOP in MXF,
H.264 with B-frames and FFV1 in Matroska, with the cuts inside planted black
and frozen runs, N = 2, 3, 7; the real J2K MXF files too. A file whose
timestamps do not count its frames (a gap, a variable frame rate, H.264 in
MXF as FFmpeg writes it: no reordering in its index) is refused, exit 2,
naming the file: never numbered otherwise than a single pass counts.
The MPEG-2 MXF carries PCM and the FFV1 Matroska FLAC (segment 0's audio);
the HTML pages (thumbnails decoded again from MXF, and from H.264 in
Matroska from its keyframes) are compared on files without audio, whose
curves a merge does not carry."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MEDIAQC, SANITIZER_MARKS, TIMEOUT  # noqa: E402
import e2e_segments as seg  # noqa: E402  (a module: its TestCases are not run twice)

REAL = os.environ.get("MQC_REAL_MEDIA", "/work/shared/media/real")
# the planted runs without the dropped frames: Matroska keeps that gap in
# its timestamps (refused, see test_gap_and_vfr_refused); MXF counts edit units
NO_GAP = seg.PLANTED.rsplit(",select", 1)[0]
CUT_RUNS = {k: v for k, v in seg.RUNS.items() if k != "missing"}


def ffmpeg(args, vf, out, audio=None):
    """The 3.8 s test picture through vf, encoded with args; with a 1 kHz
    tone encoded as `audio` (segment 0 analyses it whole)."""
    tone = ["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=3.8",
            "-c:a", audio] if audio else []
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=24:duration=3.8"] + tone + ["-vf", vf] + args +
                   [out], check=True, timeout=TIMEOUT)


def refused(args):
    p = subprocess.run([MEDIAQC] + args, capture_output=True, text=True, timeout=TIMEOUT)
    assert not any(m in p.stderr for m in SANITIZER_MARKS), p.stderr
    return p


class TimedSegments(unittest.TestCase):
    segment_all = seg.Segments.segment_all
    assert_merge_equals_single = seg.Segments.assert_merge_equals_single
    assert_html_equals_single = seg.Segments.assert_html_equals_single
    assert_cuts_inside = seg.Segments.assert_cuts_inside

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-segtimed-")
        cls.rng = random.Random(18)
        p = lambda name: os.path.join(cls.dir, name)
        cls.dnxhr, cls.mpeg2 = p("dnxhr.mxf"), p("mpeg2_long_gop.mxf")
        cls.h264_mkv, cls.ffv1 = p("h264_bframes.mkv"), p("ffv1.mkv")
        cls.h264_mxf, cls.gap_mkv = p("h264.mxf"), p("gap.mkv")
        tc = ["-fps_mode", "passthrough", "-timecode", "01:00:00:00"]
        ffmpeg(tc + ["-c:v", "dnxhd", "-profile:v", "dnxhr_sq", "-pix_fmt", "yuv422p"],
               seg.PLANTED, cls.dnxhr)
        ffmpeg(tc + ["-c:v", "mpeg2video", "-g", "12", "-bf", "2", "-flags", "+cgop",
                     "-sc_threshold", "1000000000", "-b:v", "4M"], seg.PLANTED, cls.mpeg2,
               "pcm_s24le")
        ffmpeg(["-c:v", "ffv1", "-g", "1"], NO_GAP, cls.ffv1, "flac")
        h264 = ["-c:v", "libx264", "-bf", "2", "-pix_fmt", "yuv420p", "-x264-params",
                "keyint=12:min-keyint=12:scenecut=0:open-gop=0"]
        ffmpeg(h264, NO_GAP, cls.h264_mkv)
        ffmpeg(h264, NO_GAP, cls.h264_mxf)
        ffmpeg(tc + h264, seg.PLANTED, cls.gap_mkv)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def check_clip(self, clip, tag, intra, runs):
        want, cuts = self.assert_merge_equals_single(clip, (2, 3, 7), tag)
        codes = {e["code"] for c in want["checks"] for e in c["events"]}
        self.assertTrue({"black_frames", "freeze_frames"} <= codes, codes)
        keys = seg.keyframes(clip)
        self.assertTrue(cuts <= set(keys), "boundaries %s not at keyframes %s" % (cuts, keys))
        if intra:
            self.assertEqual(len(keys), want["summary"]["frames_analyzed"])
            self.assert_cuts_inside(cuts, runs)
        return cuts

    def test_mxf_dnxhr_intra(self):
        self.check_clip(self.dnxhr, "dnxhr", True, CUT_RUNS)

    def test_mxf_mpeg2_long_gop(self):
        cuts = self.check_clip(self.mpeg2, "mpeg2", False, {})
        self.assertGreater(len(cuts), 3)

    def test_mxf_mpeg2_open_gop(self):
        """MPEG-2 with open GOPs, as FFmpeg (and XDCAM-style encoders) write
        it: numbered from timestamps, the leading pictures of each cut's
        keyframe are decoded by the segment after it from the keyframe
        before, so the merge is the single pass."""
        clip = os.path.join(self.dir, "mpeg2_open_gop.mxf")
        ffmpeg(["-fps_mode", "passthrough", "-c:v", "mpeg2video", "-g", "12", "-bf", "2",
                "-b:v", "4M"], seg.PLANTED, clip, "pcm_s24le")
        cuts = self.check_clip(clip, "mpeg2_open", False, {})
        self.assertGreater(len(cuts), 3)

    def test_matroska_ffv1_intra(self):
        self.check_clip(self.ffv1, "ffv1", True, CUT_RUNS)

    def test_matroska_h264_bframes(self):
        self.check_clip(self.h264_mkv, "h264_mkv", False, {})
        self.assert_html_equals_single(self.h264_mkv, (3,), "h264_mkv")

    def test_webm_vp9_opus(self):
        """Opus's first packet lies before 0 (its pre-skip), before the
        video's first keyframe: Matroska's seek lands on the sought stream's
        own block, so segment 0 seeks back to the start by the stream that
        starts first, or its loudness misses 20 ms of audio (found on a
        VP9 + Opus WebM: 287040 of 288000 samples)."""
        clip = os.path.join(self.dir, "vp9_opus.webm")
        ffmpeg(["-c:v", "libvpx-vp9", "-g", "12", "-b:v", "400k", "-deadline", "realtime",
                "-cpu-used", "8"], NO_GAP, clip, "libopus")
        want, _ = self.assert_merge_equals_single(clip, (2, 3, 7), "vp9_opus")
        self.assertLess(want["audio"][0]["start_s"], 0)

    def test_mxf_html_thumbnails(self):
        self.assert_html_equals_single(self.dnxhr, (3, 7), "dnxhr")

    def test_gap_and_vfr_refused(self):
        """Timestamps that do not count the frames: exit 2 naming the file and
        why, no partial. A gap (5 dropped frames), a variable frame rate (every
        third frame 4 ms late, adding up), H.264 in MXF (FFmpeg's muxer gives
        no presentation order)."""
        vfr = os.path.join(self.dir, "vfr.mkv")
        ffmpeg(["-c:v", "libx264", "-fps_mode", "vfr"],
               "setpts='N/(24*TB)+floor(N/3)*0.004/TB'", vfr)
        for clip, n in ((self.gap_mkv, 3), (vfr, 2), (self.h264_mxf, 2)):
            with self.subTest(clip=os.path.basename(clip)):
                parts, codes = [], []
                for i in range(n):
                    part = os.path.join(self.dir, "refused_%s_%d.json" % (os.path.basename(clip), i))
                    p = refused(["check", clip, "--segment", "%d/%d" % (i, n), "-o", part,
                                 "--quiet"])
                    codes.append(p.returncode)
                    if p.returncode == 2:
                        self.assertIn(clip + ": --segment: frame", p.stderr)
                        self.assertIn("frames cannot be numbered from timestamps", p.stderr)
                        self.assertFalse(os.path.exists(part))
                    else:
                        parts.append(part)
                # the segment that reaches the gap or the drift fails: no merge
                self.assertIn(2, codes)
                self.assertTrue(set(codes) <= {0, 1, 2}, codes)
                p = refused(["merge"] + parts + ["-o", os.path.join(self.dir, "r.json")])
                self.assertEqual(p.returncode, 2)
                # the whole file is analysed as usual
                self.assertIn(refused(["check", clip, "--quiet"]).returncode, (0, 1))

    def test_remote_mxf_reads_its_ranges(self):
        """An MXF over HTTP: each segment fetches the header (and what the
        stream probe reads after it), the footer (index tables), the block
        where the next segment starts (its end) and its own range, with ranged
        GETs, never the whole object; merged == single pass."""
        www = os.path.join(self.dir, "www")
        os.makedirs(www, exist_ok=True)
        clip = os.path.join(www, "big.mxf")
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=1280x720:rate=25:duration=6", "-c:v", "dnxhd", "-b:v",
                        "90M", "-pix_fmt", "yuv422p", clip], check=True, timeout=TIMEOUT)
        size = os.path.getsize(clip)
        self.assertGreater(size, 60 << 20)
        # ground truth: where ffprobe says each frame's bytes are
        pk = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                             "packet=pos,size", "-of", "csv=p=0", clip], capture_output=True,
                            text=True, check=True).stdout.split()
        pk = [tuple(int(v) for v in line.split(",")) for line in pk]
        media_end = max(pos + sz for pos, sz in pk)
        block = 4 << 20
        nohash = ["--set", "checksum.file_hash=false"]
        single = os.path.join(self.dir, "remote_single.json")
        seg.run(["check", clip, "-o", single, "--quiet"] + nohash)
        with seg.serving(www) as (srv, root):
            parts, sent_by = seg.remote_segments(srv, root + "big.mxf", 4, self.dir, nohash)
        for i, (part, sent) in enumerate(zip(parts, sent_by)):
            with open(part) as f:
                cut = json.load(f)["segment"]
            first, end = cut["first_frame"], cut["end_frame"]
            end = len(pk) if end < 0 else end
            lo = pk[max(first - 1, 0)][0]           # the frame before it, decoded too
            hi = max(pos + sz for pos, sz in pk[first:end])
            for rng, _ in sent:
                self.assertTrue(rng, "a GET without Range")
                start = int(rng.split("=")[1].split("-")[0])
                self.assertTrue(start < 4 * block or start >= media_end // block * block or
                                lo // block * block <= start < hi + block, "segment %d fetched "
                                "%s (its bytes: %d..%d)" % (i, rng, lo, hi))
            total = sum(b for _, b in sent)
            self.assertLess(total, size * 0.75, "segment %d read %d of %d bytes"
                            % (i, total, size))
        merged = os.path.join(self.dir, "remote_merged.json")
        seg.run(["merge"] + parts + ["-o", merged])
        want, got = seg.comparable(single), seg.comparable(merged)
        want["input"].pop("path")
        got["input"].pop("path")
        self.assertEqual(got, want)

    def test_real_mxf(self):
        """Real J2K MXF (one frame each): merged == single pass; real IMF audio
        track files (no video) are refused as before, naming the file."""
        j2k = [os.path.join(REAL, f) for f in ("clipster_j2k_rgb444_10bit_op1a.mxf",
                                                "mxftk_j2k_yuv422_10bit_bars_op1a.mxf")]
        audio = os.path.join(REAL, "resolve16_imf_audio_pcm24_stereo_10s.mxf")
        if not all(os.path.exists(f) for f in j2k + [audio]):
            self.skipTest("no real media in " + REAL)
        for clip in j2k:
            self.assert_merge_equals_single(clip, (2, 3), os.path.basename(clip))
        p = refused(["check", audio, "--segment", "1/2", "-o", os.path.join(self.dir, "a.json")])
        self.assertEqual(p.returncode, 2)
        self.assertIn(audio + ": --segment needs a video file", p.stderr)


if __name__ == "__main__":
    unittest.main()
