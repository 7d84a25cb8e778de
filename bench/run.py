#!/usr/bin/env python3
"""mediaqc against ffmpeg on the same files, in the same run: one command.

    python3 bench/run.py --threads 2                # the four clips, everything (< 15 min)
    python3 bench/run.py --baseline /tmp/old/mediaqc   # + an older build, alternating
    python3 bench/run.py --smoke                    # CI: tiny clip, one repeat, no targets
    python3 bench/run.py --only hevc_pq_uhd_10bit.mp4 --checks hdr --repeat 7

For each clip (generated with the ffmpeg CLI from testsrc2 at 23.976 fps:
1080p ProRes 422 HQ 10-bit, 1080p H.264 8-bit 4:2:0, UHD ProRes 422 HQ
10-bit, and 1080p ProRes with 8 channels of 48 kHz 24-bit PCM) it runs,
alternating the commands within each repeat so machine noise hits all alike:
  decode        ffmpeg -threads N -i FILE -f null -      (the floor; decodes the audio too)
  default       mediaqc check FILE (default profile, XXH3-128 per-frame hash)
  md5           the default profile with checksum.algorithm=md5
  chain         ffmpeg signalstats+blackdetect+freezedetect with -f framemd5
                (what an engineer runs instead)
  only:CHECK    mediaqc with that check alone; only:none no check (mediaqc's
                own decode pass), only:structure flash + active_area + interlace
  1 thread      decode and default with --threads 1 (1 -> N scaling)
  base:...      with --baseline, the same mediaqc rows from an older build
Every command's wall time, CPU time (user + system of all its threads, from
wait4) and peak RSS are recorded. Ratios are paired: each repeat's time over
that repeat's decode, then the median (and min) of those ratios. On a loaded
machine the CPU ratios measure the work; wall ratios measure the neighbours
too. Then one `--stats` run of the default profile and of MD5 mode per clip
says where the CPU time goes (per check), and gives MD5's own CPU for the MD5
floor: (decode CPU + MD5 CPU) / cores. Only ratios mean anything; absolute
seconds depend on the machine.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

# HDR10 deliverables: libx265 with the HDR10 SEI (ST 2086 mastering display, CLL)
HDR10_X265 = ["-c:v", "libx265", "-preset", "fast", "-crf", "18",
              "-x265-params", "log-level=error:hdr10=1:"
              "master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)"
              "L(10000000,50):max-cll=1000,400", "-pix_fmt", "yuv420p10le"]
PRORES_HQ = ["-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le"]
# 7.1: eight different tones over noise, -20 dBFS-ish
AUDIO_SRC = "aevalsrc='%s':s=48000:c=7.1:d=%%g" % "|".join(
    "0.05*sin(2*PI*%d*t)+0.05*(random(%d)-0.5)" % (220 * (i + 1), i) for i in range(8))
PCM8 = ["-c:a", "pcm_s24le"]
# name -> size, ffmpeg encode arguments, seconds (of --seconds for 1080p), in the
# default set; testsrc2 at 23.976 fps
CLIPS = {
    "prores_hq_1080p_10bit.mov": ("1920x1080", PRORES_HQ, 1, True),
    "h264_1080p_8bit.mp4": ("1920x1080", ["-c:v", "libx264", "-preset", "fast", "-crf", "18",
                                          "-pix_fmt", "yuv420p"], 1, True),
    # UHD: half as long (4x the pixels a frame)
    "prores_hq_uhd_10bit.mov": ("3840x2160", PRORES_HQ, 0.5, True),
    "prores_hq_1080p_8ch_pcm24.mov": ("1920x1080", PRORES_HQ + PCM8, 1, True),
    # the hdr check measures these (PQ): --only NAME
    "hevc_pq_1080p_10bit.mp4": ("1920x1080", HDR10_X265, 1, False),
    "hevc_pq_uhd_10bit.mp4": ("3840x2160", HDR10_X265, 0.5, False),
}
PQ_TAGS = ["-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc"]
AUDIO_CHECKS = ("loudness", "silence", "clipping", "phase")
STRUCTURE = ("flash", "active_area", "interlace")


def make_clip(path, size, args, seconds):
    if os.path.exists(path):
        return
    src = ["-f", "lavfi", "-i", "testsrc2=size=%s:rate=24000/1001:duration=%g" % (size, seconds)]
    if PCM8[1] in args:
        src += ["-f", "lavfi", "-i", AUDIO_SRC % seconds, "-shortest"]
    # a BT.709 master, tagged as such; PQ clips: the same picture as BT.2020
    # code values, tagged PQ
    if args is HDR10_X265:
        tags = ["-vf", "scale=out_color_matrix=bt2020:out_range=tv", "-color_range", "tv"] + PQ_TAGS
    else:
        tags = ["-vf", "scale=out_color_matrix=bt709:out_range=tv", "-colorspace", "bt709",
                "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]
    subprocess.run(["ffmpeg", "-v", "error", "-y"] + src + tags + args + [path], check=True)


def measure(argv):
    """Wall seconds, CPU seconds (user + system, all threads) and peak RSS
    (KiB) of one command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit("bench: %s exited %d" % (" ".join(argv), code))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def median_min(values):
    return {"median": statistics.median(values), "min": min(values)}


