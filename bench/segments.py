#!/usr/bin/env python3
"""One master on one worker vs two workers (issue 18): wall time of

  1 worker    mediaqc check FILE --threads 1
  2 workers   mediaqc check FILE --segment 0/2 --threads 1  } at the same time,
              mediaqc check FILE --segment 1/2 --threads 1  } then
              mediaqc merge PART0 PART1                       (counted in the time)

on a generated 1080p 10-bit ProRes 422 HQ clip (bench/run.py makes it),
alternating the two in each repeat, and whether the merged report equals the
single pass's (apart from run, summary.elapsed_s and summary.fps). It also
gives CPU times: the single pass's, and the longer segment's plus the
merge's — what two idle cores would take; on a loaded machine the wall times
measure the neighbours. The
workers are processes on this machine: the speed-up is what a second core
(or machine) gives one file, without the broker's share.

    python3 bench/segments.py [--seconds 20] [--repeat 3] [--out build/bench-segments.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import CLIPS, make_clip  # noqa: E402

CLIP = "prores_hq_1080p_10bit.mov"


def comparable(path):
    with open(path) as f:
        doc = json.load(f)
    doc.pop("run")
    doc["summary"].pop("elapsed_s")
    doc["summary"].pop("fps")
    return doc


def start(argv):
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL)


def finish(proc):
    """CPU seconds (user + system) of a finished command."""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit("%s failed" % " ".join(proc.args))
    return usage.ru_utime + usage.ru_stime


def one_worker(a, path, out):
    """Wall time and CPU time of the single pass."""
    t0 = time.perf_counter()
    cpu = finish(start([a.mediaqc, "check", path, "--threads", "1", "--quiet", "-o", out]))
    return time.perf_counter() - t0, cpu


def two_workers(a, path, tmp, out):
    """Wall time, and the CPU time of the longer segment plus the merge: the
    wall time two idle cores would take."""
    parts = [os.path.join(tmp, "part%d.json" % i) for i in range(2)]
    t0 = time.perf_counter()
    procs = [start([a.mediaqc, "check", path, "--segment", "%d/2" % i, "--threads", "1",
                    "--quiet", "-o", parts[i]]) for i in range(2)]
    cpus = [finish(p) for p in procs]
    merge = finish(start([a.mediaqc, "merge"] + parts + ["--quiet", "-o", out]))
    return time.perf_counter() - t0, max(cpus) + merge


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mediaqc", default="build/mediaqc")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default="build/bench-media")
    ap.add_argument("--out", default="build/bench-segments.json")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    path = os.path.join(a.dir, "segments_%gs_%s" % (a.seconds, CLIP))
    size, args = CLIPS[CLIP][:2]
    make_clip(path, size, args, a.seconds)
    tmp = tempfile.mkdtemp(prefix="mqc-bench-seg-")
    single, merged = os.path.join(tmp, "single.json"), os.path.join(tmp, "merged.json")
    t1, t2, c1, c2 = [], [], [], []
    for _ in range(a.repeat):
        wall, cpu = one_worker(a, path, single)
        t1.append(wall)
        c1.append(cpu)
        wall, cpu = two_workers(a, path, tmp, merged)
        t2.append(wall)
        c2.append(cpu)
    equal = comparable(single) == comparable(merged)
    res = {"clip": CLIP, "seconds": a.seconds, "frames": comparable(single)["video"]["frames"],
           "repeat": a.repeat, "cpus": os.cpu_count(),
           "one_worker_s": {"min": min(t1), "median": statistics.median(t1)},
           "two_workers_s": {"min": min(t2), "median": statistics.median(t2)},
           "speedup_min": min(t1) / min(t2),
           "speedup_median": statistics.median(t1) / statistics.median(t2),
           "one_worker_cpu_s": min(c1), "two_workers_critical_cpu_s": min(c2),
           "speedup_cpu_critical_path": min(c1) / min(c2),
           "load_average": os.getloadavg(),
           "merged_equals_single": equal}
    print("%s, %d frames: 1 worker %.2f s, 2 workers %.2f s (min of %d): speed-up %.2fx "
          "(median %.2fx); CPU: 1 worker %.2f s, longer segment + merge %.2f s (%.2fx); "
          "load average %.1f; merged report %s the single pass's" % (
              CLIP, res["frames"], res["one_worker_s"]["min"], res["two_workers_s"]["min"],
              a.repeat, res["speedup_min"], res["speedup_median"], res["one_worker_cpu_s"],
              res["two_workers_critical_cpu_s"], res["speedup_cpu_critical_path"],
              res["load_average"][0], "equals" if equal else "DIFFERS FROM"))
    with open(a.out, "w") as f:
        json.dump(res, f, indent=2)
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
