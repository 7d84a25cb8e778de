"""Corrupt-media corpus (issue 9): truncations, bit flips, overwrites, swapped
extensions, mid-stream format changes, forged dimensions, many streams.
Every case must end with a documented exit code (0, 1 or 3 — never a signal),
a parseable report, and within a time bound (a watchdog)."""
import os
import random
import shutil
import subprocess
import tempfile
import unittest

from common import SANITIZER_MARKS, MEDIAQC, clip_path, load_report

ALLOWED = {0, 1, 3}
BASE_TIMEOUT = 60


def read(path):
    with open(path, "rb") as f:
        return f.read()


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=300)


class Corpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-corpus-")
        cls.cases = 0
        # faststart: the index comes first, so truncation keeps a decodable head
        cls.prores = os.path.join(cls.tmp, "prores_faststart.mov")
        ffmpeg("-i", clip_path("prores_10bit_422.mov"), "-c", "copy", "-movflags", "+faststart",
               cls.prores)
        cls.sources = [cls.prores, clip_path("h264_8bit_420.mp4"),
                       clip_path("ffv1_10bit_444.mkv")]

    def qc(self, path, timeout=None):
        """Runs check with a report; asserts the robustness contract."""
        report = path + ".report.json"
        size = os.path.getsize(path) if os.path.exists(path) else 0
        limit = timeout or BASE_TIMEOUT + size / 1e6   # proportional to the size
        p = subprocess.run([MEDIAQC, "check", path, "-q", "-o", report, "--threads", "2"],
                           capture_output=True, text=True, timeout=limit)
        type(self).cases += 1
        self.assertGreaterEqual(p.returncode, 0, "%s: killed by signal %d" % (path, -p.returncode))
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, p.stderr, path)
        self.assertIn(p.returncode, ALLOWED, "%s: exit %d\n%s" % (path, p.returncode, p.stderr))
        rep = load_report(report)
        self.assertEqual(rep["verdict"], {0: "pass", 1: "fail", 3: "error"}[p.returncode])
        if p.returncode == 3:
            codes = [e["code"] for c in rep["checks"] for e in c["events"]]
            self.assertIn("unreadable", codes)
        return p.returncode, rep

    def variant(self, src, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_truncations(self):
        for src in self.sources:
            data = read(src)
            n = len(data)
            offsets = sorted({1, 8, 64, 512, 4096, n // 20, n // 10, n // 4, n // 2,
                              3 * n // 4, 9 * n // 10, n - 4096, n - 1})
            for off in offsets:
                with self.subTest(src=os.path.basename(src), offset=off):
                    code, rep = self.qc(self.variant(src, "trunc-%d-%s" % (off, os.path.basename(src)),
                                                     data[:off]))
                    if code == 1:
                        # partly analysed: the damage is reported, not hidden
                        self.assertGreater(rep["summary"]["frames_analyzed"], 0)

    def test_bit_flips_and_overwrites(self):
        rng = random.Random(20261125)
        for src in self.sources:
            data = bytearray(read(src))
            for i in range(6):
                damaged = bytearray(data)
                if i < 3:   # scattered bit flips, more each time
                    for _ in range(10 ** (i + 1)):
                        pos = rng.randrange(len(damaged))
                        damaged[pos] ^= 1 << rng.randrange(8)
                else:       # a block of garbage at a random place
                    pos = rng.randrange(len(damaged) - 4096)
                    damaged[pos:pos + 4096] = bytes(rng.randrange(256) for _ in range(4096))
                with self.subTest(src=os.path.basename(src), variant=i):
                    self.qc(self.variant(src, "damaged-%d-%s" % (i, os.path.basename(src)),
                                         bytes(damaged)))

    def test_swapped_extensions(self):
        for src, ext in zip(self.sources, (".mkv", ".mov", ".mp4")):
            path = os.path.join(self.tmp, "swapped-" + os.path.basename(src) + ext)
            shutil.copy(src, path)
            with self.subTest(path=os.path.basename(path)):
                code, _ = self.qc(path)
                self.assertIn(code, (0, 1))   # content, not the name, decides

    def test_resolution_and_pix_fmt_change_mid_stream(self):
        a = os.path.join(self.tmp, "a.ts")
        b = os.path.join(self.tmp, "b.ts")
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=1",
               "-c:v", "mpeg2video", "-pix_fmt", "yuv420p", "-q:v", "3", a)
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=1",
               "-c:v", "mpeg2video", "-pix_fmt", "yuv422p", "-q:v", "3", b)
        joined = self.variant(a, "joined.ts", read(a) + read(b))
        code, rep = self.qc(joined)
        self.assertIn(code, (0, 1))
        self.assertGreaterEqual(rep["summary"]["frames_analyzed"], 40)

    def test_forged_huge_dimensions(self):
        header = b"YUV4MPEG2 W60000 H60000 F25:1 Ip A1:1 C420jpeg\nFRAME\n"
        code, rep = self.qc(self.variant(None, "huge.y4m", header + b"\x80" * 1000))
        self.assertEqual(code, 3)
        # the reason, not FFmpeg's "Device or resource busy" (EINVAL + len("FRAME\n"))
        why = [e["message"] for c in rep["checks"] for e in c["events"] if e["code"] == "unreadable"]
        self.assertIn("declared picture 60000x60000 exceeds the limit of", why[0])
        self.assertNotIn("busy", why[0])
        p = subprocess.run([MEDIAQC, "check", os.path.join(self.tmp, "huge.y4m"), "-q",
                            "--max-pixels", "4000000000"], capture_output=True, text=True,
                           timeout=BASE_TIMEOUT)
        self.assertEqual(p.returncode, 3)
        self.assertIn("declared picture 60000x60000 is larger than FFmpeg can decode", p.stderr)
        # under the pixel limit but far more than the data: a short read, not a crash
        header = b"YUV4MPEG2 W8192 H8192 F25:1 Ip A1:1 C420jpeg\nFRAME\n"
        self.qc(self.variant(None, "big.y4m", header + b"\x80" * 1000))

    def test_many_streams(self):
        path = os.path.join(self.tmp, "many.mkv")
        args = ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=1"]
        for i in range(16):
            args += ["-f", "lavfi", "-i", "sine=frequency=%d:duration=1" % (200 + 50 * i)]
        maps = ["-map", "0:v"] + sum((["-map", "%d:a" % (i + 1)] for i in range(16)), [])
        ffmpeg(*(args + maps + ["-c:v", "ffv1", "-c:a", "flac", path]))
        code, rep = self.qc(path)
        self.assertIn(code, (0, 1))   # testsrc2's 4:2:0 bar edges may touch R103 gamut limits
        self.assertEqual(rep["summary"]["frames_analyzed"], 25)

    @classmethod
    def tearDownClass(cls):
        print("\ncorpus cases run: %d" % cls.cases)
        shutil.rmtree(cls.tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
