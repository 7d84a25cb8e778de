"""`mediaqc hash` and the checksum check hash the decoder's own pixel format, as
ffmpeg -f framemd5 does, also when the engine converts the picture for its other
checks (issue 13.8): packed rgb48le, big-endian DPX (rgb48be, rgba64be), NV12,
PAL8. Ground truth: ffmpeg's framemd5 output, compared byte for byte."""
import os
import subprocess
import tempfile
import unittest

from common import MEDIAQC, TIMEOUT, check, read_jsonl, run

REAL = os.environ.get("MQC_REAL_MEDIA") or "/work/shared/media/real"
SOURCE = "testsrc2=size=320x240:rate=24"


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=120)


def framemd5(path):
    return subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0",
                           "-fflags", "+bitexact", "-f", "framemd5", "-"], capture_output=True,
                          text=True, check=True, timeout=120).stdout


class HashNative(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        d = tempfile.mkdtemp(prefix="mqc-hashnative-")
        src = ["-f", "lavfi", "-i", SOURCE, "-frames:v", "3"]
        cls.files = {}

        def make(name, *args):
            cls.files[name] = os.path.join(d, name)
            ffmpeg(*src, *args, cls.files[name])

        make("rgb48le.nut", "-c:v", "rawvideo", "-pix_fmt", "rgb48le")
        make("nv12.nut", "-c:v", "rawvideo", "-pix_fmt", "nv12")
        make("pal8.mov", "-c:v", "png", "-pix_fmt", "pal8")
        make("gbrp12le.mkv", "-c:v", "ffv1", "-pix_fmt", "gbrp12le")
        make("rgb48.dpx", "-c:v", "dpx", "-pix_fmt", "rgb48le", "-update", "1")
        make("gbrp12.dpx", "-c:v", "dpx", "-pix_fmt", "gbrp12le", "-update", "1")
        real = os.path.join(REAL, "ae_dpx16_rgba_seq", "ae16_rgba_0001.dpx")
        if not os.path.exists(real):
            raise AssertionError("real-media corpus not found: %s (set MQC_REAL_MEDIA)" % real)
        cls.files["rgba64be.dpx"] = real

    def test_hash_is_byte_identical_to_ffmpeg_framemd5(self):
        for name, path in self.files.items():
            with self.subTest(file=name):
                proc = subprocess.run([MEDIAQC, "hash", path], capture_output=True, text=True,
                                      timeout=TIMEOUT)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(proc.stdout, framemd5(path))

    def test_check_records_the_same_hashes_on_converted_input(self):
        converted = 0
        for name, path in self.files.items():
            with self.subTest(file=name):
                frames = os.path.join(tempfile.mkdtemp(prefix="mqc-hashnative-"), "f.jsonl")
                res = run(["check", path, "--quiet", "--frames", frames, "--set",
                           "checksum.algorithm=md5"])
                want = [line.split(",")[-1].strip() for line in framemd5(path).splitlines()
                        if not line.startswith("#")]
                self.assertEqual([r["md5"] for r in read_jsonl(frames)], want)
                self.assertEqual(check(res.report, "checksum")["params"]["algorithm"], "md5")
                converted += "analysed_pix_fmt" in res.report["video"]
        # the point of the test: most of these are converted for the other checks
        self.assertGreaterEqual(converted, 5)


if __name__ == "__main__":
    unittest.main()
