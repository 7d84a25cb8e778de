#!/usr/bin/env python3
"""End-to-end tests: one error space (issue 12, part 2).

An allocation that fails inside the analysis (the scheduler's per-frame
work, an event list that cannot grow) must give verdict `error` with an
out-of-memory message and exit 3: never a PASS with events silently dropped,
never "Operation not permitted" (the old -1 error code read as AVERROR(EPERM)).
The failure is injected with MQC_FAIL_ALLOC_AFTER=N: the allocation after N
successful ones fails, once.

Environment (set by CTest): MEDIAQC, MQC_MEDIA.
"""
import json
import os
import subprocess
import tempfile
import unittest

from common import stable

MEDIAQC = os.path.abspath(os.environ.get("MEDIAQC", "build/mediaqc"))
MEDIA = os.path.abspath(os.environ.get("MQC_MEDIA", "build/tests/e2e-media"))
CLIP = "h264_8bit_420.mp4"      # 75 frames; range/gamut events from frame 10, black at 50
FRAMES = 75
UNREADABLE = 3
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def run(args, fail_after=None, out=None):
    env = dict(os.environ)
    env.pop("MQC_FAIL_ALLOC_AFTER", None)
    if fail_after is not None:
        env["MQC_FAIL_ALLOC_AFTER"] = str(fail_after)
    proc = subprocess.run([MEDIAQC] + args, capture_output=True, text=True, env=env,
                          timeout=120)
    for mark in SANITIZER_MARKERS:
        assert mark not in proc.stderr, proc.stderr
    assert proc.returncode >= 0, "killed by signal %d" % -proc.returncode
    report = None
    if out and os.path.exists(out):
        with open(out) as f:
            report = json.load(f)
    return proc, report


class AllocationFailureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mqc-errors-")
        cls.clip = os.path.join(MEDIA, CLIP)
        out = os.path.join(cls.dir, "baseline.json")
        proc, cls.baseline = run(["check", cls.clip, "-o", out, "--quiet"], out=out)
        cls.baseline_code = proc.returncode
        assert cls.baseline["verdict"] == "fail" and cls.baseline["summary"]["frames_analyzed"] == FRAMES

    def check_oom_run(self, n):
        out = os.path.join(self.dir, "r%d.json" % n)
        proc, rep = run(["check", self.clip, "-o", out, "--quiet"], fail_after=n, out=out)
        ctx = "MQC_FAIL_ALLOC_AFTER=%d: exit %d, stderr %r" % (n, proc.returncode, proc.stderr)
        self.assertEqual(proc.returncode, UNREADABLE, ctx)
        self.assertIsNotNone(rep, ctx)
        self.assertEqual(rep["verdict"], "error", ctx)
        self.assertIn("out of memory", proc.stderr, ctx)
        self.assertNotIn("not permitted", proc.stderr, ctx)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, ctx)
        decode = [c for c in rep["checks"] if c["id"] == "decode"][0]
        oom = [e for e in decode["events"] if e["code"] == "out_of_memory"]
        self.assertEqual(len(oom), 1, ctx)
        self.assertIn("out of memory", oom[0]["message"])
        self.assertIn(self.clip, oom[0]["message"])
        return proc, rep, oom[0]

    def test_every_failure_point_in_the_first_frames_gives_error(self):
        """Each of the first allocation points of the analysis, one per run."""
        stopped = dropped = 0
        for n in range(0, 20):
            proc, rep, ev = self.check_oom_run(n)
            if "events were dropped" in ev["message"]:
                dropped += 1
                # the run went on: every frame analysed, the check named
                self.assertEqual(rep["summary"]["frames_analyzed"], FRAMES)
                self.assertRegex(ev["message"], r": (legal_range|gamut|black|decode|[a-z_]+): "
                                                r"out of memory, events were dropped$")
            else:
                stopped += 1
                self.assertRegex(ev["message"], r"analysis stopped at frame \d+: out of memory$")
                # the frames before the failure are reported
                self.assertEqual(ev["start_frame"], rep["summary"]["frames_analyzed"])
                self.assertLess(rep["summary"]["frames_analyzed"], FRAMES)
        # both kinds were hit: the scheduler stopping, and an event list that could not grow
        self.assertGreater(stopped, 0)
        self.assertGreater(dropped, 0)

    def test_failure_late_in_the_file(self):
        proc, rep, ev = self.check_oom_run(60)
        self.assertGreater(rep["summary"]["frames_analyzed"], 40)

    def test_no_failure_when_the_budget_is_not_reached(self):
        out = os.path.join(self.dir, "big.json")
        proc, rep = run(["check", self.clip, "-o", out, "--quiet"], fail_after=10**9, out=out)
        self.assertEqual(proc.returncode, self.baseline_code)
        self.assertEqual(stable(rep), stable(self.baseline))

    def test_hash_reports_out_of_memory(self):
        proc, _ = run(["hash", self.clip], fail_after=3)
        self.assertEqual(proc.returncode, UNREADABLE, proc.stderr)
        self.assertIn("out of memory", proc.stderr)


if __name__ == "__main__":
    unittest.main()