def profile_file(tmp, name, checks):
    path = os.path.join(tmp, "%s.json" % name)
    with open(path, "w") as f:
        json.dump({"checks": {c: {} for c in checks}}, f)
    return path


def check_names(mediaqc):
    out = subprocess.run([mediaqc, "profiles", "show", "default"], capture_output=True,
                         text=True, check=True).stdout
    return list(json.loads(out)["checks"])


def commands(a, path, names, tmp, has_audio):
    n = str(a.threads)
    decode = ["ffmpeg", "-v", "error", "-threads", n, "-i", path, "-f", "null", "-"]
    cmds = {"decode": decode}
    binaries = [("", a.mediaqc)] + ([("base:", a.baseline)] if a.baseline else [])
    for prefix, exe in binaries:
        mq = [exe, "check", path, "--quiet", "-o", os.devnull, "--threads", n]
        if not a.checks_only:
            cmds[prefix + "default"] = mq
        if not prefix and not a.checks_only:
            cmds["md5"] = mq + ["--set", "checksum.algorithm=md5"]
        if not prefix and not a.checks_only and not a.smoke:
            cmds["chain"] = ["ffmpeg", "-v", "error", "-threads", n, "-i", path, "-vf",
                             "signalstats=stat=brng+tout+vrep,blackdetect,freezedetect",
                             "-f", "framemd5", "-"]
            cmds["decode_1thread"] = decode[:4] + ["1"] + decode[5:]
            cmds["default_1thread"] = mq[:-1] + ["1"]
            if has_audio:
                cmds["default_no_audio_checks"] = mq + [
                    x for c in AUDIO_CHECKS for x in ("--set", "%s.enabled=false" % c)]
        if a.smoke:
            continue
        # each check alone: the picture checks on every clip but the audio
        # one, the audio checks on it (its picture is the 1080p ProRes clip)
        alone = [c for c in names if (c in AUDIO_CHECKS) == has_audio]
        groups = [("none", [])] + ([] if has_audio else [("structure", STRUCTURE)])
        for c in alone:
            cmds["%sonly:%s" % (prefix, c)] = mq + ["--profile", profile_file(tmp, c, [c])]
        for g, members in groups:
            if all(m in names for m in members):
                cmds["%sonly:%s" % (prefix, g)] = mq + ["--profile",
                                                        profile_file(tmp, g, members)]
    return cmds


def stats_run(a, path, extra):
    """One --stats run: the report's run.stats."""
    out = os.path.join(tempfile.mkdtemp(prefix="mqc-bench-"), "r.json")
    subprocess.run([a.mediaqc, "check", path, "--quiet", "-o", out, "--threads",
                    str(a.threads), "--stats"] + extra, capture_output=True)
    with open(out) as f:
        rep = json.load(f)
    return {"frames": rep["summary"]["frames_analyzed"], **rep["run"]["stats"]}


