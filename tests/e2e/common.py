"""Shared helpers for the end-to-end tests: run the real binary on real media."""
import json
import os
import subprocess
import tempfile

MEDIAQC = os.environ.get("MEDIAQC", "build/mediaqc")
MEDIA = os.environ.get("MQC_MEDIA", "build/tests/e2e-media")
SOURCE = os.environ.get("MQC_SOURCE_DIR", ".")
TIMEOUT = 120  # watchdog: a hang fails the test instead of stalling CI

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                   "WARNING: ThreadSanitizer")


def manifest():
    with open(os.path.join(MEDIA, "manifest.json")) as f:
        return json.load(f)


def clip_path(name):
    return os.path.join(MEDIA, name)


def video_clips():
    return [c for c in manifest()["clips"] if c.get("video")]


class Result:
    def __init__(self, proc, report):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.report = report


def run(args, report=True, workdir=None):
    """Runs mediaqc; with report=True adds -o and parses the JSON report."""
    workdir = workdir or tempfile.mkdtemp(prefix="mqc-e2e-")
    out = os.path.join(workdir, "report.json")
    argv = [MEDIAQC] + list(args) + (["-o", out] if report else [])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
    for mark in SANITIZER_MARKS:
        if mark in proc.stderr:
            raise AssertionError("sanitizer report from %s:\n%s" % (argv, proc.stderr))
    if proc.returncode < 0:
        raise AssertionError("%s died by signal %d" % (argv, -proc.returncode))
    rep = None
    if report and os.path.exists(out):
        with open(out) as f:
            rep = json.load(f)
    return Result(proc, rep)


def stable(report):
    """The report minus what may differ between runs (DESIGN.md §3)."""
    r = json.loads(json.dumps(report))
    r.pop("run", None)
    r["summary"].pop("elapsed_s", None)
    r["summary"].pop("fps", None)
    return r


def check(report, check_id):
    for c in report["checks"]:
        if c["id"] == check_id:
            return c
    raise AssertionError("no check %r in report" % check_id)


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
