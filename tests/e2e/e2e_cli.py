"""The CLI contract (DESIGN.md §2): subcommands, outputs, profiles in use."""
import json
import os
import resource
import subprocess
import tempfile
import unittest

from common import (MEDIAQC, SOURCE, TIMEOUT, check, clip_path, parse_report, read_jsonl, run,
                    stable, validate)

CLEAN = "prores_10bit_422_clean.mov"
DEFECTS = "prores_10bit_422.mov"


def mediaqc(*args):
    return subprocess.run([MEDIAQC] + list(args), capture_output=True, text=True,
                          timeout=TIMEOUT)


class Subcommands(unittest.TestCase):
    def test_checks_list_shows_every_option(self):
        p = mediaqc("checks", "list")
        self.assertEqual(p.returncode, 0)
        for text in ("legal_range", "luma_max_pct", "number in [50, 150], default 105",
                     "black", "picture_ratio", "events: black_frames"):
            self.assertIn(text, p.stdout)

    def test_profiles_list_validate_show(self):
        p = mediaqc("profiles", "list")
        self.assertEqual(p.returncode, 0)
        names = [line.split()[0] for line in p.stdout.splitlines()]
        for name in ("default", "base", "broadcast-hd", "broadcast-strict", "streaming-uhd",
                     "camera-original"):
            self.assertIn(name, names)
        self.assertNotIn("INVALID", p.stdout)
        for name in names:
            with self.subTest(profile=name):
                self.assertEqual(mediaqc("profiles", "validate", name).returncode, 0)
        shown = validate(json.loads(mediaqc("profiles", "show", "broadcast-strict").stdout),
                         "profile", "profiles show broadcast-strict")
        # inherited from broadcast-hd and base, overridden by broadcast-strict
        self.assertEqual(shown["expect"]["width"], 1920)
        self.assertEqual(shown["checks"]["legal_range"]["luma_max_pct"], 103)
        self.assertEqual(shown["checks"]["legal_range"]["max_area_pct"], 1)
        self.assertEqual(shown["checks"]["black"]["severity"], "warning")

    def test_docs_checks_md_is_generated_from_option_tables(self):
        with open(os.path.join(SOURCE, "docs", "checks.md")) as f:
            committed = f.read()
        self.assertEqual(mediaqc("checks", "list", "--markdown").stdout, committed,
                         "docs/checks.md is stale: run mediaqc checks list --markdown")

    def test_version_and_help(self):
        self.assertIn("mediaqc 0.1.0", mediaqc("version").stdout)
        self.assertIn("usage:", mediaqc("help").stdout)