def bench_clip(a, path, names, tmp, has_audio):
    cmds = commands(a, path, names, tmp, has_audio)
    wall = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    rss = {k: [] for k in cmds}
    for _ in range(a.repeat):
        for k, argv in cmds.items():
            w, c, r = measure(argv)
            wall[k].append(w)
            cpu[k].append(c)
            rss[k].append(r)
    row = {"commands": {}}
    for k in cmds:
        # paired: each repeat against the decode of the same repeat
        over = "decode_1thread" if k.endswith("_1thread") else "decode"
        row["commands"][k] = {
            "wall_s": median_min(wall[k]), "cpu_s": median_min(cpu[k]),
            "peak_rss_kib": max(rss[k]),
            "wall_over_decode": median_min([x / d for x, d in zip(wall[k], wall[over])]),
            "cpu_over_decode": median_min([x / d for x, d in zip(cpu[k], cpu[over])]),
        }
    if "chain" in cmds:
        row["chain_over_default"] = {
            "wall": median_min([c / m for c, m in zip(wall["chain"], wall["default"])]),
            "cpu": median_min([c / m for c, m in zip(cpu["chain"], cpu["default"])])}
    if "default_1thread" in cmds:
        row["scaling_1_to_n"] = {
            "default_wall": median_min([o / m for o, m in zip(wall["default_1thread"],
                                                                wall["default"])]),
            "decode_wall": median_min([o / m for o, m in zip(wall["decode_1thread"],
                                                               wall["decode"])])}
    if not a.checks_only:
        row["stats_default"] = stats_run(a, path, [])
        row["stats_md5"] = stats_run(a, path, ["--set", "checksum.algorithm=md5"])
        md5 = row["stats_md5"]["checks_cpu_s"].get("checksum", {}).get("measure_frame", 0)
        dec = row["commands"]["decode"]["cpu_s"]["median"]
        # MD5 mode cannot take less wall time than decode + MD5 spread over the cores
        row["md5_floor"] = {"md5_cpu_s": md5, "decode_cpu_s": dec,
                            "floor_wall_s": (dec + md5) / a.threads,
                            "md5_mode_wall_s": row["commands"]["md5"]["wall_s"]["median"],
                            "md5_mode_cpu_s": row["commands"]["md5"]["cpu_s"]["median"]}
    return row


def print_clip(name, row, a):
    c = row["commands"]
    d = c["decode"]
    print("\n%s: decode CPU %.2f s, wall %.2f s, peak RSS %.0f MB (medians)" % (
        name, d["cpu_s"]["median"], d["wall_s"]["median"], d["peak_rss_kib"] / 1024))
    print("  %-30s %8s %10s %9s %10s %9s" % ("", "CPU s", "CPU/dec", "wall s", "wall/dec",
                                             "RSS MB"))
    for k, v in c.items():
        if k == "decode":
            continue
        print("  %-30s %8.2f %5.2fx %4.2f %8.2f %5.2fx %4.2f %8.0f" % (
            k, v["cpu_s"]["median"], v["cpu_over_decode"]["median"],
            v["cpu_over_decode"]["min"], v["wall_s"]["median"],
            v["wall_over_decode"]["median"], v["wall_over_decode"]["min"],
            v["peak_rss_kib"] / 1024))
    if "chain_over_default" in row:
        r = row["chain_over_default"]
        print("  chain / default: CPU %.2fx, wall %.2fx (median of pairs)" % (
            r["cpu"]["median"], r["wall"]["median"]))
    if "scaling_1_to_n" in row:
        r = row["scaling_1_to_n"]
        print("  1 -> %d threads, wall: default %.2fx, decode %.2fx" % (
            a.threads, r["default_wall"]["median"], r["decode_wall"]["median"]))
    if "md5_floor" in row:
        r = row["md5_floor"]
        print("  MD5 floor: (decode %.2f + MD5 %.2f CPU s) / %d = %.2f s wall; MD5 mode %.2f s "
              "wall, %.2f s CPU" % (r["decode_cpu_s"], r["md5_cpu_s"], a.threads,
                                    r["floor_wall_s"], r["md5_mode_wall_s"],
                                    r["md5_mode_cpu_s"]))
    if "stats_default" in row:
        s = row["stats_default"]
        parts = [("reading+decoding", s["cpu_s"]["decode"])] + list(s["stages_cpu_s"].items()) + [
            (k, sum(v.values())) for k, v in s["checks_cpu_s"].items()]
        parts.sort(key=lambda p: -p[1])
        print("  --stats, default (ms/frame): " + ", ".join(
            "%s %.2f" % (k, 1e3 * v / max(s["frames"], 1)) for k, v in parts if v > 0.0005))


