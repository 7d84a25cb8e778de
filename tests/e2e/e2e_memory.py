"""Memory is bounded by the frame window, not by duration (issue 9): peak RSS
of a QC pass over a one-hour stream stays within 10% of a one-minute one.
The window is bounded in bytes too: on UHD 16-bit pictures a QC pass needs
at most 1.5x the memory of ffmpeg's decode alone. And the thread budget is
one budget: --threads 1 runs on one thread."""
import json
import os
import subprocess
import tempfile
import time
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


def max_threads(argv):
    """The most threads the process had at once (sampled) and its exit code."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    most = 0
    while proc.poll() is None:
        try:
            most = max(most, len(os.listdir("/proc/%d/task" % proc.pid)))
        except FileNotFoundError:
            break
        time.sleep(0.002)
    return most, proc.wait()


def stable_report(path):
    with open(path) as f:
        r = json.load(f)
    r.pop("run")
    r["summary"].pop("elapsed_s")
    r["summary"].pop("fps")
    return r


class Budget(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-budget-")

    def ffmpeg(self, name, *args):
        path = os.path.join(self.tmp, name)
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args) + [path],
                       check=True, timeout=600)
        return path

    @unittest.skipIf(os.environ.get("MQC_SANITIZED"), "sanitizer allocators hold freed memory")
    def test_uhd_16bit_window_is_bounded_in_bytes(self):
        # 50 MB pictures (3840x2160 4:4:4 16-bit), more of them than the
        # frame-count window held before (4 x threads + 2)
        path = self.ffmpeg("uhd16.mkv", "-f", "lavfi", "-i",
                           "testsrc2=size=3840x2160:rate=25:duration=0.64", "-vf",
                           "format=yuv444p16le", "-c:v", "ffv1")
        decode = peak_rss_kib(["ffmpeg", "-v", "error", "-nostdin", "-threads", "2", "-i", path,
                               "-f", "null", "-"])
        qc = peak_rss_kib([MEDIAQC, "check", path, "-q", "-o", os.devnull, "--threads", "2"])
        print("\npeak RSS on UHD 16-bit: mediaqc %d KiB, ffmpeg decode %d KiB (%.2fx)"
              % (qc, decode, qc / decode))
        self.assertLessEqual(qc, decode * 1.5)

    def test_one_thread_is_one_thread_and_reports_do_not_change(self):
        path = self.ffmpeg("budget.mov", "-f", "lavfi", "-i",
                           "testsrc2=size=1280x720:rate=25:duration=2", "-c:v", "prores_ks")
        reports = []
        for threads, most_allowed in (("1", 1), ("2", 3)):
            out = os.path.join(self.tmp, "r%s.json" % threads)
            most, code = max_threads([MEDIAQC, "check", path, "-q", "-o", out,
                                      "--threads", threads])
            self.assertIn(code, (0, 1))
            # 2: the decoder's thread, the analysis thread and one team thread,
            # never more than two of them busy (docs/architecture.md)
            self.assertLessEqual(most, most_allowed, "--threads %s" % threads)
            reports.append(stable_report(out))
        self.assertEqual(reports[0], reports[1])


if __name__ == "__main__":
    unittest.main()
