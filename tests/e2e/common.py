"""Shared helpers for the end-to-end tests: run the real binary on real media."""
import json
import os
import subprocess
import tempfile

try:
    import jsonschema
except ImportError as e:   # a failure, never a skip: every report is checked against schemas/
    raise ImportError("python3-jsonschema is missing (scripts/setup-debian.sh installs it): %s"
                      % e) from e

MEDIAQC = os.environ.get("MEDIAQC", "build/mediaqc")
MEDIA = os.environ.get("MQC_MEDIA", "build/tests/e2e-media")
SOURCE = os.environ.get("MQC_SOURCE_DIR", ".")
TIMEOUT = 120  # watchdog: a hang fails the test instead of stalling CI

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas")
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                   "WARNING: ThreadSanitizer")


def manifest():
    with open(os.path.join(MEDIA, "manifest.json")) as f:
        return json.load(f)


def clip_path(name):
    return os.path.join(MEDIA, name)


def video_clips():
    return [c for c in manifest()["clips"] if c.get("video")]


_validators = {}


def validator(kind, schema_dir=SCHEMA_DIR):
    """The validator of schemas/KIND.schema.json (report, frame, profile)."""
    path = os.path.join(schema_dir, kind + ".schema.json")
    if path not in _validators:
        with open(path) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validators[path] = cls(schema)
    return _validators[path]


def schema_errors(doc, kind, schema_dir=SCHEMA_DIR):
    """Every way `doc` breaks schemas/KIND.schema.json, as 'json/path: message'
    lines; for reports also what a schema cannot say (end after start)."""
    errs = sorted(validator(kind, schema_dir).iter_errors(doc), key=lambda e: list(e.path))
    out = ["%s: %s" % ("/".join(str(p) for p in e.path) or "(top)", e.message) for e in errs]
    if kind == "report" and not out:
        for i, c in enumerate(doc["checks"]):
            for j, e in enumerate(c["events"]):
                frames = e["start_frame"] is not None   # null: audio without video
                if (frames and e["end_frame"] < e["start_frame"]) or e["end_s"] < e["start_s"]:
                    out.append("checks/%d/events/%d: ends before it starts" % (i, j))
    return out


def validate(doc, kind, what, schema_dir=SCHEMA_DIR):
    """Raises AssertionError naming `what` unless doc matches the schema."""
    errs = schema_errors(doc, kind, schema_dir)
    if errs:
        raise AssertionError("%s does not match schemas/%s.schema.json (if the contract changed "
                             "on purpose, change the schema too):\n  %s"
                             % (what, kind, "\n  ".join(errs[:20])))
    return doc


def parse_report(text, what="report"):
    """A report's JSON text, checked against schemas/report.schema.json."""
    return validate(json.loads(text), "report", what)


def load_report(path):
    with open(path) as f:
        return parse_report(f.read(), path)


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
        rep = load_report(out)
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
    """A --frames file: every record checked against schemas/frame.schema.json."""
    with open(path) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    for i, r in enumerate(recs):
        validate(r, "frame", "%s line %d" % (path, i + 1))
    return recs
