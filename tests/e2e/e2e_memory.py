"""Memory is bounded by the frame window, not by duration (issue 9): peak RSS
of a QC pass over a one-hour stream stays within 10% of a one-minute one."""
import os
import subprocess
import tempfile
import unittest

from common import MEDIAQC


def peak_rss_kib(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code < 0 or code == 2:
        raise AssertionError("%s: exit %d" % (argv, code))
    return usage.ru_maxrss


@unittest.skipIf(os.environ.get("MQC_SANITIZED"), "sanitizer allocators hold freed memory")
class LongStream(unittest.TestCase):
    def test_one_hour_stream_uses_the_memory_of_one_minute(self):
        tmp = tempfile.mkdtemp(prefix="mqc-memory-")
        rss = {}
        for label, seconds in (("minute", 60), ("hour", 3600)):
            path = os.path.join(tmp, label + ".mkv")
            subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                            "testsrc2=size=64x36:rate=25:duration=%d" % seconds,
                            # noise: every frame differs, so the event count stays flat
                            "-vf", "noise=alls=12:allf=t", "-c:v", "ffv1",
                            path], check=True, timeout=600)
            # every check on, plus the per-frame records: nothing may accumulate per frame
            rss[label] = peak_rss_kib([MEDIAQC, "check", path, "-q", "-o", os.devnull,
                                       "--frames", os.devnull, "--threads", "2"])
            os.unlink(path)
        print("\npeak RSS: %d KiB for 1 min, %d KiB for 1 h" % (rss["minute"], rss["hour"]))
        self.assertLessEqual(rss["hour"], rss["minute"] * 1.10)


if __name__ == "__main__":
    unittest.main()
