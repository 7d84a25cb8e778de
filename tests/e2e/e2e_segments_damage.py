"""Damaged pictures in segments (issue 18): a segment decodes from the
keyframe before its first frame, so its decoder has not seen what a single
pass decoded before. FFmpeg's H.264 error concealment reads per-picture
tables that its buffer pools hand back uncleared (their contents are those
of whichever earlier picture had the buffer), so a damaged H.264 picture
decoded by a later segment can be concealed differently. That cannot be
made exact from outside the decoder: `merge` says so (a warning and the
report's run.merge_warning) whenever a segment after the first decoded a
damaged picture of an inter-coded stream, and never differs silently.
Damage that only segment 0 decodes, and damaged ProRes anywhere, are exact:
merged == single pass, frame by frame (`--frames` picture hashes)."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import TIMEOUT  # noqa: E402
from e2e_determinism import packets  # noqa: E402
import e2e_segments as seg  # noqa: E402  (a module: its TestCases are not run twice)
from e2e_segments import comparable, run  # noqa: E402

GOP = 24        # 192 frames, keyframes at 0, 24, ... 168 (x264: closed GOPs)


def damage(src, dst, indices, flips=3, seed=7, header=False):
    """Inverts `flips` bytes inside each listed packet (decode order), past
    its first 200 bytes (the frame and picture headers): the slices are
    damaged, the picture still decodes (concealed, or flagged corrupt).
    header: a ProRes frame's "icpf" instead, a packet that decodes to no
    picture."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    rng = random.Random(seed)
    pk = packets(src)
    for i in indices:
        pos, size = pk[i]
        for at in range(4, 8) if header else [rng.randrange(200, size) for _ in range(flips)]:
            data[pos + at] ^= 0xFF
    with open(dst, "wb") as f:
        f.write(data)


