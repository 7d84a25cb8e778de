"""MPEG-2 GOP-header timecodes (issue 13.6). Ground truth is read here from the
bitstream itself: each group_start_code's 25-bit time_code and the following
picture's temporal_reference (ISO/IEC 13818-2 6.2.2.6, 6.3.9), counted with a
hand-written SMPTE drop-frame counter; ffmpeg only makes and remuxes the clips."""
import os
import shutil
import subprocess
import tempfile
import unittest

from common import check, run

REAL = os.environ.get("MQC_REAL_MEDIA") or "/work/shared/media/real"


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def gop_headers(es):
    """[(hh, mm, ss, ff, drop, closed, temporal_reference of the next picture)]"""
    out, i = [], 0
    while True:
        i = es.find(b"\x00\x00\x01\xb8", i)
        if i < 0:
            return out
        b = int.from_bytes(es[i + 4:i + 8], "big")
        j = es.find(b"\x00\x00\x01\x00", i)
        tref = es[j + 4] << 2 | es[j + 5] >> 6
        out.append(((b >> 26) & 31, (b >> 20) & 63, (b >> 13) & 63, (b >> 7) & 63, b >> 31,
                    (b >> 6) & 1, tref))
        i += 4


def tc_to_frames(hh, mm, ss, ff, drop, fps):
    n = (hh * 3600 + mm * 60 + ss) * fps + ff
    if drop:   # 2 numbers skipped each minute except every tenth (SMPTE ST 12-1)
        minutes = hh * 60 + mm
        n -= 2 * (minutes - minutes // 10)
    return n


def frames_to_tc(n, drop, fps):
    if drop:
        per10, per1 = 17982, 1798
        d, m = divmod(n, per10)
        n += 18 * d + (2 * ((m - 2) // per1) if m > 2 else 0)
    ff, s = n % fps, n // fps
    return "%02d:%02d:%02d%s%02d" % (s // 3600, s // 60 % 60, s % 60, ";" if drop else ":", ff)


def first_picture_tc(es, fps):
    """timecode of the first coded picture: its GOP's time_code + its temporal_reference"""
    hh, mm, ss, ff, drop, _, tref = gop_headers(es)[0]
    return frames_to_tc(tc_to_frames(hh, mm, ss, ff, drop, fps) + tref, drop, fps)


class GopTimecode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-gop-")
        parts = []
        for name, tc in (("a.m2v", "10:00:00:00"), ("b.m2v", "10:00:20:00")):
            path = os.path.join(cls.dir, name)
            ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2", "-c:v", "mpeg2video",
                   "-g", "12", "-bf", "2", "-timecode", tc, "-f", "mpeg2video", path)
            with open(path, "rb") as f:
                parts.append(f.read())
        cls.es = parts[0] + parts[1]   # the timecode jumps where the second part starts
        es = os.path.join(cls.dir, "jump.m2v")
        with open(es, "wb") as f:
            f.write(cls.es)
        cls.clip = os.path.join(cls.dir, "jump.mkv")
        ffmpeg("-fflags", "+genpts", "-r", "25", "-i", es, "-c", "copy", cls.clip)
        cls.res = run(["check", cls.clip, "--quiet"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_the_bitstream_has_the_jump(self):
        heads = gop_headers(self.es)
        self.assertEqual(heads[0][:4], (10, 0, 0, 0))
        jump = [h for h in heads if h[:4] == (10, 0, 20, 0)]
        self.assertEqual(len(jump), 1)
        self.assertEqual(jump[0][5:], (1, 0), "the second part opens with a closed GOP, I first")

    def test_start_timecode_from_the_first_gop(self):
        self.assertEqual(self.res.report["video"]["start_timecode"],
                         first_picture_tc(self.es, 25))

    def test_the_jump_is_a_timecode_break_at_its_frame(self):
        events = check(self.res.report, "timecode")["events"]
        self.assertEqual([(e["code"], e["start_frame"]) for e in events],
                         [("timecode_break", 50)])
        self.assertIn("found 10:00:20:00", events[0]["message"])
        self.assertEqual(self.res.code, 1)

    def test_real_open_gop_drop_frame_file(self):
        """NTSC MPEG-2 whose first GOP's two leading pictures do not decode: the
        first decoded frame is the I picture, time_code + temporal_reference"""
        path = os.path.join(REAL, "mpeg2_ntsc_bff_goptc_bars.mov")
        es = os.path.join(self.dir, "real.m2v")
        ffmpeg("-i", path, "-map", "0:v", "-c", "copy", "-f", "mpeg2video", es)
        with open(es, "rb") as f:
            data = f.read()
        heads = gop_headers(data)
        self.assertEqual(heads[0][:5], (1, 59, 1, 29, 1))
        want = first_picture_tc(data, 30)          # 01:59:01;29 + 2 = 01:59:02;01
        res = run(["check", path, "--quiet"])
        self.assertEqual(res.report["video"]["start_timecode"], want)
        tc = check(res.report, "timecode")
        self.assertEqual(tc["events"], [], "the GOP timecodes run without a break")
        self.assertGreaterEqual(tc["metrics"]["frames_with_timecode"], 8)
        # the second GOP's header names its first displayed picture, frame 13
        second = tc_to_frames(*heads[1][:5], 30)
        self.assertEqual(second - tc_to_frames(1, 59, 2, 1, 1, 30), 13)


if __name__ == "__main__":
    unittest.main()