def rss_growth(a):
    """Peak RSS of a short clip and a 6x longer one with the same content."""
    out = {}
    for label, seconds in (("short", a.rss_seconds), ("long", 6 * a.rss_seconds)):
        path = os.path.join(a.dir, "rss_%s_%g.mov" % (label, seconds))
        make_clip(path, "1280x720", ["-c:v", "prores_ks", "-profile:v", "1",
                                     "-pix_fmt", "yuv422p10le"], seconds)
        out[label] = measure([a.mediaqc, "check", path, "--quiet", "-o", os.devnull])[2]
    out["long_over_short"] = out["long"] / out["short"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mediaqc", default="build/mediaqc")
    ap.add_argument("--baseline", help="an older mediaqc build, timed alternating with this one")
    ap.add_argument("--seconds", type=float, default=3, help="1080p clip length (UHD: half)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--dir", default="build/bench-media")
    ap.add_argument("--out", default="build/bench-results.json")
    ap.add_argument("--only", help="run one clip (any of: %s)" % ", ".join(CLIPS))
    ap.add_argument("--checks", help="time only these checks alone (comma-separated)")
    ap.add_argument("--checks-only", action="store_true",
                    help="time decode and the checks alone, nothing else (kernel work)")
    ap.add_argument("--rss-seconds", type=float, default=5)
    ap.add_argument("--smoke", action="store_true", help="tiny clip, one repeat (CI)")
    a = ap.parse_args()
    clips = {k: v for k, v in CLIPS.items() if (a.only == k if a.only else v[3])}
    if a.smoke:
        clips = {"smoke.mov": ("320x180", PRORES_HQ + PCM8, 1, True)}
        a.seconds, a.repeat, a.rss_seconds = 1, 1, 0.5
    os.makedirs(a.dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="mqc-bench-")
    names = check_names(a.mediaqc)
    if a.checks:
        names = [n for n in names if n in a.checks.split(",")]
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                           "processor": platform.processor(), "load": os.getloadavg()},
               "threads": a.threads, "repeat": a.repeat, "seconds": a.seconds,
               "baseline": a.baseline, "checks": names, "clips": {}}
    t0 = time.time()
    for name, (size, args, share, _) in clips.items():
        path = os.path.join(a.dir, "%s_%gs%s" % (os.path.splitext(name)[0], a.seconds * share,
                                                 os.path.splitext(name)[1]))
        make_clip(path, size, args, a.seconds * share)
        row = bench_clip(a, path, names, tmp, PCM8[1] in args)
        results["clips"][name] = row
        print_clip(name, row, a)
        sys.stdout.flush()
    if not a.only and not a.checks_only:
        results["rss_kib"] = rss_growth(a)
        print("\npeak RSS, 720p ProRes, default profile: %(short)d KiB (short), %(long)d KiB "
              "(6x longer): x%(long_over_short).3f" % results["rss_kib"])
    results["bench_s"] = time.time() - t0
    results["machine"]["load_end"] = os.getloadavg()
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)
    print("bench took %.0f s, load average %.1f -> %.1f; results: %s" % (
        results["bench_s"], results["machine"]["load"][0], results["machine"]["load_end"][0],
        a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