def leading(clip):
    """(the last keyframe's pts, pts) of every video packet, in decode order."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "packet=pts,flags", "-of", "csv=p=0", clip], capture_output=True,
                         text=True, check=True, timeout=TIMEOUT).stdout
    key, got = None, []
    for line in out.split():
        pts, flags = line.split(",")[:2]
        if "K" in flags:
            key = int(pts)
        got.append((key, int(pts)))
    return got


def hashes(frames_file):
    with open(frames_file) as f:
        return [json.loads(line)["hash"] for line in f]


class DamagedSegments(unittest.TestCase):
    segment_all = seg.Segments.segment_all
    assert_html_equals_single = seg.Segments.assert_html_equals_single

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-segd-")
        cls.rng = random.Random(18)
        src = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
               "testsrc2=size=320x180:rate=24:duration=8"]
        cls.h264 = os.path.join(cls.dir, "h264.mp4")
        cls.prores = os.path.join(cls.dir, "prores.mov")
        subprocess.run(src + ["-c:v", "libx264", "-g", str(GOP), "-pix_fmt", "yuv420p",
                              cls.h264], check=True, timeout=TIMEOUT)
        subprocess.run(src + ["-c:v", "prores_ks", "-profile:v", "0", cls.prores], check=True,
                       timeout=TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def single(self, clip):
        out, frames = clip + ".single.json", clip + ".single.jsonl"
        run(["check", clip, "-o", out, "--frames", frames, "--quiet"])
        return comparable(out), hashes(frames)

    def assert_exact_merge_is_single(self, clip, n, want):
        """merge --exact (what the workers' merges do): where the parts cannot
        be exact, the whole file is analysed instead, so the report is the
        single pass's, and the merge says so."""
        parts = ["%s.%d_of_%d.json" % (clip, i, n) for i in range(n)]
        out = "%s.exact_%d.json" % (clip, n)
        p = run(["merge", "--exact"] + parts + ["-o", out])
        self.assertIn("the whole file was analysed instead", p.stderr)
        self.assertEqual(comparable(out), want)

    def merged(self, clip, n):
        """The merged report, the segments' picture hashes in order, the
        merge's stderr and the report's run.merge_warning."""
        parts, pictures = [], []
        for i in range(n):
            part, frames = "%s.%d_of_%d.json" % (clip, i, n), "%s.%d_of_%d.jsonl" % (clip, i, n)
            run(["check", clip, "--segment", "%d/%d" % (i, n), "-o", part, "--frames", frames,
                 "--quiet"], ok=(0,))
            parts.append(part)
            pictures += hashes(frames)
        out = "%s.merged_%d.json" % (clip, n)
        p = run(["merge"] + parts[::-1] + ["-o", out])
        with open(out) as f:
            warning = json.load(f)["run"].get("merge_warning")
        return comparable(out), pictures, p.stderr, warning

    def assert_exact(self, clip, counts=(2, 3)):
        """Merged == single, picture by picture, and no warning, for 2 and 3
        segments (cuts at 96; at 72 and 120)."""
        want, want_pictures = self.single(clip)
        self.assertTrue(any(e for c in want["checks"] if c["id"] == "decode"
                            for e in c.get("events", [])), "the damage must show")
        for n in counts:
            with self.subTest(segments=n):
                got, pictures, err, warning = self.merged(clip, n)
                self.assertEqual(pictures, want_pictures)
                self.assertEqual(got, want)
                self.assertNotIn("warning", err)
                self.assertIsNone(warning)

    def test_damage_only_segment_0_decodes_is_exact(self):
        """Damaged P and B pictures in the first GOPs (segment 0 for N = 2
        and 3: its frames end at 96 and 72): merged == single, no warning."""
        clip = os.path.join(self.dir, "early.mp4")
        damage(self.h264, clip, [10, 40, 41])
        self.assert_exact(clip)

    def test_damaged_keyframe_at_a_cut_is_said(self):
        """The keyframe at 72 damaged: with 3 segments it is segment 1's first
        frame, with 2 segment 1 decodes it before its frames (the picture
        before 96 is the one its checks compare with). Measured with FFmpeg
        5.1: 3 segments conceal frames 72..95 differently, 2 give other
        interlace counts. Whatever differs lies in that GOP, and the merge
        says which segment decoded damage from which frame."""
        clip = os.path.join(self.dir, "cut.mp4")
        damage(self.h264, clip, [72])
        want, want_pictures = self.single(clip)
        for n in (2, 3):
            with self.subTest(segments=n):
                _, pictures, err, warning = self.merged(clip, n)
                self.assertIn("warning: segment 1 (frame 72) decoded damaged pictures of an "
                              "inter-coded stream", err)
                self.assertTrue(warning and warning.startswith("segment 1 (frame 72)"), warning)
                differ = [i for i, (a, b) in enumerate(zip(pictures, want_pictures)) if a != b]
                self.assertEqual(len(pictures), len(want_pictures))
                self.assertTrue(set(differ) <= set(range(72, 96)), differ)
                self.assert_exact_merge_is_single(clip, n, want)

    def test_damaged_prores_is_exact(self):
        """Intra-only pictures decode alone: damage at the cuts (the last
        frame before 96 and the first after it, frame 64 of 3 segments)
        merges to the single pass, without a warning."""
        clip = os.path.join(self.dir, "prores_damaged.mov")
        damage(self.prores, clip, [64, 95, 96], flips=40)
        self.assert_exact(clip)

    def test_lost_pictures_are_said(self):
        """A packet that decodes to no picture: one pass numbers the pictures
        that come out (the frames after it move up one), a segment numbers
        by the file's index, so the segments after it do not meet the single
        pass's frames (measured: 192 merged frames for 191, segment 0's last
        picture twice). The merge says so, naming the segment and the frame."""
        clip = os.path.join(self.dir, "prores_lost.mov")
        damage(self.prores, clip, [64], header=True)
        want, want_pictures = self.single(clip)
        self.assertEqual(len(want_pictures), 191)
        for n, segment in ((2, 0), (3, 1)):     # 64: segment 0's of 2, 1's first of 3
            with self.subTest(segments=n):
                _, _, err, warning = self.merged(clip, n)
                said = "segment %d (frame 64) decoded a packet to no picture" % segment
                self.assertIn("warning: " + said, err)
                self.assertIn(said, warning)
                self.assert_exact_merge_is_single(clip, n, want)

    def test_exact_merge_of_an_input_gone_is_refused_by_name(self):
        """merge --exact needs the input the partials name: when it is gone
        (moved, deleted), the merge exits 2 naming it and writes no report,
        instead of a report that is not the single pass's."""
        clip = os.path.join(self.dir, "gone.mp4")
        damage(self.h264, clip, [72])
        self.merged(clip, 3)
        os.unlink(clip)
        out = clip + ".exact.json"
        p = run(["merge", "--exact"] + ["%s.%d_of_3.json" % (clip, i) for i in range(3)]
                + ["-o", out], ok=(2,))
        self.assertIn(clip + ": No such file or directory", p.stderr)
        self.assertNotIn("Sanitizer", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_open_gops_merge_exactly(self):
        """Open GOPs: the pictures after a keyframe in decode order that are
        shown before it (MPEG-2 as FFmpeg and broadcast encoders write it,
        x265's default CRA pictures, x264 --open-gop). A segment decodes from
        the keyframe before its cut, so they decode, and numbers the first
        picture out by the packets shown before it: merged == single pass,
        picture by picture, with no warning (they once merged with two
        frames missing at each cut, as on the real MPEG-2 bars)."""
        src = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
               "testsrc2=size=320x180:rate=24:duration=8"]     # 8 GOPs: 7 segments
        clips = {"mpeg2_open.mov": ["-c:v", "mpeg2video", "-g", "12", "-bf", "2", "-q:v", "4"],
                 "hevc_cra.mp4": ["-c:v", "libx265", "-x265-params",
                                  "log-level=0:keyint=24:bframes=3:open-gop=1"],
                 "h264_open.mp4": ["-c:v", "libx264", "-bf", "3", "-x264-params",
                                   "keyint=24:open-gop=1:scenecut=0"]}
        for name, enc in clips.items():
            clip = os.path.join(self.dir, name)
            subprocess.run(src + enc + ["-pix_fmt", "yuv420p", clip], check=True,
                           timeout=TIMEOUT)
            self.assertTrue(any(pts < key for key, pts in leading(clip)),
                            "%s has no open GOP: this test no longer tests it" % name)
            want, want_pictures = self.single(clip)
            for n in (2, 3, 7):
                with self.subTest(clip=name, segments=n):
                    got, pictures, err, warning = self.merged(clip, n)
                    self.assertEqual(pictures, want_pictures)
                    self.assertEqual(got, want)
                    self.assertNotIn("warning", err)
                    self.assertIsNone(warning)
            # the merged page's thumbnails, decoded again from the input: a
            # picture shown before its keyframe is decoded from the GOP
            # before (frame 95 of the x264 clip once could not be)
            self.assert_html_equals_single(clip, (3, 7), name)

    def test_pictures_dropped_at_the_start_are_said(self):
        """A file that starts with an open GOP and no edit list to hide its
        leading pictures: the decoder drops them (their reference is not in
        the file), so a single pass numbers from the keyframe and the later
        segments, numbering by the index, cannot. Segment 0 says so, the
        merge warns, and --exact gives the single pass."""
        src = os.path.join(self.dir, "mpeg2_src.mov")
        trimmed = os.path.join(self.dir, "mpeg2_trimmed.mov")
        clip = os.path.join(self.dir, "mpeg2_open_start.mov")
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x180:rate=24:duration=6", "-c:v", "mpeg2video", "-g",
                        "12", "-bf", "2", "-q:v", "4", src], check=True, timeout=TIMEOUT)
        # cut inside a GOP, then the edit list (which hides the pictures
        # before the cut) dropped: the leading pictures are shown
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-ss", "0.6", "-i", src,
                        "-c", "copy", trimmed], check=True, timeout=TIMEOUT)
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-ignore_editlist", "1",
                        "-i", trimmed, "-c", "copy", "-use_editlist", "0", clip], check=True,
                       timeout=TIMEOUT)
        want, want_pictures = self.single(clip)
        self.assertLess(len(want_pictures), len(leading(clip)), "no picture is dropped")
        for n in (2, 3):
            with self.subTest(segments=n):
                _, _, err, warning = self.merged(clip, n)
                said = "segment 0 (frame 0) starts in an open GOP whose leading pictures"
                self.assertIn("warning: " + said, err)
                self.assertIn(said, warning)
                self.assert_exact_merge_is_single(clip, n, want)

    def test_lost_picture_in_the_last_segment_is_exact(self):
        """Lost in the last segment's own frames (150: from 96 of 2, from 120
        of 3 segments): no later cut, the numbering is the single pass's."""
        clip = os.path.join(self.dir, "prores_lost_late.mov")
        damage(self.prores, clip, [150], header=True)
        self.assert_exact(clip)


if __name__ == "__main__":
    unittest.main()
