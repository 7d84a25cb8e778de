#!/usr/bin/env python3
"""mediaqc against ffmpeg on the same files, in the same run.

Usage: bench/run.py [--mediaqc build/mediaqc] [--seconds 10] [--repeat 3] [--out bench/results.json]

For each generated file it times, alternating runs so machine noise hits all alike:
  decode   ffmpeg -threads N -i FILE -f null -                      (the floor)
  chain    ffmpeg signalstats + blackdetect + framemd5               (what a user runs instead)
  mediaqc  mediaqc check FILE (default profile)
and prints min/median wall times and the ratios mediaqc/decode and chain/mediaqc.
Only ratios mean anything: absolute seconds depend on the machine.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

CLIPS = {  # name -> ffmpeg encode arguments for a testsrc2 source
    "prores_hq_1080p_10bit.mov": ["-s", "1920x1080", "-c:v", "prores_ks", "-profile:v", "3",
                                  "-pix_fmt", "yuv422p10le"],
    "h264_1080p_8bit.mp4": ["-s", "1920x1080", "-c:v", "libx264", "-preset", "fast", "-crf", "18",
                            "-pix_fmt", "yuv420p"],
}


def make_clip(path, args, seconds):
    if os.path.exists(path):
        return
    src = "testsrc2=size=%s:rate=24000/1001:duration=%g" % (args[1], seconds)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src] + args[2:] + [path],
                   check=True)


def timed(argv):
    t0 = time.perf_counter()
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mediaqc", default="build/mediaqc")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--dir", default="build/bench-media")
    ap.add_argument("--out", default="build/bench-results.json")
    ap.add_argument("--only", help="run one clip")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    n = str(a.threads)
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                           "processor": platform.processor()},
               "threads": a.threads, "repeat": a.repeat, "clips": {}}
    for name, args in CLIPS.items():
        if a.only and a.only != name:
            continue
        path = os.path.join(a.dir, name)
        make_clip(path, args, a.seconds)
        cmds = {
            "decode": ["ffmpeg", "-v", "error", "-threads", n, "-i", path, "-f", "null", "-"],
            "chain": ["ffmpeg", "-v", "error", "-threads", n, "-i", path, "-vf",
                      "signalstats=stat=brng+tout+vrep,blackdetect,freezedetect",
                      "-f", "framemd5", "-"],
            "mediaqc": [a.mediaqc, "check", path, "--threads", n, "--quiet", "-o", os.devnull],
        }
        times = {k: [] for k in cmds}
        for _ in range(a.repeat):
            for k, argv in cmds.items():
                times[k].append(timed(argv))
        row = {k: {"min": min(v), "median": statistics.median(v)} for k, v in times.items()}
        row["ratio_mediaqc_decode"] = {s: row["mediaqc"][s] / row["decode"][s]
                                       for s in ("min", "median")}
        row["ratio_chain_mediaqc"] = {s: row["chain"][s] / row["mediaqc"][s]
                                      for s in ("min", "median")}
        results["clips"][name] = row
        print("%-28s decode %6.2fs  chain %6.2fs  mediaqc %6.2fs  | mediaqc/decode %.2fx "
              "(median %.2fx)  chain/mediaqc %.1fx" % (
                  name, row["decode"]["min"], row["chain"]["min"], row["mediaqc"]["min"],
                  row["ratio_mediaqc_decode"]["min"], row["ratio_mediaqc_decode"]["median"],
                  row["ratio_chain_mediaqc"]["min"]), flush=True)
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)
    print("results:", a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