class CheckOutputs(unittest.TestCase):
    def test_json_to_stdout(self):
        p = mediaqc("check", clip_path(DEFECTS), "-o", "-", "--quiet")
        self.assertEqual(p.returncode, 1)
        report = parse_report(p.stdout)  # stdout is the report only
        self.assertEqual(report["schema"], "mediaqc.report/1")
        self.assertEqual(report["verdict"], "fail")

    def test_summary_names_failing_checks_with_timecode(self):
        p = mediaqc("check", clip_path(DEFECTS), "--quiet")
        self.assertEqual(p.returncode, 1)
        self.assertIn("FAIL", p.stdout)
        self.assertIn("legal_range", p.stdout)
        self.assertIn("01:00:00:10", p.stdout)  # first event, from the tmcd start

    def test_frames_file_streams_one_record_per_frame(self):
        tmp = tempfile.mkdtemp()
        frames = os.path.join(tmp, "f.jsonl")
        res = run(["check", clip_path(CLEAN), "--frames", frames, "--quiet"], workdir=tmp)
        self.assertEqual(res.code, 0)
        recs = read_jsonl(frames)
        self.assertEqual([r["frame"] for r in recs], list(range(75)))
        times = [r["time"] for r in recs]
        self.assertEqual(times, sorted(times))

    def test_progress_on_request_and_silenced(self):
        p = mediaqc("check", clip_path(CLEAN), "--progress", "always")
        self.assertIn("fps", p.stderr)
        p = mediaqc("check", clip_path(CLEAN), "--progress", "always", "--quiet")
        self.assertEqual(p.stderr, "")

    def test_report_params_are_effective_options(self):
        res = run(["check", clip_path(CLEAN), "--profile", "broadcast-strict", "--quiet"])
        lr = check(res.report, "legal_range")
        self.assertEqual(lr["params"]["luma_min_pct"], -1)
        self.assertEqual(lr["params"]["chroma"], True)
        self.assertEqual(res.report["profile"]["name"], "broadcast-strict")
        # 10-bit limited: -1% -> 64 - 8.76 = 55.24 -> 55; 103% -> 940 + 26.28 -> 966
        self.assertEqual(lr["metrics"]["luma_min_code"], 55)
        self.assertEqual(lr["metrics"]["luma_max_code"], 966)

    def test_stats_count_cpu_time_and_leave_the_report_alone(self):
        plain = run(["check", clip_path(DEFECTS), "--quiet", "--threads", "2"])
        tmp = tempfile.mkdtemp()
        out = os.path.join(tmp, "report.json")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([MEDIAQC, "check", clip_path(DEFECTS), "--quiet", "--threads",
                               "2", "--stats", "-o", out], capture_output=True, text=True,
                              timeout=TIMEOUT)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        charged = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        stdout, stderr = proc.stdout, proc.stderr
        self.assertEqual(proc.returncode, 1, stderr)
        report = validate(json.loads(open(out).read()), "report", out)
        # only run.stats is new: every other part is the same as without --stats
        self.assertEqual(stable(report), stable(plain.report))
        st = report["run"]["stats"]
        cpu = st["cpu_s"]
        self.assertGreater(cpu["decode"], 0)
        self.assertEqual(cpu["convert"], 0)     # ProRes 4:2:2 10-bit is read as decoded
        self.assertEqual(set(st["stages_cpu_s"]), {"histograms"})    # bit_depth is on
        for name in ("legal_range", "freeze", "interlace"):
            self.assertGreater(st["checks_cpu_s"][name]["measure"], 0, name)
        self.assertGreater(st["checks_cpu_s"]["checksum"]["measure_frame"], 0)
        counted = (cpu["decode"] + sum(st["stages_cpu_s"].values()) +
                   sum(sum(c.values()) for c in st["checks_cpu_s"].values()))
        # parts of the process's CPU time, which is at most what the kernel
        # charged the child (resource usage seen from outside)
        self.assertLessEqual(counted, cpu["process"] * 1.01 + 0.005)
        self.assertLessEqual(cpu["process"], charged + 0.02)
        self.assertGreater(cpu["process"], 0.5 * charged)
        self.assertIn("CPU time", stderr)
        for name in ("reading+decoding", "stage histograms", "interlace", "not counted above"):
            self.assertIn(name, stderr)
        self.assertIn("report:", stdout)


class ProfilesInUse(unittest.TestCase):
    def test_expect_block_reports_format_mismatch(self):
        res = run(["check", clip_path(CLEAN), "--profile", "broadcast-hd", "--quiet"])
        self.assertEqual(res.code, 1)
        events = check(res.report, "format")["events"]
        details = sorted(e["message"] for e in events)
        self.assertEqual([e["code"] for e in events], ["format_mismatch"] * 2)
        self.assertEqual(details, ["height: expected 1080, found 360",
                                   "width: expected 1920, found 640"])
        self.assertEqual(events[0]["start_frame"], 0)
        self.assertEqual(events[0]["end_frame"], 74)

    def test_profile_by_path_with_extends_and_severity(self):
        tmp = tempfile.mkdtemp()
        path = os.path.join(tmp, "mine.json")
        with open(path, "w") as f:
            json.dump({"extends": "base", "expect": {"width": 640, "frame_rate": "23.976"},
                       "checks": {"legal_range": {"severity": "warning"},
                                  "gamut": {"severity": "warning"},
                                  "black": {"enabled": False}}}, f)
        res = run(["check", clip_path(DEFECTS), "--profile", path, "--quiet"])
        self.assertEqual(res.code, 0)   # range problems are only warnings here
        self.assertEqual(res.report["verdict"], "pass")
        # luma above/below (legal_range) and R'G'B' above/below (gamut)
        self.assertEqual(res.report["summary"]["warnings"], 4)
        ids = [c["id"] for c in res.report["checks"]]
        self.assertNotIn("black", ids)
        self.assertEqual(check(res.report, "format")["events"], [])

    def test_camera_original_never_fails_on_range(self):
        res = run(["check", clip_path(DEFECTS), "--profile", "camera-original", "--quiet"])
        self.assertEqual(res.code, 0)
        self.assertEqual(check(res.report, "black")["severity"], "info")

    def test_profile_search_path(self):
        tmp = tempfile.mkdtemp()
        with open(os.path.join(tmp, "house.json"), "w") as f:
            json.dump({"extends": "broadcast-hd", "expect": {"width": 640, "height": 360}}, f)
        env = dict(os.environ, MEDIAQC_PROFILE_PATH=tmp)
        p = subprocess.run([MEDIAQC, "check", clip_path(CLEAN), "--profile", "house", "-q"],
                           capture_output=True, text=True, timeout=TIMEOUT, env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(os.path.isdir(os.path.join(SOURCE, "profiles")))


if __name__ == "__main__":
    unittest.main()
